import GRDB
import GatewayJSON
import GraphQLSupport
@testable import SubgraphKit
import TestSupport
import Testing

@Suite("Bad input never crashes and gets a clear answer")
struct BadInputTests {
    @Test func malformedJSONIsA400WithTheReason() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let reply = try await TestHTTP.post(subgraph.url, body: #"{"query": "{ items { id } }""#)
            #expect(reply.status == 400)
            #expect(try reply.json() == [
                "errors": [["message": "The request body is not valid JSON: Unexpected end of JSON in object at byte 28",
                            "extensions": ["code": "BAD_REQUEST"]]]
            ])
            let notObject = try await TestHTTP.post(subgraph.url, body: "[1]")
            #expect(notObject.status == 400)
            #expect(try notObject.json().at("errors", 0, "message") == "The request body must be a JSON object, got an array")
            let noQuery = try await TestHTTP.post(subgraph.url, body: #"{"variables": {}}"#)
            #expect(try noQuery.json().at("errors", 0, "message") == "The request body has no \"query\"")
            let deep = try await TestHTTP.post(subgraph.url, body: String(repeating: "[", count: 100_000))
            #expect(deep.status == 400)
            #expect(try deep.json().at("errors", 0, "message") == "The request body is not valid JSON: JSON nested too deeply at byte 512")
        }
    }

    /// Found by the fuzzer: PUT /graphql got an empty 404, not a GraphQL answer.
    @Test func otherMethodsOnGraphQLAreA405WithAnError() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            for method in ["GET", "PUT", "PATCH", "DELETE"] {
                let reply = try await TestHTTP.request(subgraph.url, method: method)
                #expect(reply.status == 405, "\(method)")
                #expect(reply.headers["allow"] == "POST", "\(method)")
                #expect(try reply.json() == [
                    "errors": [["message": "A subgraph answers GraphQL requests by POST only.", "extensions": ["code": "METHOD_NOT_ALLOWED"]]]
                ])
            }
        }
    }

    @Test func unparsableAndInvalidQueriesAreGraphQLErrors() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let syntax = try await subgraph.query("{ items { id ")
            #expect(syntax["data"] == nil)
            #expect(syntax.at("errors", 0, "extensions", "code") == "GRAPHQL_PARSE_FAILED")
            #expect(syntax.at("errors", 0, "locations") == [["line": 1, "column": 14]])
            let unknownField = try await subgraph.query("{ items { id colour } }")
            #expect(unknownField.at("errors", 0, "message") == "Cannot query field \"colour\" on type \"Item\".")
            #expect(unknownField.at("errors", 0, "locations") == [["line": 1, "column": 14]])
            let unknownOperation = try await TestHTTP.graphql(subgraph.url, "query A { items { id } }", operationName: "B")
            #expect(unknownOperation.at("errors", 0, "message") == "Unknown operation named \"B\".")
        }
    }

    @Test func variablesAreCheckedAgainstTheirDefinitions() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let unknown = try await subgraph.query("query($l: Int) { items(limit: $l) { id } }", variables: ["l": 1, "extra": 2])
            #expect(unknown == [
                "errors": [["message": "Variable \"$extra\" is not defined by the operation.", "extensions": ["code": "BAD_USER_INPUT"]]]
            ])
            let wrongType = try await subgraph.query("query($l: Int) { items(limit: $l) { id } }", variables: ["l": "ten"])
            #expect(wrongType.at("errors", 0, "message") == "Variable \"$l\" got invalid value \"ten\": Int cannot represent a string value: \"ten\".")
            let missing = try await subgraph.query("query($t: String!) { items(filter: {tag: {_eq: $t}}) { id } }")
            #expect(missing.at("errors", 0, "message") == "Variable \"$t\" of required type \"String!\" was not provided.")
            let badField = try await subgraph.query(
                "query($f: ItemFilter) { items(filter: $f) { id } }", variables: ["f": ["colour": ["_eq": "red"]]])
            #expect(badField.at("errors", 0, "message")
                == "Variable \"$f\" got invalid value {\"colour\":{\"_eq\":\"red\"}}: Field \"colour\" is not defined by type \"ItemFilter\".")
            let tooBig = try await subgraph.query("query($l: Int) { items(limit: $l) { id } }", variables: ["l": 3_000_000_000])
            #expect(tooBig.at("errors", 0, "message")
                == "Variable \"$l\" got invalid value 3000000000: Int cannot represent non 32-bit signed integer value: 3000000000.")
        }
    }

    @Test func valuesCraftedAsSQLAreJustValues() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            for attack in ["x' OR 1=1 --", "\" OR \"\"=\"", "1; DROP TABLE items; --", "%' OR '1'='1"] {
                let literal = JSON.string(attack).description
                #expect(try await subgraph.ids("{ items(filter: {name: {_eq: \(literal)}}) { id } }") == [])
                #expect(try await subgraph.ids("{ items(filter: {name: {_like: \(literal)}}) { id } }") == [])
                #expect(try await subgraph.ids(
                    "query($v: String!) { items(filter: {tag: {_in: [$v]}}) { id } }", variables: ["v": .string(attack)]) == [])
            }
            #expect(try await subgraph.ids("{ items { id } }").count == 10)
        }
    }

    @Test func tooManyRowsIsAnErrorNotAnExplosion() async throws {
        try await InProcessSubgraph.with(models: [item], limits: .init(maxRows: 4)) { subgraph async throws in
            let answer = try await subgraph.query("{ items { id } }")
            #expect(answer.at("errors", 0, "message")
                == .string("items matched more than 4 rows; this subgraph answers at most 4 rows per field "
                    + "(maxRows: --max-rows or SUBGRAPH_MAX_ROWS). Pass a smaller `limit` or narrow the filter."))
            #expect(try await subgraph.ids("{ items(limit: 4) { id } }") == ["1", "10", "2", "3"])
        }
    }
}

