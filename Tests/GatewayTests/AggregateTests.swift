import Foundation
import GatewayJSON
import TestSupport
import Testing

/// Aggregates over the demo stack: every Array relationship, the collections, filters and
/// orders by aggregates, against values computed here from direct subgraph reads; grouped by
/// the subgraphs (the extension) and computed by the gateway (`--without-extensions`).
@Suite("Aggregates end to end", .serialized)
struct AggregateTests {
    /// The scalar fields of each demo collection, with their scalar types.
    static let fields: [String: [(String, String)]] = [
        "users": [("id", "ID"), ("name", "String"), ("username", "String"), ("age", "Int"), ("email", "String"), ("address_id", "ID")],
        "books": [
            ("id", "ID"), ("name", "String"), ("description", "String"), ("genre", "String"), ("year", "Int"), ("price", "Float"),
            ("author_id", "ID"), ("library_name", "String"),
        ],
        "genres": [("id", "ID"), ("name", "String")],
        "bookGenres": [("id", "ID"), ("book_id", "ID"), ("genre_id", "ID")],
        "reviews": [("id", "ID"), ("book_id", "ID"), ("user_id", "ID"), ("rating", "Int"), ("body", "String"), ("created_at", "String")],
        "stocks": [("id", "ID"), ("library_id", "ID"), ("book_id", "ID"), ("copies", "Int"), ("on_loan", "Int")],
        "loans": [("id", "ID"), ("user_id", "ID"), ("library_id", "ID"), ("book_id", "ID"), ("due", "String"), ("returned", "Boolean")],
    ]

    /// The Array relationships of the demo domain, many-to-many ones with their junction.
    struct ArrayRelationship {
        var source: (subgraph: String, collection: String)
        var field: String
        var target: (subgraph: String, collection: String)
        var mapping: (source: String, target: String)
        var through: (collection: String, source: String, target: String)? = nil
    }

    static let relationships: [ArrayRelationship] = [
        .init(source: ("catalog", "libraries"), field: "books", target: ("catalog", "books"), mapping: ("name", "library_name")),
        .init(source: ("catalog", "books"), field: "bookGenres", target: ("catalog", "bookGenres"), mapping: ("id", "book_id")),
        .init(source: ("catalog", "genres"), field: "genreBooks", target: ("catalog", "bookGenres"), mapping: ("id", "genre_id")),
        .init(source: ("authors", "authors"), field: "authoredBooks", target: ("catalog", "books"), mapping: ("id", "author_id")),
        .init(source: ("catalog", "books"), field: "reviews", target: ("reviews", "reviews"), mapping: ("id", "book_id")),
        .init(source: ("people", "users"), field: "reviews", target: ("reviews", "reviews"), mapping: ("id", "user_id")),
        .init(source: ("catalog", "libraries"), field: "stock", target: ("inventory", "stocks"), mapping: ("id", "library_id")),
        .init(source: ("people", "users"), field: "loans", target: ("inventory", "loans"), mapping: ("id", "user_id")),
        .init(
            source: ("catalog", "books"), field: "genres", target: ("catalog", "genres"), mapping: ("id", "id"),
            through: ("bookGenres", "book_id", "genre_id")),
        .init(
            source: ("catalog", "genres"), field: "books", target: ("catalog", "books"), mapping: ("id", "id"),
            through: ("bookGenres", "genre_id", "book_id")),
    ]

    /// `count cd: count(distinct: f) sum { ... } avg { ... } min { ... } max { ... }` for a collection.
    static func selection(_ collection: String) -> String {
        let all = fields[collection]!
        let numeric = all.filter { $0.1 == "Int" || $0.1 == "Float" }.map(\.0)
        let orderable = all.filter { $0.1 != "Boolean" }.map(\.0)
        var text = "count cd: count(distinct: \(all[1].0))"
        if !numeric.isEmpty {
            text += " sum { \(numeric.joined(separator: " ")) } avg { \(numeric.joined(separator: " ")) }"
        }
        text += " min { \(orderable.joined(separator: " ")) } max { \(orderable.joined(separator: " ")) }"
        return text
    }

