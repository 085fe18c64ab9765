import Foundation
import GatewayJSON
import TestSupport
import Testing

/// Each operation limit through the real gateway: one request just within it, one just past
/// it (refused with the exact error and no upstream request, except the response size, which
/// is known only after fetching).
@Suite("Operation limits end to end", .serialized)
struct OperationLimitTests {
    /// The repository's gateway.yaml with a `limits:` section.
    static func limitedConfig(_ limits: String) throws -> String {
        let yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8) + "\nlimits:\n" + limits
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func post(_ stack: LocalStack, _ body: [UInt8]) async throws -> (status: Int, json: JSON) {
        let reply = try await TestHTTP.request(await stack.url("gateway"), method: "POST", body: body)
        return (reply.status, try reply.json())
    }

    static func send(_ stack: LocalStack, _ query: String, variables: JSONObject? = nil) async throws -> (status: Int, json: JSON) {
        var body: JSONObject = ["query": .string(query)]
        if let variables { body["variables"] = .object(variables) }
        return try await post(stack, Array(JSON.object(body).description.utf8))
    }

    /// The error of a limit, as the gateway answers it.
    static func limitError(_ message: String, _ limit: String, maximum: Int, actual: Int) -> JSON {
        ["errors": [["message": .string(message), "extensions": ["code": "OPERATION_LIMIT", "limit": .string(limit), "maximum": .int(maximum), "actual": .int(actual)]]]]
    }

