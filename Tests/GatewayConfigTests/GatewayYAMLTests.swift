import TestSupport
import Foundation
import GatewayConfig
import GraphQLSupport
import Testing

/// The repository's gateway.yaml against the demo subgraphs' schemas.
@Suite struct GatewayYAMLTests {
    /// demo-domain.md's relationship table: source type, field, target model, kind, key pairs;
    /// then the rule gateway.yaml gives it for deletes.
    static let table: [(String, String, String, RelationshipKind, [(String, String)], DeleteRule?)] = [
        ("User", "address", "Addresses", .object, [("address_id", "id")], nil),
        ("Address", "user", "Users", .object, [("id", "address_id")], .setNull),
        ("Author", "passport", "Passports", .object, [("id", "owner_id")], .cascade),
        ("Passport", "owner", "Authors", .object, [("owner_id", "id")], nil),
        ("Book", "library", "Libraries", .object, [("library_name", "name")], nil),
        ("Library", "books", "Books", .array, [("name", "library_name")], .restrict),
        ("Book", "bookGenres", "BookGenres", .array, [("id", "book_id")], .cascade),
        ("Genre", "genreBooks", "BookGenres", .array, [("id", "genre_id")], .cascade),
        ("BookGenre", "book", "Books", .object, [("book_id", "id")], nil),
        ("BookGenre", "genre", "Genres", .object, [("genre_id", "id")], nil),
        ("Loan", "stock", "Stocks", .object, [("library_id", "library_id"), ("book_id", "book_id")], nil),
        ("Book", "author", "Authors", .object, [("author_id", "id")], nil),
        ("Author", "authoredBooks", "Books", .array, [("id", "author_id")], .setNull),
        ("Review", "book", "Books", .object, [("book_id", "id")], nil),
        ("Book", "reviews", "Reviews", .array, [("id", "book_id")], .cascade),
        ("Review", "user", "Users", .object, [("user_id", "id")], nil),
        ("User", "reviews", "Reviews", .array, [("id", "user_id")], .cascade),
        ("Library", "stock", "Stocks", .array, [("id", "library_id")], .cascade),
        ("Stock", "book", "Books", .object, [("book_id", "id")], nil),
        ("Stock", "library", "Libraries", .object, [("library_id", "id")], nil),
        ("User", "loans", "Loans", .array, [("id", "user_id")], .restrict),
        ("Loan", "user", "Users", .object, [("user_id", "id")], nil),
        ("Loan", "book", "Books", .object, [("book_id", "id")], nil),
    ]

    func load(environment: [String: String] = [:]) throws -> GatewayConfiguration {
        let raw = try ConfigLoader.load(path: repositoryGatewayYAML, environment: environment)
        return try ConfigLoader.resolve(raw, schemas: DemoSchemas.all())
    }