    /// The aggregate object of `rows`, as the gateway must answer it for `selection(collection)`.
    static func expected(_ rows: [JSONObject], _ collection: String) -> JSON {
        let all = fields[collection]!
        let numeric = all.filter { $0.1 == "Int" || $0.1 == "Float" }
        let orderable = all.filter { $0.1 != "Boolean" }
        func values(_ field: String) -> [JSON] { rows.compactMap { $0[field] }.filter { !$0.isNull } }
        var object: JSONObject = ["count": .int(rows.count), "cd": .int(Set(values(all[1].0)).count)]
        if !numeric.isEmpty {
            object["sum"] = .object(JSONObject(numeric.map { field, scalar -> (String, JSON) in
                let found = values(field)
                if found.isEmpty { return (field, .null) }
                return (field, scalar == "Int" ? .int(found.reduce(0) { $0 + ($1.intValue ?? 0) }) : .double(found.reduce(0) { $0 + ($1.doubleValue ?? 0) }))
            }))
            object["avg"] = .object(JSONObject(numeric.map { field, _ -> (String, JSON) in
                let found = values(field)
                return (field, found.isEmpty ? .null : .double(found.reduce(0) { $0 + ($1.doubleValue ?? 0) } / Double(found.count)))
            }))
        }
        for (function, pick) in [("min", -1), ("max", 1)] {
            object[function] = .object(JSONObject(orderable.map { field, _ -> (String, JSON) in
                (field, values(field).reduce(JSON.null) { best, value in best.isNull || order(value, best) == pick ? value : best })
            }))
        }
        return .object(object)
    }

    /// -1, 0, 1: numbers by value, strings by Unicode code point.
    static func order(_ left: JSON, _ right: JSON) -> Int {
        switch (left, right) {
        case (.string(let a), .string(let b)):
            return a == b ? 0 : (a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1)
        default:
            let a = left.doubleValue ?? 0
            let b = right.doubleValue ?? 0
            return a == b ? 0 : (a < b ? -1 : 1)
        }
    }

    /// JSON equality with floats equal to 1e-9 (relative): sums of floats depend on the order
    /// of addition.
    static func close(_ left: JSON, _ right: JSON) -> Bool {
        switch (left, right) {
        case (.object(let a), .object(let b)):
            return a.keys == b.keys && zip(a.values, b.values).allSatisfy { close($0, $1) }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { close($0, $1) }
        case (.double, _), (_, .double):
            guard let a = left.doubleValue, let b = right.doubleValue else { return left == right }
            return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
        default:
            return left == right
        }
    }

    /// Every Array relationship's aggregates over every source row, against direct reads.
    func checkEveryRelationship(_ stack: LocalStack) async throws {
        let reference = Reference(stack: stack)
        for relationship in Self.relationships {
            let targetFields = Self.fields[relationship.target.collection]!.map(\.0)
            let targets = try await reference.rows(relationship.target.subgraph, relationship.target.collection, targetFields)
            let sourceField = relationship.mapping.source
            let sources = try await reference.rows(
                relationship.source.subgraph, relationship.source.collection, ["id"] + (sourceField == "id" ? [] : [sourceField]))
            // The related rows of each source row (through the junction: each target once).
            var related: [JSON: [JSONObject]] = [:]
            if let through = relationship.through {
                let links = try await reference.rows("catalog", through.collection, [through.source, through.target])
                let byID = Dictionary(targets.map { ($0["id"]!, $0) }, uniquingKeysWith: { first, _ in first })
                var seen: [JSON: Set<JSON>] = [:]
                for link in links {
                    guard let source = link[through.source], let target = link[through.target], let row = byID[target] else { continue }
                    if seen[source, default: []].insert(target).inserted { related[source, default: []].append(row) }
                }
            } else {
                for row in targets {
                    if let key = row[relationship.mapping.target], !key.isNull { related[key, default: []].append(row) }
                }
            }
            let expected: [JSON] = sources.map { source in
                let key = source[sourceField] ?? .null
                return ["id": source["id"]!, "a": Self.expected(key.isNull ? [] : related[key] ?? [], relationship.target.collection)]
            }
            let answer = try await stack.query(
                "{ \(relationship.source.collection) { id a: \(relationship.field)_aggregate { \(Self.selection(relationship.target.collection)) } } }")
            let rows = answer.at("data", relationship.source.collection)?.arrayValue ?? []
            let matches = Self.close(.array(rows), .array(expected))
            #expect(matches, "\(relationship.source.collection).\(relationship.field)_aggregate: \(answer.description.prefix(600))")
            // Empty groups really occur: parents without related rows answer count 0 and nulls.
            let empties = expected.filter { $0.at("a", "count") == 0 }
            if let empty = empties.first {
                let row = rows.first { $0["id"] == empty["id"] }
                #expect(row?.at("a", "count") == 0, "\(relationship.field)")
            }
        }
        // The collections themselves, and a filter that matches nothing.
        for (collection, subgraph) in [("books", "catalog"), ("reviews", "reviews"), ("loans", "inventory")] {
            let rows = try await reference.rows(subgraph, collection, Self.fields[collection]!.map(\.0))
            let answer = try await stack.query("{ all: \(collection)_aggregate { \(Self.selection(collection)) } none: \(collection)_aggregate(filter: {id: {_in: []}}) { \(Self.selection(collection)) } }")
            let matches = Self.close(answer, ["data": ["all": Self.expected(rows, collection), "none": Self.expected([], collection)]])
            #expect(matches, "\(collection)_aggregate: \(answer.description.prefix(400))")
        }
    }

