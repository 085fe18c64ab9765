import GatewayJSON
import GraphQLSupport
@testable import SubgraphKit
import TestSupport
import Testing

/// The per-key window extension of docs/subgraph-protocol.md (`partitionBy`, `limitPerKey`,
/// `offsetPerKey`), against real SQLite over HTTP.
@Suite("Per-key windows")
struct PerKeyWindowTests {
    @Test func eachPartitionKeepsItsFirstRowsInTheFieldsOrder() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            // Born descending (nulls last), ties by id: 9 7 8 5 6 3 2 1 10 4. Per country
            // (null is a partition of its own) the first row, then the second.
            let first = try await subgraph.ids(
                #"{ items: writers(partitionBy: ["country"], limitPerKey: 1, order: [{born: DESC}]) { id } }"#)
            #expect(first == ["9", "7", "8", "3", "2"])
            let second = try await subgraph.ids(
                #"{ items: writers(partitionBy: ["country"], limitPerKey: 1, offsetPerKey: 1, order: [{born: DESC}]) { id } }"#)
            #expect(second == ["5", "1", "10", "4"])
            // limit and offset apply to the windowed answer.
            let paged = try await subgraph.ids(
                #"{ items: writers(partitionBy: ["country"], limitPerKey: 1, order: [{born: DESC}], limit: 2, offset: 1) { id } }"#)
            #expect(paged == ["7", "8"])
        }
    }

    /// Every combination answers what a client computes from the base protocol: all rows in
    /// the field's order, each partition's rows from `offsetPerKey`, at most `limitPerKey`,
    /// then `offset` and `limit`.
    @Test func answersEqualTheBaseProtocolComputation() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let partitions: [[String]] = [["country"], ["agent_id"], ["country", "living"], [], ["id"]]
            let orders = ["", #"order: [{name: ASC}]"#, #"order: [{rating: DESC}, {born: ASC}]"#]
            let filters = ["", #"filter: {born: {_gt: 1300}}"#]
            let windows: [(limit: Int?, offset: Int?)] = [(1, nil), (2, nil), (nil, 1), (2, 1), (0, nil), (5, 3)]
            let pages: [(limit: Int?, offset: Int?)] = [(nil, nil), (2, 1)]
            var checked = 0
            for partition in partitions {
                for order in orders {
                    for filter in filters {
                        let baseArguments = [filter, order].filter { !$0.isEmpty }.joined(separator: " ")
                        let base = try await subgraph.query(
                            "{ items: writers\(baseArguments.isEmpty ? "" : "(\(baseArguments))") { id \(partition.joined(separator: " ")) } }")
                        let rows = try #require(base.at("data", "items")?.arrayValue, "\(base)")
                        #expect(rows.count > 3)
                        for window in windows {
                            for page in pages {
                                var counts: [[JSON]: Int] = [:]
                                var expected: [String] = []
                                for row in rows {
                                    let key = partition.map { row[$0] ?? .null }
                                    let index = counts[key, default: 0]
                                    counts[key] = index + 1
                                    let from = window.offset ?? 0
                                    if index >= from, window.limit.map({ index < from + $0 }) ?? true {
                                        expected.append(row["id"]?.stringValue ?? "")
                                    }
                                }
                                let start = min(page.offset ?? 0, expected.count)
                                let end = page.limit.map { min(start + $0, expected.count) } ?? expected.count
                                expected = Array(expected[start..<end])
                                var arguments = [filter, order, "partitionBy: [\(partition.map { "\"\($0)\"" }.joined(separator: ", "))]"]
                                if let limit = window.limit { arguments.append("limitPerKey: \(limit)") }
                                if let offset = window.offset { arguments.append("offsetPerKey: \(offset)") }
                                if let limit = page.limit { arguments.append("limit: \(limit)") }
                                if let offset = page.offset { arguments.append("offset: \(offset)") }
                                let query = "{ items: writers(\(arguments.joined(separator: " "))) { id } }"
                                let ids = try await subgraph.ids(query)
                                #expect(ids == expected, "\(query)")
                                checked += 1
                            }
                        }
                    }
                }
            }
            #expect(checked == 360)
        }
    }

    @Test func partitionByAloneChangesNothingAndVariablesWork() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let all = try await subgraph.ids("{ items: writers { id } }")
            let partitioned = try await subgraph.ids(#"{ items: writers(partitionBy: ["country"]) { id } }"#)
            #expect(partitioned == all)
            let viaVariables = try await subgraph.ids(
                "query($p: [String!], $l: Int, $o: Int) { items: writers(partitionBy: $p, limitPerKey: $l, offsetPerKey: $o) { id } }",
                variables: ["p": ["country"], "l": 1, "o": .null])
            // By id ascending (as strings): 1 (Iran), 10 (null), 3 (Denmark), 5 (Poland), 9 (Nigeria).
            #expect(viaVariables == ["1", "10", "3", "5", "9"])
        }
    }

    @Test func badWindowsAreClearErrors() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let unknown = try await subgraph.query(#"{ writers(partitionBy: ["nation"], limitPerKey: 1) { id } }"#)
            #expect(unknown["data"] == .null)
            #expect(unknown.at("errors", 0, "message")?.stringValue
                == "partitionBy: Writer has no field nation (fields: id, name, country, born, rating, living, agent_id)")
            #expect(unknown.at("errors", 0, "extensions", "code") == "BAD_USER_INPUT")
            #expect(unknown.at("errors", 0, "path") == ["writers"])
            let negative = try await subgraph.query(#"{ writers(partitionBy: ["country"], offsetPerKey: -1) { id } }"#)
            #expect(negative.at("errors", 0, "message")?.stringValue == "offsetPerKey must not be negative, got -1")
            let negativeLimit = try await subgraph.query(#"{ writers(partitionBy: ["country"], limitPerKey: -2) { id } }"#)
            #expect(negativeLimit.at("errors", 0, "message")?.stringValue == "limitPerKey must not be negative, got -2")
        }
    }

    @Test func withoutExtensionsTheArgumentsDoNotExist() async throws {
        try await InProcessSubgraph.with(models: [writer], withoutExtensions: true) { subgraph async throws in
            let answer = try await subgraph.query(#"{ writers(partitionBy: ["country"], limitPerKey: 1) { id } }"#)
            #expect(answer["data"] == nil)
            let messages = answer["errors"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(messages == [
                #"Field "writers" on type "Query" does not have argument "partitionBy"."#,
                #"Field "writers" on type "Query" does not have argument "limitPerKey"."#,
            ])
        }
    }
}