    @Test func resolvesSevenSubgraphsThirteenModelsAndThirtyRelationships() throws {
        let config = try load()
        #expect(config.subgraphs.map(\.name) == ["people", "authors", "catalog", "reviews", "inventory", "prices", "shipping"])
        #expect(config.subgraphs.map(\.url) == [1, 2, 3, 4, 5, 7, 6].map { "http://127.0.0.1:400\($0)/graphql" })
        #expect(config.subgraphs.map(\.protocol) == [.model, .model, .model, .model, .model, .graphql, .federation])
        #expect(config.subgraphs.allSatisfy { $0.connectTimeout == .seconds(2) && $0.requestTimeout == .seconds(30) })
        #expect(
            config.models.map(\.name) == [
                "Users", "Addresses", "Authors", "Passports", "Books", "Genres", "BookGenres", "Libraries", "Reviews",
                "Stocks", "Loans", "Prices", "Shipments",
            ])
        #expect(
            config.models.map(\.collection) == [
                "users", "addresses", "authors", "passports", "books", "genres", "bookGenres", "libraries", "reviews",
                "stocks", "loans", "", "",
            ])
        #expect(config.model(named: "Shipments")?.isEntity == true)
        #expect(config.model(named: "Prices")?.isEntity == false)
        #expect(
            config.model(named: "Prices")?.lookup
                == LookupConfig(field: "priceByBookId", argument: "id", argumentType: "ID!", isList: false, keyField: "book_id", scalarType: "ID"))
        // demo-domain.md's 23, the two many-to-many relationships through BookGenres, then
        // Book.pricing and Price.book with the prices subgraph, then Shipment.book,
        // Shipment.library and Stock.shipment with the shipping subgraph.
        #expect(config.relationships.count == 30)
        #expect(config.relationships.suffix(3).map { "\($0.sourceType).\($0.name)" } == ["Shipment.book", "Shipment.library", "Stock.shipment"])
        #expect(config.relationships.filter { $0.through != nil }.map { "\($0.sourceType).\($0.name)" } == ["Book.genres", "Genre.books"])
    }

    @Test func relationshipsMatchTheDemoDomainTableInOrder() throws {
        let config = try load()
        // The table's 23 come first; the gateway's many-to-many extension and the prices
        // and shipping relationships follow them.
        try #require(config.relationships.count == Self.table.count + 7)
        for (relationship, row) in zip(config.relationships, Self.table) {
            let (source, name, target, kind, pairs, onDelete) = row
            #expect(relationship.sourceType == source)
            #expect(relationship.name == name)
            #expect(relationship.targetModel == target)
            #expect(relationship.kind == kind, "\(source).\(name)")
            #expect(relationship.mapping.map(\.sourceField) == pairs.map(\.0), "\(source).\(name)")
            #expect(relationship.mapping.map(\.targetField) == pairs.map(\.1), "\(source).\(name)")
            let model = try #require(config.model(named: target))
            #expect(relationship.targetSubgraph == model.subgraph)
            #expect(relationship.targetType == model.typeName)
            #expect(relationship.targetCollection == model.collection)
            #expect(relationship.description?.isEmpty == false)
            #expect(relationship.through == nil, "\(source).\(name)")
            #expect(relationship.onDelete == onDelete, "\(source).\(name)")
        }
    }

    /// The gateway's extension: Book.genres and Genre.books through the junction model BookGenres.
    @Test func manyToManyRelationshipsGoThroughBookGenres() throws {
        let config = try load()
        let lines = try String(contentsOfFile: repositoryGatewayYAML, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let expected: [(source: String, name: String, target: String, type: String, collection: String, description: String, toJunction: String, fromJunction: String, number: Int)] = [
            ("Book", "genres", "Genres", "Genre", "genres", "The book's genres, each once even if linked twice.", "book_id", "genre_id", 24),
            ("Genre", "books", "Books", "Book", "books", "The books of this genre, each once even if linked twice.", "genre_id", "book_id", 25),
        ]
        for row in expected {
            let relationship = try #require(
                config.relationships.first { $0.sourceType == row.source && $0.name == row.name })
            let location = try #require(relationship.location)
            let through = try #require(relationship.through)
            let junctionLocation = try #require(through.location)
            #expect(
                relationship
                    == RelationshipConfig(
                        sourceType: row.source, sourceSubgraph: "catalog", name: row.name, description: row.description,
                        targetModel: row.target, targetSubgraph: "catalog", targetType: row.type,
                        targetCollection: row.collection, kind: .array,
                        mapping: [FieldMapping(sourceField: "id", targetField: row.toJunction, scalarType: "ID")],
                        through: JunctionConfig(
                            model: "BookGenres", subgraph: "catalog", typeName: "BookGenre", collection: "bookGenres",
                            filterType: "BookGenreFilter",
                            mapping: [FieldMapping(sourceField: row.fromJunction, targetField: "id", scalarType: "ID")],
                            location: junctionLocation),
                        location: location))
            #expect(relationship.isLocal)
            // Located at the entry under its numbered comment, and at the first key of `through:`.
            #expect(location.file == repositoryGatewayYAML && location.column == 5)
            #expect(lines[location.line - 2].hasPrefix("  # \(row.number). \(row.source).\(row.name) -> \(row.target) (Array) through BookGenres"))
            #expect(junctionLocation.file == repositoryGatewayYAML && junctionLocation.column == 9)
            #expect(lines[junctionLocation.line - 1] == "        model: BookGenres")
            #expect(lines[junctionLocation.line - 2] == "      through:")
        }
    }

    @Test func spotChecks() throws {
        let config = try load()
        let stock = try #require(config.relationships.first { $0.sourceType == "Loan" && $0.name == "stock" })
        #expect(
            stock.mapping == [
                FieldMapping(sourceField: "library_id", targetField: "library_id", scalarType: "ID"),
                FieldMapping(sourceField: "book_id", targetField: "book_id", scalarType: "ID"),
            ])
        #expect(stock.kind == .object)
        #expect(stock.sourceSubgraph == "inventory" && stock.targetSubgraph == "inventory" && stock.isLocal)
        #expect(stock.targetCollection == "stocks")

        let library = try #require(config.relationships.first { $0.sourceType == "Book" && $0.name == "library" })
        #expect(library.mapping == [FieldMapping(sourceField: "library_name", targetField: "name", scalarType: "String")])
        #expect(library.targetType == "Library" && library.kind == .object)

        let authored = try #require(config.relationships.first { $0.name == "authoredBooks" })
        #expect(authored.kind == .array)
        #expect(authored.sourceSubgraph == "authors" && authored.targetSubgraph == "catalog" && !authored.isLocal)
        #expect(authored.description == "The books this author wrote.")
        // Located at its entry in the file, right under its numbered comment.
        let location = try #require(authored.location)
        #expect(location.file == repositoryGatewayYAML && location.column == 5)
        let lines = try String(contentsOfFile: repositoryGatewayYAML, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[location.line - 1] == "  - kind: Relationship")
        #expect(lines[location.line - 2].hasPrefix("  # 13. Author.authoredBooks"))

        let books = try #require(config.model(named: "Books"))
        #expect(books.filterType == "BookFilter" && books.orderType == "BookOrder" && books.typeName == "Book")
        #expect(config.relationships(from: "Book").map(\.name) == ["library", "bookGenres", "author", "reviews", "genres", "pricing"])
        #expect(config.relationships(from: "Genre").map(\.name) == ["genreBooks", "books"])
    }

    @Test func subgraphURLsComeFromTheEnvironmentWhenSet() throws {
        let config = try load(environment: ["CATALOG_URL": "http://catalog:4003/graphql"])
        #expect(config.subgraph(named: "catalog")?.url == "http://catalog:4003/graphql")
        #expect(config.subgraph(named: "people")?.url == "http://127.0.0.1:4001/graphql")
    }

    @Test func aMissingFileIsAnError() {
        let found = errors { () throws(ConfigErrors) in
            try ConfigLoader.load(path: "/nonexistent/gateway.yaml", environment: [:])
        }
        #expect(found.map(\.description) == ["configuration file /nonexistent/gateway.yaml does not exist"])
        #expect(found.first?.location == nil)
    }
}
