import GatewayJSON
import TestSupport
import Testing

@Suite("Relationships end to end over the demo stack")
struct RelationshipTests {
    /// Every relationship of demo-domain.md over every source row: dangling keys, null keys,
    /// composite keys and non-id keys included. The expected answer is joined here from
    /// direct subgraph reads.
    @Test func allTwentyThreeRelationshipsOverAllRows() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            for relationship in demoRelationships {
                let sourceKeys = relationship.mapping.map(\.0)
                let targetKeys = relationship.mapping.map(\.1)
                let targetFields = ["id"] + targetKeys.filter { $0 != "id" }
                let sources = try await reference.rows(
                    relationship.sourceSubgraph, relationship.sourceCollection, ["id"] + sourceKeys.filter { $0 != "id" })
                let targets = try await reference.rows(relationship.targetSubgraph, relationship.targetCollection, targetFields)
                let byKey = group(targets, by: targetKeys)
                let expected: [JSON] = sources.map { source in
                    let related = key(source, sourceKeys).flatMap { byKey[$0] } ?? []
                    let value: JSON = relationship.isArray
                        ? .array(related.map { project($0, targetFields) })
                        : related.first.map { project($0, targetFields) } ?? .null
                    return .object(JSONObject([("id", source["id"]!), (relationship.field, value)]))
                }
                let answer = try await stack.query(
                    "{ \(relationship.sourceCollection) { id \(relationship.field) { \(targetFields.joined(separator: " ")) } } }")
                #expect(answer == ["data": [relationship.sourceCollection: .array(expected)]], "\(relationship)")
                // Where the seed has dangling or null keys, some parents really have no related row.
                if [1, 2, 3, 4, 5, 11, 12, 13, 14, 16, 22].contains(relationship.number) {
                    #expect(expected.contains { $0[relationship.field] == .null || $0[relationship.field] == [] }, "\(relationship)")
                }
            }
        }
    }

    @Test func fourLevelsAcrossFourSubgraphs() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let reviews = try await reference.rows("reviews", "reviews", ["id", "rating", "book_id", "user_id"], arguments: "(limit: 60)")
            let books = group(try await reference.rows("catalog", "books", ["id", "name", "author_id"]), by: ["id"])
            let booksByAuthor = group(try await reference.rows("catalog", "books", ["id", "name", "author_id"]), by: ["author_id"])
            let authors = group(try await reference.rows("authors", "authors", ["id", "name"]), by: ["id"])
            let reviewsByBook = group(
                try await reference.rows("reviews", "reviews", ["id", "rating", "book_id", "user_id"], arguments: "(order: [{rating: DESC}])"),
                by: ["book_id"])
            let users = group(try await reference.rows("people", "users", ["id", "name"]), by: ["id"])

            func user(_ review: JSONObject) -> JSON {
                key(review, ["user_id"]).flatMap { users[$0]?.first }.map { project($0, ["name"]) } ?? .null
            }
            let expected: [JSON] = reviews.map { review in
                let book = key(review, ["book_id"]).flatMap { books[$0]?.first }
                let bookJSON: JSON = book.map { book in
                    let author = key(book, ["author_id"]).flatMap { authors[$0]?.first }
                    let authorJSON: JSON = author.map { author in
                        let authored = page(booksByAuthor[[author["id"]!]] ?? [], limit: 3)
                        return [
                            "name": author["name"]!,
                            "authoredBooks": .array(authored.map { authoredBook in
                                let bookReviews = page(reviewsByBook[[authoredBook["id"]!]] ?? [], limit: 2)
                                return [
                                    "name": authoredBook["name"]!,
                                    "reviews": .array(bookReviews.map { ["rating": $0["rating"]!, "user": user($0)] }),
                                ]
                            }),
                        ]
                    } ?? .null
                    return ["name": book["name"]!, "author": authorJSON]
                } ?? .null
                return ["id": review["id"]!, "book": bookJSON, "user": user(review)]
            }
            let answer = try await stack.query("""
                { reviews(limit: 60) { id
                    book { name author { name authoredBooks(limit: 3) { name reviews(limit: 2, order: [{rating: DESC}]) { rating user { name } } } } }
                    user { name } } }
                """)
            #expect(answer == ["data": ["reviews": .array(expected)]])
            // Dangling and deep paths both occur in the data used.
            #expect(expected.contains { $0["book"] == .null })
            #expect(expected.contains { $0.at("book", "author", "authoredBooks", 0, "reviews", 0, "user") != nil })
        }
    }

    @Test func perParentLimitOffsetFilterAndOrder() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let authors = try await reference.rows("authors", "authors", ["id", "name"])
            let ordered = try await reference.rows(
                "catalog", "books", ["id", "year", "price", "author_id"],
                arguments: "(filter: {year: {_gt: 1980}}, order: [{price: DESC}, {year: ASC}])")
            let byAuthor = group(ordered, by: ["author_id"])
            let expected: [JSON] = authors.map { author in
                [
                    "name": author["name"]!,
                    "top": .array(page(byAuthor[[author["id"]!]] ?? [], limit: 2, offset: 1).map { project($0, ["id", "price", "year"]) }),
                    "all": .int((byAuthor[[author["id"]!]] ?? []).count),
                ]
            }
            let answer = try await stack.query("""
                { authors { name
                    top: authoredBooks(filter: {year: {_gt: 1980}}, order: [{price: DESC}, {year: ASC}], limit: 2, offset: 1) { id price year }
                    all: authoredBooks(filter: {year: {_gt: 1980}}) { id } } }
                """)
            // `all` is compared by count; `top` by exact rows.
            let counted: [JSON] = (answer.at("data", "authors")?.arrayValue ?? []).map { author in
                ["name": author["name"]!, "top": author["top"]!, "all": .int(author["all"]?.arrayValue?.count ?? -1)]
            }
            #expect(counted == expected)
            #expect(expected.contains { ($0["all"]?.intValue ?? 0) > 3 }, "some author has more rows than the page")
        }
    }

    @Test func fragmentsVariablesAliasesAndDirectives() async throws {
        try await withStack { stack in
            let reference = Reference(stack: stack)
            let books = try await reference.rows("catalog", "books", ["id", "name", "year", "author_id"], arguments: "(filter: {year: {_ge: 2000}}, limit: 6)")
            let authors = group(try await reference.rows("authors", "authors", ["id", "name", "country"]), by: ["id"])
            let reviews = group(try await reference.rows("reviews", "reviews", ["id", "rating", "book_id"], arguments: "(filter: {rating: {_ge: 4}})"), by: ["book_id"])
            let expected: [JSON] = books.map { book in
                let author = key(book, ["author_id"]).flatMap { authors[$0]?.first }
                return [
                    "__typename": "Book", "id": book["id"]!, "title": book["name"]!,
                    "writer": author.map { ["__typename": "Author", "name": $0["name"]!] } ?? .null,
                    "good": .array(page(reviews[[book["id"]!]] ?? [], limit: 1).map { ["stars": $0["rating"]!] }),
                    "same": author.map { ["country": $0["country"]!] } ?? .null,
                ]
            }
            let answer = try await stack.query(
                """
                query Q($since: Int!, $min: Int, $withYear: Boolean!, $one: Int = 1) {
                  list: books(filter: {year: {_ge: $since}}, limit: 6) {
                    ...BookParts
                    year @include(if: $withYear)
                    good: reviews(filter: {rating: {_ge: $min}}, limit: $one) { stars: rating }
                    same: author { country }
                  }
                }
                fragment BookParts on Book {
                  __typename id title: name
                  writer: author { ... on Author { __typename name } author_id: id @skip(if: true) }
                }
                """, variables: ["since": 2000, "min": 4, "withYear": false])
            #expect(answer == ["data": ["list": .array(expected)]])
        }
    }

    @Test func introspectionMixedWithDataAndForwardedQueries() async throws {
        try await withStack { stack in
            let direct = try await stack.query("{ books(limit: 3, order: [{name: ASC}]) { id name price } }", to: "catalog")
            let forwarded = try await stack.query("{ books(limit: 3, order: [{name: ASC}]) { id name price } }")
            #expect(forwarded == direct)
            let mixed = try await stack.query("""
                { __typename t: __type(name: "Book") { name fields { name } } libraries(limit: 1) { name stock(limit: 1) { copies } } }
                """)
            #expect(mixed.at("data", "__typename") == "Query")
            #expect(mixed.at("data", "t", "name") == "Book")
            let fields = mixed.at("data", "t", "fields")?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(Set(fields).isSuperset(of: ["author", "reviews", "library", "bookGenres", "name", "author_id"]))
            #expect(mixed.at("data", "libraries", 0, "stock", 0, "copies")?.intValue != nil)
        }
    }

    @Test func mutationsRunInOrderAndTheirResultsJoin() async throws {
        try await withStack { stack in
            let answer = try await stack.query("""
                mutation {
                  review: create_Review(input: {id: "r-new", book_id: "1", user_id: "2", rating: 5, body: "Ærø!"}) {
                    id rating book { name author { name } } user { name reviews(filter: {id: {_eq: "r-new"}}) { id } }
                  }
                  renamed: update_User(id: "2", input: {name: "Renamed"}) { id name reviews(filter: {id: {_eq: "r-new"}}) { body } }
                }
                """)
            let user = try await stack.query(#"{ users(filter: {id: {_eq: "2"}}) { name } }"#, to: "people")
            #expect(user == ["data": ["users": [["name": "Renamed"]]]])
            // The review's user was read before the rename (serial execution).
            let originalName = answer.at("data", "review", "user", "name")
            #expect(originalName != "Renamed" && originalName != nil)
            #expect(answer == [
                "data": [
                    "review": [
                        "id": "r-new", "rating": 5, "book": ["name": "Gulistan", "author": ["name": "Saadi Shīrāzī"]],
                        "user": ["name": originalName!, "reviews": [["id": "r-new"]]],
                    ],
                    "renamed": [["id": "2", "name": "Renamed", "reviews": [["body": "Ærø!"]]]],
                ]
            ])
        }
    }
}
