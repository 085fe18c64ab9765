import GatewayJSON
import TestSupport
import Testing

/// The model protocol's order for one field, written here independently of the gateway:
/// null first ascending and last descending, strings by code point.
func protocolOrder(_ left: JSON?, _ right: JSON?, descending: Bool) -> Bool? {
    let a = left ?? .null
    let b = right ?? .null
    if a == b { return nil }
    if a.isNull { return !descending }
    if b.isNull { return descending }
    let ascending: Bool
    switch (a, b) {
    case (.string(let x), .string(let y)): ascending = Array(x.unicodeScalars.map(\.value)).lexicographicallyPrecedes(y.unicodeScalars.map(\.value))
    case (.int(let x), .int(let y)): ascending = x < y
    default: ascending = (a.doubleValue ?? 0) < (b.doubleValue ?? 0)
    }
    return descending ? !ascending : ascending
}

@Suite("Filters, orders and many-to-many across subgraphs")
struct RelationshipArgumentTests {
    @Test func filterParentsByAnObjectRelationshipRemoteAndLocal() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let authors = group(try await reference.rows("authors", "authors", ["id", "country"]), by: ["id"])
            let books = try await reference.rows("catalog", "books", ["id", "name", "author_id"])
            let japanese = books.filter { book in
                key(book, ["author_id"]).flatMap { authors[$0]?.first }?["country"] == "Japan"
            }
            let answer = try await stack.query(#"{ books(filter: {author: {country: {_eq: "Japan"}}}, limit: 4, offset: 2) { id name } }"#)
            #expect(answer == ["data": ["books": .array(page(japanese, limit: 4, offset: 2).map { project($0, ["id", "name"]) })]])

            // Local: users whose address is in Lisbon, or who have no address at all (_not).
            let addresses = group(try await reference.rows("people", "addresses", ["id", "city"]), by: ["id"])
            let users = try await reference.rows("people", "users", ["id", "address_id"])
            let expected = users.filter { user in
                let city = key(user, ["address_id"]).flatMap { addresses[$0]?.first }?["city"]
                let hasAddress = key(user, ["address_id"]).flatMap { addresses[$0]?.first } != nil
                return city == "Lisbon" || !hasAddress
            }
            let local = try await stack.query(#"{ users(filter: {_or: [{address: {city: {_eq: "Lisbon"}}}, {_not: {address: {}}}]}) { id } }"#)
            #expect(local == ["data": ["users": .array(expected.map { project($0, ["id"]) })]])
            #expect(expected.contains { $0["address_id"] == .null } && expected.count < users.count)
        }
    }

    @Test func filterParentsByArrayRelationshipsNestedThreeDeep() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let fiveStarBooks = Set(try await reference.rows("reviews", "reviews", ["book_id"], arguments: "(filter: {rating: {_eq: 5}})")
                .compactMap { $0["book_id"] })
            let books = try await reference.rows("catalog", "books", ["id", "author_id", "year"])
            let authorIDs = Set(try await reference.rows("authors", "authors", ["id"]).compactMap { $0["id"] })
            // Only authors that exist: a dangling or null author_id matches no author.
            let authorsWithFiveStarBook = Set(books.filter { fiveStarBooks.contains($0["id"]!) }.compactMap { $0["author_id"] })
                .intersection(authorIDs)
            // Books whose author wrote a book with a 5-star review, published before 1980.
            let expected = books.filter { book in
                authorsWithFiveStarBook.contains(book["author_id"] ?? .null) && (book["year"]?.intValue ?? 9999) < 1980
            }
            let answer = try await stack.query("""
                { books(filter: {author: {authoredBooks: {reviews: {rating: {_eq: 5}}}}, year: {_lt: 1980}}) { id } }
                """)
            #expect(answer == ["data": ["books": .array(expected.map { project($0, ["id"]) })]])
            #expect(!expected.isEmpty && expected.count < books.count)

