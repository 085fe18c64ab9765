import GraphQL
import GraphQLSupport
import TestSupport
import Testing

/// The nesting of a parsed document with fragments counted where they are spread, measured
/// before validation, so that no flat chain of fragments can overflow the validator's stack
/// or the gateway's.
@Suite("Spread nesting")
struct SpreadNestingTests {
    func depth(_ text: String) throws -> Int { SpreadNesting.depth(of: try parse(source: Source(body: text))) }

    /// `{ ...F0 }` and fragments `F0` … `F<count - 1>` on Query, each spreading the next,
    /// the last (or, in a cycle, the first again).
    func chain(_ count: Int, cycle: Bool = false) -> String {
        var text = "{ ...F0 }\n"
        for index in 0..<count - 1 { text += "fragment F\(index) on Query { ...F\(index + 1) }\n" }
        text += cycle ? "fragment F\(count - 1) on Query { ...F0 }\n" : "fragment F\(count - 1) on Query { __typename }\n"
        return text
    }

    @Test func fragmentsCountWhereTheyAreSpread() throws {
        #expect(try depth("{ a { b } }") == 2)
        #expect(try depth("{ a { ... on A { b { c } } } }") == 4)
        #expect(try depth("{ a { ...F } } fragment F on A { b { c } }") == 4)
        // The deepest place a fragment is spread counts, and so does the deepest operation.
        #expect(try depth("query Q { x ...F a { b { ...F } } } query R { y } fragment F on A { c }") == 4)
        #expect(try depth("{ a { ...F } } fragment F on A { ...G b { c } } fragment G on A { d { ...H } } fragment H on A { e }") == 6)
        // An undefined fragment counts nothing; validation reports it.
        #expect(try depth("{ a { ...Missing } }") == 2)
        #expect(try depth(chain(2_000)) == 2_001)
    }

    @Test func aCycleCountsEveryDefinitionOnce() throws {
        #expect(try depth("{ ...A } fragment A on Query { ...B } fragment B on Query { x { ...A } }") == 4)
        #expect(try depth(chain(2_000, cycle: true)) == 2_001)
    }

    @Test func aDocumentNestedPastTheLimitIsRefusedUnvalidated() throws {
        let documents = DocumentCache(schema: try demoSupergraph().schema)
        let refused: [ResponseError] = [
            ResponseError(
                "The query nests selection sets more than 256 deep, counting each fragment where it is spread; it is not validated.",
                code: "GRAPHQL_VALIDATION_FAILED")
        ]
        // Two thousand fragments in a chain: flat text, 70 KB, which overflowed the stack.
        #expect(throws: Never.self) { try documents.prepare(chain(255)) }
        #expect(performing: { try documents.prepare(chain(256)) }, throws: { ($0 as? DocumentCache.ValidationFailure)?.errors == refused })
        #expect(performing: { try documents.prepare(chain(2_000)) }, throws: { ($0 as? DocumentCache.ValidationFailure)?.errors == refused })
        #expect(performing: { try documents.prepare(chain(2_000, cycle: true)) }, throws: { ($0 as? DocumentCache.ValidationFailure)?.errors == refused })
        // A short cycle still gets validation's own error.
        #expect(
            performing: { try documents.prepare("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }") },
            throws: { ($0 as? DocumentCache.ValidationFailure)?.errors.first?.message.contains("Cannot spread fragment") == true })
    }
}
