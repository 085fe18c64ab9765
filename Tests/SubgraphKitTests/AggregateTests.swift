import GRDB
import GatewayJSON
import GraphQLSupport
@testable import SubgraphKit
import TestSupport
import Testing

/// Writers whose values the aggregate rules turn on: null in every nullable field, a null
/// group key, names whose code point order differs from any dictionary's (`Ærø`, `Ōe`,
/// lower case after upper case), ids that sort as strings, and ratings that are exact binary
/// fractions so sums and averages have one right answer whatever the order of addition.
let writer = Model("Writer", collection: "writers", fields: [
    .string("name"), .string("country", .nullable), .int("born", .nullable), .float("rating", .nullable),
    .boolean("living", .nullable), .id("agent_id", .nullable),
]) { _ in
    [
        ["1", "Saadi Shīrāzī", "Iran", 1210, 4.5, false, "7"],
        ["2", "Hafez", "Iran", 1325, nil, false, "7"],
        ["3", "Karen Blixen", "Denmark", 1885, 4.0, false, "10"],
        ["4", "Ærø", "Denmark", nil, 3.5, nil, nil],
        ["5", "Zbigniew Herbert", "Poland", 1924, 2.5, false, "10"],
        ["6", "Wisława Szymborska", "Poland", 1923, 5.0, false, nil],
        ["7", "Olga Tokarczuk", "Poland", 1962, nil, true, "2"],
        ["8", "Ōe Kenzaburō", nil, 1935, 4.5, false, "2"],
        ["9", "Chimamanda Ngozi Adichie", "Nigeria", 1977, 4.0, true, "7"],
        ["10", "anonymous", nil, nil, nil, nil, nil],
    ]
}

/// Values at the edges of GraphQL's and SQLite's numbers: Int sums past 32 bits and past
/// 64 bits, a Float sum past the largest double.
let counter = Model("Counter", collection: "counters", fields: [
    .string("kind"), .int("value"), .float("size"), .boolean("on", .nullable),
]) { _ in
    [
        ["1", "a", 2_000_000_000, 1e308, true],
        ["2", "a", 2_000_000_000, 1e308, true],
        ["3", "b", .int(Int.max), 1.0, nil],
        ["4", "b", .int(Int.max), 1.0, nil],
        ["5", "c", -5, 0.25, false],
    ]
}

/// The aggregate extension of docs/subgraph-protocol.md, against real SQLite over HTTP.
@Suite("Aggregates")
struct AggregateTests {
    static let everything = """
        count agents: count(distinct: agent_id) countries: count(distinct: country)
        sum { born rating } avg { born rating }
        min { id name country born rating agent_id } max { id name country born rating agent_id }
        """

