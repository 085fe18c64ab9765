import Foundation
import GatewayJSON
import GraphQL
import GraphQLSupport
import OrderedCollections
import Synchronization
import SubgraphKit

// The prices subgraph: a plain GraphQL service, NOT the model protocol. It offers lookups by
// book id (one id, or a list), a list of currencies, and a mutation; no collection with
// filters. The gateway fronts it as `protocol: graphql` (README, "Subgraph kinds").

/// One price. Books whose id is a multiple of 13 have none (the lookup answers null).
struct Price: Sendable {
    var bookID: String
    var amount: Double
    var currency: String
}

/// The prices of `--scale` × 200 books, made up deterministically from the book id.
final class PriceBook: Sendable {
    static let currencies = ["EUR", "USD", "JPY", "ISK"]
    private let prices: Mutex<[String: Price]>

    init(scale: Int) {
        var prices: [String: Price] = [:]
        for n in 1...(200 * scale) where n % 13 != 0 {
            let currency = Self.currencies[n % Self.currencies.count]
            prices[String(n)] = Price(bookID: String(n), amount: Double(100 + (n * 37) % 4900) / 100, currency: currency)
        }
        self.prices = Mutex(prices)
    }

    func price(_ id: String) -> Price? { prices.withLock { $0[id] } }

    func set(_ price: Price) { prices.withLock { $0[price.bookID] = price } }
}

/// The prices subgraph's engine: GraphQLSwift's executor over ``PriceBook``.
public struct PricesService: SubgraphEndpoint {
    public let name = "prices"
    public let maxBodyBytes = 16 << 20
    let schema: GraphQLSchema
    let documents: DocumentCache

    public init(scale: Int) throws {
        let book = PriceBook(scale: scale)
        let priceType = try GraphQLObjectType(
            name: "Price", description: "What a book costs.",
            fields: [
                "book_id": GraphQLField(type: GraphQLNonNull(GraphQLID), resolve: { source, _, _, _ in (source as? Price)?.bookID }),
                "amount": GraphQLField(type: GraphQLNonNull(GraphQLFloat), resolve: { source, _, _, _ in (source as? Price)?.amount }),
                "currency": GraphQLField(type: GraphQLNonNull(GraphQLString), resolve: { source, _, _, _ in (source as? Price)?.currency }),
            ])
        let query = try GraphQLObjectType(
            name: "Query",
            fields: [
                "priceByBookId": GraphQLField(
                    type: priceType, description: "The price of one book; null when it has none.",
                    args: ["id": GraphQLArgument(type: GraphQLNonNull(GraphQLID))],
                    resolve: { _, arguments, _, _ in arguments["id"].string.flatMap(book.price) }),
                "pricesByBookIds": GraphQLField(
                    type: GraphQLNonNull(GraphQLList(GraphQLNonNull(priceType))),
                    description: "The prices of several books, in the order asked; books without a price are left out.",
                    args: ["ids": GraphQLArgument(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLID))))],
                    resolve: { _, arguments, _, _ in (arguments["ids"].array ?? []).compactMap { $0.string.flatMap(book.price) } }),
                "currencies": GraphQLField(
                    type: GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))), resolve: { _, _, _, _ in PriceBook.currencies }),
            ])
        let mutation = try GraphQLObjectType(
            name: "Mutation",
            fields: [
                "setPrice": GraphQLField(
                    type: GraphQLNonNull(priceType),
                    args: [
                        "book_id": GraphQLArgument(type: GraphQLNonNull(GraphQLID)),
                        "amount": GraphQLArgument(type: GraphQLNonNull(GraphQLFloat)),
                        "currency": GraphQLArgument(type: GraphQLString, defaultValue: "EUR"),
                    ],
                    resolve: { _, arguments, _, _ in
                        let price = Price(
                            bookID: arguments["book_id"].string ?? "", amount: arguments["amount"].double ?? 0,
                            currency: arguments["currency"].string ?? "EUR")
                        book.set(price)
                        return price
                    }),
            ])
        schema = try GraphQLSchema(query: query, mutation: mutation)
        documents = DocumentCache(schema: schema)
    }

    public func execute(_ request: GraphQLRequestBody) async -> [UInt8] {
        await executeWithGraphQLSwift(request, schema: schema, documents: documents)
    }

    /// A GraphQLSwift result as response bytes. Written here rather than with JSONEncoder,
    /// which loses the members' order: an answer lists fields in the client's selection order.
    static func responseBody(_ result: GraphQLResult) -> [UInt8] {
        var response = JSONObject()
        if let data = result.data { response["data"] = JSON(data) }
        if !result.errors.isEmpty {
            response["errors"] = .array(result.errors.map { error in
                var object: JSONObject = ["message": .string(error.message)]
                if !error.locations.isEmpty {
                    object["locations"] = .array(error.locations.map { ["line": .int($0.line), "column": .int($0.column)] })
                }
                if !error.path.elements.isEmpty {
                    object["path"] = .array(error.path.elements.map { element -> JSON in
                        switch element {
                        case .index(let index): return .int(index)
                        case .key(let key): return .string(key)
                        }
                    })
                }
                return .object(object)
            })
        }
        return Array(JSON.object(response).description.utf8)
    }
}
