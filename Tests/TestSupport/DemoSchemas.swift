import Foundation
import GraphQLSupport

/// The five demo subgraphs' schemas as SDL, derived from their types by subgraph-protocol.md's
/// rule (collection, filter, order and operator inputs), so config tests need no running service.
/// Checked once by hand against the real catalog subgraph's introspection: the same query field,
/// object, filter, order, enum, operator, input and patch types, and the mutations.
public enum DemoSchemas {
    /// An object type of a subgraph, with its collection field and fields (`id: ID!, name: String!`).
    public struct ModelType: Sendable {
        public var name: String
        public var collection: String
        public var fields: String

        public init(_ name: String, _ collection: String, _ fields: String) {
            self.name = name
            self.collection = collection
            self.fields = fields
        }

        public var parsedFields: [(name: String, type: String)] {
            fields.split(separator: ",").map { field in
                let parts = field.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                return (parts[0], parts[1])
            }
        }
    }

    /// demo-domain.md's table.
    public static let subgraphs: [(name: String, types: [ModelType])] = [
        (
            "people",
            [
                ModelType(
                    "User", "users",
                    "id: ID!, name: String!, username: String!, age: Int, email: String, address_id: ID"),
                ModelType(
                    "Address", "addresses",
                    "id: ID!, streetNumber: String, streetName: String, city: String, country: String"),
            ]
        ),
        (
            "authors",
            [
                ModelType("Author", "authors", "id: ID!, name: String!, dateOfBirth: String, country: String"),
                ModelType("Passport", "passports", "id: ID!, owner_id: ID!, passport_number: String!, expires: String"),
            ]
        ),
        (
            "catalog",
            [
                ModelType(
                    "Book", "books",
                    "id: ID!, name: String!, description: String, genre: String, year: Int, price: Float, author_id: ID, library_name: String"
                ),
                ModelType("Genre", "genres", "id: ID!, name: String!"),
                ModelType("BookGenre", "bookGenres", "id: ID!, book_id: ID!, genre_id: ID!"),
                ModelType("Library", "libraries", "id: ID!, name: String!, city: String"),
            ]
        ),
        (
            "reviews",
            [
                ModelType(
                    "Review", "reviews",
                    "id: ID!, book_id: ID!, user_id: ID!, rating: Int!, body: String, created_at: String")
            ]
        ),
        (
            "inventory",
            [
                ModelType("Stock", "stocks", "id: ID!, library_id: ID!, book_id: ID!, copies: Int!, on_loan: Int!"),
                ModelType(
                    "Loan", "loans",
                    "id: ID!, user_id: ID!, library_id: ID!, book_id: ID!, due: String, returned: Boolean!"),
            ]
        ),
    ]

    public static let operators: [String: [String]] = {
        let ordered = ["_eq", "_ne", "_in", "_nin", "_gt", "_ge", "_lt", "_le"]
        let textual = ordered + ["_like", "_nlike", "_ilike", "_nilike"]
        return ["ID": textual, "String": textual, "Int": ordered, "Float": ordered, "Boolean": ["_eq", "_ne"]]
    }()