    @Test func everyArrayRelationshipGroupedByTheSubgraphs() async throws {
        try await withStack { stack in try await checkEveryRelationship(stack) }
    }

    @Test func everyArrayRelationshipComputedByTheGatewayWithoutTheExtension() async throws {
        let basic = Dictionary(uniqueKeysWithValues: LocalStack.subgraphs.map { ($0, ["--without-extensions"]) })
        try await withStack(extraArguments: basic) { stack in
            try await checkEveryRelationship(stack)
            // explain says which way it went.
            let reply = try await TestHTTP.post(
                await stack.base("gateway") + "/explain", body: #"{"query": "{ authors { authoredBooks_aggregate { count } } }"}"#)
            let text = try reply.json().at("plan", "text")?.stringValue ?? ""
            #expect(text.contains("computed by the gateway from rows (the subgraph serves no grouped aggregates)"), "\(text)")
            #expect(text.contains("_r: books(filter: $_gw_where) { _k0: author_id }"), "\(text)")
        }
    }

    /// Bytes the subgraphs answered, from the gateway's metrics.
    static func upstreamBytes(_ stack: LocalStack) async throws -> Int {
        let metrics = try await TestHTTP.request(await stack.base("gateway") + "/metrics").text
        var total = 0
        for line in metrics.split(separator: "\n") where line.hasPrefix("gateway_upstream_response_bytes_total{") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { total += Int(value) }
        }
        return total
    }

    /// Requests and upstream bytes of one query.
    static func cost(_ stack: LocalStack, _ query: String) async throws -> (requests: Int, bytes: Int, answer: JSON) {
        let requests = try await stack.upstreamRequests()
        let bytes = try await upstreamBytes(stack)
        let answer = try await stack.query(query)
        return (try await stack.upstreamRequests() - requests, try await upstreamBytes(stack) - bytes, answer)
    }

    static let perAuthor = "{ authors { authoredBooks_aggregate { count avg { price } } } }"
    static let rowsPerAuthor = "{ authors { authoredBooks { price } } }"

    @Test func requestsDoNotGrowWithTheDataAndChildRowsAreNeverTransferred() async throws {
        var costs: [Int: (aggregate: Int, rows: Int, requests: [Int])] = [:]
        let queries = [
            Self.perAuthor,
            "{ books_aggregate(filter: {reviews: {rating: {_ge: 5}}}) { count } }",
            "{ authors(filter: {authoredBooks_aggregate: {count: {_gt: 10}}}, order: [{authoredBooks_aggregate: {sum: {price: DESC}}}]) { name } }",
            "{ genres(order: [{books_aggregate: {count: DESC}}]) { name books_aggregate(filter: {year: {_gt: 2000}}) { count } } }",
        ]
        for scale in [1, 10] {
            try await withStack(scale: scale) { stack in
                var requests: [Int] = []
                for query in queries {
                    let (used, _, answer) = try await Self.cost(stack, query)
                    #expect(answer["errors"] == nil, "\(answer)")
                    requests.append(used)
                }
                let aggregate = try await Self.cost(stack, Self.perAuthor).bytes
                let rows = try await Self.cost(stack, Self.rowsPerAuthor).bytes
                costs[scale] = (aggregate, rows, requests)
            }
        }
        #expect(costs[1]!.requests == costs[10]!.requests)
        // The root and one aggregate; a filter lookup and the aggregate; a filter lookup, the
        // authors and an order lookup; the genres, an order lookup over the junction (the
        // target rows and the junction rows) and the field over the junction (the same two).
        #expect(costs[1]!.requests == [2, 2, 3, 5])
        // Grouped by the subgraph, the answer has one group per author, not one row per book:
        // at scale 10 (200 authors, 2,000 books) it is a fraction of the rows' bytes, and it
        // grows with the authors only (ten times the authors: about ten times the bytes).
        let (aggregate, rows, _) = costs[10]!
        #expect(aggregate * 3 < rows, "aggregate \(aggregate) bytes, rows \(rows) bytes")
        #expect(aggregate < costs[1]!.aggregate * 12, "scale 1: \(costs[1]!.aggregate) bytes, scale 10: \(aggregate)")
        print("upstream bytes at scale 10: \(Self.perAuthor) \(aggregate), \(Self.rowsPerAuthor) \(rows)")
    }