    @Test func eachLimitRefusesJustPastItAndAnswersJustWithinIt() async throws {
        let config = try Self.limitedConfig("""
              maxDepth: 3
              maxAliases: 2
              maxRootFields: 2
              maxListNesting: 1
              maxCost: 50
              defaultListSize: 10
              maxRequestBytes: 2000
              introspection: false

            """)
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withStack(config: config) { stack in
            func within(_ query: String, variables: JSONObject? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let answer = try await Self.send(stack, query, variables: variables)
                #expect(answer.status == 200, sourceLocation: sourceLocation)
                #expect(answer.json["errors"] == nil && answer.json["data"] != nil, "\(answer.json)", sourceLocation: sourceLocation)
            }
            func refused(
                _ query: String, variables: JSONObject? = nil, _ expected: JSON, sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let before = try await stack.upstreamRequests()
                let answer = try await Self.send(stack, query, variables: variables)
                // Not executed: 400 under application/graphql-response+json, what a request
                // without Accept gets (GraphQL over HTTP).
                #expect(answer.status == 400, sourceLocation: sourceLocation)
                #expect(answer.json == expected, sourceLocation: sourceLocation)
                #expect(try await stack.upstreamRequests() == before, "nothing is sent upstream", sourceLocation: sourceLocation)
            }

            try await within("{ books(limit: 1) { author { name } } }")
            try await refused(
                "{ books(limit: 1) { author { passport { id } } } }",
                Self.limitError("The operation is 4 fields deep; the limit is 3 (limits.maxDepth in gateway.yaml).", "maxDepth", maximum: 3, actual: 4))

            try await within("{ a: books(limit: 1) { n: name } }")
            try await refused(
                "{ a: books(limit: 1) { n: name y: year } }",
                Self.limitError("The operation uses 3 aliases; the limit is 2 (limits.maxAliases in gateway.yaml).", "maxAliases", maximum: 2, actual: 3))

            try await within("{ books(limit: 1) { name } users(limit: 1) { name } }")
            try await refused(
                "{ books(limit: 1) { name } users(limit: 1) { name } authors(limit: 1) { name } }",
                Self.limitError("The operation selects 3 root fields; the limit is 2 (limits.maxRootFields in gateway.yaml).", "maxRootFields", maximum: 2, actual: 3))

            try await within("{ books(limit: 1) { library { name } } }")
            try await refused(
                "{ books(limit: 1) { reviews(limit: 1) { rating } } }",
                Self.limitError("The operation nests lists 2 deep; the limit is 1 (limits.maxListNesting in gateway.yaml).", "maxListNesting", maximum: 1, actual: 2))

            // 1 + 24 books × 2 fields = 49; 25 books: 51.
            let costAdvice =
                " Every field counts once per object it is selected on, and a list field multiplies the objects below it by its limit argument, or by 10 without one: give lists a smaller limit."
            try await within("{ books(limit: 24) { name year } }")
            try await refused(
                "{ books(limit: 25) { name year } }",
                Self.limitError("The operation's estimated cost is 51; the limit is 50 (limits.maxCost in gateway.yaml)." + costAdvice, "maxCost", maximum: 50, actual: 51))
            // A variable sets the limit: the same document is within or past it by its value.
            let byVariable = "query($n: Int) { books(limit: $n) { name year } }"
            try await within(byVariable, variables: ["n": 24])
            try await within(byVariable)  // 1 + 10 × 2 without a limit
            try await refused(
                byVariable, variables: ["n": 25],
                Self.limitError("The operation's estimated cost is 51; the limit is 50 (limits.maxCost in gateway.yaml)." + costAdvice, "maxCost", maximum: 50, actual: 51))

            // Introspection is off for clients; __typename is not introspection.
            try await refused(
                "{ __schema { queryType { name } } }",
                ["errors": [[
                    "message": "Introspection is disabled for clients: __schema is not allowed (limits.introspection in gateway.yaml). __typename still works.",
                    "extensions": ["code": "OPERATION_LIMIT", "limit": "introspection", "field": "__schema"],
                ]]])
            try await refused(
                #"{ __type(name: "Book") { name } }"#,
                ["errors": [[
                    "message": "Introspection is disabled for clients: __type is not allowed (limits.introspection in gateway.yaml). __typename still works.",
                    "extensions": ["code": "OPERATION_LIMIT", "limit": "introspection", "field": "__type"],
                ]]])
            #expect(try await Self.send(stack, "{ __typename }").json == ["data": ["__typename": "Query"]])
            #expect(try await Self.send(stack, "{ books(limit: 1) { __typename } }").json == ["data": ["books": [["__typename": "Book"]]]])

            // A body of exactly 2,000 bytes is read; one more byte is 413.
            func body(_ size: Int) -> [UInt8] {
                let head = Array(#"{"query":"{ __typename }"#.utf8)
                let tail = Array(#""}"#.utf8)
                return head + [UInt8](repeating: UInt8(ascii: " "), count: size - head.count - tail.count) + tail
            }
            let atLimit = try await Self.post(stack, body(2000))
            #expect(atLimit.status == 200)
            #expect(atLimit.json == ["data": ["__typename": "Query"]])
            let past = try await Self.post(stack, body(2001))
            #expect(past.status == 413)
            #expect(past.json == ["errors": [[
                "message": "The request body is larger than 2000 bytes, the limit (limits.maxRequestBytes in gateway.yaml).",
                "extensions": ["code": "PAYLOAD_TOO_LARGE", "limit": "maxRequestBytes", "maximum": 2000],
            ]]])
        }
    }

    /// The limit set to the exact size of one forwarded answer: that answer passes, one more
    /// row does not, and neither does a stitched answer past it.
    @Test func aResponsePastTheLimitIsReplacedByAnError() async throws {
        let stack = LocalStack()
        do {
            try await stack.start(gateway: false)
            // A forwarded answer is the subgraph's answer byte for byte.
            let exact = try await TestHTTP.post(await stack.url("catalog"), body: #"{"query":"{ books(limit: 5) { name year } }"}"#).body.count
            let config = try Self.limitedConfig("  maxResponseBytes: \(exact)\n")
            defer { try? FileManager.default.removeItem(atPath: config) }
            try await stack.startGateway(config: config)

            let within = try await Self.send(stack, "{ books(limit: 5) { name year } }")
            #expect(within.json.at("data", "books")?.arrayValue?.count == 5, "\(within.json)")
            let small = try await Self.send(stack, "{ books(limit: 1) { name author { name } } }")
            #expect(small.json["errors"] == nil, "\(small.json)")

            let expected: JSON = [
                "data": .null,
                "errors": [[
                    "message": .string("The response is larger than \(exact) bytes, the limit (limits.maxResponseBytes in gateway.yaml); ask for fewer rows or fields."),
                    "extensions": ["code": "OPERATION_LIMIT", "limit": "maxResponseBytes", "maximum": .int(exact)],
                ]],
            ]
            let forwarded = try await Self.send(stack, "{ books(limit: 6) { name year } }")
            #expect(forwarded.status == 200)
            #expect(forwarded.json == expected)
            let stitched = try await Self.send(stack, "{ books(limit: 5) { name year author { name } } }")
            #expect(stitched.json == expected)
            // A mutation's writes happened: the message says so.
            let mutation = try await Self.send(stack, #"mutation { create_Author(input: {name: "Limit", passport: {data: {passport_number: "\#(String(repeating: "P", count: exact))"}}}) { name passport { passport_number } } }"#)
            #expect(mutation.json.at("errors", 0, "message")?.stringValue?.hasSuffix("ask for fewer rows or fields. The mutation was executed; only its response was dropped.") == true, "\(mutation.json)")
            let written = try await stack.query(#"{ authors(filter: {name: {_eq: "Limit"}}) { name } }"#, to: "authors")
            #expect(written.at("data", "authors") == [["name": "Limit"]])
            await stack.stopAll()
        } catch {
            await stack.stopAll()
            throw error
        }
    }

    /// The defaults take the benchmark's deep query (and every other test's queries); text
    /// nested deeper than the parser can take, and fragments spread deeper than the validator
    /// can take, are refused.
    @Test func theDefaultsTakeTheBenchmarksDeepQuery() async throws {
        let deep = try String(contentsOf: BuildProducts.packageRoot.appendingPathComponent("bench/queries/deep.graphql"), encoding: .utf8)
        try await withStack { stack in
            let answer = try await Self.send(stack, deep)
            #expect(answer.json["errors"] == nil, "\(answer.json)")
            #expect(answer.json.at("data", "books")?.arrayValue?.count == 20)

            // Nesting that would overflow the parser's stack is refused before parsing, and
            // the gateway keeps serving.
            var tooDeep = "{ books { "
            for _ in 0..<2_000 { tooDeep += "author { authoredBooks { " }
            tooDeep += "name" + String(repeating: " }", count: 4_001) + " }"
            let refused = try await Self.send(stack, tooDeep)
            #expect(refused.json == ["errors": [[
                "message": "The query nests braces, brackets or parentheses more than 256 deep; it is not parsed.",
                "extensions": ["code": "GRAPHQL_PARSE_FAILED"],
            ]]])
            // So is a flat chain of two thousand fragments, each spreading the next.
            var chain = "{ ...F0 }"
            for index in 0..<2_000 { chain += " fragment F\(index) on Query { ...F\(index + 1) }" }
            chain += " fragment F2000 on Query { __typename }"
            let unvalidated = try await Self.send(stack, chain)
            #expect(unvalidated.json == ["errors": [[
                "message": "The query nests selection sets more than 256 deep, counting each fragment where it is spread; it is not validated.",
                "extensions": ["code": "GRAPHQL_VALIDATION_FAILED"],
            ]]])
            #expect(try await Self.send(stack, "{ __typename }").json == ["data": ["__typename": "Query"]])
        }
    }
}
