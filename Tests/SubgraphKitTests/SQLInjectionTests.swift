import Foundation
import GRDB
import GatewayJSON
import GraphQLSupport
@testable import SubgraphKit
import TestSupport
import Testing

/// Values that would change a query's meaning if they were pasted into SQL, stored as data.
let sqlShaped: [String] = [
    "x' OR '1'='1", "x' OR 1=1 --", "'; DROP TABLE memos; --", ") OR 1=1 --", "') OR ('1'='1", "1; DELETE FROM memos",
    "%", "_", "%%", "a%", "%a", "a_c", "abc", "ABC", "\\", "\\%", "O'Brien", "\"", "\"\"", ";--", "/* */", "' UNION SELECT 1 --",
    "*", "?", ":a", "$1", "100%", "ærø", "ÆRØ", "",
]

/// One row per value above, and a second table an injection would try to drop.
let memo = Model("Memo", collection: "memos", fields: [.string("text")]) { _ in
    sqlShaped.enumerated().map { index, value in [.text(String(index + 1)), .text(value)] }
}
let secret = Model("Secret", collection: "secrets", fields: [.string("value")]) { _ in
    [["1", "kept"]]
}

@Suite("SQL injection through filter values is impossible")
struct SQLInjectionTests {
    /// The ids of the rows whose text satisfies `matches`, in id order as the subgraph sorts
    /// them (text order of the ids).
    func expected(_ matches: (String) -> Bool) -> [String] {
        sqlShaped.enumerated().filter { matches($0.element) }.map { String($0.offset + 1) }.sorted()
    }

    /// LIKE as the protocol defines it, written independently of the subgraph's matcher:
    /// `%` any run of characters, `_` one character, everything else itself, no escape.
    func like(_ pattern: String, _ value: String, ignoringCase: Bool) -> Bool {
        var regex = "^"
        for character in pattern {
            switch character {
            case "%": regex += ".*"
            case "_": regex += "."
            default: regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        regex += "$"
        let options: NSRegularExpression.Options = ignoringCase ? [.caseInsensitive, .dotMatchesLineSeparators] : [.dotMatchesLineSeparators]
        let expression = try! NSRegularExpression(pattern: regex, options: options)
        return expression.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    @Test func rowsAreExactlyThoseWhoseValuesLiterallyMatchAndTheTablesStayIntact() async throws {
        try await InProcessSubgraph.with(models: [memo, secret]) { subgraph async throws in
            let before = try await subgraph.query("{ memos { id text } secrets { id value } }")
            for value in sqlShaped {
                let literal = JSON.string(value).description
                let cases: [(String, [String])] = [
                    ("{text: {_eq: \(literal)}}", expected { $0 == value }),
                    ("{text: {_ne: \(literal)}}", expected { $0 != value }),
                    ("{text: {_in: [\(literal), \"none\"]}}", expected { $0 == value || $0 == "none" }),
                    ("{text: {_nin: [\(literal)]}}", expected { $0 != value }),
                    ("{text: {_like: \(literal)}}", expected { like(value, $0, ignoringCase: false) }),
                    ("{text: {_nlike: \(literal)}}", expected { !like(value, $0, ignoringCase: false) }),
                    ("{text: {_ilike: \(literal)}}", expected { like(value, $0, ignoringCase: true) }),
                    ("{_or: [{text: {_eq: \(literal)}}, {id: {_eq: \(literal)}}]}", expected { $0 == value }),
                ]
                for (filter, ids) in cases {
                    #expect(try await subgraph.ids("{ memos(filter: \(filter)) { id } }", field: "memos") == ids, "\(filter)")
                }
                // The same values as variables.
                let byVariable = try await subgraph.ids(
                    "query($v: String, $l: [String!]) { memos(filter: {_or: [{text: {_like: $v}}, {text: {_in: $l}}]}) { id } }",
                    variables: ["v": .string(value), "l": [.string(value)]], field: "memos")
                #expect(byVariable == expected { like(value, $0, ignoringCase: false) || $0 == value }, "\(value)")
                // Mutations take them as values too.
                let updated = try await subgraph.query(
                    "mutation($v: String) { update_Secret(filter: {value: {_eq: $v}}, input: {value: $v}) { id } }",
                    variables: ["v": .string(value)])
                #expect(updated == ["data": ["update_Secret": []]], "\(value)")
            }
            #expect(try await subgraph.query("{ memos { id text } secrets { id value } }") == before)
            let tables = try await subgraph.service.store.writer.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            #expect(tables == ["memos", "secrets"])
        }
    }
}
