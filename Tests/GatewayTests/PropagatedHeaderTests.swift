import Foundation
import GatewayJSON
import TestSupport
import Testing

/// Client headers as the subgraphs receive them, through the real gateway and the demo stack.
@Suite("Propagated headers end to end", .serialized)
struct PropagatedHeaderTests {
    /// Catalog gets a static header and three propagated ones; people and reviews each
    /// require one.
    static func propagatingConfig() throws -> String {
        try configVariant("propagate", [
            (
                "  - name: people\n    url: ${PEOPLE_URL:-http://127.0.0.1:4001/graphql}\n",
                "  - name: people\n    url: ${PEOPLE_URL:-http://127.0.0.1:4001/graphql}\n    propagate: [{name: Authorization, required: true}]\n"
            ),
            (
                "  - name: catalog\n    url: ${CATALOG_URL:-http://127.0.0.1:4003/graphql}\n",
                """
                  - name: catalog
                    url: ${CATALOG_URL:-http://127.0.0.1:4003/graphql}
                    headers: {x-api-key: static-secret}
                    propagate:
                      - authorization
                      - {name: X-Tenant-ID, rename: x-upstream-tenant}
                      - {name: x-region, default: eu-west}

                """
            ),
            (
                "  - name: reviews\n    url: ${REVIEWS_URL:-http://127.0.0.1:4004/graphql}\n",
                "  - name: reviews\n    url: ${REVIEWS_URL:-http://127.0.0.1:4004/graphql}\n    propagate: [{name: x-user, required: true}]\n"
            ),
        ])
    }

    /// POSTs a query to the gateway with extra header fields.
    static func send(_ stack: LocalStack, _ query: String, headers: [String: String] = [:]) async throws -> (status: Int, json: JSON) {
        let body = Array(JSON.object(["query": .string(query)]).description.utf8)
        let reply = try await TestHTTP.request(await stack.url("gateway"), method: "POST", body: body, headers: headers)
        return (reply.status, try reply.json())
    }

    /// What a request carried besides what HTTP itself needs (`host`, `content-length`), sorted by name.
    static func carried(_ received: RecordingProxy.Received) -> [String] {
        received.headers.filter { $0.name != "host" && $0.name != "content-length" }
            .sorted { $0.name < $1.name }.map { "\($0.name): \($0.value)" }
    }

    /// Runs `body` with the stack, the gateway on the propagating config, and a recording proxy
    /// in front of catalog.
    static func withProxiedCatalog(_ body: (LocalStack, RecordingProxy) async throws -> Void) async throws {
        let config = try propagatingConfig()
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withProxies(["catalog"], config: config) { stack, proxies in try await body(stack, proxies["catalog"]!) }
    }

    /// Runs `body` with the stack, the gateway on `config`, and a recording proxy in front of
    /// each of `subgraphs`, their logs cleared of the gateway's start-up requests.
    static func withProxies(
        _ subgraphs: [String], config: String, _ body: (LocalStack, [String: RecordingProxy]) async throws -> Void
    ) async throws {
        let stack = LocalStack()
        var proxies: [String: RecordingProxy] = [:]
        do {
            try await stack.start(gateway: false)
            var urls: [String: String] = [:]
            for subgraph in subgraphs {
                let port = try await stack.relocate(subgraph)
                proxies[subgraph] = try await RecordingProxy.start(port: port, upstream: await stack.url(subgraph))
                urls[subgraph] = "http://127.0.0.1:\(port)/graphql"
            }
            try await stack.startGateway(config: config, urls: urls)
            // The gateway introspected the subgraphs through the proxies; only the test's requests count.
            for proxy in proxies.values { proxy.log.clear() }
            try await body(stack, proxies)
            for proxy in proxies.values { await proxy.stop() }
            await stack.stopAll()
        } catch {
            for proxy in proxies.values { await proxy.stop() }
            await stack.stopAll()
            throw error
        }
    }

    static let client = [
        "Authorization": "Bearer abc", "X-Tenant-ID": "t1", "x-user": "u1",
        // Hop-by-hop and unlisted headers the client sends never reach a subgraph.
        "Keep-Alive": "timeout=5", "Proxy-Authorization": "Basic c2VjcmV0", "TE": "trailers", "x-unlisted": "nope",
    ]

