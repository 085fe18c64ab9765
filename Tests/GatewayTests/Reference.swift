import GatewayJSON
import TestSupport
import Testing

/// Direct reads from the subgraphs, to compute what the gateway must answer without asking
/// the gateway: the tests join these rows themselves and compare whole JSON documents.
struct Reference {
    let stack: LocalStack

    /// Every row of a collection (or those a filter and order select), with these fields.
    func rows(
        _ subgraph: String, _ collection: String, _ fields: [String], arguments: String = ""
    ) async throws -> [JSONObject] {
        let answer = try await stack.query("{ \(collection)\(arguments) { \(fields.joined(separator: " ")) } }", to: subgraph)
        guard let rows = answer.at("data", collection)?.arrayValue else {
            throw TestProcessError("\(subgraph).\(collection) answered \(answer)")
        }
        return rows.compactMap(\.objectValue)
    }
}

/// The row with just these fields, in this order (aliases: `"alias:field"`).
func project(_ row: JSONObject, _ fields: [String]) -> JSON {
    var object = JSONObject(minimumCapacity: fields.count)
    for field in fields {
        let parts = field.split(separator: ":").map(String.init)
        object.append(parts[0], row[parts.count == 2 ? parts[1] : parts[0]] ?? .null)
    }
    return .object(object)
}

/// The key of a row: the values of `fields`, or nil when one of them is null.
func key(_ row: JSONObject, _ fields: [String]) -> [JSON]? {
    var key: [JSON] = []
    for field in fields {
        guard let value = row[field], !value.isNull else { return nil }
        key.append(value)
    }
    return key
}

/// Rows grouped by a key, keeping their order.
func group(_ rows: [JSONObject], by fields: [String]) -> [[JSON]: [JSONObject]] {
    var groups: [[JSON]: [JSONObject]] = [:]
    for row in rows {
        if let key = key(row, fields) { groups[key, default: []].append(row) }
    }
    return groups
}

/// `rows[offset..<offset+limit]`, clamped.
func page<T>(_ rows: [T], limit: Int?, offset: Int = 0) -> [T] {
    let start = min(offset, rows.count)
    let end = limit.map { min(start + $0, rows.count) } ?? rows.count
    return Array(rows[start..<end])
}

/// Starts the demo stack with the gateway, runs `body`, and stops the stack.
/// - Parameters:
///   - subgraphs: the subgraphs to start (all by default).
func withStack<T: Sendable>(
    scale: Int = 1, extraArguments: [String: [String]] = [:], gatewayArguments: [String] = [], config: String? = nil,
    subgraphs: [String] = LocalStack.subgraphs, _ body: (LocalStack) async throws -> T
) async throws -> T {
    let stack = LocalStack(scale: scale, extraArguments: extraArguments, subgraphs: subgraphs)
    do {
        try await stack.start(gatewayArguments: gatewayArguments, config: config)
        let result = try await body(stack)
        await stack.stopAll()
        return result
    } catch {
        await stack.stopAll()
        throw error
    }
}

/// One relationship of demo-domain.md.
struct DemoRelationship: Sendable, CustomStringConvertible {
    var number: Int
    var sourceSubgraph: String
    var sourceCollection: String
    var field: String
    var targetSubgraph: String
    var targetCollection: String
    var isArray: Bool
    var mapping: [(String, String)]

    var description: String { "#\(number) \(sourceCollection).\(field)" }
}

