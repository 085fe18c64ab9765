import GatewayJSON

/// One HTTP request the fuzzer sends.
struct FuzzInput: Sendable {
    var kind: String
    var method = "POST"
    /// Appended to `/graphql` (a GET's query string).
    var query = ""
    var body: [UInt8]?
    var headers = ["content-type": "application/json"]
    /// Whether the answer must be the same the second time (a valid query, nothing else).
    var deterministic = false
}

/// Request bodies and requests no client should send: broken and deep JSON, invalid UTF-8,
/// huge strings and numbers, alias and fragment bombs, cyclic fragments, wrong variables,
/// SQL-shaped filter values, odd methods and headers.
enum HostileInputs {
    static func body(_ query: String, variables: JSON? = nil, extra: String = "") -> [UInt8] {
        var text = #"{"query":"# + JSON.string(query).description
        if let variables { text += #","variables":"# + variables.description }
        return Array((text + extra + "}").utf8)
    }

    static func post(_ kind: String, _ bytes: [UInt8]) -> FuzzInput { FuzzInput(kind: kind, body: bytes) }

    static func post(_ kind: String, _ text: String) -> FuzzInput { FuzzInput(kind: kind, body: Array(text.utf8)) }

    /// One hostile input, chosen and shaped by `rng`. `collection` is a list field of the
    /// target (`books` on the gateway) and `textField` a String field of its rows.
    static func make(_ rng: inout SplitMix, collection: String, filterField: String) -> FuzzInput {
        let valid = "{ \(collection)(limit: 2) { id } }"
        let sql = rng.pick(hostileStrings)
        switch Int.random(in: 0..<30, using: &rng) {
        case 0:
            // A valid body cut anywhere.
            let whole = body(valid, variables: ["a": 1])
            return post("truncated JSON", Array(whole.prefix(Int.random(in: 0..<whole.count, using: &rng))))
        case 1:
            return post("random bytes", (0..<Int.random(in: 1...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 2:
            return post("broken JSON", rng.pick([
                "", "{", "}", "[", "null", "true", "1", "\"query\"", #"{"query":}"#, #"{"query":"{ __typename }",}"#,
                #"{"query" "x"}"#, #"{'query': '{ __typename }'}"#, #"{"query":"{ __typename }"} trailing"#,
                #"{"query":"\u12"}"#, #"{"query":"\x41"}"#, #"{"query":"{ __typename }","query":"{ __typename }"}"#,
                #"{"query":1}"#, #"{"query":null}"#, #"{"query":["{ __typename }"]}"#, #"{"query":"{ __typename }","variables":"x"}"#,
                #"{"query":"{ __typename }","variables":[1]}"#, #"{"query":"{ __typename }","extensions":1}"#,
                #"{"query":"{ __typename }","operationName":7}"#, "\u{FEFF}{\"query\":\"{ __typename }\"}",
            ]))
        case 3:
            // Invalid UTF-8 inside the query string, and lone surrogates.
            var bytes = Array(#"{"query":"{ \#(collection)(filter: {\#(filterField): {_eq: \"a"#.utf8)
            bytes += rng.pick([[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]])
            bytes += Array(#"\"}}) { id } }"}"#.utf8)
            return post("invalid UTF-8", bytes)
        case 4:
            return post("lone surrogate escape", body("{ \(collection)(filter: {\(filterField): {_eq: \"\\ud800\"}}) { id } }"))
        case 5:
            let depth = rng.pick([600, 10_000])
            return post("deep JSON arrays", String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        case 6:
            let depth = rng.pick([600, 10_000])
            return post("deep JSON objects", #"{"query":"{ __typename }","variables":"# + String(repeating: #"{"a":"#, count: depth)
                + "1" + String(repeating: "}", count: depth) + "}")
        case 7:
            let depth = rng.pick([300, 10_000])
            return post("deep selection text", body(String(repeating: "{ \(collection) ", count: depth) + String(repeating: "}", count: depth)))
        case 8:
            let depth = rng.pick([300, 10_000])
            return post("deep list literal", body(
                "{ \(collection)(filter: {\(filterField): {_in: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
                    + "}}) { id } }"))
        case 9:
            let depth = rng.pick([300, 10_000])
            return post("deep object literal", body(
                "{ \(collection)(filter: " + String(repeating: "{_not: ", count: depth) + "{}" + String(repeating: "}", count: depth)
                    + ") { id } }"))
        case 10:
            return post("deep parentheses", body("{ \(collection)" + String(repeating: "(", count: 10_000) + " }"))
        case 11:
            let size = rng.pick([100_000, 1_000_000, 5_000_000])
            return post("huge string", body("{ \(collection)(filter: {\(filterField): {_eq: \"" + String(repeating: "x", count: size) + "\"}}) { id } }"))
        case 12:
            return post("huge body", Array(#"{"query":""#.utf8) + [UInt8](repeating: 0x20, count: 17 << 20) + Array(#""}"#.utf8))
        case 13:
            let number = rng.pick([
                "99999999999999999999999999", "-9223372036854775809", "1e400", "-1e400", "1e-400", "0.0000001",
                String(repeating: "9", count: 10_000), "2147483648", "-2147483649", "1.0", "-0",
            ])
            return post("huge number", body("{ \(collection)(limit: \(number)) { id } }"))
        case 14:
            let number = rng.pick(["1e400", "99999999999999999999999999", String(repeating: "9", count: 10_000), "-0.0", "1E+2"])
            return post("huge number variable", Array(
                (#"{"query":"query($l: Int) { \#(collection)(limit: $l) { id } }","variables":{"l":\#(number)}}"#).utf8))
        case 15:
            let count = rng.pick([31, 100, 5_000])
            let aliases = (0..<count).map { "a\($0): \(collection)(limit: 1) { id }" }.joined(separator: " ")
            return post("alias bomb", body("{ \(aliases) }"))
        case 16:
            // Each fragment spreads the previous one twice: 2^depth fields once expanded.
            let depth = rng.pick([10, 30, 64])
            var text = "query { \(collection)(limit: 1) { ...F\(depth) } } fragment F0 on \(typeName(collection)) { id }"
            for level in 1...depth { text += " fragment F\(level) on \(typeName(collection)) { ...F\(level - 1) ...F\(level - 1) }" }
            return post("fragment bomb", body(text))
        case 17:
            let type = typeName(collection)
            return post("cyclic fragments", body(rng.pick([
                "{ \(collection) { ...A } } fragment A on \(type) { ...A }",
                "{ \(collection) { ...A } } fragment A on \(type) { id ...B } fragment B on \(type) { ...A }",
                "{ \(collection) { ...A } } fragment A on \(type) { ... on \(type) { ...A } }",
            ])))
        case 18:
            let value = rng.pick([#""ten""#, "[1]", #"{"a":1}"#, "1.5", "true", "null", "-1", "2147483648"])
            return post("variable of the wrong type", Array(
                (#"{"query":"query($l: Int!) { \#(collection)(limit: $l) { id } }","variables":{"l":\#(value)}}"#).utf8))
        case 19:
            let value = rng.pick([#""x""#, "[1]", "1", "[[1]]", #"{"_eq":{"_eq":1}}"#, #"{"nope":{"_eq":1}}"#])
            return post("filter variable of the wrong shape", Array(
                (#"{"query":"query($f: \#(typeName(collection))Filter) { \#(collection)(filter: $f) { id } }","variables":{"f":{"\#(filterField)":\#(value)}}}"#).utf8))
        case 20:
            return post("undeclared and unused variables", Array(
                (#"{"query":"{ \#(collection)(limit: $nope) { id } }","variables":{"other":1}}"#).utf8))
        case 21:
            let op = rng.pick(["_eq", "_ne", "_like", "_ilike", "_nlike", "_gt"])
            var input = FuzzInput(kind: "SQL-shaped filter", body: body(
                "query($v: String) { \(collection)(filter: {\(filterField): {\(op): $v}}, limit: 5) { id } }",
                variables: ["v": .string(sql)]))
            input.deterministic = true
            return input
        case 22:
            var input = FuzzInput(kind: "SQL-shaped _in", body: body(
                "{ \(collection)(filter: {_or: [{id: {_in: [\(JSON.string(sql)), \"1\"]}}, {\(filterField): {_in: [\(JSON.string(sql))]}}]}, limit: 5) { id } }"))
            input.deterministic = true
            return input
        case 23:
            return post("batch", rng.pick([
                "[]", "[1]", "[" + Array(repeating: #"{"query":"{ __typename }"}"#, count: 11).joined(separator: ",") + "]",
                #"[{"query":"{ __typename }"},{"query":"{"},"x"]"#, "[[]]",
            ]))
        case 24:
            var input = FuzzInput(kind: "odd method", method: rng.pick(["PUT", "DELETE", "PATCH", "GET"]))
            input.query = rng.pick([
                "", "?query=%7B__typename%7D", "?query=mutation%7B__typename%7D", "?query=%7B&variables=%7B",
                "?query=%7B__typename%7D&variables=%5B1%5D", "?query=%FF%FE", "?extensions=x",
            ])
            if input.method != "GET" { input.body = body("{ __typename }") }
            return input
        case 25:
            var input = FuzzInput(kind: "odd headers", body: body("{ __typename }"))
            input.headers = rng.pick([
                ["content-type": ""], ["content-type": "text/plain"], ["content-type": "application/json; charset=latin1"],
                ["content-type": "application/json", "accept": "image/png"], ["content-type": "application/json", "accept": "*/*;q=x"],
                ["content-type": "application/json; charset=\"utf-8\"; x=y"], ["content-type": "application/json", "accept": ""],
            ])
            return input
        case 26:
            return post("unknown operation and syntax", body(rng.pick([
                "subscription { __typename }", "{ nope }", "query A { __typename } query A { __typename }", "query { ... }",
                "{ \(collection)(limit: 1) { id } } }", "#", "{ __schema { types { name fields { name type { name ofType { name } } } } } }",
                "{ __type(name: \"\\u0000\") { name } }", "{ \(collection)(limit: 1) @skip(if: $x) { id } }", "fragment F on Nope { id }",
            ])))
        case 27:
            return post("mutation with a hostile input", body(
                "mutation { nope: create_Nothing(input: {name: \(JSON.string(sql))}) { id } }"))
        case 28:
            return post("NUL and control characters", body("{ \(collection)(limit: 1) { id\u{0} } }\u{1}\u{7F}"))
        default:
            let width = rng.pick([100, 1_000, 20_000])
            return post("wide selection", body("{ \(collection)(limit: 1) { " + String(repeating: "id ", count: width) + "} }"))
        }
    }

    /// `books` → `Book`: the demo collections are the plural of their type.
    static func typeName(_ collection: String) -> String {
        let singular = collection.hasSuffix("ies") ? String(collection.dropLast(3)) + "y" : String(collection.dropLast())
        return singular.prefix(1).uppercased() + singular.dropFirst()
    }
}
