import GatewayJSON
import GraphQL
import GraphQLSupport
import SubgraphKit

// The shipping subgraph: an Apollo Federation v2 subgraph, NOT the model protocol. It extends
// the catalog's `Book` entity (key `id`) with delivery fields, one of which @requires the
// book's price, and owns `Shipment` entities with two keys (`id`, and `book_id library_id`).
// It serves `_service { sdl }` and `_entities(representations:)` as the federation spec says.

/// A book as this subgraph knows it: its key and the price a representation brings.
struct ShippingBook: Sendable {
    var id: String
    var price: Double?
}

/// A shipment of a book to a library.
struct Shipment: Sendable {
    var id: String
    var bookID: String
    var libraryID: String
    var carrier: String
    var status: String
}

/// One shipment per stock of the inventory (the shipment that brought the stock's copies to
/// its library), made from the same (library, book) pairs: `--scale` × 300.
///
/// So every composite key a stock asks for has an entity: GraphQLSwift 4.3.0 drops null items
/// from lists, so this service cannot answer null for a representation it does not know.
struct ShipmentBook: Sendable {
    static let carriers = ["Posten", "DHL", "Yamato", "Correios"]
    static let statuses = ["packed", "on the way", "delivered"]
    let shipments: [Shipment]
    let byID: [String: Shipment]
    let byKey: [String: Shipment]

    init(scale: Int) {
        let shipments = (1...(300 * scale)).map { n in
            let pair = stockPair((n - 1) % 300, block: (n - 1) / 300)
            return Shipment(
                id: "s\(n)", bookID: String(pair.book), libraryID: String(pair.library),
                carrier: Self.carriers[n % Self.carriers.count], status: Self.statuses[n % Self.statuses.count])
        }
        self.shipments = shipments
        byID = Dictionary(shipments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        byKey = Dictionary(shipments.map { ("\($0.bookID)|\($0.libraryID)", $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The shipping subgraph's engine: GraphQLSwift's executor with the federation fields.
public struct ShippingService: SubgraphEndpoint {
    public let name = "shipping"
    public let maxBodyBytes = 16 << 20
    let schema: GraphQLSchema
    let documents: DocumentCache

    /// What `_service { sdl }` answers: the subgraph's schema with its federation directives.
    public static let sdl = """
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

    public init(scale: Int) throws {
        let book = ShipmentBook(scale: scale)
        let string = Self.string
        let shipmentType = try GraphQLObjectType(
            name: "Shipment",
            fields: [
                "id": GraphQLField(type: GraphQLNonNull(GraphQLID), resolve: { source, _, _, _ in (source as? Shipment)?.id }),
                "book_id": GraphQLField(type: GraphQLNonNull(GraphQLID), resolve: { source, _, _, _ in (source as? Shipment)?.bookID }),
                "library_id": GraphQLField(type: GraphQLNonNull(GraphQLID), resolve: { source, _, _, _ in (source as? Shipment)?.libraryID }),
                "carrier": GraphQLField(type: GraphQLNonNull(GraphQLString), resolve: { source, _, _, _ in (source as? Shipment)?.carrier }),
                "status": GraphQLField(type: GraphQLNonNull(GraphQLString), resolve: { source, _, _, _ in (source as? Shipment)?.status }),
            ])
        let bookType = try GraphQLObjectType(
            name: "Book",
            fields: [
                "id": GraphQLField(type: GraphQLNonNull(GraphQLID), resolve: { source, _, _, _ in (source as? ShippingBook)?.id }),
                "price": GraphQLField(type: GraphQLFloat, resolve: { source, _, _, _ in (source as? ShippingBook)?.price }),
                "shippingEstimate": GraphQLField(
                    type: GraphQLFloat,
                    resolve: { source, _, _, _ in
                        guard let price = (source as? ShippingBook)?.price else { return nil as Double? }
                        return ((2 + price * 0.05) * 100).rounded() / 100
                    }),
                "deliveryDays": GraphQLField(
                    type: GraphQLNonNull(GraphQLInt),
                    resolve: { source, _, _, _ in (source as? ShippingBook).map { 1 + (Int($0.id) ?? 0) % 9 } }),
                "shipments": GraphQLField(
                    type: GraphQLNonNull(GraphQLList(GraphQLNonNull(shipmentType))),
                    resolve: { source, _, _, _ in
                        let id = (source as? ShippingBook)?.id
                        return book.shipments.filter { $0.bookID == id }
                    }),
            ])
        // `_Any` takes representations as they come: objects with `__typename` and key fields.
        let anyType = try GraphQLScalarType(
            name: "_Any", serialize: { try map(from: $0) }, parseValue: { $0 },
            parseLiteral: { _ in throw GraphQLError(message: "_Any takes representations as variables") })
        let resolveEntity: GraphQLTypeResolve = { value, _ in value is Shipment ? "Shipment" : "Book" }
        let entityType = try GraphQLUnionType(name: "_Entity", resolveType: resolveEntity, types: [bookType, shipmentType])
        let serviceType = try GraphQLObjectType(
            name: "_Service", fields: ["sdl": GraphQLField(type: GraphQLString, resolve: { _, _, _, _ in Self.sdl })])
        let query = try GraphQLObjectType(
            name: "Query",
            fields: [
                "shipments": GraphQLField(
                    type: GraphQLNonNull(GraphQLList(GraphQLNonNull(shipmentType))), args: ["limit": GraphQLArgument(type: GraphQLInt)],
                    resolve: { _, arguments, _, _ in
                        guard case .number(let limit) = arguments["limit"] else { return book.shipments }
                        return Array(book.shipments.prefix(max(0, limit.intValue)))
                    }),
                "shipment": GraphQLField(
                    type: shipmentType, args: ["id": GraphQLArgument(type: GraphQLNonNull(GraphQLID))],
                    resolve: { _, arguments, _, _ in string(arguments["id"]).flatMap { book.byID[$0] } }),
                "_service": GraphQLField(type: GraphQLNonNull(serviceType), resolve: { _, _, _, _ in "" }),
                "_entities": GraphQLField(
                    type: GraphQLNonNull(GraphQLList(entityType)),
                    args: ["representations": GraphQLArgument(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(anyType))))],
                    resolve: { _, arguments, _, _ in
                        (arguments["representations"].array ?? []).map { representation -> (any Sendable)? in
                            guard case .dictionary(let fields) = representation else { return nil }
                            switch string(fields["__typename"]) {
                            case "Book":
                                guard let id = string(fields["id"]) else { return nil }
                                var price: Double?
                                if case .number(let number)? = fields["price"] { price = number.doubleValue }
                                return ShippingBook(id: id, price: price)
                            case "Shipment":
                                if let id = string(fields["id"]) { return book.byID[id] }
                                guard let bookID = string(fields["book_id"]), let libraryID = string(fields["library_id"]) else { return nil }
                                return book.byKey["\(bookID)|\(libraryID)"]
                            default:
                                return nil
                            }
                        }
                    }),
            ])
        schema = try GraphQLSchema(query: query, types: [bookType, shipmentType])
        documents = DocumentCache(schema: schema)
    }

    /// A key as the representations bring it: a string, or a number written as one.
    @Sendable static func string(_ value: Map?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .number(let number)?: return String(number.intValue)
        default: return nil
        }
    }

    public func execute(_ request: GraphQLRequestBody) async -> [UInt8] {
        await executeWithGraphQLSwift(request, schema: schema, documents: documents)
    }
}
