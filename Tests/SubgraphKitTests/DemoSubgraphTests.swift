import Foundation
import GatewayJSON
import GraphQLSupport
import TestSupport
import Testing

/// The five demo subgraphs as demo-domain.md specifies them: the types with their fields
/// (name: GraphQL type) and the collection field of each type.
let demoDomain: [(subgraph: String, port: Int, types: [(name: String, collection: String, fields: [(String, String)])])] = [
    ("people", 4001, [
        ("User", "users", [("id", "ID!"), ("name", "String!"), ("username", "String!"), ("age", "Int"), ("email", "String"), ("address_id", "ID")]),
        ("Address", "addresses", [("id", "ID!"), ("streetNumber", "String"), ("streetName", "String"), ("city", "String"), ("country", "String")]),
    ]),
    ("authors", 4002, [
        ("Author", "authors", [("id", "ID!"), ("name", "String!"), ("dateOfBirth", "String"), ("country", "String")]),
        ("Passport", "passports", [("id", "ID!"), ("owner_id", "ID!"), ("passport_number", "String!"), ("expires", "String")]),
    ]),
    ("catalog", 4003, [
        ("Book", "books", [
            ("id", "ID!"), ("name", "String!"), ("description", "String"), ("genre", "String"), ("year", "Int"),
            ("price", "Float"), ("author_id", "ID"), ("library_name", "String"),
        ]),
        ("Genre", "genres", [("id", "ID!"), ("name", "String!")]),
        ("BookGenre", "bookGenres", [("id", "ID!"), ("book_id", "ID!"), ("genre_id", "ID!")]),
        ("Library", "libraries", [("id", "ID!"), ("name", "String!"), ("city", "String")]),
    ]),
    ("reviews", 4004, [
        ("Review", "reviews", [
            ("id", "ID!"), ("book_id", "ID!"), ("user_id", "ID!"), ("rating", "Int!"), ("body", "String"), ("created_at", "String"),
        ])
    ]),
    ("inventory", 4005, [
        ("Stock", "stocks", [("id", "ID!"), ("library_id", "ID!"), ("book_id", "ID!"), ("copies", "Int!"), ("on_loan", "Int!")]),
        ("Loan", "loans", [
            ("id", "ID!"), ("user_id", "ID!"), ("library_id", "ID!"), ("book_id", "ID!"), ("due", "String"), ("returned", "Boolean!"),
        ]),
    ]),
]

/// Fetches every row of a collection with the given fields.
func rows(_ url: String, _ collection: String, _ fields: String) async throws -> [JSON] {
    let answer = try await TestHTTP.graphql(url, "{ \(collection) { \(fields) } }")
    guard let rows = answer.at("data", collection)?.arrayValue else { throw TestProcessError("no \(collection): \(answer)") }
    return rows
}

