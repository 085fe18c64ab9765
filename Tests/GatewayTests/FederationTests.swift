import Foundation
import GatewayJSON
import TestSupport
import Testing

/// The shipping subgraph, an Apollo Federation v2 service (`protocol: federation`), over the
/// real stack: its Book entity fields merged into the catalog's Book, its Shipment entities
/// reached by a composite @key from the inventory, its root fields joined back.
@Suite("Apollo Federation subgraphs end to end", .serialized)
struct FederationTests {
    /// `_entities` asked of the shipping subgraph directly, as a federation router would.
    static func entities(_ stack: LocalStack, _ representations: [JSON], selection: String) async throws -> [JSON] {
        let answer = try await stack.query(
            "query($r: [_Any!]!) { _entities(representations: $r) { \(selection) } }", variables: ["r": .array(representations)],
            to: "shipping")
        guard let entities = answer.at("data", "_entities")?.arrayValue, entities.count == representations.count else {
            throw TestProcessError("shipping answered \(answer)")
        }
        return entities
    }

    /// Every book with its shipping fields; returns the upstream requests the gateway sent.
    func checkBooksWithShipping(_ stack: LocalStack) async throws -> Int {
        let books = try await Reference(stack: stack).rows("catalog", "books", ["id", "price"])
        let representations: [JSON] = books.map { ["__typename": "Book", "id": $0["id"] ?? .null, "price": $0["price"] ?? .null] }
        let entities = try await Self.entities(
            stack, representations, selection: "... on Book { deliveryDays shippingEstimate shipments { id } }")
        var expected: [JSON] = []
        for (book, entity) in zip(books, entities) {
            expected.append([
                "id": book["id"] ?? .null, "deliveryDays": entity["deliveryDays"] ?? .null,
                "shippingEstimate": entity["shippingEstimate"] ?? .null, "shipments": entity["shipments"] ?? .null,
            ])
        }
        // The @requires(price) field is null exactly for the books without a price.
        let withoutPrice = books.filter { $0["price"] == .null }.count
        let withoutEstimate = entities.filter { $0["shippingEstimate"] == .null }.count
        #expect(withoutPrice > 0 && withoutPrice < books.count)
        #expect(withoutEstimate == withoutPrice)

        let before = try await stack.upstreamRequests()
        let answer = try await stack.query("{ books { id deliveryDays shippingEstimate shipments { id } } }")
        let requests = try await stack.upstreamRequests() - before
        #expect(answer == ["data": ["books": .array(expected)]])
        return requests
    }

    @Test func entityFieldsOfAnotherSubgraphAreOneEntitiesRequestAtEveryScale() async throws {
        for scale in [1, 10] {
            let requests = try await withStack(scale: scale) { stack in try await checkBooksWithShipping(stack) }
            // The books from the catalog, then one _entities request for all of them.
            #expect(requests == 2, "scale \(scale)")
        }
    }

