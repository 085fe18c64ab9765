import Foundation
import GatewayJSON
import TestSupport
import Testing

/// The prices subgraph, a plain GraphQL service (`protocol: graphql`), joined with the model
/// subgraphs through its lookup fields, over the real stack.
@Suite("Plain GraphQL subgraphs and lookups end to end", .serialized)
struct LookupTests {
    /// gateway.yaml with the Prices model on the list lookup `pricesByBookIds(ids:)`.
    static func listLookupConfig() throws -> String {
        let yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8)
        let single = "lookup: {field: priceByBookId, argument: id, key: book_id}"
        guard yaml.contains(single) else { throw TestProcessError("gateway.yaml no longer has \(single)") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lookup-\(UUID().uuidString).yaml").path
        try yaml.replacingOccurrences(of: single, with: "lookup: {field: pricesByBookIds, argument: ids, key: book_id}")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every book with its price, the price read from the prices service directly.
    func checkBooksWithPrices(_ stack: LocalStack) async throws -> Int {
        let books = try await Reference(stack: stack).rows("catalog", "books", ["id"])
        let ids = JSON.array(books.compactMap { $0["id"] })
        let direct = try await stack.query(
            "query($ids: [ID!]!) { pricesByBookIds(ids: $ids) { book_id amount currency } }", variables: ["ids": ids], to: "prices")
        var prices: [JSON: JSON] = [:]
        for price in direct.at("data", "pricesByBookIds")?.arrayValue ?? [] { prices[price["book_id"] ?? .null] = price }
        #expect(prices.count > 0 && prices.count < books.count)  // some books have no price
        let expected = JSON.array(books.map { book in ["id": book["id"]!, "pricing": prices[book["id"]!] ?? .null] })
        let before = try await stack.upstreamRequests()
        let answer = try await stack.query("{ books { id pricing { book_id amount currency } } }")
        let requests = try await stack.upstreamRequests() - before
        #expect(answer == ["data": ["books": expected]])
        return requests
    }

    /// Scales 1 and 4 (200 and 800 books): GraphQLSwift takes about 3 s for 2,000 aliased calls
    /// with variables in a debug build, which a loaded test machine can stretch past the 30 s
    /// request timeout.
    @Test func aliasedLookupsAreOneRequestAtEveryScale() async throws {
        for scale in [1, 4] {
            let requests = try await withStack(scale: scale) { stack in try await checkBooksWithPrices(stack) }
            // The books, then one request with one aliased priceByBookId per book.
            #expect(requests == 2, "scale \(scale)")
        }
    }

    @Test func theListLookupIsOneCallWithAllKeys() async throws {
        let config = try Self.listLookupConfig()
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withStack(config: config) { stack in
            #expect(try await checkBooksWithPrices(stack) == 2)
            let reply = try await TestHTTP.post(await stack.base("gateway") + "/explain", body: #"{"query": "{ books { pricing { amount } } }"}"#)
            let text = try reply.json().at("plan", "text")?.stringValue ?? ""
            #expect(text.contains("lookup: pricesByBookIds(ids: [keys])"), "\(text)")
            #expect(text.contains("query($_gw_keys: [ID!]!) { _r: pricesByBookIds(ids: $_gw_keys) { amount _k0: book_id } }"), "\(text)")
        }
    }

    @Test func thePlainServicesRootFieldsAndTypesJoinBackIntoTheModelSubgraphs() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let books = Dictionary(
                try await reference.rows("catalog", "books", ["id", "name", "author_id"]).map { ($0["id"]!, $0) },
                uniquingKeysWith: { first, _ in first })
            let authors = Dictionary(
                try await reference.rows("authors", "authors", ["id", "name"]).map { ($0["id"]!, $0) },
                uniquingKeysWith: { first, _ in first })
            let direct = try await stack.query(
                #"{ one: priceByBookId(id: "5") { amount } many: pricesByBookIds(ids: ["1", "2", "13"]) { book_id } currencies }"#, to: "prices")
            let answer = try await stack.query("""
                { one: priceByBookId(id: "5") { amount book { name author { name } } }
                  many: pricesByBookIds(ids: ["1", "2", "13"]) { book_id book { name } }
                  currencies }
                """)
            let five = try #require(books["5"])
            let author = authors[five["author_id"] ?? .null]
            let many = (direct.at("data", "many")?.arrayValue ?? []).map { price -> JSON in
                ["book_id": price["book_id"]!, "book": ["name": books[price["book_id"]!]?["name"] ?? .null]]
            }
            #expect(answer == ["data": [
                "one": ["amount": direct.at("data", "one", "amount")!, "book": ["name": five["name"]!, "author": author.map { ["name": $0["name"]!] } ?? .null]],
                "many": .array(many),
                "currencies": direct.at("data", "currencies")!,
            ]])
            #expect(many.count == 2)  // book 13 has no price
        }
    }

    @Test func aPlainServiceDownCostsOnlyItsFields() async throws {
        try await withStack { stack in
            await stack.stop("prices")
            let answer = try await stack.query("{ books(limit: 2) { id pricing { amount } } }")
            #expect(answer.at("data", "books") == [["id": "1", "pricing": nil], ["id": "10", "pricing": nil]])
            #expect(answer.at("errors", 0, "path") == ["books", 0, "pricing"])
            #expect(answer.at("errors", 0, "extensions", "code") == "SUBGRAPH_UNAVAILABLE")
            #expect(answer.at("errors", 0, "extensions", "subgraph") == "prices")
        }
    }

    @Test func aLookupCannotBeFilteredOrOrderedBy() async throws {
        try await withStack { stack in
            let filtered = try await stack.query("{ books(filter: {pricing: {amount: {_gt: 10}}}) { id } }")
            let message = filtered.at("errors", 0, "message")?.stringValue ?? ""
            #expect(message.contains("pricing") && message.contains("BookFilter"), "\(filtered)")
            let ordered = try await stack.query("{ books(order: [{pricing: {amount: ASC}}]) { id } }")
            #expect(ordered.at("errors", 0, "message")?.stringValue?.contains("BookOrder") == true, "\(ordered)")
        }
    }
}