    /// The SDL of a subgraph serving `types`.
    /// - Parameters:
    ///   - withoutIn: operator input types (`IDOperators`) to write without `_in`, for tests of
    ///     relationships the gateway cannot batch.
    public static func sdl(_ types: [ModelType], withoutIn: Set<String> = []) -> String {
        var blocks: [String] = []
        blocks.append(
            "type Query {\n"
                + types.map {
                    "  \($0.collection)(filter: \($0.name)Filter, order: [\($0.name)Order!], limit: Int, offset: Int): [\($0.name)!]!\n"
                }.joined() + "}")
        blocks.append(
            "type Mutation {\n"
                + types.map { type in
                    let t = type.name
                    return "  create_\(t)(input: \(t)Input!): \(t)!\n"
                        + "  update_\(t)(id: ID, filter: \(t)Filter, input: \(t)Patch!): [\(t)!]!\n"
                        + "  delete_\(t)(id: ID, filter: \(t)Filter): [\(t)!]!\n"
                }.joined() + "}")
        var scalars: [String] = []
        for type in types {
            let fields = type.parsedFields
            blocks.append("type \(type.name) {\n" + fields.map { "  \($0.name): \($0.type)\n" }.joined() + "}")
            blocks.append(
                "input \(type.name)Input {\n"
                    + fields.map { "  \($0.name): \($0.name == "id" ? "ID" : $0.type)\n" }.joined() + "}")
            blocks.append(
                "input \(type.name)Patch {\n"
                    + fields.dropFirst().map { "  \($0.name): \($0.type.replacingOccurrences(of: "!", with: ""))\n" }.joined() + "}")
            var filter = "input \(type.name)Filter {\n"
            for field in fields {
                let scalar = field.type.replacingOccurrences(of: "!", with: "")
                if !scalars.contains(scalar) { scalars.append(scalar) }
                filter += "  \(field.name): \(scalar)Operators\n"
            }
            filter += "  _and: [\(type.name)Filter!]\n  _or: [\(type.name)Filter!]\n  _not: \(type.name)Filter\n}"
            blocks.append(filter)
            blocks.append(
                "input \(type.name)Order {\n" + fields.map { "  \($0.name): Ordering\n" }.joined() + "}")
        }
        blocks.append("enum Ordering {\n  ASC\n  DESC\n}")
        for scalar in scalars {
            let name = "\(scalar)Operators"
            let fields = operators[scalar, default: []].filter { !(withoutIn.contains(name) && $0 == "_in") }
            blocks.append(
                "input \(name) {\n"
                    + fields.map { "  \($0): \(operandType($0, scalar))\n" }.joined() + "}")
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    /// `_in`/`_nin` take a list of the scalar, the `_like` family a pattern string, the rest one value.
    static func operandType(_ operator: String, _ scalar: String) -> String {
        if ["_in", "_nin"].contains(`operator`) { return "[\(scalar)!]" }
        if `operator`.hasSuffix("like") { return "String" }
        return scalar
    }

    public static func schema(_ subgraph: String, withoutIn: Set<String> = []) throws -> SchemaModel {
        let types = subgraphs.first { $0.name == subgraph }!.types
        return try SchemaModel(sdl: sdl(types, withoutIn: withoutIn))
    }

    /// The prices subgraph (subgraphs/DemoModels/Prices.swift): a plain GraphQL service with
    /// lookups, not the model protocol.
    public static let pricesSDL = """
        type Query {
          priceByBookId(id: ID!): Price
          pricesByBookIds(ids: [ID!]!): [Price!]!
          currencies: [String!]!
        }
        type Mutation {
          setPrice(book_id: ID!, amount: Float!, currency: String = "EUR"): Price!
        }
        "What a book costs."
        type Price {
          book_id: ID!
          amount: Float!
          currency: String!
        }
        """

    /// The shipping subgraph (subgraphs/DemoModels/Shipping.swift), an Apollo Federation v2
    /// subgraph: its `_service { sdl }`, as it serves it (a test compares them).
    public static let shippingSDL = """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@shareable"])

        "A catalog book, as far as shipping is concerned."
        type Book @key(fields: "id") {
          id: ID!
          price: Float @external
          "Shipping cost: 2 plus 5% of the price; null when the book has no price."
          shippingEstimate: Float @requires(fields: "price")
          "Days to deliver, from the book's id."
          deliveryDays: Int!
          "Shipments of this book."
          shipments: [Shipment!]!
        }

        "A book on its way to a library."
        type Shipment @key(fields: "id") @key(fields: "book_id library_id") {
          id: ID!
          book_id: ID!
          library_id: ID!
          carrier: String!
          status: String!
        }

        type Query {
          shipments(limit: Int): [Shipment!]!
          shipment(id: ID!): Shipment
        }
        """

    /// The shipping subgraph's schema as the gateway composes it: introspected, without the
    /// router's `_service`/`_entities` and their types.
    public static let shippingSchemaSDL = """
        type Query {
          shipments(limit: Int): [Shipment!]!
          shipment(id: ID!): Shipment
        }
        type Book {
          id: ID!
          price: Float
          shippingEstimate: Float
          deliveryDays: Int!
          shipments: [Shipment!]!
        }
        type Shipment {
          id: ID!
          book_id: ID!
          library_id: ID!
          carrier: String!
          status: String!
        }
        """

    /// All seven subgraphs' schemas keyed by subgraph name.
    public static func all() throws -> [String: SchemaModel] {
        var schemas: [String: SchemaModel] = [:]
        for subgraph in subgraphs { schemas[subgraph.name] = try schema(subgraph.name) }
        schemas["prices"] = try SchemaModel(sdl: pricesSDL)
        schemas["shipping"] = try SchemaModel(sdl: shippingSchemaSDL)
        return schemas
    }
}