    @Test func theSameBooksReadTheSameAsTheSubgraphsComputeThem() async throws {
        try await withStack { stack in
            // Book 1 costs 14.5: 2 + 5% = 2.725, to cents 2.73; book 12 has no price.
            let answer = try await stack.query(#"{ books(filter: {id: {_in: ["1", "12"]}}, order: [{id: ASC}]) { id price deliveryDays shippingEstimate } }"#)
            #expect(answer == ["data": ["books": [
                ["id": "1", "price": 14.5, "deliveryDays": 2, "shippingEstimate": 2.73],
                ["id": "12", "price": nil, "deliveryDays": 4, "shippingEstimate": nil],
            ]]])
        }
    }

    /// Every stock with its shipment by the composite @key (book_id, library_id).
    @Test func aCompositeKeyRelationshipIsOneEntitiesRequestAtEveryScale() async throws {
        for scale in [1, 10] {
            try await withStack(scale: scale) { stack in
                let stocks = try await Reference(stack: stack).rows("inventory", "stocks", ["book_id", "library_id"])
                let direct = try await stack.query("{ shipments { id book_id library_id carrier } }", to: "shipping")
                var byKey: [[JSON]: JSON] = [:]
                for shipment in direct.at("data", "shipments")?.arrayValue ?? [] {
                    byKey[[shipment["book_id"] ?? .null, shipment["library_id"] ?? .null]] = shipment
                }
                #expect(byKey.count == 300 * scale)
                let expected = JSON.array(stocks.map { stock in
                    let pair: [JSON] = [stock["book_id"] ?? .null, stock["library_id"] ?? .null]
                    return ["book_id": pair[0], "library_id": pair[1], "shipment": byKey[pair] ?? .null]
                })
                let before = try await stack.upstreamRequests()
                let answer = try await stack.query("{ stocks { book_id library_id shipment { id book_id library_id carrier } } }")
                let requests = try await stack.upstreamRequests() - before
                #expect(answer == ["data": ["stocks": expected]])
                #expect(requests == 2, "scale \(scale)")
            }
        }
    }

    /// The federation subgraph's own root field, joined into the catalog and back into
    /// shipping's Book entity fields: four requests, one per place.
    @Test func rootFieldsOfTheFederationSubgraphJoinBack() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let books = Dictionary(
                try await reference.rows("catalog", "books", ["id", "name"]).map { ($0["id"] ?? .null, $0) }, uniquingKeysWith: { first, _ in first })
            let libraries = Dictionary(
                try await reference.rows("catalog", "libraries", ["id", "name"]).map { ($0["id"] ?? .null, $0) },
                uniquingKeysWith: { first, _ in first })
            let direct = try await stack.query("{ shipments(limit: 4) { id book_id library_id } }", to: "shipping")
            let shipments = direct.at("data", "shipments")?.arrayValue ?? []
            let entities = try await Self.entities(
                stack, shipments.map { ["__typename": "Book", "id": $0["book_id"] ?? .null] }, selection: "... on Book { deliveryDays }")
            var expected: [JSON] = []
            for (shipment, entity) in zip(shipments, entities) {
                let book = books[shipment["book_id"] ?? .null]
                let library = libraries[shipment["library_id"] ?? .null]
                expected.append([
                    "id": shipment["id"] ?? .null,
                    "book": ["name": book?["name"] ?? .null, "deliveryDays": entity["deliveryDays"] ?? .null],
                    "library": ["name": library?["name"] ?? .null],
                ])
            }
            #expect(expected.count == 4)
            let before = try await stack.upstreamRequests()
            let answer = try await stack.query("{ shipments(limit: 4) { id book { name deliveryDays } library { name } } }")
            let requests = try await stack.upstreamRequests() - before
            #expect(answer == ["data": ["shipments": .array(expected)]])
            // shipping's root field; the books and the libraries from the catalog (one batched
            // request); the books' entity fields from shipping.
            #expect(requests == 3)
        }
    }

    @Test func aFederationSubgraphDownCostsOnlyItsFields() async throws {
        try await withStack { stack in
            await stack.stop("shipping")
            let answer = try await stack.query("{ books(limit: 2) { id name deliveryDays } }")
            #expect(answer.at("data", "books") == [
                ["id": "1", "name": "Gulistan", "deliveryDays": nil], ["id": "10", "name": "The Hidden Garden", "deliveryDays": nil],
            ])
            #expect(answer.at("errors", 0, "path") == ["books", 0, "deliveryDays"])
            #expect(answer.at("errors", 1, "path") == ["books", 1, "deliveryDays"])
            #expect(answer.at("errors", 0, "extensions", "code") == "SUBGRAPH_UNAVAILABLE")
            #expect(answer.at("errors", 0, "extensions", "subgraph") == "shipping")
            let stocks = try await stack.query("{ stocks(limit: 1) { book_id shipment { id } } }")
            #expect(stocks.at("data", "stocks") == [["book_id": "1", "shipment": nil]])
            #expect(stocks.at("errors", 0, "path") == ["stocks", 0, "shipment"])
        }
    }

    /// gateway.yaml without `protocol: federation` on shipping: the gateway finds out.
    @Test func aFederationSubgraphIsDetectedWhenNoProtocolIsGiven() async throws {
        let yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8)
        let line = "    url: ${SHIPPING_URL:-http://127.0.0.1:4006/graphql}\n    protocol: federation\n"
        try #require(yaml.contains(line))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("detect-\(UUID().uuidString).yaml").path
        try yaml.replacingOccurrences(of: line, with: "    url: ${SHIPPING_URL:-http://127.0.0.1:4006/graphql}\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withStack(config: path) { stack in
            let answer = try await stack.query("{ stocks(limit: 1) { book_id library_id book { deliveryDays } shipment { id } } }")
            #expect(answer == ["data": ["stocks": [["book_id": "1", "library_id": "1", "book": ["deliveryDays": 2], "shipment": ["id": "s1"]]]]])
        }
    }

    @Test func aServiceWithoutServiceSDLIsRefusedAsAFederationSubgraph() async throws {
        try await withStack { stack in
            var environment = await stack.environment
            environment["SHIPPING_URL"] = environment["PRICES_URL"]
            let (status, output) = try await runGateway(["check", "--config", LocalStack.configPath, "--wait", "5"], environment: environment)
            #expect(status != 0)
            #expect(output.contains("Subgraph shipping at \(environment["PRICES_URL"] ?? "") could not be introspected: protocol: federation, but "), "\(output)")
            #expect(output.contains("; is it an Apollo Federation v2 subgraph?"), "\(output)")
        }
    }

    @Test func explainShowsTheEntitiesFetchAndTheRequiredFields() async throws {
        try await withStack { stack in
            let served = try await stack.query("{ _service { sdl } }", to: "shipping")
            #expect(served.at("data", "_service", "sdl")?.stringValue == DemoSchemas.shippingSDL)
            let reply = try await TestHTTP.post(
                await stack.base("gateway") + "/explain", body: #"{"query": "{ books(limit: 2) { name shippingEstimate } }"}"#)
            let text = try reply.json().at("plan", "text")?.stringValue ?? ""
            #expect(text.contains("query { books(limit: 2) { name _k0: id _k1: price } }"), "\(text)")
            #expect(text.contains(
                #"Fetch(1, subgraph: "shipping", relationship: Book entities (Object), after: 0, keys: id, entities: _entities with one representation per key, requires: price)"#),
                "\(text)")
            #expect(text.contains("query($_gw_reps: [_Any!]!) { _r: _entities(representations: $_gw_reps) { ... on Book { shippingEstimate } } }"), "\(text)")
        }
    }
}