@Suite("The demo subgraphs", .serialized)
struct DemoSubgraphTests {
    /// Found by the fuzzer: 10,000 levels of `{_not: ...}` in the query text overflowed the
    /// stack of GraphQLSwift's parser in prices and shipping, which did not check nesting.
    @Test func theGraphQLSwiftSubgraphsRefuseDeepTextAndStayUp() async throws {
        for product in ["prices", "shipping"] {
            let process = try ManagedProcess(product: product, arguments: ["--port", "0"])
            let url = "http://127.0.0.1:\(try await process.waitForPort())/graphql"
            let deep = "{ currencies(filter: " + String(repeating: "{_not: ", count: 10_000) + "{}" + String(repeating: "}", count: 10_000) + ") }"
            let answer = try await TestHTTP.graphql(url, deep)
            #expect(answer == [
                "errors": [[
                    "message": "The query nests braces, brackets or parentheses more than 256 deep; it is not parsed.",
                    "extensions": ["code": "GRAPHQL_PARSE_FAILED"],
                ]]
            ], "\(product)")
            #expect(try await TestHTTP.graphql(url, "{ __typename }") == ["data": ["__typename": "Query"]], "\(product)")
            await process.stop()
        }
    }

    @Test func introspectedSchemasHaveExactlyTheDemoDomainTypes() async throws {
        let stack = LocalStack(scale: 1)
        try await stack.start(gateway: false)
        for (subgraph, _, types) in demoDomain {
            let answer = try await TestHTTP.graphql(await stack.url(subgraph), SchemaModel.introspectionQuery)
            let schema = try SchemaModel(introspection: answer)
            let objectTypes = schema.types.filter { $0.kind == .object && $0.name != "Query" && $0.name != "Mutation" }
            // Each model's own type, and the aggregate extension's (docs/subgraph-protocol.md):
            // its group, with sum and avg only where it has Int or Float fields.
            let aggregateTypes = types.flatMap { type in
                let numeric = type.fields.contains { ["Int", "Float"].contains($0.1.replacingOccurrences(of: "!", with: "")) }
                return ["Group", "MinFields", "MaxFields"].map { type.name + $0 }
                    + (numeric ? ["SumFields", "AvgFields"].map { type.name + $0 } : [])
            }
            #expect(objectTypes.map(\.name).sorted() == (types.map(\.name) + aggregateTypes).sorted(), "\(subgraph)")
            // Introspection lists fields, arguments and input fields in declaration order.
            for type in types {
                let fields = (schema[type.name]?.fields ?? []).map { "\($0.name): \($0.type)" }
                #expect(fields == type.fields.map { "\($0.0): \($0.1)" }, "\(subgraph).\(type.name)")
                let collection = schema.query?.field(type.collection)
                #expect(collection?.type.description == "[\(type.name)!]!", "\(subgraph).\(type.collection)")
                #expect(collection?.arguments.map { "\($0.name): \($0.type)" }
                    == ["filter: \(type.name)Filter", "order: [\(type.name)Order!]", "limit: Int", "offset: Int"]
                        + ["partitionBy: [String!]", "limitPerKey: Int", "offsetPerKey: Int"])
                let filter = (schema[type.name + "Filter"]?.inputFields ?? []).map { "\($0.name): \($0.type)" }
                let operators = type.fields.map { "\($0.0): \($0.1.replacingOccurrences(of: "!", with: ""))Operators" }
                let combinators = ["_and: [\(type.name)Filter!]", "_or: [\(type.name)Filter!]", "_not: \(type.name)Filter"]
                #expect(filter == operators + combinators, "\(type.name)Filter")
                let order = (schema[type.name + "Order"]?.inputFields ?? []).map { "\($0.name): \($0.type)" }
                #expect(order == type.fields.map { "\($0.0): Ordering" }, "\(type.name)Order")
                let mutations = Set(schema.mutation?.fields.map(\.name) ?? [])
                #expect(mutations.isSuperset(of: ["create_\(type.name)", "update_\(type.name)", "delete_\(type.name)"]))
            }
            #expect(
                schema.query?.fields.map(\.name) == types.flatMap { [$0.collection, $0.collection + "_aggregate"] },
                "\(subgraph) collections and their aggregates")
            #expect(schema.mutation?.fields.count == types.count * 3)
            let operators = schema["StringOperators"]?.inputFields.map(\.name)
            #expect(operators == ["_eq", "_ne", "_in", "_nin", "_gt", "_ge", "_lt", "_le", "_like", "_nlike", "_ilike", "_nilike"])
            #expect(schema["Ordering"]?.enumValues == ["ASC", "DESC"])
        }
        await stack.stopAll()
    }

    static let scaleOneCounts: [String: (String, Int)] = [
        "users": ("people", 50), "addresses": ("people", 40), "authors": ("authors", 20), "passports": ("authors", 15),
        "libraries": ("catalog", 6), "genres": ("catalog", 10), "books": ("catalog", 200), "bookGenres": ("catalog", 400),
        "reviews": ("reviews", 1_000), "stocks": ("inventory", 300), "loans": ("inventory", 300),
    ]

    @Test func seedCountsAtScaleOneAndTen() async throws {
        for scale in [1, 10] {
            let stack = LocalStack(scale: scale)
            try await stack.start(gateway: false)
            for (collection, (subgraph, count)) in Self.scaleOneCounts {
                let all = try await rows(await stack.url(subgraph), collection, "id")
                #expect(all.count == count * scale, "\(collection) at scale \(scale)")
                #expect(Set(all.compactMap { $0["id"]?.stringValue }).count == count * scale, "unique ids")
            }
            await stack.stopAll()
        }
    }

    @Test func seedDataExercisesTheEdges() async throws {
        let stack = LocalStack(scale: 1)
        try await stack.start(gateway: false)
        // Null in every nullable field somewhere.
        for (subgraph, _, types) in demoDomain {
            for type in types {
                for (field, fieldType) in type.fields where !fieldType.hasSuffix("!") {
                    let nulls = try await TestHTTP.graphql(
                        await stack.url(subgraph), "{ \(type.collection)(filter: {\(field): {_eq: null}}, limit: 1) { id } }")
                    #expect(nulls.at("data", type.collection)?.arrayValue?.count == 1, "a null \(type.name).\(field)")
                }
            }
        }
        let users = try await rows(await stack.url("people"), "users", "id name age address_id")
        let addresses = Set(try await rows(await stack.url("people"), "addresses", "id city").compactMap { $0["id"]?.stringValue })
        let authors = try await rows(await stack.url("authors"), "authors", "id name")
        let passports = try await rows(await stack.url("authors"), "passports", "id owner_id")
        let books = try await rows(await stack.url("catalog"), "books", "id name year author_id library_name")
        let libraries = try await rows(await stack.url("catalog"), "libraries", "id name city")
        let links = try await rows(await stack.url("catalog"), "bookGenres", "book_id genre_id")
        let reviews = try await rows(await stack.url("reviews"), "reviews", "book_id user_id rating")
        let stocks = try await rows(await stack.url("inventory"), "stocks", "library_id book_id")
        let loans = try await rows(await stack.url("inventory"), "loans", "library_id book_id user_id")

        let userIDs = Set(users.compactMap { $0["id"]?.stringValue })
        let authorIDs = Set(authors.compactMap { $0["id"]?.stringValue })
        let bookIDs = Set(books.compactMap { $0["id"]?.stringValue })
        func strings(_ rows: [JSON], _ field: String) -> [String] { rows.compactMap { $0[field]?.stringValue } }

        // Users without an address, and one whose address does not exist.
        #expect(users.contains { $0["address_id"] == .null })
        #expect(strings(users, "address_id").contains { !addresses.contains($0) })
        // Authors without books and without a passport; a passport whose owner does not exist.
        #expect(!authorIDs.subtracting(strings(books, "author_id")).isEmpty)
        #expect(!authorIDs.subtracting(strings(passports, "owner_id")).isEmpty)
        #expect(strings(passports, "owner_id").contains { !authorIDs.contains($0) })
        // Books with a null author_id and one whose author does not exist.
        #expect(books.contains { $0["author_id"] == .null })
        #expect(strings(books, "author_id").contains { !authorIDs.contains($0) })
        // A review of a book that does not exist; most reviews' keys line up.
        #expect(strings(reviews, "book_id").contains { !bookIDs.contains($0) })
        #expect(strings(reviews, "book_id").filter(bookIDs.contains).count > 950)
        #expect(strings(reviews, "user_id").filter(userIDs.contains).count > 950)
        // Ties in sortable fields.
        #expect(Set(strings(books, "name")).count < books.count)
        #expect(Set(strings(users, "name")).count < users.count)
        #expect(Set(reviews.compactMap { $0["rating"]?.intValue }).count == 5)
        // Non-ASCII text.
        #expect(strings(authors, "name").contains("Saadi Shīrāzī"))
        #expect(strings(books, "name").contains("Gulistan") && strings(books, "name").contains("Bustan"))
        #expect(strings(libraries, "city").contains("Ærø"))
        // Library names are unique; books name libraries by name, one a library that does not exist.
        #expect(Set(strings(libraries, "name")).count == libraries.count)
        let libraryNames = Set(strings(libraries, "name"))
        #expect(strings(books, "library_name").filter(libraryNames.contains).count > 150)
        #expect(strings(books, "library_name").contains { !libraryNames.contains($0) })
        // The same genre linked to different books, and the same pair linked twice.
        let pairs = links.map { "\($0["book_id"]!.stringValue!)-\($0["genre_id"]!.stringValue!)" }
        #expect(Set(pairs).count < pairs.count)
        let booksPerGenre = Dictionary(grouping: links, by: { $0["genre_id"]!.stringValue! }).mapValues(\.count)
        #expect(booksPerGenre.values.contains { $0 > 1 })
        // Loans name (library, book) pairs that are stocked, except a few.
        let stocked = Set(stocks.map { "\($0["library_id"]!.stringValue!)/\($0["book_id"]!.stringValue!)" })
        #expect(stocked.count == stocks.count)
        let loanPairs = loans.map { "\($0["library_id"]!.stringValue!)/\($0["book_id"]!.stringValue!)" }
        #expect(loanPairs.filter(stocked.contains).count > 280)
        #expect(loanPairs.contains { !stocked.contains($0) })
        await stack.stopAll()
    }

    @Test func dataSurvivesARestartWithADatabaseFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let first = try ManagedProcess(product: "catalog", arguments: ["--port", "0", "--database", path])
        let firstURL = "http://127.0.0.1:\(try await first.waitForPort())/graphql"
        let created = try await TestHTTP.graphql(firstURL, #"mutation { create_Genre(input: {name: "Ærø sagas"}) { id name } }"#)
        #expect(created == ["data": ["create_Genre": ["id": "11", "name": "Ærø sagas"]]])
        _ = try await TestHTTP.graphql(firstURL, #"mutation { delete_Book(id: "1") { id } }"#)
        await first.stop()

        let second = try ManagedProcess(product: "catalog", arguments: ["--port", "0", "--database", path])
        let secondURL = "http://127.0.0.1:\(try await second.waitForPort())/graphql"
        let genres = try await TestHTTP.graphql(secondURL, #"{ genres(filter: {id: {_eq: "11"}}) { name } }"#)
        #expect(genres == ["data": ["genres": [["name": "Ærø sagas"]]]])
        // The seed is not applied again to an existing database.
        #expect(try await rows(secondURL, "genres", "id").count == 11)
        #expect(try await rows(secondURL, "books", "id").count == 199)
        await second.stop()
    }

    @Test func healthAndFlags() async throws {
        let process = try ManagedProcess(product: "reviews", arguments: ["--port", "0"])
        let port = try await process.waitForPort()
        let health = try await TestHTTP.request("http://127.0.0.1:\(port)/health")
        #expect(health.status == 200)
        #expect(try health.json() == ["status": "ok"])
        await process.stop()
        let bad = try ManagedProcess(product: "reviews", arguments: ["--scale", "0"])
        _ = try await bad.waitForOutput(matching: "--scale must be at least 1")
        await bad.stop()
    }
}