/// The 23 relationships of demo-domain.md's table.
let demoRelationships: [DemoRelationship] = [
    .init(number: 1, sourceSubgraph: "people", sourceCollection: "users", field: "address", targetSubgraph: "people", targetCollection: "addresses", isArray: false, mapping: [("address_id", "id")]),
    .init(number: 2, sourceSubgraph: "people", sourceCollection: "addresses", field: "user", targetSubgraph: "people", targetCollection: "users", isArray: false, mapping: [("id", "address_id")]),
    .init(number: 3, sourceSubgraph: "authors", sourceCollection: "authors", field: "passport", targetSubgraph: "authors", targetCollection: "passports", isArray: false, mapping: [("id", "owner_id")]),
    .init(number: 4, sourceSubgraph: "authors", sourceCollection: "passports", field: "owner", targetSubgraph: "authors", targetCollection: "authors", isArray: false, mapping: [("owner_id", "id")]),
    .init(number: 5, sourceSubgraph: "catalog", sourceCollection: "books", field: "library", targetSubgraph: "catalog", targetCollection: "libraries", isArray: false, mapping: [("library_name", "name")]),
    .init(number: 6, sourceSubgraph: "catalog", sourceCollection: "libraries", field: "books", targetSubgraph: "catalog", targetCollection: "books", isArray: true, mapping: [("name", "library_name")]),
    .init(number: 7, sourceSubgraph: "catalog", sourceCollection: "books", field: "bookGenres", targetSubgraph: "catalog", targetCollection: "bookGenres", isArray: true, mapping: [("id", "book_id")]),
    .init(number: 8, sourceSubgraph: "catalog", sourceCollection: "genres", field: "genreBooks", targetSubgraph: "catalog", targetCollection: "bookGenres", isArray: true, mapping: [("id", "genre_id")]),
    .init(number: 9, sourceSubgraph: "catalog", sourceCollection: "bookGenres", field: "book", targetSubgraph: "catalog", targetCollection: "books", isArray: false, mapping: [("book_id", "id")]),
    .init(number: 10, sourceSubgraph: "catalog", sourceCollection: "bookGenres", field: "genre", targetSubgraph: "catalog", targetCollection: "genres", isArray: false, mapping: [("genre_id", "id")]),
    .init(number: 11, sourceSubgraph: "inventory", sourceCollection: "loans", field: "stock", targetSubgraph: "inventory", targetCollection: "stocks", isArray: false, mapping: [("library_id", "library_id"), ("book_id", "book_id")]),
    .init(number: 12, sourceSubgraph: "catalog", sourceCollection: "books", field: "author", targetSubgraph: "authors", targetCollection: "authors", isArray: false, mapping: [("author_id", "id")]),
    .init(number: 13, sourceSubgraph: "authors", sourceCollection: "authors", field: "authoredBooks", targetSubgraph: "catalog", targetCollection: "books", isArray: true, mapping: [("id", "author_id")]),
    .init(number: 14, sourceSubgraph: "reviews", sourceCollection: "reviews", field: "book", targetSubgraph: "catalog", targetCollection: "books", isArray: false, mapping: [("book_id", "id")]),
    .init(number: 15, sourceSubgraph: "catalog", sourceCollection: "books", field: "reviews", targetSubgraph: "reviews", targetCollection: "reviews", isArray: true, mapping: [("id", "book_id")]),
    .init(number: 16, sourceSubgraph: "reviews", sourceCollection: "reviews", field: "user", targetSubgraph: "people", targetCollection: "users", isArray: false, mapping: [("user_id", "id")]),
    .init(number: 17, sourceSubgraph: "people", sourceCollection: "users", field: "reviews", targetSubgraph: "reviews", targetCollection: "reviews", isArray: true, mapping: [("id", "user_id")]),
    .init(number: 18, sourceSubgraph: "catalog", sourceCollection: "libraries", field: "stock", targetSubgraph: "inventory", targetCollection: "stocks", isArray: true, mapping: [("id", "library_id")]),
    .init(number: 19, sourceSubgraph: "inventory", sourceCollection: "stocks", field: "book", targetSubgraph: "catalog", targetCollection: "books", isArray: false, mapping: [("book_id", "id")]),
    .init(number: 20, sourceSubgraph: "inventory", sourceCollection: "stocks", field: "library", targetSubgraph: "catalog", targetCollection: "libraries", isArray: false, mapping: [("library_id", "id")]),
    .init(number: 21, sourceSubgraph: "people", sourceCollection: "users", field: "loans", targetSubgraph: "inventory", targetCollection: "loans", isArray: true, mapping: [("id", "user_id")]),
    .init(number: 22, sourceSubgraph: "inventory", sourceCollection: "loans", field: "user", targetSubgraph: "people", targetCollection: "users", isArray: false, mapping: [("user_id", "id")]),
    .init(number: 23, sourceSubgraph: "inventory", sourceCollection: "loans", field: "book", targetSubgraph: "catalog", targetCollection: "books", isArray: false, mapping: [("book_id", "id")]),
]