    @Test func rootRelationshipForwardedAggregateAndWriteRequestsCarryTheClientsHeaders() async throws {
        try await Self.withProxiedCatalog { stack, proxy in
            let expected = [
                "accept: */*", "authorization: Bearer abc", "content-type: application/json", "x-api-key: static-secret",
                "x-region: eu-west", "x-upstream-tenant: t1",
            ]
            // A root fetch (catalog, then authors for the relationship).
            let root = try await Self.send(stack, "{ books(limit: 2) { name author { name } } }", headers: Self.client)
            #expect(root.status == 200)
            #expect(root.json["errors"] == nil, "\(root.json)")
            // A relationship fetch (authors, then catalog by the authors' keys).
            let relationship = try await Self.send(stack, "{ authors(limit: 2) { name authoredBooks(limit: 1) { name } } }", headers: Self.client)
            #expect(relationship.json["errors"] == nil, "\(relationship.json)")
            // A forwarded request (catalog alone serves it).
            let forwarded = try await Self.send(stack, "{ books(limit: 1) { name } }", headers: Self.client)
            #expect(forwarded.json["errors"] == nil, "\(forwarded.json)")
            // An aggregate per parent, grouped by catalog.
            let aggregate = try await Self.send(stack, "{ authors(limit: 1) { authoredBooks_aggregate { count } } }", headers: Self.client)
            #expect(aggregate.json["errors"] == nil, "\(aggregate.json)")
            // A nested create writes to authors, then to catalog.
            let write = try await Self.send(
                stack, #"mutation { create_Author(input: {name: "Header Test", authoredBooks: {data: [{name: "Carried"}]}}) { name authoredBooks { name } } }"#,
                headers: Self.client)
            #expect(write.json.at("data", "create_Author") == ["name": "Header Test", "authoredBooks": [["name": "Carried"]]], "\(write.json)")

            let received = proxy.log.all
            let bodies = received.map(\.body)
            #expect(bodies.count >= 6, "\(bodies)")
            #expect(bodies.contains { $0 == #"{"query":"query { books(limit: 2) { name _k0: author_id } }"}"# }, "the root fetch: \(bodies)")
            #expect(bodies.contains { $0.contains("_gw_where") && $0.contains("books(") }, "the relationship fetch: \(bodies)")
            #expect(bodies.contains { $0 == #"{"query":"{ books(limit: 1) { name } }"}"# }, "the forwarded request: \(bodies)")
            #expect(bodies.contains { $0.contains("books_aggregate") }, "the aggregate: \(bodies)")
            #expect(bodies.contains { $0.contains("create_Book") }, "the write: \(bodies)")
            for request in received {
                #expect(Self.carried(request) == expected, "\(request.body)")
            }
        }
    }

    /// The kinds of subgraph other than the model protocol get the headers too: a lookup
    /// field's request to a `graphql` subgraph and an `_entities` request to a `federation` one.
    @Test func lookupAndEntityRequestsCarryTheClientsHeaders() async throws {
        let config = try configVariant("propagate-kinds", [
            (
                "    url: ${PRICES_URL:-http://127.0.0.1:4007/graphql}\n",
                "    url: ${PRICES_URL:-http://127.0.0.1:4007/graphql}\n    propagate: [{name: X-Tenant-ID, rename: x-upstream-tenant}]\n"
            ),
            (
                "    url: ${SHIPPING_URL:-http://127.0.0.1:4006/graphql}\n",
                "    url: ${SHIPPING_URL:-http://127.0.0.1:4006/graphql}\n    propagate: [{name: authorization, required: true}]\n"
            ),
        ])
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await Self.withProxies(["prices", "shipping"], config: config) { stack, proxies in
            let query = "{ books(limit: 2) { name pricing { amount } deliveryDays } }"
            // shipping needs authorization: refused, naming it, before any request.
            let refused = try await Self.send(stack, query, headers: ["X-Tenant-ID": "t1"])
            #expect(refused.json == [
                "errors": [[
                    "message": "Missing required header \"authorization\": subgraph \"shipping\" needs it for this operation.",
                    "extensions": ["code": "UNAUTHENTICATED", "header": "authorization", "subgraphs": ["shipping"]],
                ]]
            ])
            #expect(proxies.values.allSatisfy { $0.log.all.isEmpty })

