import GraphQLSupport
import TestSupport
import Testing

/// Documents that define an operation or fragment twice are refused before GraphQLSwift's
/// validator sees them: its dictionaries keyed by definitions trapped on identical duplicates
/// (found by the fuzzer: `query A { __typename } query A { __typename }` took the gateway and
/// the subgraphs down, depending on the hash seed).
@Suite("Duplicate definitions")
struct DuplicateDefinitionTests {
    func errors(_ query: String) throws -> [ResponseError] {
        let documents = DocumentCache(schema: try demoSupergraph().schema)
        do {
            _ = try documents.prepare(query)
            return []
        } catch {
            return error.errors
        }
    }

    /// Many identical operations and fragments: without the check, the validator's dictionaries
    /// meet equal keys with different hashes (almost surely, at this count) and trap.
    @Test func identicalDuplicatesAreRefusedWithTheRulesMessages() throws {
        let operations = String(repeating: "query A { __typename }\n", count: 200)
        let found = try errors(operations)
        #expect(found.count == 199)
        #expect(found.first?.message == "There can be only one operation named \"A\".")
        #expect(found.first?.locations.map { "\($0.line):\($0.column)" } == ["1:7", "2:7"])
        #expect(found.allSatisfy { $0.code == "GRAPHQL_VALIDATION_FAILED" })

        let fragments = "{ ...F }\n" + String(repeating: "fragment F on Query { __typename }\n", count: 200)
        let fragmentErrors = try errors(fragments)
        #expect(fragmentErrors.count == 199)
        #expect(fragmentErrors.first?.message == "There can be only one fragment named \"F\".")

        let anonymous = try errors(String(repeating: "{ __typename }\n", count: 50))
        #expect(anonymous.count == 50)
        #expect(anonymous.first?.message == "This anonymous operation must be the only defined operation.")
    }

    @Test func distinctDefinitionsStillValidate() throws {
        #expect(try errors("query A { ...F } query B { ...G } fragment F on Query { __typename } fragment G on Query { __typename }").isEmpty)
        // Other mistakes still get the validator's messages.
        #expect(try errors("query A { nope }").first?.message == "Cannot query field \"nope\" on type \"Query\".")
    }
}
