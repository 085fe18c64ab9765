import GatewayJSON
import SubgraphKit
import Testing

/// A model whose rows were chosen to exercise every rule of subgraph-protocol.md: nulls in
/// every nullable column, ties, LIKE metacharacters, non-ASCII text and ids that sort
/// differently as strings than as numbers. Expected answers below are derived by hand from
/// these rows and the protocol text.
let item = Model("Item", collection: "items", fields: [
    .string("name", .nullable), .int("score", .nullable), .float("weight", .nullable),
    .boolean("active", .nullable), .id("code", [.nullable, .indexed]), .string("tag"),
]) { _ in
    [
        ["1", "apple", 10, 1.5, true, "10", "a"],
        ["2", "Apple", 20, 2.5, false, "9", "b"],
        ["3", nil, nil, nil, nil, nil, "a"],
        ["4", "50% off", 10, 1.5, true, "A", "c"],
        ["5", "a_b", 30, 0.5, nil, "a", "b"],
        ["6", "ærø", nil, 3.0, false, "é", "a"],
        ["7", "ÆRØ island", 20, nil, true, "Z", "c"],
        ["8", #"a.b*c[d]\e"#, 5, 2.5, false, nil, "b"],
        ["9", "banana", 10, 1.5, nil, "10", "a"],
        ["10", "", 0, 0.0, true, "", "c"],
    ]
}

@Suite("Model protocol semantics over HTTP")
struct ProtocolSemanticsTests {
    /// Runs each filter (as GraphQL literal text) and compares the ids, in order.
    func expectFilters(_ cases: [(String, [String])], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            for (filter, expected) in cases {
                let ids = try await subgraph.ids("{ items(filter: \(filter)) { id } }")
                #expect(ids == expected, "filter \(filter)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func nullRulesForEqualityAndNegation() async throws {
        try await expectFilters([
            ("{score: {_eq: 10}}", ["1", "4", "9"]),
            ("{score: {_eq: null}}", ["3", "6"]),
            ("{score: {_ne: null}}", ["1", "10", "2", "4", "5", "7", "8", "9"]),
            // A comparison with a null value is false, so _ne leaves out the null rows...
            ("{score: {_ne: 10}}", ["10", "2", "5", "7", "8"]),
            // ...while _not is plain negation and keeps them.
            ("{_not: {score: {_gt: 10}}}", ["1", "10", "3", "4", "6", "8", "9"]),
            ("{active: {_eq: false}}", ["2", "6", "8"]),
            ("{active: {_ne: true}}", ["2", "6", "8"]),
            ("{active: {_eq: null}}", ["3", "5", "9"]),
        ])
    }

    @Test func inAndNotInIncludingEmptyLists() async throws {
        try await expectFilters([
            ("{score: {_in: []}}", []),
            ("{score: {_nin: []}}", ["1", "10", "2", "4", "5", "7", "8", "9"]),
            ("{score: {_in: [10, 30]}}", ["1", "4", "5", "9"]),
            ("{score: {_nin: [10, 20]}}", ["10", "5", "8"]),
            ("{code: {_in: [\"10\", \"é\"]}}", ["1", "6", "9"]),
            ("{name: {_nin: [\"apple\"]}}", ["10", "2", "4", "5", "6", "7", "8", "9"]),
        ])
    }

    @Test func rangeComparisonsPerScalar() async throws {
        try await expectFilters([
            ("{weight: {_gt: 1.5}}", ["2", "6", "8"]),
            ("{weight: {_ge: 1.5}}", ["1", "2", "4", "6", "8", "9"]),
            ("{score: {_lt: 10}}", ["10", "8"]),
            ("{score: {_le: 10}}", ["1", "10", "4", "8", "9"]),
            // Strings compare by code point: upper case < lower case < non-ASCII.
            ("{name: {_gt: \"Z\"}}", ["1", "5", "6", "7", "8", "9"]),
            // An ID is a string: "10" < "9".
            ("{code: {_lt: \"9\"}}", ["1", "10", "9"]),
            ("{id: {_gt: \"7\"}}", ["8", "9"]),
        ])
    }

    @Test func likeMatchesWholeValuesWithPercentUnderscoreAndLiterals() async throws {
        try await expectFilters([
            ("{name: {_like: \"a%\"}}", ["1", "5", "8"]),
            ("{name: {_like: \"a_b\"}}", ["5"]),
            ("{name: {_like: \"app\"}}", []),
            // Regex and glob metacharacters and the backslash are literal.
            (#"{name: {_like: "a.b*c[d]\\e"}}"#, ["8"]),
            ("{name: {_like: \"a.b%\"}}", ["8"]),
            ("{name: {_like: \"50% off\"}}", ["4"]),
            ("{name: {_like: \"APPLE\"}}", []),
            ("{name: {_like: \"\"}}", ["10"]),
            ("{name: {_like: \"%\"}}", ["1", "10", "2", "4", "5", "6", "7", "8", "9"]),
            ("{name: {_nlike: \"a%\"}}", ["10", "2", "4", "6", "7", "9"]),
            ("{code: {_like: \"1_\"}}", ["1", "9"]),
        ])
    }

    @Test func ilikeIgnoresCaseIncludingNonASCII() async throws {
        try await expectFilters([
            ("{name: {_ilike: \"APPLE\"}}", ["1", "2"]),
            ("{name: {_ilike: \"ÆRØ%\"}}", ["6", "7"]),
            ("{name: {_ilike: \"%Ø IS%\"}}", ["7"]),
            ("{name: {_nilike: \"a%\"}}", ["10", "4", "6", "7", "9"]),
        ])
    }

    @Test func combinators() async throws {
        try await expectFilters([
            ("{}", ["1", "10", "2", "3", "4", "5", "6", "7", "8", "9"]),
            ("{_and: []}", ["1", "10", "2", "3", "4", "5", "6", "7", "8", "9"]),
            ("{_or: []}", []),
            ("{_not: {_or: []}}", ["1", "10", "2", "3", "4", "5", "6", "7", "8", "9"]),
            ("{_or: [{score: {_eq: 30}}, {name: {_eq: \"banana\"}}]}", ["5", "9"]),
            ("{_and: [{tag: {_eq: \"a\"}}, {_not: {score: {_eq: null}}}]}", ["1", "9"]),
            ("{tag: {_eq: \"a\"}, score: {_ge: 10}}", ["1", "9"]),
            ("{score: {_ge: 10, _le: 20}}", ["1", "2", "4", "7", "9"]),
        ])
    }

    @Test func orderingPutsNullsFirstAscendingAndLastDescendingWithIdTies() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            #expect(try await subgraph.ids("{ items(order: [{score: ASC}]) { id } }")
                == ["3", "6", "10", "8", "1", "4", "9", "2", "7", "5"])
            #expect(try await subgraph.ids("{ items(order: [{score: DESC}]) { id } }")
                == ["5", "2", "7", "1", "4", "9", "8", "10", "3", "6"])
            #expect(try await subgraph.ids("{ items(order: [{tag: ASC}, {weight: DESC}]) { id } }")
                == ["6", "1", "9", "3", "2", "8", "5", "4", "10", "7"])
            #expect(try await subgraph.ids("{ items(order: [{name: ASC}]) { id } }")
                == ["3", "10", "4", "2", "8", "5", "1", "9", "7", "6"])
            // No order: id ascending, as strings.
            #expect(try await subgraph.ids("{ items { id } }") == ["1", "10", "2", "3", "4", "5", "6", "7", "8", "9"])
        }
    }

    @Test func limitAndOffsetApplyAfterFilterAndOrder() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            #expect(try await subgraph.ids("{ items(order: [{score: ASC}], limit: 3, offset: 2) { id } }") == ["10", "8", "1"])
            #expect(try await subgraph.ids("{ items(filter: {tag: {_eq: \"a\"}}, limit: 2) { id } }") == ["1", "3"])
            #expect(try await subgraph.ids("{ items(offset: 8) { id } }") == ["8", "9"])
            #expect(try await subgraph.ids("{ items(offset: 100) { id } }") == [])
            #expect(try await subgraph.ids("{ items(limit: 0) { id } }") == [])
            #expect(try await subgraph.ids(
                "query($l: Int, $o: Int) { items(limit: $l, offset: $o) { id } }", variables: ["l": 2, "o": 1]) == ["10", "2"])
        }
    }

    @Test func negativeLimitOrOffsetIsAGraphQLError() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let limit = try await subgraph.query("{ items(limit: -1) { id } }")
            #expect(limit == [
                "data": nil,
                "errors": [[
                    "message": "limit must not be negative, got -1",
                    "locations": [["line": 1, "column": 3]], "path": ["items"],
                    "extensions": ["code": "BAD_USER_INPUT"],
                ]],
            ])
            let offset = try await subgraph.query("query { items(offset: -5) { id } }")
            #expect(offset.at("errors", 0, "message") == "offset must not be negative, got -5")
            #expect(offset["data"] == .null)
        }
    }

    @Test func anOrderElementMustSetExactlyOneField() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let two = try await subgraph.query("{ items(order: [{score: ASC, name: DESC}]) { id } }")
            #expect(two.at("errors", 0, "message") == "order[0] must set exactly one field, got name, score")
            #expect(two.at("errors", 0, "path") == ["items"])
            #expect(two["data"] == .null)
            let none = try await subgraph.query("{ items(order: [{score: ASC}, {}]) { id } }")
            #expect(none.at("errors", 0, "message") == "order[1] must set exactly one field, got none")
        }
    }

    @Test func valuesComeBackTypedWithTypenameAndAliases() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let answer = try await subgraph.query("""
                { first: items(limit: 1) { __typename id name score weight active code tag }
                  nulls: items(filter: {id: {_eq: "3"}}) { n: name score weight active code } }
                """)
            #expect(answer == [
                "data": [
                    "first": [[
                        "__typename": "Item", "id": "1", "name": "apple", "score": 10, "weight": 1.5, "active": true,
                        "code": "10", "tag": "a",
                    ]],
                    "nulls": [["n": nil, "score": nil, "weight": nil, "active": nil, "code": nil]],
                ]
            ])
        }
    }

    @Test func fragmentsDirectivesAndVariablesInFilters() async throws {
        try await InProcessSubgraph.with(models: [item]) { subgraph async throws in
            let answer = try await subgraph.query(
                """
                query Q($tag: String!, $withName: Boolean!, $scores: [Int!]) {
                  items(filter: {tag: {_eq: $tag}, score: {_in: $scores}}) { ...F name @include(if: $withName) score @skip(if: true) }
                }
                fragment F on Item { id ... on Item { tag } }
                """, variables: ["tag": "a", "withName": false, "scores": [10]])
            #expect(answer == ["data": ["items": [["id": "1", "tag": "a"], ["id": "9", "tag": "a"]]]])
        }
    }
}