@Suite("Storage")
struct StorageTests {
    @Test func aThousandKeyInLookupStaysAnIndexLookup() async throws {
        let store = try Store(path: nil, models: [item], scale: 1)
        let compiler = SQLCompiler(model: item)
        for count in [10, 1_000] {
            let keys = (0..<count).map { JSON.string(String($0)) }
            let filter = try compiler.compile(filter: ["code": ["_in": .array(keys)]])
            let plan = try await store.writer.read { db in
                try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN SELECT \"id\" FROM \"items\" WHERE \(filter.sql)",
                    arguments: StatementArguments(filter.arguments)
                ).map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("USING INDEX items_code") || $0.contains("USING COVERING INDEX items_code") }, "\(count) keys: \(plan)")
            #expect(!plan.contains { $0 == "SCAN items" }, "\(count) keys: \(plan)")
        }
    }

    @Test func aThousandKeyInLookupFindsTheRows() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            var keys = (100..<1_100).map { JSON.string("k\($0)") }
            keys.append("é")
            keys.append("10")
            let ids = try await subgraph.ids("query($k: [ID!]) { items(filter: {code: {_in: $k}}) { id } }", variables: ["k": .array(keys)])
            #expect(ids == ["1", "6", "9"])
            let notIn = try await subgraph.ids("query($k: [ID!]) { items(filter: {code: {_nin: $k}}) { id } }", variables: ["k": .array(keys)])
            #expect(notIn == ["10", "2", "4", "5", "7"])
        }
    }

    @Test func compositeKeyLookupsMatchExactTuplesWithOneStatement() async throws {
        // The shape the gateway sends for a composite key: an `_or` of `_and`s of `_eq`s.
        var tuples: [JSON] = [[10, "a"], [20, "b"], [30, "b"], [10, "c"]]
        tuples += (100..<120).map { [.int($0), "z"] }
        let filter: JSON = ["_or": .array(tuples.map { tuple in
            ["_and": [["score": ["_eq": tuple[0]!]], ["tag": ["_eq": tuple[1]!]]]]
        })]
        let compiler = SQLCompiler(model: item)
        let compiled = try compiler.compile(filter: filter.objectValue!)
        #expect(compiled.sql.contains("IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))"))
        #expect(compiled.arguments.count == 1)
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let ids = try await subgraph.ids("query($f: ItemFilter) { items(filter: $f) { id } }", variables: ["f": filter])
            // (10, a): 1 and 9; (20, b): 2; (30, b): 5; (10, c): 4.
            #expect(ids == ["1", "2", "4", "5", "9"])
            // Negated, rows with a null part match (plain negation).
            let negated = try await subgraph.ids("query($f: ItemFilter) { items(filter: {_not: $f}) { id } }", variables: ["f": filter])
            #expect(negated == ["10", "3", "6", "7", "8"])
        }
    }

    @Test func likeMatcherFollowsTheProtocol() {
        #expect(LikePattern.matches("a%", "abc", ignoringCase: false))
        #expect(!LikePattern.matches("a%", "Abc", ignoringCase: false))
        #expect(LikePattern.matches("a%", "Abc", ignoringCase: true))
        #expect(LikePattern.matches("%b%", "abc", ignoringCase: false))
        #expect(LikePattern.matches("_b_", "abc", ignoringCase: false))
        #expect(!LikePattern.matches("_b", "abc", ignoringCase: false))
        #expect(LikePattern.matches("%", "", ignoringCase: false))
        #expect(!LikePattern.matches("_", "", ignoringCase: false))
        #expect(LikePattern.matches("é_", "éà", ignoringCase: false))
        #expect(LikePattern.matches("ÆRØ", "ærø", ignoringCase: true))
        #expect(LikePattern.matches("%%a%%", "xxax", ignoringCase: false))
        #expect(LikePattern.matches("[a]*", "[a]*", ignoringCase: false))
        #expect(!LikePattern.matches("[a]*", "a", ignoringCase: false))
        // Pathological patterns stay fast (no exponential backtracking).
        #expect(!LikePattern.matches(String(repeating: "%a", count: 30) + "b", String(repeating: "a", count: 5_000), ignoringCase: false))
    }
}
