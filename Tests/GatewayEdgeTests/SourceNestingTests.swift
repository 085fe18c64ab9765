import GraphQLSupport
import TestSupport
import Testing

/// The nesting measured before parsing, so that no query text can overflow the parser's stack.
@Suite("Source nesting")
struct SourceNestingTests {
    func depth(_ text: String, limit: Int = 256) -> Int { SourceNesting.depth(of: text, stoppingAfter: limit) }

    @Test func bracesBracketsAndParenthesesNest() {
        #expect(depth("") == 0)
        #expect(depth("{ a { b } }") == 2)
        // ( [ [ in the variable definitions, { ( { [ in the selection.
        #expect(depth("query($x: [[Int]]) { f(a: {b: [1]}) { c } }") == 4)
    }

    @Test func stringsBlockStringsAndCommentsDoNotCount() {
        #expect(depth(#"{ f(a: "{{{{ \" [[[[") }"#) == 2)
        #expect(depth("{ f # {{{{ (((\n }") == 1)
        #expect(depth(#"{ f(a: """ {{{ \""" ((( """) }"#) == 2)
        #expect(depth(#"{ f(a: """""", b: [1]) }"#) == 3)
    }

    @Test func countingStopsPastTheLimit() {
        #expect(depth(String(repeating: "{", count: 100_000), limit: 256) == 257)
    }

    @Test func aDocumentNestedPastTheLimitIsRefusedUnparsed() throws {
        let supergraph = try demoSupergraph()
        let documents = DocumentCache(schema: supergraph.schema)
        var query = "{ books { "
        for _ in 0..<2_000 { query += "author { authoredBooks { " }
        query += "name" + String(repeating: " }", count: 4_001) + " }"
        #expect(throws: DocumentCache.ValidationFailure.self) { try documents.prepare(query) }
        do {
            _ = try documents.prepare(query)
        } catch {
            #expect(error.errors.map(\.json) == [[
                "message": "The query nests braces, brackets or parentheses more than 256 deep; it is not parsed.",
                "extensions": ["code": "GRAPHQL_PARSE_FAILED"],
            ]])
        }
        // Just within: parsed, validated, and measured by the depth limit instead.
        var within = "{ books { "
        for _ in 0..<127 { within += "author { authoredBooks { " }
        within += "name" + String(repeating: " }", count: 255) + " }"
        #expect(SourceNesting.depth(of: within, stoppingAfter: 256) == 256)
        #expect(throws: Never.self) { try documents.prepare(within) }
        // Values nest too: a filter 126 `_and`s deep, 256 levels with the rest.
        var filter = "{id: {_eq: \"1\"}}"
        for _ in 0..<126 { filter = "{_and: [\(filter)]}" }
        let values = "{ books(filter: \(filter)) { name } }"
        #expect(SourceNesting.depth(of: values, stoppingAfter: 256) == 256)
        #expect(throws: Never.self) { try documents.prepare(values) }
    }
}