/// A second federation subgraph from another implementation: strawberry-graphql
/// (Tests/federation/editions.py), extending the catalog's Book by `id` and the inventory's
/// Stock by the composite key `library_id book_id`, next to the demo stack.
@Suite("A third-party federation subgraph (strawberry-graphql)", .serialized)
struct ThirdPartyFederationTests {
    /// gateway.yaml with the editions subgraph added.
    static func config() throws -> String {
        let yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8)
        let anchor = "\nmodels:\n"
        guard yaml.contains(anchor) else { throw TestProcessError("gateway.yaml has no models: section") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("editions-\(UUID().uuidString).yaml").path
        try yaml.replacingOccurrences(
            of: anchor,
            with: "\n  - name: editions\n    url: ${EDITIONS_URL:-http://127.0.0.1:4008/graphql}\n    protocol: federation\n" + anchor)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func itsEntityFieldsJoinTheModelTypesBySingleAndCompositeKeys() async throws {
        let config = try Self.config()
        defer { try? FileManager.default.removeItem(atPath: config) }
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/federation/editions.py").path
        let editions = try ManagedProcess("/usr/bin/env", arguments: ["python3", script, "--port", "0"], name: "editions")
        let stack = LocalStack()
        do {
            let port = try await editions.waitForPort()
            try await stack.start(gateway: false)
            try await stack.startGateway(config: config, urls: ["editions": "http://127.0.0.1:\(port)/graphql"])

            // Book by id: shipping's and the editions' fields side by side, one request each.
            var before = try await stack.upstreamRequests()
            let books = try await stack.query(#"{ books(filter: {id: {_in: ["7", "12"]}}, order: [{id: ASC}]) { id isbn editions deliveryDays } }"#)
            var requests = try await stack.upstreamRequests() - before
            #expect(books == ["data": ["books": [
                ["id": "12", "isbn": "978-000000012", "editions": 1, "deliveryDays": 4],
                ["id": "7", "isbn": "978-000000007", "editions": 4, "deliveryDays": 8],
            ]]])
            #expect(requests == 3)

            // Stock by (library_id, book_id), a composite key of a model-protocol type.
            let stocks = try await Reference(stack: stack).rows("inventory", "stocks", ["library_id", "book_id"])
            var expected: [JSON] = []
            for stock in stocks {
                let library = Int(stock["library_id"]?.stringValue ?? "") ?? -1
                let book = Int(stock["book_id"]?.stringValue ?? "") ?? -1
                expected.append(["library_id": stock["library_id"] ?? .null, "book_id": stock["book_id"] ?? .null, "reorderAt": .int((library + book) % 3 + 1)])
            }
            before = try await stack.upstreamRequests()
            let answer = try await stack.query("{ stocks { library_id book_id reorderAt } }")
            requests = try await stack.upstreamRequests() - before
            #expect(answer == ["data": ["stocks": .array(expected)]])
            #expect(requests == 2)

            // An error the subgraph reports for one entity's field lands at that field.
            let partial = try await stack.query(#"{ books(filter: {id: {_in: ["5", "7"]}}, order: [{id: ASC}]) { id firstEdition isbn } }"#)
            #expect(partial == [
                "data": ["books": [["id": "5", "firstEdition": nil, "isbn": "978-000000005"], ["id": "7", "firstEdition": 1907, "isbn": "978-000000007"]]],
                "errors": [[
                    "message": "no record of book 5's first edition", "path": ["books", 0, "firstEdition"],
                    "extensions": ["code": "SUBGRAPH_ERROR", "subgraph": "editions"],
                ]],
            ])

            // Its own root field is forwarded.
            #expect(try await stack.query("{ isbnPrefix }") == ["data": ["isbnPrefix": "978"]])
        } catch {
            await stack.stopAll()
            await editions.stop()
            throw error
        }
        await stack.stopAll()
        await editions.stop()
    }
}
