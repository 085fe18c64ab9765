import GatewayJSON
import TestSupport
import Testing

/// Nested creates over the demo stack: real subgraphs, the real gateway. Every answer is
/// compared with what direct reads of the subgraphs say was written.
@Suite("Nested creates end to end", .serialized)
struct NestedWriteTests {
    /// The rows of a collection whose `field` equals `value`, read from the subgraph itself.
    static func rows(
        _ stack: LocalStack, _ subgraph: String, _ collection: String, where field: String, _ value: JSON, _ fields: String
    ) async throws -> [JSON] {
        let answer = try await stack.query(
            "query($v: \(field == "id" || field.hasSuffix("_id") ? "ID" : "String")) { \(collection)(filter: {\(field): {_eq: $v}}) { \(fields) } }",
            variables: ["v": value], to: subgraph)
        guard let rows = answer.at("data", collection)?.arrayValue else { throw TestProcessError("\(subgraph) answered \(answer)") }
        return rows
    }

    // MARK: One-to-one, both directions

    @Test func bothDirectionsOfEveryOneToOne() async throws {
        try await withStack { stack in
            // Author.passport: the author first, its id copied into the passport.
            let author = try await stack.query("""
                mutation { create_Author(input: {name: "Tove Ditlevsen", passport: {data: {passport_number: "P-TD", expires: "2031-01-01"}}}) {
                  id name passport { id passport_number expires owner_id } } }
                """)
            let authors = try await Self.rows(stack, "authors", "authors", where: "name", "Tove Ditlevsen", "id name")
            let authorID = try #require(authors.first?["id"])
            let passports = try await Self.rows(stack, "authors", "passports", where: "owner_id", authorID, "id passport_number expires owner_id")
            #expect(authors.count == 1 && passports.count == 1)
            #expect(author == ["data": ["create_Author": ["id": authorID, "name": "Tove Ditlevsen", "passport": passports[0]]]])

            // Passport.owner: the other direction, the author first again, its id copied into the passport.
            let passport = try await stack.query("""
                mutation { create_Passport(input: {passport_number: "P-NES", owner: {data: {name: "Nawal El Saadawi", country: "Egypt"}}}) {
                  id passport_number owner_id owner { id name country } } }
                """)
            let owners = try await Self.rows(stack, "authors", "authors", where: "name", "Nawal El Saadawi", "id name country")
            let written = try await Self.rows(stack, "authors", "passports", where: "passport_number", "P-NES", "id passport_number owner_id")
            #expect(owners.count == 1 && written.count == 1)
            #expect(passport == ["data": ["create_Passport": [
                "id": written[0]["id"]!, "passport_number": "P-NES", "owner_id": owners[0]["id"]!, "owner": owners[0],
            ]]])

            // User.address: the user holds the key, so the address comes first.
            let user = try await stack.query("""
                mutation { create_User(input: {name: "Ama Ata Aidoo", username: "ama", address: {data: {city: "Accra", country: "Ghana"}}}) {
                  id name address_id address { id city country } } }
                """)
            let users = try await Self.rows(stack, "people", "users", where: "username", "ama", "id name address_id")
            let addressID = try #require(users.first?["address_id"])
            let addresses = try await Self.rows(stack, "people", "addresses", where: "id", addressID, "id city country")
            #expect(users.count == 1 && addresses.count == 1)
            #expect(user == ["data": ["create_User": ["id": users[0]["id"]!, "name": "Ama Ata Aidoo", "address_id": addressID, "address": addresses[0]]]])

            // Address.user: the address first, its id copied into the user.
            let address = try await stack.query("""
                mutation { create_Address(input: {city: "Ibadan", user: {data: {name: "Wole Soyinka", username: "wole"}}}) {
                  id city user { id name address_id } } }
                """)
            let wole = try await Self.rows(stack, "people", "users", where: "username", "wole", "id name address_id")
            let ibadan = try await Self.rows(stack, "people", "addresses", where: "city", "Ibadan", "id city")
            #expect(wole.count == 1 && ibadan.count == 1 && wole[0]["address_id"] == ibadan[0]["id"])
            #expect(address == ["data": ["create_Address": ["id": ibadan[0]["id"]!, "city": "Ibadan", "user": wole[0]]]])
        }
    }

    // MARK: Three levels, four subgraphs

    static let deepCreate = """
        mutation {
          create_Author(input: {name: "Ursula K. Le Guin 2", passport: {data: {passport_number: "P-UKL"}},
            authoredBooks: {data: [
              {name: "The Dispossessed", year: 1974, library: {connect: {name: "Ærø Bibliotek"}},
               reviews: {data: [{user_id: "1", rating: 5, body: "Ærø, twice"}, {user_id: "2", rating: 4}]},
               genres: {data: [{name: "Anarchist SF"}], connect: [{id: "1"}]}},
              {name: "The Lathe of Heaven", year: 1971}]}}) {
            id name passport { passport_number owner_id }
            authoredBooks { id name year library { name } reviews { rating body user { name } } genres { name } }
          }
        }
        """

    @Test func threeLevelsAcrossFourSubgraphsInOneMutation() async throws {
        try await withStack { stack in
            let before = try await stack.upstreamRequests()
            let answer = try await stack.query(Self.deepCreate)
            let requests = try await stack.upstreamRequests() - before
            #expect(answer["errors"] == nil, "\(answer)")

            // What the subgraphs hold now.
            let author = try #require(try await Self.rows(stack, "authors", "authors", where: "name", "Ursula K. Le Guin 2", "id name").first)
            let authorID = try #require(author["id"])
            let passport = try await Self.rows(stack, "authors", "passports", where: "owner_id", authorID, "passport_number owner_id")
            let books = try await Self.rows(stack, "catalog", "books", where: "author_id", authorID, "id name year library_name")
            #expect(books.count == 2)
            let dispossessed = try #require(books.first { $0["name"] == "The Dispossessed" })
            let lathe = try #require(books.first { $0["name"] == "The Lathe of Heaven" })
            #expect(dispossessed["library_name"] == "Ærø Bibliotek" && lathe["library_name"] == .null)
            // The subgraph lists rows by id: the gateway chose the new ids, so either order.
            let reviews = try await Self.rows(stack, "reviews", "reviews", where: "book_id", dispossessed["id"]!, "rating body user_id")
            #expect(Set(reviews) == [["rating": 5, "body": "Ærø, twice", "user_id": "1"], ["rating": 4, "body": nil, "user_id": "2"]])
            let links = try await Self.rows(stack, "catalog", "bookGenres", where: "book_id", dispossessed["id"]!, "genre_id")
            let newGenre = try #require(try await Self.rows(stack, "catalog", "genres", where: "name", "Anarchist SF", "id name").first)
            let linked = Set(links.compactMap { $0["genre_id"] })
            #expect(linked == [newGenre["id"] ?? .null, "1"])
            let genreOne = try #require(try await Self.rows(stack, "catalog", "genres", where: "id", "1", "name").first)
            let userNames = try await stack.query(#"{ users(filter: {id: {_in: ["1", "2"]}}) { name } }"#, to: "people")

            // Books come by id, genres by id: the same order the gateway's reads use.
            let orderedBooks = [dispossessed, lathe].sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
            let genreNames: [JSON] = [(newGenre["id"]!, newGenre["name"]!), ("1", genreOne["name"]!)]
                .sorted { ($0.0.stringValue ?? "") < ($1.0.stringValue ?? "") }.map { ["name": $0.1] }
            let expectedBooks: [JSON] = orderedBooks.map { book in
                let isDispossessed = book["name"] == "The Dispossessed"
                return [
                    "id": book["id"]!, "name": book["name"]!, "year": book["year"]!,
                    "library": isDispossessed ? ["name": "Ærø Bibliotek"] : nil,
                    "reviews": isDispossessed
                        ? .array(reviews.map { review in
                            [
                                "rating": review["rating"]!, "body": review["body"]!,
                                "user": ["name": userNames.at("data", "users", review["user_id"] == "1" ? 0 : 1, "name")!],
                            ]
                        }) : [],
                    "genres": isDispossessed ? .array(genreNames) : [],
                ]
            }
            #expect(answer == ["data": ["create_Author": [
                "id": authorID, "name": "Ursula K. Le Guin 2",
                "passport": ["passport_number": "P-UKL", "owner_id": authorID], "authoredBooks": .array(expectedBooks),
            ]]])
            #expect(passport == [["passport_number": "P-UKL", "owner_id": authorID]])

            // 2 lookups (the genre and the library to connect) + 6 writes (authors and catalog
            // in each of three stages... see explain) + 7 reads for the selection.
            #expect(requests == 15, "\(requests) upstream requests")
        }
    }

    @Test func explainShowsTheWritePlan() async throws {
        try await withStack { stack in
            let reply = try await TestHTTP.post(
                await stack.base("gateway") + "/explain", body: JSON.object(["query": .string(Self.deepCreate)]).description)
            let text = try #require(try reply.json().at("plan", "text")?.stringValue)
            // Two lookups, three stages of two steps each (authors and catalog, then reviews and catalog).
            #expect(text.contains(#"Lookup(0, subgraph: "catalog", model: Libraries, name in ["Ærø Bibliotek"] must exist)"#))
            #expect(text.contains(#"Lookup(1, subgraph: "catalog", model: Genres, id in ["1"] must exist)"#))
            #expect(text.components(separatedBy: "Stage(").count - 1 == 3)
            #expect(text.components(separatedBy: "Step(").count - 1 == 6 + 6)  // six steps and six undo lines
            #expect(text.contains("OnFailure(undo the finished steps, last first)"))
        }
    }

    // MARK: Connect

    @Test func connectLinksExistingRowsAndNeverDeletesThem() async throws {
        try await withStack { stack in
            let answer = try await stack.query("""
                mutation { create_Author(input: {name: "Connector", authoredBooks: {connect: [{id: "7"}, {id: "8"}]}}) {
                  name authoredBooks { id } } }
                """)
            #expect(answer == ["data": ["create_Author": ["name": "Connector", "authoredBooks": [["id": "7"], ["id": "8"]]]]])
            let id = try #require(try await Self.rows(stack, "authors", "authors", where: "name", "Connector", "id").first?["id"])
            #expect(try await Self.rows(stack, "catalog", "books", where: "author_id", id, "id") == [["id": "7"], ["id": "8"]])

            // A book linked by connect, then a failure two stages later: the link is undone,
            // the book itself stays.
            let before = try await Self.rows(stack, "catalog", "books", where: "id", "9", "id author_id")
            await stack.stop("reviews")
            let failed = try await stack.query("""
                mutation { create_Author(input: {name: "Connector 2", authoredBooks: {connect: [{id: "9"}],
                  data: [{name: "Connector book", reviews: {data: [{user_id: "1", rating: 1}]}}]}}) { id } }
                """)
            try await stack.restart("reviews")
            #expect(failed.at("errors", 0, "extensions", "code") == "SUBGRAPH_UNAVAILABLE")
            let undone = failed.at("errors", 0, "extensions", "rolledBack")?.arrayValue ?? []
            let actions = undone.map { "\($0["model"] ?? .null) \($0["action"] ?? .null)" }
            #expect(actions == [#""Books" "deleted""#, #""Books" "restored""#, #""Authors" "deleted""#])
            #expect(try await Self.rows(stack, "catalog", "books", where: "id", "9", "id author_id") == before)
            #expect(try await Self.rows(stack, "catalog", "books", where: "name", "Connector book", "id") == [])
            #expect(try await Self.rows(stack, "authors", "authors", where: "name", "Connector 2", "id") == [])

            let missing = try await stack.query(#"mutation { create_Book(input: {name: "X", author: {connect: {id: "9999"}}}) { id } }"#)
            #expect(missing == [
                "data": ["create_Book": nil],
                "errors": [[
                    "message": #"create_Book: input.author.connect: no Author with id "9999" exists to connect. Nothing was written."#,
                    "path": ["create_Book"],
                    "extensions": ["code": "BAD_USER_INPUT", "subgraph": "authors", "inputPath": "input.author.connect"],
                ]],
            ])
            #expect(try await Self.rows(stack, "catalog", "books", where: "name", "X", "id") == [])
        }
    }

    @Test func createManyWritesEveryInputOrNone() async throws {
        try await withStack { stack in
            let answer = try await stack.query("""
                mutation($rows: [BookInput!]!) { create_Book_many(inputs: $rows) { name author { name } } }
                """, variables: ["rows": [["name": "M1", "author_id": "1"], ["name": "M2", "author": ["data": ["name": "Many Author"]]]]])
            let first = try await stack.query(#"{ authors(filter: {id: {_eq: "1"}}) { name } }"#, to: "authors")
            #expect(answer == ["data": ["create_Book_many": [
                ["name": "M1", "author": ["name": first.at("data", "authors", 0, "name")!]],
                ["name": "M2", "author": ["name": "Many Author"]],
            ]]])
            let failed = try await stack.query("""
                mutation($rows: [BookInput!]!) { create_Book_many(inputs: $rows) { name } }
                """, variables: ["rows": [["name": "M3", "author": ["data": ["name": "Many Author 2"]]], ["id": "1", "name": "M4"]]])
            #expect(failed.at("errors", 0, "extensions", "inputPath") == "inputs[1]")
            #expect(try await Self.rows(stack, "authors", "authors", where: "name", "Many Author 2", "id") == [])
            #expect(try await Self.rows(stack, "catalog", "books", where: "name", "M3", "id") == [])
        }
    }

    // MARK: Failures

    /// Author (authors) → Book (catalog) → Review (reviews): one row per stage.
    static func chain(_ marker: String, authorID: String? = nil, bookID: String? = nil, reviewID: String? = nil) -> String {
        func id(_ value: String?) -> String { value.map { #"id: "\#($0)", "# } ?? "" }
        return """
            mutation { create_Author(input: {\(id(authorID))name: "\(marker)", authoredBooks: {data: [{\(id(bookID))name: "\(marker)",
              reviews: {data: [{\(id(reviewID))user_id: "1", rating: 3, body: "\(marker)"}]}}]}}) { id } }
            """
    }

    /// No row with the marker anywhere.
    static func expectNothingLeft(_ stack: LocalStack, _ marker: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await rows(stack, "authors", "authors", where: "name", .string(marker), "id") == [], sourceLocation: sourceLocation)
        #expect(try await rows(stack, "catalog", "books", where: "name", .string(marker), "id") == [], sourceLocation: sourceLocation)
        #expect(try await rows(stack, "reviews", "reviews", where: "body", .string(marker), "id") == [], sourceLocation: sourceLocation)
    }

    @Test func aDuplicateIDAtAnyStepIsFoundBeforeAnythingIsWritten() async throws {
        try await withStack { stack in
            let cases: [(String, String, String, String)] = [
                (Self.chain("dup0", authorID: "1"), "input", "Author", "authors"),
                (Self.chain("dup1", bookID: "1"), "input.authoredBooks.data[0]", "Book", "catalog"),
                (Self.chain("dup2", reviewID: "1"), "input.authoredBooks.data[0].reviews.data[0]", "Review", "reviews"),
            ]
            for (index, (mutation, path, type, subgraph)) in cases.enumerated() {
                let before = try await stack.upstreamRequests()
                let answer = try await stack.query(mutation)
                #expect(answer == [
                    "data": ["create_Author": nil],
                    "errors": [[
                        "message": .string(#"create_Author: \#(path): a \#(type) with id "1" already exists. Nothing was written."#),
                        "path": ["create_Author"],
                        "extensions": ["code": "CONFLICT", "subgraph": .string(subgraph), "inputPath": .string(path)],
                    ]],
                ])
                // Only the check of the given id ran: no write was sent.
                #expect(try await stack.upstreamRequests() - before == 1)
                try await Self.expectNothingLeft(stack, "dup\(index)")
            }
        }
    }

    @Test func aSubgraphDownAtAnyStepLeavesNoRowOfTheMutation() async throws {
        try await withStack { stack in
            let cases: [(String, String, [String])] = [
                ("authors", "create Author at input", []),
                ("catalog", "create Book at input.authoredBooks.data[0]", ["Authors"]),
                ("reviews", "create Review at input.authoredBooks.data[0].reviews.data[0]", ["Books", "Authors"]),
            ]
            for (down, what, rolledBack) in cases {
                let marker = "down-\(down)"
                await stack.stop(down)
                let answer = try await stack.query(Self.chain(marker))
                try await stack.restart(down)
                let error = try #require(answer.at("errors", 0))
                #expect(answer.at("data", "create_Author") == .null)
                #expect(error["path"] == ["create_Author"])
                #expect(error.at("extensions", "code") == "SUBGRAPH_UNAVAILABLE")
                let message = try #require(error["message"]?.stringValue)
                #expect(message.hasPrefix("create_Author: could not \(what): Subgraph \(down) failed"), "\(message)")
                #expect(rolledBack.isEmpty ? message.hasSuffix("Nothing was written.") : message.contains("Everything this mutation wrote was rolled back ("), "\(message)")
                let undone = error.at("extensions", "rolledBack")?.arrayValue ?? []
                let models = undone.map { $0["model"] ?? .null }
                let allDeletedByUUID = undone.allSatisfy { $0["action"] == "deleted" && ($0["id"]?.stringValue?.count ?? 0) == 36 }
                #expect(models == rolledBack.map(JSON.string), "\(error)")
                #expect(allDeletedByUUID)
                try await Self.expectNothingLeft(stack, marker)
            }
        }
    }

    @Test func aFailedUndoListsExactlyTheRowsThatRemain() async throws {
        let stack = LocalStack()
        do {
            try await stack.start(gateway: false)
            // The authors subgraph moves; a proxy that refuses every delete takes its place.
            let port = try await stack.relocate("authors")
            let proxy = try await FaultProxy.start(port: port, upstream: await stack.url("authors")) { body in
                body.contains("delete_") ? (500, "no deletes today") : nil
            }
            try await stack.startGateway(urls: ["authors": "http://127.0.0.1:\(port)/graphql"])
            await stack.stop("catalog")
            let answer = try await stack.query(Self.chain("stuck"))
            await proxy.stop()
            let authors = try await Self.rows(stack, "authors", "authors", where: "name", "stuck", "id")
            #expect(authors.count == 1)
            let error = try #require(answer.at("errors", 0))
            #expect(error.at("extensions", "remaining") == [["subgraph": "authors", "model": "Authors", "id": authors[0]["id"]!, "state": "created"]])
            #expect(error.at("extensions", "rolledBack") == [])
            let message = try #require(error["message"]?.stringValue)
            #expect(message.contains("Rolling back failed (Subgraph authors failed: it answered HTTP 500.); these rows remain: Authors \(authors[0]["id"]!) in authors created."), "\(message)")
            await stack.stopAll()
        } catch {
            await stack.stopAll()
            throw error
        }
    }
}