    @Test func withoutGroupByThereIsOneGroupOverAllMatchingRowsEvenWhenNoneMatch() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let answer = try await subgraph.query("""
                { all: writers_aggregate { \(Self.everything) name country }
                  none: writers_aggregate(filter: {born: {_gt: 3000}}) { \(Self.everything) }
                  empty: writers_aggregate(groupBy: []) { count } }
                """)
            #expect(answer == [
                "data": [
                    "all": [[
                        "count": 10, "agents": 3, "countries": 4,
                        "sum": ["born": 14141, "rating": 28.0], "avg": ["born": 1767.625, "rating": 4.0],
                        // By code point: upper case, then lower case, then Æ (U+00C6), then Ō (U+014C).
                        "min": [
                            "id": "1", "name": "Chimamanda Ngozi Adichie", "country": "Denmark", "born": 1210, "rating": 2.5,
                            "agent_id": "10",
                        ],
                        "max": ["id": "9", "name": "Ōe Kenzaburō", "country": "Poland", "born": 1977, "rating": 5.0, "agent_id": "7"],
                        // Not grouped by: null.
                        "name": nil, "country": nil,
                    ]],
                    "none": [[
                        "count": 0, "agents": 0, "countries": 0,
                        "sum": ["born": nil, "rating": nil], "avg": ["born": nil, "rating": nil],
                        "min": ["id": nil, "name": nil, "country": nil, "born": nil, "rating": nil, "agent_id": nil],
                        "max": ["id": nil, "name": nil, "country": nil, "born": nil, "rating": nil, "agent_id": nil],
                    ]],
                    "empty": [["count": 10]],
                ]
            ])
        }
    }

    @Test func groupsByOneFieldWithTheNullKeyFirstAndStringsByCodePoint() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let answer = try await subgraph.query("{ writers_aggregate(groupBy: [country]) { country \(Self.everything) } }")
            func group(
                _ country: JSON, count: Int, agents: Int, countries: Int, sum: (JSON, JSON), avg: (JSON, JSON),
                ids: (String, String), names: (String, String), born: (JSON, JSON), rating: (JSON, JSON), agent: (JSON, JSON)
            ) -> JSON {
                [
                    "country": country, "count": .int(count), "agents": .int(agents), "countries": .int(countries),
                    "sum": ["born": sum.0, "rating": sum.1], "avg": ["born": avg.0, "rating": avg.1],
                    "min": [
                        "id": .string(ids.0), "name": .string(names.0), "country": country, "born": born.0, "rating": rating.0,
                        "agent_id": agent.0,
                    ],
                    "max": [
                        "id": .string(ids.1), "name": .string(names.1), "country": country, "born": born.1, "rating": rating.1,
                        "agent_id": agent.1,
                    ],
                ]
            }
            #expect(answer == [
                "data": [
                    "writers_aggregate": [
                        // Writers 8 and 10: the null key is a group of its own, first.
                        group(
                            nil, count: 2, agents: 1, countries: 0, sum: (1935, 4.5), avg: (1935.0, 4.5), ids: ("10", "8"),
                            names: ("anonymous", "Ōe Kenzaburō"), born: (1935, 1935), rating: (4.5, 4.5), agent: ("2", "2")),
                        group(
                            "Denmark", count: 2, agents: 1, countries: 1, sum: (1885, 7.5), avg: (1885.0, 3.75), ids: ("3", "4"),
                            names: ("Karen Blixen", "Ærø"), born: (1885, 1885), rating: (3.5, 4.0), agent: ("10", "10")),
                        group(
                            "Iran", count: 2, agents: 1, countries: 1, sum: (2535, 4.5), avg: (1267.5, 4.5), ids: ("1", "2"),
                            names: ("Hafez", "Saadi Shīrāzī"), born: (1210, 1325), rating: (4.5, 4.5), agent: ("7", "7")),
                        group(
                            "Nigeria", count: 1, agents: 1, countries: 1, sum: (1977, 4.0), avg: (1977.0, 4.0), ids: ("9", "9"),
                            names: ("Chimamanda Ngozi Adichie", "Chimamanda Ngozi Adichie"), born: (1977, 1977), rating: (4.0, 4.0),
                            agent: ("7", "7")),
                        group(
                            "Poland", count: 3, agents: 2, countries: 1, sum: (5809, 7.5), avg: (.double(5809.0 / 3), 3.75),
                            ids: ("5", "7"), names: ("Olga Tokarczuk", "Zbigniew Herbert"), born: (1923, 1962), rating: (2.5, 5.0),
                            agent: ("10", "2")),
                    ]
                ]
            ])
        }
    }

    @Test func groupsByTwoFieldsInTheOrderListed() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let byCountry = try await subgraph.query(
                "{ writers_aggregate(groupBy: [country, living]) { country living count min { id } } }")
            #expect(byCountry == [
                "data": [
                    "writers_aggregate": [
                        ["country": nil, "living": nil, "count": 1, "min": ["id": "10"]],
                        ["country": nil, "living": false, "count": 1, "min": ["id": "8"]],
                        ["country": "Denmark", "living": nil, "count": 1, "min": ["id": "4"]],
                        ["country": "Denmark", "living": false, "count": 1, "min": ["id": "3"]],
                        ["country": "Iran", "living": false, "count": 2, "min": ["id": "1"]],
                        ["country": "Nigeria", "living": true, "count": 1, "min": ["id": "9"]],
                        ["country": "Poland", "living": false, "count": 2, "min": ["id": "5"]],
                        ["country": "Poland", "living": true, "count": 1, "min": ["id": "7"]],
                    ]
                ]
            ])
            // The same groups, sorted by living first; the selection's order is the client's.
            let byLiving = try await subgraph.query(
                "{ writers_aggregate(groupBy: [living, country]) { count country living } }")
            #expect(byLiving == [
                "data": [
                    "writers_aggregate": [
                        ["count": 1, "country": nil, "living": nil],
                        ["count": 1, "country": "Denmark", "living": nil],
                        ["count": 1, "country": nil, "living": false],
                        ["count": 1, "country": "Denmark", "living": false],
                        ["count": 2, "country": "Iran", "living": false],
                        ["count": 2, "country": "Poland", "living": false],
                        ["count": 1, "country": "Nigeria", "living": true],
                        ["count": 1, "country": "Poland", "living": true],
                    ]
                ]
            ])
            // Filter first, then group: no group for a key without rows.
            let filtered = try await subgraph.query(
                #"{ writers_aggregate(filter: {born: {_lt: 1900}}, groupBy: [country]) { country count } }"#)
            #expect(filtered == [
                "data": ["writers_aggregate": [["country": "Denmark", "count": 1], ["country": "Iran", "count": 2]]]
            ])
        }
    }

    @Test func aliasesTypenameFragmentsVariablesAndSeveralDistinctCounts() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let answer = try await subgraph.query(
                """
                query($distinct: WriterField, $by: [WriterField!], $withMax: Boolean!) {
                  byCountry: writers_aggregate(groupBy: $by, filter: {country: {_ne: null}}) {
                    __typename c: country ...Counts
                    s: sum { __typename b: born ... on WriterSumFields { rating } }
                    max @include(if: $withMax) { name }
                    min @skip(if: true) { name }
                  }
                }
                fragment Counts on WriterGroup { n: count agents: count(distinct: agent_id) names: count(distinct: $distinct) count }
                """, variables: ["distinct": "living", "by": ["country"], "withMax": false])
            func group(_ country: String, _ n: Int, _ agents: Int, _ living: Int, _ born: Int, _ rating: Double) -> JSON {
                [
                    "__typename": "WriterGroup", "c": .string(country), "n": .int(n), "agents": .int(agents), "names": .int(living),
                    "count": .int(n), "s": ["__typename": "WriterSumFields", "b": .int(born), "rating": .double(rating)],
                ]
            }
            #expect(answer == [
                "data": [
                    "byCountry": [
                        group("Denmark", 2, 1, 1, 1885, 7.5), group("Iran", 2, 1, 1, 2535, 4.5),
                        group("Nigeria", 1, 1, 1, 1977, 4.0), group("Poland", 3, 2, 2, 5809, 7.5),
                    ]
                ]
            ])
        }
    }

    /// The expected values are computed here from a plain collection read of the same rows,
    /// so the test cannot pass by agreeing with itself.
    @Test func nullsAreSkippedByEveryAggregateButCount() async throws {
        try await InProcessSubgraph.with(models: [writer, item]) { subgraph async throws in
            let writers = try await subgraph.query("{ writers { id name country born rating living agent_id } }")
            let writerGroups = try await subgraph.query("""
                { writers_aggregate(groupBy: [living]) {
                    living count a: count(distinct: agent_id) c: count(distinct: country)
                    sum { born rating } avg { born rating }
                    min { id name country born rating agent_id } max { id name country born rating agent_id } } }
                """)
            #expect(writerGroups.at("data", "writers_aggregate") == Self.expectedGroups(
                rows: writers.at("data", "writers")?.arrayValue ?? [], by: "living",
                distinct: ["a": "agent_id", "c": "country"], numeric: ["born", "rating"],
                ordered: ["id", "name", "country", "born", "rating", "agent_id"]))

            let items = try await subgraph.query("{ items { id name score weight active code tag } }")
            let itemGroups = try await subgraph.query("""
                { items_aggregate(groupBy: [tag]) {
                    tag count a: count(distinct: active) n: count(distinct: name)
                    sum { score weight } avg { score weight }
                    min { id name score weight code } max { id name score weight code } } }
                """)
            #expect(itemGroups.at("data", "items_aggregate") == Self.expectedGroups(
                rows: items.at("data", "items")?.arrayValue ?? [], by: "tag", distinct: ["a": "active", "n": "name"],
                numeric: ["score", "weight"], ordered: ["id", "name", "score", "weight", "code"]))
        }
    }

    /// The groups of `rows` by one field, with the aggregates the queries above ask for.
    static func expectedGroups(
        rows: [JSON], by key: String, distinct: KeyValuePairs<String, String>, numeric: [String], ordered: [String],
        count: Int = 10
    ) -> JSON {
        #expect(rows.count == count, "the collection read answers every row")
        let groups = Dictionary(grouping: rows) { $0[key] ?? .null }
        let keys = groups.keys.sorted { before($0, $1) }
        return .array(keys.map { groupKey in
            let members = groups[groupKey] ?? []
            func values(_ field: String) -> [JSON] { members.compactMap { $0[field] }.filter { !$0.isNull } }
            var group: JSON = [key: groupKey, "count": .int(members.count)]
            for (alias, field) in distinct { group = group.adding(alias, .int(Set(values(field)).count)) }
            var sums: JSON = [:]
            var averages: JSON = [:]
            for field in numeric {
                let present = values(field)
                if present.isEmpty {
                    sums = sums.adding(field, nil)
                    averages = averages.adding(field, nil)
                } else if present.allSatisfy({ $0.intValue != nil }) {
                    let sum = present.compactMap(\.intValue).reduce(0, +)
                    sums = sums.adding(field, .int(sum))
                    averages = averages.adding(field, .double(Double(sum) / Double(present.count)))
                } else {
                    let sum = present.compactMap(\.doubleValue).reduce(0, +)
                    sums = sums.adding(field, .double(sum))
                    averages = averages.adding(field, .double(sum / Double(present.count)))
                }
            }
            var minimums: JSON = [:]
            var maximums: JSON = [:]
            for field in ordered {
                let present = values(field).sorted { before($0, $1) }
                minimums = minimums.adding(field, present.first ?? nil)
                maximums = maximums.adding(field, present.last ?? nil)
            }
            return group.adding("sum", sums).adding("avg", averages).adding("min", minimums).adding("max", maximums)
        })
    }

    /// The protocol's order: null first, false before true, numbers by value, strings by code point.
    static func before(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return false
        case (.null, _): return true
        case (_, .null): return false
        case (.bool(let x), .bool(let y)): return !x && y
        case (.string(let x), .string(let y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        default: return (a.doubleValue ?? 0) < (b.doubleValue ?? 0)
        }
    }

    @Test func theDemoCatalogAgreesWithItsOwnCollection() async throws {
        let process = try ManagedProcess(product: "catalog", arguments: ["--port", "0"])
        let url = "http://127.0.0.1:\(try await process.waitForPort())/graphql"
        let books = try await TestHTTP.graphql(url, "{ books { id name genre year price author_id } }")
        let groups = try await TestHTTP.graphql(url, """
            { books_aggregate(groupBy: [genre]) {
                genre count a: count(distinct: author_id) y: count(distinct: year)
                sum { year price } avg { year price } min { id name year price author_id } max { id name year price author_id } } }
            """)
        await process.stop()
        let rows = books.at("data", "books")?.arrayValue ?? []
        #expect(rows.count == 200)
        var expected = Self.expectedGroups(
            rows: rows, by: "genre", distinct: ["a": "author_id", "y": "year"], numeric: ["year", "price"],
            ordered: ["id", "name", "year", "price", "author_id"], count: 200)
        var actual = groups.at("data", "books_aggregate") ?? nil
        // Prices such as 9.99 have no exact binary form, so their sum depends on the order of
        // addition, which SQL leaves open: compare those to a billionth, everything else exactly.
        for (index, group) in (expected.arrayValue ?? []).enumerated() {
            for aggregate in ["sum", "avg"] {
                let want = group.at(aggregate, "price")?.doubleValue
                let got = actual.at(index, aggregate, "price")?.doubleValue
                #expect(want != nil && got != nil && abs((want ?? 0) - (got ?? 1)) < 1e-9, "\(aggregate) of price in group \(index)")
                expected = expected.replacing(index, aggregate, "price", with: nil)
                actual = actual.replacing(index, aggregate, "price", with: nil)
            }
        }
        #expect(actual == expected)
        #expect(expected.arrayValue?.count == 11, "ten genres and the null genre")
    }

    @Test func maxRowsLimitsTheNumberOfGroups() async throws {
        try await InProcessSubgraph.with(models: [writer], limits: .init(maxRows: 4)) { subgraph async throws in
            let tooMany = try await subgraph.query("{ writers_aggregate(groupBy: [country]) { count } }")
            #expect(tooMany == [
                "data": nil,
                "errors": [[
                    "message": .string("writers_aggregate made more than 4 groups; this subgraph answers at most 4 groups per field "
                        + "(maxRows: --max-rows or SUBGRAPH_MAX_ROWS). Group by fewer fields or narrow the filter."),
                    "locations": [["line": 1, "column": 3]], "path": ["writers_aggregate"],
                    "extensions": ["code": "TOO_MANY_ROWS", "limit": "maxRows", "maximum": 4],
                ]],
            ])
            // Ten rows but three groups: within the limit.
            let living = try await subgraph.query("{ writers_aggregate(groupBy: [living]) { living count } }")
            #expect(living == [
                "data": [
                    "writers_aggregate": [["living": nil, "count": 2], ["living": false, "count": 6], ["living": true, "count": 2]]
                ]
            ])
        }
    }

    @Test func sumsBeyondGraphQLsNumbersAreErrorsNotWrongNumbers() async throws {
        try await InProcessSubgraph.with(models: [counter]) { subgraph async throws in
            // Past 32 bits (GraphQL's Int) and past the largest double: null there, with an error at its path.
            let wide = try await subgraph.query(
                #"{ counters_aggregate(filter: {kind: {_eq: "a"}}) { count sum { value size } avg { value } } }"#)
            #expect(wide == [
                "data": ["counters_aggregate": [["count": 2, "sum": ["value": nil, "size": nil], "avg": ["value": 2_000_000_000.0]]]],
                "errors": [
                    [
                        "message": "The sum of value in this group is 4000000000, beyond GraphQL's Int (32-bit signed): it is null here.",
                        "locations": [["line": 1, "column": 64]], "path": ["counters_aggregate", 0, "sum", "value"],
                        "extensions": ["code": "VALUE_OUT_OF_RANGE"],
                    ],
                    [
                        "message": "The sum of size in this group is inf, beyond GraphQL's Float: it is null here.",
                        "locations": [["line": 1, "column": 70]], "path": ["counters_aggregate", 0, "sum", "size"],
                        "extensions": ["code": "VALUE_OUT_OF_RANGE"],
                    ],
                ],
            ])
            // Past 64 bits SQLite's SUM fails rather than wrap: the field fails.
            let overflow = try await subgraph.query("{ counters_aggregate(groupBy: [kind]) { kind sum { value } } }")
            #expect(overflow == [
                "data": nil,
                "errors": [[
                    "message": "counters_aggregate: the sum of value overflows a 64-bit integer in a group; narrow the filter or group by more fields.",
                    "locations": [["line": 1, "column": 3]], "path": ["counters_aggregate"], "extensions": ["code": "VALUE_OUT_OF_RANGE"],
                ]],
            ])
            // The service goes on serving.
            let fine = try await subgraph.query(#"{ counters_aggregate(filter: {kind: {_eq: "c"}}) { sum { value size } min { value } } }"#)
            #expect(fine == ["data": ["counters_aggregate": [["sum": ["value": -5, "size": 0.25], "min": ["value": -5]]]]])
        }
    }

    @Test func badGroupByAndCountArgumentsAreClearErrors() async throws {
        try await InProcessSubgraph.with(models: [writer]) { subgraph async throws in
            let twice = try await subgraph.query("{ writers_aggregate(groupBy: [country, living, country]) { count } }")
            #expect(twice == [
                "data": nil,
                "errors": [[
                    "message": "groupBy lists country more than once: list each field once.",
                    "locations": [["line": 1, "column": 3]], "path": ["writers_aggregate"], "extensions": ["code": "BAD_USER_INPUT"],
                ]],
            ])
            let twiceByVariable = try await subgraph.query(
                "query($g: [WriterField!]) { writers_aggregate(groupBy: $g) { count } }", variables: ["g": ["name", "name"]])
            #expect(twiceByVariable.at("errors", 0, "message") == "groupBy lists name more than once: list each field once.")
            let unknown = try await subgraph.query("{ writers_aggregate(groupBy: [colour]) { count } }")
            #expect(unknown == [
                "errors": [[
                    "message": "Value \"colour\" does not exist in \"WriterField\" enum.",
                    "locations": [["line": 1, "column": 31]], "extensions": ["code": "GRAPHQL_VALIDATION_FAILED"],
                ]]
            ])
            let unknownByVariable = try await subgraph.query(
                "query($g: [WriterField!]) { writers_aggregate(groupBy: $g) { count } }", variables: ["g": ["colour"]])
            #expect(unknownByVariable.at("errors", 0, "message")
                == "Variable \"$g\" got invalid value [\"colour\"]: Value \"colour\" does not exist in \"WriterField\" enum at \"[0]\".")
            #expect(unknownByVariable["data"] == nil)
            let string = try await subgraph.query(#"{ writers_aggregate(groupBy: ["country"]) { count } }"#)
            #expect(string.at("errors", 0, "extensions", "code") == "GRAPHQL_VALIDATION_FAILED")
            #expect(string["data"] == nil)
            let number = try await subgraph.query("{ writers_aggregate { count(distinct: 5) } }")
            #expect(number.at("errors", 0, "extensions", "code") == "GRAPHQL_VALIDATION_FAILED")
            let boolean = try await subgraph.query("{ writers_aggregate { sum { living } } }")
            // Booleans have no sum: the field does not exist.
            #expect(boolean.at("errors", 0, "message")
                == "Cannot query field \"living\" on type \"WriterSumFields\". Did you mean \"rating\"?")
            let nullInList = try await subgraph.query(
                "query($g: [WriterField!]) { writers_aggregate(groupBy: $g) { count } }", variables: ["g": [nil]])
            #expect(nullInList.at("errors", 0, "extensions", "code") == "BAD_USER_INPUT")
            // Nothing broke: the same subgraph answers.
            #expect(try await subgraph.query("{ writers_aggregate { count } }") == ["data": ["writers_aggregate": [["count": 10]]]])
        }
    }

    @Test func oneParameterisedStatementPerField() async throws {
        let store = try Store(path: nil, models: [writer], scale: 1)
        let service = try SubgraphService(name: "test", models: [writer], store: store)
        let text = """
            { writers_aggregate(filter: {name: {_like: "x' OR 1=1 --"}}, groupBy: [country, living]) {
                country n: count count(distinct: agent_id) sum { born } avg { born rating } min { name } max { name born } country } }
            """
        let document = try service.documents.prepare(text)
        let collector = FieldCollector(schema: service.schemaModel, fragments: document.fragments, variables: [:])
        let fields = collector.collect(try document.operation(named: nil).selectionSet.selections, on: "Query")
        let query = try service.aggregateQuery(fields[0], model: writer, collector: collector)
        #expect(query.sql == """
            SELECT "country", "living", COUNT(*), COUNT(DISTINCT "agent_id"), SUM("born"), AVG("born"), AVG("rating"), \
            MIN("name"), MAX("name"), MAX("born") FROM "writers" WHERE ("name" IS NOT NULL AND gw_like(?, "name")) \
            GROUP BY "country", "living" ORDER BY "country" ASC, "living" ASC
            """)
        #expect(query.arguments == ["x' OR 1=1 --".databaseValue])
    }

    @Test func withoutExtensionsOnlyTheBaseProtocolIsServed() async throws {
        try await InProcessSubgraph.with(models: [writer], withoutExtensions: true) { subgraph async throws in
            let schema = try SchemaModel(introspection: try await subgraph.query(SchemaModel.introspectionQuery))
            #expect(schema.query?.fields.map(\.name) == ["writers"])
            #expect(schema.types.filter { $0.name.hasPrefix("Writer") }.map(\.name).sorted()
                == ["Writer", "WriterFilter", "WriterInput", "WriterOrder", "WriterPatch"])
            let asked = try await subgraph.query("{ writers_aggregate { count } }")
            #expect(asked.at("errors", 0, "extensions", "code") == "GRAPHQL_VALIDATION_FAILED")
            #expect(asked.at("errors", 0, "message")?.stringValue?.hasPrefix("Cannot query field \"writers_aggregate\" on type \"Query\".") == true)
            #expect(asked["data"] == nil)
            #expect(try await subgraph.query("{ writers(limit: 1) { name } }") == ["data": ["writers": [["name": "Saadi Shīrāzī"]]]])
        }
        // The same flag on a demo subgraph's command line.
        let process = try ManagedProcess(product: "catalog", arguments: ["--port", "0", "--without-extensions"])
        let url = "http://127.0.0.1:\(try await process.waitForPort())/graphql"
        let schema = try SchemaModel(introspection: try await TestHTTP.graphql(url, SchemaModel.introspectionQuery))
        await process.stop()
        #expect(schema.query?.fields.map(\.name).sorted() == ["bookGenres", "books", "genres", "libraries"])
        #expect(schema["BookGroup"] == nil && schema["BookField"] == nil)
    }

    @Test func theDemoCatalogServesTheAggregateTypesOfBook() async throws {
        let process = try ManagedProcess(product: "catalog", arguments: ["--port", "0"])
        let url = "http://127.0.0.1:\(try await process.waitForPort())/graphql"
        let schema = try SchemaModel(introspection: try await TestHTTP.graphql(url, SchemaModel.introspectionQuery))
        await process.stop()
        func fields(_ type: String) -> [String] {
            (schema[type]?.fields ?? []).map { field in
                field.name + (field.arguments.isEmpty ? "" : "(" + field.arguments.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ")")
                    + ": \(field.type)"
            }.sorted()
        }
        let aggregate = schema.query?.field("books_aggregate")
        #expect(aggregate?.type.description == "[BookGroup!]!")
        #expect(aggregate?.arguments.map { "\($0.name): \($0.type)" } == ["filter: BookFilter", "groupBy: [BookField!]"])
        #expect(schema["BookField"]?.kind == .enumeration)
        #expect(schema["BookField"]?.enumValues == ["id", "name", "description", "genre", "year", "price", "author_id", "library_name"])
        #expect(fields("BookGroup") == [
            "author_id: ID", "avg: BookAvgFields!", "count(distinct: BookField): Int!", "description: String", "genre: String",
            "id: ID", "library_name: String", "max: BookMaxFields!", "min: BookMinFields!", "name: String", "price: Float",
            "sum: BookSumFields!", "year: Int",
        ])
        #expect(fields("BookSumFields") == ["price: Float", "year: Int"])
        #expect(fields("BookAvgFields") == ["price: Float", "year: Float"])
        let ordered = [
            "author_id: ID", "description: String", "genre: String", "id: ID", "library_name: String", "name: String", "price: Float",
            "year: Int",
        ]
        #expect(fields("BookMinFields") == ordered)
        #expect(fields("BookMaxFields") == ordered)
        // A model with neither Int nor Float fields has no sum and avg.
        #expect(schema["BookGenreGroup"]?.field("sum") == nil && schema["BookGenreSumFields"] == nil)
        #expect(fields("BookGenreMinFields") == ["book_id: ID", "genre_id: ID", "id: ID"])
    }

    @Test func theSDLOfTheExtensionIsAsDocumented() throws {
        let store = try Store(path: nil, models: [writer, counter], scale: 1)
        let sdl = try SubgraphService(name: "test", models: [writer, counter], store: store).sdl
        #expect(sdl.contains("""
            type Query {
              writers(filter: WriterFilter, order: [WriterOrder!], limit: Int, offset: Int, partitionBy: [String!], limitPerKey: Int, offsetPerKey: Int): [Writer!]!
              writers_aggregate(filter: WriterFilter, groupBy: [WriterField!]): [WriterGroup!]!
              counters(filter: CounterFilter, order: [CounterOrder!], limit: Int, offset: Int, partitionBy: [String!], limitPerKey: Int, offsetPerKey: Int): [Counter!]!
              counters_aggregate(filter: CounterFilter, groupBy: [CounterField!]): [CounterGroup!]!
            }
            """))
        #expect(sdl.contains("""
            enum WriterField {
              id
              name
              country
              born
              rating
              living
              agent_id
            }

            type WriterGroup {
              id: ID
              name: String
              country: String
              born: Int
              rating: Float
              living: Boolean
              agent_id: ID
              count(distinct: WriterField): Int!
              sum: WriterSumFields!
              avg: WriterAvgFields!
              min: WriterMinFields!
              max: WriterMaxFields!
            }

            type WriterSumFields {
              born: Int
              rating: Float
            }

            type WriterAvgFields {
              born: Float
              rating: Float
            }

            type WriterMinFields {
              id: ID
              name: String
              country: String
              born: Int
              rating: Float
              agent_id: ID
            }

            type WriterMaxFields {
              id: ID
              name: String
              country: String
              born: Int
              rating: Float
              agent_id: ID
            }
            """))
    }

    @Test func modelsWhoseNamesCollideWithTheExtensionAreRefusedWithAReason() throws {
        let counted = Model("Tally", collection: "tallies", fields: [.int("count")])
        let store = try Store(path: nil, models: [counted], scale: 1)
        #expect(throws: ModelSchemaError.self) { try SubgraphService(name: "test", models: [counted], store: store) }
        do {
            _ = try SubgraphService(name: "test", models: [counted], store: store)
        } catch {
            #expect("\(error)" == """
                Tally.count collides with the field count of TallyGroup in the aggregate extension: rename the field, \
                or serve only the base protocol (--without-extensions).
                """)
        }
        // Without the extension the model is fine.
        _ = try SubgraphService(name: "test", models: [counted], store: store, withoutExtensions: true)
        let group = Model("TallyGroup", collection: "tallyGroups", fields: [.int("n")])
        let tally = Model("Tally", collection: "tallies", fields: [.int("n")])
        let both = try Store(path: nil, models: [tally, group], scale: 1)
        do {
            _ = try SubgraphService(name: "test", models: [tally, group], store: both)
            Issue.record("two models deriving TallyGroup were accepted")
        } catch {
            #expect("\(error)".hasPrefix("The models derive the type TallyGroup twice"))
        }
    }
}

extension JSON {
    /// The object with one more member, appended.
    func adding(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var object) = self else { return self }
        object.append(key, value)
        return .object(object)
    }

    /// The value with the member at a path of list indices and keys replaced.
    func replacing(_ index: Int, _ key: String, _ inner: String, with value: JSON) -> JSON {
        guard case .array(var items) = self, items.indices.contains(index), case .object(var group) = items[index],
            case .object(var object)? = group[key]
        else { return self }
        object[inner] = value
        group[key] = .object(object)
        items[index] = .object(group)
        return .array(items)
    }
}
