import Foundation
import GatewayJSON
import TestSupport
import Testing

/// `delete_T` with `onDelete` rules over the demo stack: cascade, restrict and setNull across
/// subgraphs, two levels deep, checked by direct reads of every subgraph.
@Suite("Cascading deletes end to end", .serialized)
struct CascadeDeleteTests {
    /// gateway.yaml with Author.authoredBooks cascading (instead of setNull): deleting an
    /// author deletes its passport (authors), its books (catalog), and their reviews (reviews)
    /// and genre links (catalog).
    ///
    /// - Parameters:
    ///   - reviews: the rule of Book.reviews (cascade in gateway.yaml).
    static func cascadingConfig(reviews: String = "cascade") throws -> String {
        var yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8)
        let changes = [
            ("      name: authoredBooks\n      description: The books this author wrote.\n      onDelete: setNull\n", "setNull", "cascade"),
            ("      name: reviews\n      description: The reviews of this book.\n      onDelete: cascade\n", "cascade", reviews),
        ]
        for (marker, from, to) in changes {
            guard yaml.contains(marker) else { throw TestProcessError("gateway.yaml no longer has \(marker)") }
            yaml = yaml.replacingOccurrences(of: marker, with: marker.replacingOccurrences(of: "onDelete: " + from, with: "onDelete: " + to))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every row of a collection with these fields, straight from its subgraph.
    static func all(_ stack: LocalStack, _ subgraph: String, _ collection: String, _ fields: String, _ arguments: String = "") async throws -> [JSON] {
        let answer = try await stack.query("{ \(collection)\(arguments) { \(fields) } }", to: subgraph)
        guard let rows = answer.at("data", collection)?.arrayValue else { throw TestProcessError("\(subgraph) answered \(answer)") }
        // Every row carries every field asked for; if not, say who answered what.
        let names = fields.split(separator: " ").map(String.init)
        if let odd = rows.first(where: { row in names.contains { row[$0] == nil } }) {
            throw TestProcessError("""
                \(subgraph) at \(await stack.url(subgraph)) answered a \(collection) row without all of \(names): \(odd) \
                (stack: \(await stack.environment)); its output: \(await stack.output(subgraph).suffix(2000))
                """)
        }
        return rows
    }

    /// The whole state the cascade of an author can touch.
    struct Snapshot: Equatable {
        var authors, passports, books, reviews, bookGenres: [JSON]

        init(_ stack: LocalStack) async throws {
            authors = try await all(stack, "authors", "authors", "id name dateOfBirth country")
            passports = try await all(stack, "authors", "passports", "id owner_id passport_number expires")
            books = try await all(stack, "catalog", "books", "id name description genre year price author_id library_name")
            reviews = try await all(stack, "reviews", "reviews", "id book_id user_id rating body created_at")
            bookGenres = try await all(stack, "catalog", "bookGenres", "id book_id genre_id")
        }
    }

    /// Deletes author `id` with the two-level cascade and checks the subgraphs; returns the
    /// number of upstream requests.
    func cascade(scale: Int, author id: String) async throws -> Int {
        let config = try Self.cascadingConfig()
        defer { try? FileManager.default.removeItem(atPath: config) }
        return try await withStack(scale: scale, config: config) { stack in
            let before = try await Snapshot(stack)
            let author = try #require(before.authors.first { $0["id"] == .string(id) })
            let books = before.books.filter { $0["author_id"] == .string(id) }
            let bookIDs = Set(books.compactMap { $0["id"] })
            #expect(!books.isEmpty)
            // Expected values are computed outside #expect: closures inside its expansion
            // misbehaved (a force unwrap that could not fail did, in the parallel suite).
            let hasReviews = before.reviews.contains { bookIDs.contains($0["book_id"] ?? .null) }
            let hasPassport = before.passports.contains { $0["owner_id"] == .string(id) }
            #expect(hasReviews)
            #expect(hasPassport)

            let requests = try await stack.upstreamRequests()
            let answer = try await stack.query(#"mutation { delete_Author(id: "\#(id)") { id name dateOfBirth country } }"#)
            let used = try await stack.upstreamRequests() - requests
            #expect(answer == ["data": ["delete_Author": [author]]])

            let after = try await Snapshot(stack)
            let expectedAuthors = before.authors.filter { $0["id"] != .string(id) }
            let expectedPassports = before.passports.filter { $0["owner_id"] != .string(id) }
            let expectedReviews = before.reviews.filter { !bookIDs.contains($0["book_id"] ?? .null) }
            let expectedLinks = before.bookGenres.filter { !bookIDs.contains($0["book_id"] ?? .null) }
            #expect(after.authors == expectedAuthors)
            #expect(after.passports == expectedPassports)
            let expectedBooks = before.books.filter { !bookIDs.contains($0["id"] ?? .null) }
            #expect(after.books == expectedBooks)
            if after.books != expectedBooks {
                // Say whether a second read, a second later, agrees (a visibility problem) or not.
                try await Task.sleep(for: .seconds(1))
                let again = try await Snapshot(stack)
                let remaining = after.books.filter { bookIDs.contains($0["id"] ?? .null) }.count
                Issue.record("""
                    scale \(scale): \(remaining) of \(bookIDs.count) books still there after the delete; a second read \
                    \(again.books == expectedBooks ? "no longer shows them" : "still shows them"); urls \(await stack.environment)
                    """)
            }
            #expect(after.reviews == expectedReviews)
            #expect(after.bookGenres == expectedLinks)
            return used
        }
    }

    @Test func cascadeTwoLevelsAcrossThreeSubgraphsWithTheSameRequestsAtEveryScale() async throws {
        // Reads: the author, its passport and books, the books' reviews and genre links (5);
        // writes: those four rules deepest first, then the author (5).
        let one = try await cascade(scale: 1, author: "2")
        let ten = try await cascade(scale: 10, author: "2")
        #expect(one == 10)
        #expect(ten == one)
    }

    /// Runs one mutation on a fresh stack; returns its answer, the upstream requests it took,
    /// and the subgraphs' state before and after.
    func run(_ mutation: String, scale: Int, config: String? = nil) async throws -> (JSON, Int, Snapshot, Snapshot) {
        try await withStack(scale: scale, config: config) { stack in
            let before = try await Snapshot(stack)
            let requests = try await stack.upstreamRequests()
            let answer = try await stack.query(mutation)
            let used = try await stack.upstreamRequests() - requests
            return (answer, used, before, try await Snapshot(stack))
        }
    }

    @Test func restrictAtTheSecondLevelRefusesWithTheSameRequestsAtEveryScale() async throws {
        let config = try Self.cascadingConfig(reviews: "restrict")
        defer { try? FileManager.default.removeItem(atPath: config) }
        var counts: [Int] = []
        for scale in [1, 10] {
            let (answer, requests, before, after) = try await run(#"mutation { delete_Author(id: "2") { id } }"#, scale: scale, config: config)
            let books = Set(before.books.filter { $0["author_id"] == "2" }.compactMap { $0["id"] })
            let reviews = before.reviews.filter { books.contains($0["book_id"] ?? .null) }.count
            #expect(reviews > 0)
            #expect(answer == [
                "data": ["delete_Author": nil],
                "errors": [[
                    "message": .string("delete_Author refused: Book.reviews (onDelete: restrict) has \(reviews) related Review rows. Nothing was deleted."),
                    "path": ["delete_Author"],
                    "extensions": ["code": "DELETE_RESTRICTED", "restrictedBy": [["relationship": "Book.reviews", "count": .int(reviews)]]],
                ]],
            ])
            #expect(after == before)
            counts.append(requests)
        }
        // Reads only: the author, its passport and books, the books' reviews and genre links.
        #expect(counts == [5, 5])
    }

    @Test func setNullWithTheSameRequestsAtEveryScale() async throws {
        var counts: [Int] = []
        for scale in [1, 10] {
            let (answer, requests, before, after) = try await run(#"mutation { delete_Author(id: "3") { id } }"#, scale: scale)
            #expect(answer == ["data": ["delete_Author": [["id": "3"]]]])
            // Books keep existing without their author; the passport goes (cascade).
            let orphaned = before.books.map { book -> JSON in
                guard book["author_id"] == "3", case .object(var row) = book else { return book }
                row["author_id"] = .null
                return .object(row)
            }
            #expect(after.books == orphaned && orphaned != before.books)
            let expectedPassports = before.passports.filter { $0["owner_id"] != "3" }
            let expectedAuthors = before.authors.filter { $0["id"] != "3" }
            #expect(after.passports == expectedPassports)
            #expect(after.authors == expectedAuthors)
            #expect(after.reviews == before.reviews && after.bookGenres == before.bookGenres)
            counts.append(requests)
        }
        // Reads: the author, its passport and books; writes: the passport, the books' key, the author.
        #expect(counts == [6, 6])
    }

    @Test func explainShowsTheCascadeLevels() async throws {
        let config = try Self.cascadingConfig()
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withStack(config: config) { stack in
            let reply = try await TestHTTP.post(
                await stack.base("gateway") + "/explain", body: #"{"query": "mutation { delete_Author(id: \"2\") { id } }"}"#)
            let text = try #require(try reply.json().at("plan", "text")?.stringValue)
            #expect(text.contains(#"Rule(0, Author.passport cascade, subgraph: "authors", Passport by owner_id)"#))
            #expect(text.contains(#"Rule(1, Author.authoredBooks cascade, subgraph: "catalog", Book by author_id)"#))
            #expect(text.contains(#"Rule(2, Book.bookGenres cascade, subgraph: "catalog", BookGenre by book_id, after: 1)"#))
            #expect(text.contains(#"Rule(3, Book.reviews cascade, subgraph: "reviews", Review by book_id, after: 1)"#))
            #expect(text.contains("Writes(deepest level first: level 2, level 1, then the delete)"))
        }
    }

    @Test func restrictRefusesAndDeletesNothing() async throws {
        try await withStack { stack in
            let books = try await Self.all(stack, "catalog", "books", "id", #"(filter: {library_name: {_eq: "Harbour Library"}})"#)
            let stock = try await Self.all(stack, "inventory", "stocks", "id", #"(filter: {library_id: {_eq: "2"}})"#)
            #expect(!books.isEmpty && !stock.isEmpty)
            let answer = try await stack.query(#"mutation { delete_Library(id: "2") { id } }"#)
            #expect(answer == [
                "data": ["delete_Library": nil],
                "errors": [[
                    "message": .string("delete_Library refused: Library.books (onDelete: restrict) has \(books.count) related Book rows. Nothing was deleted."),
                    "path": ["delete_Library"],
                    "extensions": ["code": "DELETE_RESTRICTED", "restrictedBy": [["relationship": "Library.books", "count": .int(books.count)]]],
                ]],
            ])
            // Library.stock cascades, but nothing was deleted: the stock is all there.
            #expect(try await Self.all(stack, "catalog", "libraries", "id", #"(filter: {id: {_eq: "2"}})"#) == [["id": "2"]])
            #expect(try await Self.all(stack, "inventory", "stocks", "id", #"(filter: {library_id: {_eq: "2"}})"#) == stock)
        }
    }

    @Test func setNullClearsTheKeyAcrossSubgraphsAndCascadeDeletesThePassport() async throws {
        try await withStack { stack in
            let books = try await Self.all(stack, "catalog", "books", "id", #"(filter: {author_id: {_eq: "3"}})"#)
            #expect(!books.isEmpty)
            let answer = try await stack.query(#"mutation { delete_Author(id: "3") { name passport { id } authoredBooks { id } } }"#)
            #expect(answer.at("data", "delete_Author", 0, "passport") == .null)
            #expect(answer.at("data", "delete_Author", 0, "authoredBooks") == [])
            let ids = JSON.array(books.compactMap { $0["id"] })
            let after = try await stack.query("query($ids: [ID!]) { books(filter: {id: {_in: $ids}}) { id author_id } }", variables: ["ids": ids], to: "catalog")
            let orphans = JSON.array(books.map { ["id": $0["id"] ?? .null, "author_id": nil] })
            #expect(after == ["data": ["books": orphans]])
            #expect(try await Self.all(stack, "authors", "passports", "id", #"(filter: {owner_id: {_eq: "3"}})"#) == [])
        }
    }

    @Test func aFailedDeleteRestoresEverythingTheCascadeWrote() async throws {
        let config = try Self.cascadingConfig()
        defer { try? FileManager.default.removeItem(atPath: config) }
        let stack = LocalStack()
        do {
            try await stack.start(gateway: false)
            // Authors behind a proxy that refuses to delete an author: the cascade below runs,
            // then the last write fails and everything is put back.
            let port = try await stack.relocate("authors")
            let proxy = try await FaultProxy.start(port: port, upstream: await stack.url("authors")) { body in
                body.contains("delete_Author(") ? (500, "authors are forever") : nil
            }
            try await stack.startGateway(config: config, urls: ["authors": "http://127.0.0.1:\(port)/graphql"])
            let before = try await Snapshot(stack)
            let answer = try await stack.query(#"mutation { delete_Author(id: "2") { id } }"#)
            let after = try await Snapshot(stack)
            await proxy.stop()
            #expect(after == before)
            let error = try #require(answer.at("errors", 0))
            #expect(answer.at("data", "delete_Author") == .null)
            let message = try #require(error["message"]?.stringValue)
            #expect(message.hasPrefix("delete_Author: could not delete the Author rows: Subgraph authors failed: it answered HTTP 500."), "\(message)")
            #expect(message.contains("Everything this mutation wrote was rolled back ("), "\(message)")
            let undone = error.at("extensions", "rolledBack")?.arrayValue ?? []
            let models = Set(undone.compactMap { $0["model"]?.stringValue })
            let allRecreated = undone.allSatisfy { $0["action"] == "recreated" }
            #expect(models == ["Passports", "Books", "Reviews", "BookGenres"])
            #expect(allRecreated)
            await stack.stopAll()
        } catch {
            await stack.stopAll()
            throw error
        }
    }
}
