import Foundation
import GatewayJSON
import TestSupport
import Testing

/// Performance round 2 as a user sees it: fetches to one subgraph in one stage go as one
/// request (`Batch` in explain), and an Array relationship's `limit`/`offset` go upstream as
/// a per-key window when the subgraph serves one; answers stay exactly what they were.
@Suite("Batched fetches and per-key windows", .serialized)
struct BatchAndWindowTests {
    /// Queries whose relationship pages differ per parent: limits, offsets, orders, filters,
    /// variables, an order through a relationship (paged by the gateway), many-to-many
    /// (paged by the gateway), and nesting under paged rows.
    static let pagedQueries: [(query: String, variables: JSONObject?)] = [
        ("{ books(limit: 20) { id reviews(limit: 2) { id rating } author { authoredBooks(limit: 1, offset: 1) { id name } } } }", nil),
        ("{ users { id reviews(limit: 1, order: [{rating: DESC}]) { id rating } loans(offset: 1) { id due } } }", nil),
        ("{ libraries { name stock(limit: 2, filter: {copies: {_gt: 1}}, order: [{copies: DESC}]) { copies book { name } } } }", nil),
        ("query($l: Int, $o: Int) { authors { id authoredBooks(limit: $l, offset: $o) { id reviews(limit: 1) { id } } } }",
         ["l": 2, "o": 1]),
        ("query($l: Int, $o: Int) { authors { id authoredBooks(limit: $l, offset: $o) { id } } }", ["l": .null, "o": 2]),
        ("{ users(limit: 10) { id reviews(limit: 1, order: [{book: {name: DESC}}]) { id book { name } } } }", nil),
        ("{ books(limit: 10) { id genres(limit: 1, offset: 1) { name } } }", nil),
        ("{ libraries { name books(limit: 0) { id } stock(offset: 1000) { copies } } }", nil),
    ]

    static func bytes(_ stack: LocalStack) async throws -> Int {
        let metrics = try await TestHTTP.request(await stack.base("gateway") + "/metrics").text
        return metrics.split(separator: "\n").filter { $0.hasPrefix("gateway_upstream_response_bytes_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
    }

    static func explain(_ stack: LocalStack, _ query: String) async throws -> String {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["query": query]), as: UTF8.self)
        let reply = try await TestHTTP.post(await stack.base("gateway") + "/explain", body: body).json()
        return reply.at("plan", "text")?.stringValue ?? "no plan: \(reply)"
    }

    /// Each paged query answers the same with per-key windows as with subgraphs that serve only
    /// the base protocol (where the gateway pages every parent's rows itself), in the same number
    /// of requests, with fewer bytes from upstream.
    @Test func perKeyWindowsAnswerAsTheGatewaysOwnPagingDid() async throws {
        let base = Dictionary(uniqueKeysWithValues: ["people", "authors", "catalog", "reviews", "inventory"].map {
            ($0, ["--without-extensions"])
        })
        var plain: [(answer: JSON, requests: Int, bytes: Int)] = []
        try await withStack(extraArguments: base) { stack in
            for (query, variables) in Self.pagedQueries {
                let (requests, bytes) = (try await stack.upstreamRequests(), try await Self.bytes(stack))
                let answer = try await stack.query(query, variables: variables)
                plain.append((answer, try await stack.upstreamRequests() - requests, try await Self.bytes(stack) - bytes))
            }
            #expect(!(try await Self.explain(stack, Self.pagedQueries[0].query)).contains("partitionBy"))
        }
        try await withStack { stack in
            for (index, (query, variables)) in Self.pagedQueries.enumerated() {
                let (requests, bytes) = (try await stack.upstreamRequests(), try await Self.bytes(stack))
                let answer = try await stack.query(query, variables: variables)
                #expect(answer["errors"] == nil, "\(query): \(answer)")
                #expect(answer == plain[index].answer, "\(query)")
                #expect(try await stack.upstreamRequests() - requests == plain[index].requests, "\(query)")
                let windowed = try await Self.bytes(stack) - bytes
                if index < 5 {
                    #expect(windowed < plain[index].bytes, "\(query): \(windowed) bytes with windows, \(plain[index].bytes) without")
                }
            }
            let explained = try await Self.explain(stack, Self.pagedQueries[0].query)
            #expect(explained.contains(#"_r: reviews(filter: $_gw_where, partitionBy: ["book_id"], limitPerKey: $_gw_limit, offsetPerKey: $_gw_offset)"#))
            // Ordered through a relationship, or through a junction: paged by the gateway.
            for index in [5, 6] {
                #expect(!(try await Self.explain(stack, Self.pagedQueries[index].query)).contains("partitionBy"))
            }
        }
    }

