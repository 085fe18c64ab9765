import GatewayJSON
import GraphQL
import GraphQLSupport
import QueryPlanner
import Supergraph
import TestSupport
import Testing

/// Plans for representative operations, compared as text with goldens (no network).
@Suite("Query planner")
struct PlannerTests {
    let supergraph: Supergraph
    let documents: DocumentCache

    init() throws {
        supergraph = try demoSupergraph()
        documents = DocumentCache(schema: supergraph.schema)
    }

    func plan(_ query: String, variables: JSONObject = [:], operationName: String? = nil) throws -> QueryPlan {
        let document = try documents.prepare(query)
        let operation = try document.operation(named: operationName)
        return try QueryPlanner(supergraph: supergraph).plan(document: document, operation: operation, variables: variables)
    }

    @Test func aOneSubgraphQueryIsForwardedUnchanged() throws {
        let query = "query Q($n: Int) { books(limit: $n) { id ...F } }\nfragment F on Book { name }"
        let plan = try plan(query)
        #expect(plan.explained == """
            QueryPlan {
              Fetch(0, subgraph: "catalog", forward) {
                query Q($n: Int) { books(limit: $n) { id ...F } }
            fragment F on Book { name }
              }
            }
            """)
        #expect(plan.fetches[0].clientVariables == ["n"])
    }

    @Test func rootFieldsAreGroupedBySubgraphAndFetchedInParallel() throws {
        let plan = try plan("{ a: books(limit: 1) { id } users { name } b: books(offset: 2) { name } __typename }")
        #expect(plan.explained == """
            QueryPlan {
              Parallel {
                Fetch(0, subgraph: "catalog") {
                  query { a: books(limit: 1) { id } b: books(offset: 2) { name } }
                }
                Fetch(1, subgraph: "people") {
                  query { users { name } }
                }
              }
            }
            """)
        #expect(plan.shape.fields.map(\.key) == ["a", "users", "b", "__typename"])
    }

    @Test func nestedRelationshipsWaitOnlyForTheirParents() throws {
        let plan = try plan("""
            query($min: Int) { reviews(limit: 5) { rating
              book { name author { name } bookGenres { genre_id } }
              user { reviews(filter: {rating: {_ge: $min}}, order: [{rating: DESC}], limit: 2) { rating } } } }
            """)
        #expect(plan.explained == """
            QueryPlan {
              Sequence {
                Fetch(0, subgraph: "reviews") {
                  query { reviews(limit: 5) { rating _k0: book_id _k1: user_id } }
                }
                Parallel {
                  Sequence {
                    Flatten(path: "reviews.@.book") {
                      Fetch(1, subgraph: "catalog", relationship: Review.book (Object), after: 0, keys: id) {
                        query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { name _k0: id _k1: author_id } }
                      }
                    }
                    Parallel {
                      Flatten(path: "reviews.@.book.author") {
                        Fetch(2, subgraph: "authors", relationship: Book.author (Object), after: 1, keys: id) {
                          query($_gw_where: AuthorFilter!) { _r: authors(filter: $_gw_where) { name _k0: id } }
                        }
                      }
                      Flatten(path: "reviews.@.book.bookGenres.@") {
                        Fetch(3, subgraph: "catalog", relationship: Book.bookGenres (Array), after: 1, keys: book_id) {
                          query($_gw_where: BookGenreFilter!) { _r: bookGenres(filter: $_gw_where) { genre_id _k0: book_id } }
                        }
                      }
                    }
                  }
                  Sequence {
                    Flatten(path: "reviews.@.user") {
                      Fetch(4, subgraph: "people", relationship: Review.user (Object), after: 0, keys: id) {
                        query($_gw_where: UserFilter!) { _r: users(filter: $_gw_where) { _k0: id } }
                      }
                    }
                    Flatten(path: "reviews.@.user.reviews.@") {
                      Fetch(5, subgraph: "reviews", relationship: User.reviews (Array), after: 4, keys: user_id) {
                        query($_gw_where: ReviewFilter!, $_gw_order: [ReviewOrder!]) { _r: reviews(filter: $_gw_where, order: $_gw_order) { rating _k0: user_id } }
                      }
                    }
                  }
                }
              }
            }
            """)
        guard case .relationship(let relationship) = plan.fetches[5].kind else {
            Issue.record("fetch 5 is not a relationship")
            return
        }
        #expect(relationship.arguments.filter == .object([.init(name: "rating", value: .object([.init(name: "_ge", value: .variable("min"))]))]))
        #expect(relationship.arguments.limit == .constant(2))
        #expect(relationship.sourceKeys == ["_k0"] && relationship.targetKeys == ["_k0"])
    }

    @Test func compositeKeysAndInternalAliasesAvoidTheClientsKeys() throws {
        let plan = try plan("{ loans { _k0: id stock { id } } }")
        #expect(plan.explained == """
            QueryPlan {
              Sequence {
                Fetch(0, subgraph: "inventory") {
                  query { loans { _k0: id _k1: library_id _k2: book_id } }
                }
                Flatten(path: "loans.@.stock") {
                  Fetch(1, subgraph: "inventory", relationship: Loan.stock (Object), after: 0, keys: library_id, book_id) {
                    query($_gw_where: StockFilter!) { _r: stocks(filter: $_gw_where) { id _k0: library_id _k1: book_id } }
                  }
                }
              }
            }
            """)
    }

    @Test func skipAndIncludeAreDecidedByTheVariables() throws {
        let query = "query($deep: Boolean!) { books { name author @include(if: $deep) { name } } }"
        let shallow = try plan(query, variables: ["deep": false])
        #expect(shallow.fetches.count == 1)
        #expect(shallow.fetches[0].query == "query { books { name } }")
        let deep = try plan(query, variables: ["deep": true])
        #expect(deep.fetches.count == 2)
    }

    @Test func mutationsRunOneAfterAnotherEachWithItsRelationships() throws {
        let plan = try plan("""
            mutation { a: create_Review(input: {book_id: "1", user_id: "1", rating: 5}) { id book { name } }
                       b: update_Book(id: "1", input: { name: "x" }) { name } }
            """)
        #expect(plan.explained == """
            QueryPlan {
              Sequence {
                Sequence {
                  Write(0, subgraph: "reviews", field: create_Review, model: Reviews) {
                    WritePlan made from the input when the request runs
                  }
                  Flatten(path: "a.book") {
                    Fetch(1, subgraph: "catalog", relationship: Review.book (Object), after: 0, keys: id) {
                      query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { name _k0: id } }
                    }
                  }
                }
                Fetch(2, subgraph: "catalog") {
                  mutation { b: update_Book(id: "1", input: { name: "x" }) { name } }
                }
              }
            }
            """)
    }
}