            let answered = try await Self.send(stack, query, headers: Self.client)
            #expect(answered.json["errors"] == nil, "\(answered.json)")
            #expect(answered.json.at("data", "books")?.arrayValue?.count == 2)
            let prices = proxies["prices"]!.log.all
            #expect(prices.count == 1 && prices[0].body.contains("priceByBookId"), "\(prices.map(\.body))")
            #expect(prices.map(Self.carried) == [["accept: */*", "content-type: application/json", "x-upstream-tenant: t1"]])
            let shipping = proxies["shipping"]!.log.all
            #expect(shipping.count == 1 && shipping[0].body.contains("_entities"), "\(shipping.map(\.body))")
            #expect(shipping.map(Self.carried) == [["accept: */*", "authorization: Bearer abc", "content-type: application/json"]])
        }
    }

    /// Plans are cached without headers: the same query from two clients carries each one's own.
    @Test func eachClientsRequestCarriesItsOwnHeaders() async throws {
        try await Self.withProxiedCatalog { stack, proxy in
            let query = "{ books(limit: 1) { name author { name } } }"
            _ = try await Self.send(stack, query, headers: ["Authorization": "Bearer first", "x-region": "us-east"])
            _ = try await Self.send(stack, query, headers: ["authorization": "Bearer second", "x-tenant-id": "t2"])
            _ = try await Self.send(stack, query)
            let received = proxy.log.all.map(Self.carried)
            #expect(received == [
                ["accept: */*", "authorization: Bearer first", "content-type: application/json", "x-api-key: static-secret", "x-region: us-east"],
                ["accept: */*", "authorization: Bearer second", "content-type: application/json", "x-api-key: static-secret", "x-region: eu-west", "x-upstream-tenant: t2"],
                ["accept: */*", "content-type: application/json", "x-api-key: static-secret", "x-region: eu-west"],
            ])
        }
    }

    @Test func aMissingRequiredHeaderIsRefusedBeforeAnyUpstreamRequest() async throws {
        let config = try Self.propagatingConfig()
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withStack(config: config) { stack in
            let query = "{ books(limit: 1) { name reviews(limit: 1) { rating user { name } } } }"
            let before = try await stack.upstreamRequests()
            let refused = try await Self.send(stack, query)
            #expect(try await stack.upstreamRequests() == before)
            #expect(refused.status == 400)  // not executed (application/graphql-response+json)
            #expect(refused.json == [
                "errors": [
                    [
                        "message": "Missing required header \"Authorization\": subgraph \"people\" needs it for this operation.",
                        "extensions": ["code": "UNAUTHENTICATED", "header": "Authorization", "subgraphs": ["people"]],
                    ],
                    [
                        "message": "Missing required header \"x-user\": subgraph \"reviews\" needs it for this operation.",
                        "extensions": ["code": "UNAUTHENTICATED", "header": "x-user", "subgraphs": ["reviews"]],
                    ],
                ]
            ])
            // One of the two is not enough.
            let half = try await Self.send(stack, query, headers: ["x-user": "u1"])
            #expect(half.json["errors"]?.arrayValue?.compactMap { $0["message"]?.stringValue } == [
                "Missing required header \"Authorization\": subgraph \"people\" needs it for this operation."
            ])
            #expect(try await stack.upstreamRequests() == before)
            // Both: answered.
            let answered = try await Self.send(stack, query, headers: ["x-user": "u1", "authorization": "Bearer abc"])
            #expect(answered.json["errors"] == nil, "\(answered.json)")
            #expect(answered.json.at("data", "books", 0, "name") != nil)
            // Only the subgraphs the operation touches matter: catalog requires nothing.
            let catalogOnly = try await Self.send(stack, "{ books(limit: 1) { name } }")
            #expect(catalogOnly.json["errors"] == nil, "\(catalogOnly.json)")
        }
    }
}