    @Test func filterAndOrderParentsByAggregatesAcrossSubgraphs() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let authors = try await reference.rows("authors", "authors", ["id", "name"])
            let books = try await reference.rows("catalog", "books", ["id", "author_id", "price", "year"])
            let reviews = try await reference.rows("reviews", "reviews", ["book_id", "rating"])
            var booksOf: [JSON: [JSONObject]] = [:]
            for book in books { if let author = book["author_id"], !author.isNull { booksOf[author, default: []].append(book) } }
            let fiveStar = Set(reviews.filter { $0["rating"] == 5 }.compactMap { $0["book_id"] })

            // Authors with more than 10 books, by the sum of their books' years (Int sums are
            // exact; float sums differ in the last bits with the order of addition), descending,
            // ties by id.
            func sum(_ id: JSON) -> Int? {
                let years = (booksOf[id] ?? []).compactMap { $0["year"]?.intValue }
                return years.isEmpty ? nil : years.reduce(0, +)
            }
            let many = authors.filter { (booksOf[$0["id"]!] ?? []).count > 10 }
            let ordered = many.sorted { a, b in
                let (x, y) = (sum(a["id"]!), sum(b["id"]!))
                if x != y { return (x ?? .min) > (y ?? .min) }
                return Self.order(a["id"]!, b["id"]!) < 0
            }
            let answer = try await stack.query(
                "{ authors(filter: {authoredBooks_aggregate: {count: {_gt: 10}}}, order: [{authoredBooks_aggregate: {sum: {year: DESC}}}]) { id } }")
            #expect(answer == ["data": ["authors": .array(ordered.map { ["id": $0["id"]!] })]])
            #expect(many.count > 0 && many.count < authors.count)

            // Counts that hold for authors without books keep them (count 0).
            let few = authors.filter { (booksOf[$0["id"]!] ?? []).count < 1 }
            let none = try await stack.query("{ authors(filter: {authoredBooks_aggregate: {count: {_lt: 1}}}) { id } }")
            #expect(none == ["data": ["authors": .array(few.map { ["id": $0["id"]!] })]])
            #expect(!few.isEmpty)

            // The aggregated rows filtered by their own related rows (another subgraph), and
            // the aggregate combined with an ordinary filter.
            let withFiveStar = authors.filter { author in
                (booksOf[author["id"]!] ?? []).filter { fiveStar.contains($0["id"]!) }.count >= 2
            }.filter { Self.order($0["name"] ?? "", "H") >= 0 }
            let combined = try await stack.query("""
                { authors(filter: {name: {_ge: "H"}, authoredBooks_aggregate: {count: {_ge: 2}, filter: {reviews: {rating: {_eq: 5}}}}}) { id } }
                """)
            #expect(combined == ["data": ["authors": .array(withFiveStar.map { ["id": $0["id"]!] })]])

            // Order by count with ties broken by id, and a null min sorting first ascending.
            let byCount = authors.sorted { a, b in
                let (x, y) = ((booksOf[a["id"]!] ?? []).count, (booksOf[b["id"]!] ?? []).count)
                return x != y ? x > y : Self.order(a["id"]!, b["id"]!) < 0
            }
            let counted = try await stack.query("{ authors(order: [{authoredBooks_aggregate: {count: DESC}}]) { id } }")
            #expect(counted == ["data": ["authors": .array(byCount.map { ["id": $0["id"]!] })]])
            let minYear = try await stack.query("{ authors(order: [{authoredBooks_aggregate: {min: {year: ASC}}}], limit: 3) { id } }")
            let firstThree = authors.filter { (booksOf[$0["id"]!] ?? []).compactMap { $0["year"] }.filter { !$0.isNull }.isEmpty }.prefix(3)
            #expect(minYear == ["data": ["authors": .array(firstThree.map { ["id": $0["id"]!] })]])

            // An order naming two aggregates is an error.
            let bad = try await stack.query("{ authors(order: [{authoredBooks_aggregate: {count: DESC, sum: {price: ASC}}}]) { id } }")
            #expect(bad.at("errors", 0, "message") == "order[0].authoredBooks_aggregate must set exactly one aggregate, got count, sum")
        }
    }
}