    /// Two relationships to `reviews` after two root fetches share a stage: one request for
    /// both, and the same answer as each half alone; when one half has no parents it drops
    /// out and the other is sent alone.
    @Test func fetchesOfOneStageToOneSubgraphGoAsOneRequest() async throws {
        try await withStack(subgraphs: ["people", "catalog", "reviews", "authors", "inventory", "shipping", "prices"]) { stack in
            let books = "books(limit: 3) { id reviews(limit: 2) { rating user { name } } }"
            let users = "users(filter: {id: {_in: [\"1\", \"2\"]}}) { id reviews(order: [{rating: ASC}]) { id } }"
            func run(_ query: String) async throws -> (JSON, Int) {
                let before = try await stack.upstreamRequests()
                let answer = try await stack.query(query)
                #expect(answer["errors"] == nil, "\(query): \(answer)")
                return (answer, try await stack.upstreamRequests() - before)
            }
            let (both, bothRequests) = try await run("{ \(books) \(users) }")
            let (booksAlone, booksRequests) = try await run("{ \(books) }")
            let (usersAlone, usersRequests) = try await run("{ \(users) }")
            #expect(both.at("data", "books") == booksAlone.at("data", "books"))
            #expect(both.at("data", "users") == usersAlone.at("data", "users"))
            #expect(both.at("data", "books")?.arrayValue?.count == 3)
            #expect(both.at("data", "users")?.arrayValue?.count == 2)
            // books, users, one batch to reviews, then the reviews' users: 4, against 3 + 2.
            #expect((bothRequests, booksRequests, usersRequests) == (4, 3, 2))
            let explained = try await Self.explain(stack, "{ \(books) \(users) }")
            #expect(explained.contains(#"Batch(0, subgraph: "reviews", fetches: 1, 4) {"#), "\(explained)")
            #expect(explained.contains("_f1: reviews(filter: $_gw_where_f1, partitionBy: [\"book_id\"]"), "\(explained)")
            #expect(explained.contains("_f4: reviews(filter: $_gw_where_f4, order: $_gw_order_f4)"), "\(explained)")
            #expect(explained.contains(#"relationship: Book.reviews (Array), after: 0, keys: book_id, batch: 0)"#), "\(explained)")

            // No users: their reviews drop out, the books' reviews go alone.
            let none = "users(filter: {id: {_eq: \"no such user\"}}) { id reviews { id } }"
            let (dropped, droppedRequests) = try await run("{ \(books) \(none) }")
            #expect(dropped.at("data", "books") == booksAlone.at("data", "books"))
            #expect(dropped.at("data", "users") == [])
            // books, users, the books' reviews alone, their users: 4 as well (no reviews of users).
            #expect(droppedRequests == 4)
            #expect(dropped.at("data", "books", 0, "reviews", 0, "user", "name") != nil, "\(dropped)")
        }
    }

    /// A member refused before it asks (a negative limit) drops out and fails alone; a
    /// subgraph error names the member it belongs to, and when it leaves the batch's answer
    /// without data every member fails with the subgraph's message.
    @Test func batchMembersFailWithTheirOwnMessages() async throws {
        try await withStack(extraArguments: ["reviews": ["--max-rows", "4"]]) { stack in
            let before = try await stack.upstreamRequests()
            let refused = try await stack.query("""
                { books(limit: 2) { id reviews(limit: 1) { id } }
                  users(limit: 2) { id reviews(filter: {rating: {_gt: 3}}, limit: -1) { id } } }
                """)
            #expect(try await stack.upstreamRequests() - before == 3)
            #expect(refused.at("data", "books", 0, "reviews")?.arrayValue?.count == 1, "\(refused)")
            #expect(refused.at("data", "books", 1, "reviews")?.arrayValue?.count == 1, "\(refused)")
            #expect(refused["errors"] == [
                ["message": "limit must not be negative, got -1", "path": ["users", 0, "reviews"], "extensions": ["code": "BAD_USER_INPUT"]],
                ["message": "limit must not be negative, got -1", "path": ["users", 1, "reviews"], "extensions": ["code": "BAD_USER_INPUT"]],
            ])

            let tooMany = try await stack.query("{ books(limit: 2) { id reviews(limit: 1) { id } } users(limit: 5) { id reviews { id } } }")
            let messages = Set((tooMany["errors"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue })
            #expect(messages.contains { $0.hasPrefix("Subgraph reviews failed to resolve User.reviews: ") && $0.contains("4") }, "\(messages)")
            #expect(messages.contains {
                $0.hasPrefix("Subgraph reviews failed to resolve Book.reviews, asked in one request with other fields that failed: ")
            }, "\(messages)")
            #expect(tooMany.at("data", "books", 0, "id") != nil, "the books themselves still arrive: \(tooMany)")
        }
    }
}