            // An Array relationship filter does not change the children returned.
            let authors = try await reference.rows("authors", "authors", ["id"])
            let booksByAuthor = group(books, by: ["author_id"])
            let withAll = authors.filter { authorsWithFiveStarBook.contains($0["id"]!) }.map { author -> JSON in
                ["id": author["id"]!, "authoredBooks": .array((booksByAuthor[[author["id"]!]] ?? []).map { project($0, ["id"]) })]
            }
            let children = try await stack.query("{ authors(filter: {authoredBooks: {reviews: {rating: {_eq: 5}}}}) { id authoredBooks { id } } }")
            #expect(children == ["data": ["authors": .array(withAll)]])
        }
    }

    @Test func relationshipFiltersInsideRelationshipFieldsAndVariables() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let lowRated = Set(try await reference.rows("reviews", "reviews", ["book_id"], arguments: "(filter: {rating: {_le: 2}})")
                .compactMap { $0["book_id"] })
            let authors = try await reference.rows("authors", "authors", ["id"], arguments: "(limit: 5)")
            let books = group(try await reference.rows("catalog", "books", ["id", "author_id"]), by: ["author_id"])
            let expected: [JSON] = authors.map { author in
                ["id": author["id"]!, "poor": .array(page((books[[author["id"]!]] ?? []).filter { lowRated.contains($0["id"]!) }, limit: 2).map { project($0, ["id"]) })]
            }
            let query = "query($f: BookFilter) { authors(limit: 5) { id poor: authoredBooks(filter: $f, limit: 2) { id } } }"
            let answer = try await stack.query(query, variables: ["f": ["reviews": ["rating": ["_le": 2]]]])
            #expect(answer == ["data": ["authors": .array(expected)]])
            // The same operation with a plain filter plans differently and still answers right.
            let plain = try await stack.query(query, variables: ["f": ["id": ["_eq": "1"]]])
            #expect(plain.at("data", "authors", 0, "poor") == [["id": "1"]])
        }
    }

    @Test func orderByARemoteObjectFieldWithNullsAndTies() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let authors = group(try await reference.rows("authors", "authors", ["id", "name"]), by: ["id"])
            let books = try await reference.rows("catalog", "books", ["id", "year", "author_id"])
            func authorName(_ book: JSONObject) -> JSON? { key(book, ["author_id"]).flatMap { authors[$0]?.first }?["name"] }
            for descending in [false, true] {
                let sorted = books.sorted { left, right in
                    if let order = protocolOrder(authorName(left), authorName(right), descending: descending) { return order }
                    if let order = protocolOrder(left["year"], right["year"], descending: true) { return order }
                    return protocolOrder(left["id"], right["id"], descending: false) ?? false
                }
                let direction = descending ? "DESC" : "ASC"
                let expected = page(sorted, limit: 15, offset: 5).map { book -> JSON in
                    ["id": book["id"]!, "year": book["year"]!, "author": authorName(book).map { ["name": $0] } ?? .null]
                }
                let answer = try await stack.query(
                    "{ books(order: [{author: {name: \(direction)}}, {year: DESC}], limit: 15, offset: 5) { id year author { name } } }")
                #expect(answer == ["data": ["books": .array(expected)]], "\(direction)")
            }
            // Nulls (books without an author) come first ascending.
            let first = try await stack.query("{ books(order: [{author: {name: ASC}}], limit: 1) { author { name } } }")
            #expect(first.at("data", "books", 0, "author") == .null)
        }
    }

    @Test func orderNestedRelationshipsInsideArrayRelationshipsPerParent() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let users = group(try await reference.rows("people", "users", ["id", "name"]), by: ["id"])
            let reviews = try await reference.rows("reviews", "reviews", ["id", "book_id", "user_id", "rating"])
            let books = try await reference.rows("catalog", "books", ["id"], arguments: "(limit: 8)")
            func userName(_ review: JSONObject) -> JSON? { key(review, ["user_id"]).flatMap { users[$0]?.first }?["name"] }
            let byBook = group(reviews, by: ["book_id"])
            let expected: [JSON] = books.map { book in
                let sorted = (byBook[[book["id"]!]] ?? []).sorted { left, right in
                    if let order = protocolOrder(userName(left), userName(right), descending: true) { return order }
                    return protocolOrder(left["id"], right["id"], descending: false) ?? false
                }
                return ["id": book["id"]!, "reviews": .array(page(sorted, limit: 3, offset: 1).map { review in
                    ["id": review["id"]!, "user": userName(review).map { ["name": $0] } ?? .null]
                })]
            }
            let answer = try await stack.query(
                "{ books(limit: 8) { id reviews(order: [{user: {name: DESC}}], limit: 3, offset: 1) { id user { name } } } }")
            #expect(answer == ["data": ["books": .array(expected)]])
        }
    }

    @Test func manyToManyThroughTheJunctionWithDuplicatesFilterOrderAndPaging() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let links = try await reference.rows("catalog", "bookGenres", ["book_id", "genre_id"])
            let genres = try await reference.rows("catalog", "genres", ["id", "name"], arguments: "(order: [{name: DESC}])")
            let books = try await reference.rows("catalog", "books", ["id", "year"])
            // Each book's genres: distinct, in the target order (name DESC), filtered and paged.
            let expectedBooks: [JSON] = books.prefix(60).map { book in
                let linked = Set(links.filter { $0["book_id"] == book["id"] }.compactMap { $0["genre_id"] })
                let ordered = genres.filter { linked.contains($0["id"]!) && $0["name"] != "Poetry" }
                return ["id": book["id"]!, "genres": .array(page(ordered, limit: 2).map { project($0, ["id", "name"]) })]
            }
            let answer = try await stack.query("""
                { books(limit: 60) { id genres(filter: {name: {_ne: "Poetry"}}, order: [{name: DESC}], limit: 2) { id name } } }
                """)
            #expect(answer == ["data": ["books": .array(expectedBooks)]])
            // The seed links some book to the same genre twice: it still appears once.
            let duplicated = Dictionary(grouping: links, by: { "\($0["book_id"]!)/\($0["genre_id"]!)" }).first { $0.value.count > 1 }
            let bookID = try #require(duplicated?.value.first?["book_id"]?.stringValue)
            let once = try await stack.query("{ books(filter: {id: {_eq: \"\(bookID)\"}}) { genres { id } } }")
            let genreIDs = once.at("data", "books", 0, "genres")?.arrayValue?.compactMap { $0["id"] } ?? []
            #expect(genreIDs.count == Set(genreIDs).count && !genreIDs.isEmpty)

            // The other direction, used in a parent filter and nested.
            let fantasyID = try #require(genres.first { $0["name"] == "Fantasy" }?["id"])
            let fantasyBooks = Set(links.filter { $0["genre_id"] == fantasyID }.compactMap { $0["book_id"] })
            let expectedGenre: JSON = [
                "name": "Fantasy",
                "books": .array(books.filter { fantasyBooks.contains($0["id"]!) && ($0["year"]?.intValue ?? 0) > 2000 }
                    .prefix(3).map { project($0, ["id", "year"]) }),
            ]
            let other = try await stack.query(#"""
                { genres(filter: {books: {year: {_gt: 2000}}, name: {_eq: "Fantasy"}}) { name books(filter: {year: {_gt: 2000}}, limit: 3) { id year } } }
                """#)
            #expect(other == ["data": ["genres": [expectedGenre]]])
            let filtered = try await stack.query(#"{ books(filter: {genres: {name: {_eq: "Fantasy"}}}) { id } }"#)
            #expect(filtered.at("data", "books")?.arrayValue?.count == fantasyBooks.count)
        }
    }

    @Test func upstreamRequestsForTheseFeaturesDoNotGrowWithTheData() async throws {
        let query = """
            { books(filter: {author: {authoredBooks: {reviews: {rating: {_ge: 4}}}}}, order: [{author: {name: DESC}}, {id: ASC}], limit: 20) {
                id genres(order: [{name: ASC}], limit: 2) { name books(limit: 2) { id } }
                reviews(order: [{user: {name: ASC}}], limit: 2) { rating } } }
            """
        var counts: [Int] = []
        for scale in [1, 10] {
            try await withStack(scale: scale) { stack in
                let before = try await stack.upstreamRequests()
                let answer = try await stack.query(query)
                #expect(answer["errors"] == nil)
                #expect(answer.at("data", "books")?.arrayValue?.count == 20)
                counts.append(try await stack.upstreamRequests() - before)
            }
        }
        // 3 filter lookups + root + 1 order lookup + genres (junction + target) + genres.books
        // (junction + target) + reviews + its order lookup.
        #expect(counts == [11, 11])
    }

    @Test func badFiltersAndOrdersAreValidationErrors() async throws {
        try await withStack { stack in
            let unknown = try await stack.query(#"{ books(filter: {writer: {name: {_eq: "x"}}}) { id } }"#)
            #expect(unknown.at("errors", 0, "message")?.stringValue?.hasPrefix("Field \"writer\" is not defined by type \"BookFilter\".") == true, "\(unknown)")
            let arrayOrder = try await stack.query("{ authors(order: [{authoredBooks: {year: ASC}}]) { id } }")
            #expect(arrayOrder.at("errors", 0, "message")?.stringValue?.hasPrefix("Field \"authoredBooks\" is not defined by type \"AuthorOrder\".") == true, "\(arrayOrder)")
            let twoFields = try await stack.query("{ books(order: [{author: {name: ASC, country: ASC}}]) { id } }")
            #expect(twoFields.at("errors", 0, "message") == "order[0].author must set exactly one field, got name, country")
        }
    }

    @Test func explainShowsEveryExtraFetch() async throws {
        try await withStack { stack in
            let explain = try await TestHTTP.post(
                await stack.base("gateway") + "/explain",
                body: #"{"query": "{ books(filter: {genres: {name: {_eq: \"Drama\"}}}, order: [{author: {name: ASC}}], limit: 2) { genres { name } } }"}"#
            ).json()
            let text = explain.at("plan", "text")?.stringValue ?? ""
            #expect(text.contains("FilterLookup(0, for: $_gw_filter0, relationship: Book.genres, subgraph: \"catalog\")"), "\(text)")
            #expect(text.contains("then subgraph \"catalog\": query($_gw_where: BookGenreFilter!) { _r: bookGenres(filter: $_gw_where) { _k0: book_id } }"), "\(text)")
            #expect(text.contains("Sort(books, by: author.name ASC, id ASC)"), "\(text)")
            #expect(text.contains("OrderLookup(0, relationship: Book.author, subgraph: \"authors\")"), "\(text)")
            #expect(text.contains("Junction(subgraph: \"catalog\", keys: book_id)"), "\(text)")
        }
    }
}
