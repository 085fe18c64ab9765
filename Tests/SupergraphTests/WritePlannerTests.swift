import GatewayJSON
import GraphQL
import GraphQLSupport
import QueryPlanner
import Supergraph
import TestSupport
import Testing

/// Write plans of nested creates, compared as text with goldens (no network): the order the
/// mappings give, what each row copies, the steps per subgraph and stage, and the undo.
@Suite("Write planner")
struct WritePlannerTests {
    let supergraph: Supergraph
    let documents: DocumentCache

    init() throws {
        supergraph = try demoSupergraph()
        documents = DocumentCache(schema: supergraph.schema)
    }

    /// The query plan of a mutation and the write plan of its first root field.
    func writePlan(_ mutation: String, variables: JSONObject = [:]) throws -> (QueryPlan, Result<WritePlan, WriteInputError>) {
        let document = try documents.prepare(mutation)
        let operation = try document.operation(named: nil)
        let coercion = InputCoercion(schema: supergraph.schemaModel)
        let coerced = try coercion.coerceVariables(operation.variableDefinitions, values: variables)
        let plan = try QueryPlanner(supergraph: supergraph).plan(document: document, operation: operation, variables: coerced)
        guard let fetch = plan.fetches.first(where: { if case .write = $0.kind { true } else { false } }),
            case .write(let root) = fetch.kind, case .create(let many) = root.operation
        else { throw TestFailure("no nested create in \(plan.explained)") }
        let name = many ? "inputs" : "input"
        let value = try #require(root.arguments[name]?.resolve(coerced))
        let typed = try coercion.coerceJSON(value, to: #require(root.argumentTypes[name]), path: name)
        return (plan, Result { () throws(WriteInputError) in try WritePlanner.plan(root, value: typed, supergraph: supergraph) })
    }

    func explained(_ mutation: String, variables: JSONObject = [:]) throws -> String {
        let (plan, result) = try writePlan(mutation, variables: variables)
        return plan.explained(writePlans: [0: result])
    }

    func inputError(_ mutation: String, variables: JSONObject = [:]) throws -> WriteInputError {
        let (_, result) = try writePlan(mutation, variables: variables)
        switch result {
        case .success(let plan): throw TestFailure("expected an input error, got \(plan.explainedLines(indent: "").joined(separator: "\n"))")
        case .failure(let error): return error
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: The schema

    @Test func everyModelInputGainsItsRelationshipsAndTheKeysTheyFillBecomeOptional() throws {
        let schema = supergraph.schemaModel
        let printed = { (name: String) in try #require(schema[name]).inputFields.map { "\($0.name): \($0.type)" } }
        // Passport.owner_id is filled by Passport.owner, or by Author.passport when the passport is nested.
        #expect(try printed("PassportInput") == ["id: ID", "owner_id: ID", "passport_number: String!", "expires: String", "owner: PassportOwnerNestedInput"])
        #expect(try printed("AuthorInput") == [
            "id: ID", "name: String!", "dateOfBirth: String", "country: String",
            "passport: AuthorPassportNestedInput", "authoredBooks: AuthorAuthoredBooksNestedInput",
        ])
        #expect(try printed("AuthorPassportNestedInput") == ["data: PassportInput", "connect: PassportKey"])
        #expect(try printed("AuthorAuthoredBooksNestedInput") == ["data: [BookInput!]", "connect: [BookKey!]"])
        #expect(try printed("BookGenresNestedInput") == ["data: [GenreInput!]", "connect: [GenreKey!]"])
        // Keys that are not an id name their fields.
        #expect(try printed("BookLibraryConnect") == ["name: String!"])
        #expect(try printed("LoanStockConnect") == ["library_id: ID!", "book_id: ID!"])
        let many = try #require(schema.mutation?.field("create_Book_many"))
        #expect("\(many.type) \(many.arguments.map { "\($0.name): \($0.type)" })" == "[Book!] [\"inputs: [BookInput!]!\"]")
        #expect(supergraph.writes.mutations["create_Book_many"] == .create(model: "Books", many: true))
        #expect(supergraph.writes.mutations["delete_Author"] == .delete(model: "Authors"))
        #expect(supergraph.writes.mutations["delete_Review"] == nil)
    }

    // MARK: Order from the mapping

    @Test func aSingleRowIsOneRequestWithTheSubgraphsOwnID() throws {
        let text = try explained(#"mutation { create_Author(input: {name: "A"}) { id name } }"#)
        #expect(text == """
            QueryPlan {
              Write(0, subgraph: "authors", field: create_Author, model: Authors) {
                WritePlan {
                  Stage(0) {
                    Step(0, subgraph: "authors") {
                      row0: create Author at input {name: "A"}
                      mutation($row0: AuthorInput!) { row0: create_Author(input: $row0) { id name _w0: id } }
                    }
                  }
                }
              }
            }
            """)
    }

    @Test func theTargetHoldsTheKeySoTheSourceIsWrittenFirst() throws {
        // Author.id -> Passport.owner_id and Author.id -> Book.author_id: the author first,
        // its id copied into the passport and each book; a book's reviews after the book.
        let text = try explained("""
            mutation { create_Author(input: {name: "A", passport: {data: {passport_number: "P1"}},
              authoredBooks: {data: [{name: "B1", reviews: {data: [{user_id: "1", rating: 4}]}}, {name: "B2"}]}}) {
              name passport { passport_number } } }
            """)
        #expect(text == """
            QueryPlan {
              Sequence {
                Write(0, subgraph: "authors", field: create_Author, model: Authors) {
                  WritePlan {
                    Stage(0) {
                      Step(0, subgraph: "authors") {
                        row0: create Author at input {id: <new id>, name: "A"}
                        mutation($row0: AuthorInput!) { row0: create_Author(input: $row0) { name _k0: id _w0: id } }
                      }
                    }
                    Stage(1, parallel) {
                      Step(1, subgraph: "authors") {
                        row1: create Passport at input.passport.data {id: <new id>, passport_number: "P1", owner_id: row0.id}
                        mutation($row1: PassportInput!) { row1: create_Passport(input: $row1) { _w0: id } }
                      }
                      Step(2, subgraph: "catalog") {
                        row2: create Book at input.authoredBooks.data[0] {id: <new id>, name: "B1", author_id: row0.id}
                        row4: create Book at input.authoredBooks.data[1] {id: <new id>, name: "B2", author_id: row0.id}
                        mutation($row2: BookInput!, $row4: BookInput!) { row2: create_Book(input: $row2) { _w0: id } row4: create_Book(input: $row4) { _w0: id } }
                      }
                    }
                    Stage(2) {
                      Step(3, subgraph: "reviews") {
                        row3: create Review at input.authoredBooks.data[0].reviews.data[0] {id: <new id>, user_id: "1", rating: 4, book_id: row2.id}
                        mutation($row3: ReviewInput!) { row3: create_Review(input: $row3) { _w0: id } }
                      }
                    }
                    OnFailure(undo the finished steps, last first) {
                      Step(3): delete Review row3
                      Step(2): delete Book row2; delete Book row4
                      Step(1): delete Passport row1
                      Step(0): delete Author row0
                    }
                  }
                }
                Flatten(path: "create_Author.passport") {
                  Fetch(1, subgraph: "authors", relationship: Author.passport (Object), after: 0, keys: owner_id) {
                    query($_gw_where: PassportFilter!) { _r: passports(filter: $_gw_where) { passport_number _k0: owner_id } }
                  }
                }
              }
            }
            """)
    }

    @Test func theSourceHoldsTheKeySoTheTargetIsWrittenFirst() throws {
        // Passport.owner_id -> Author.id, the other direction of the same 1:1.
        let text = try explained(#"mutation { create_Passport(input: {passport_number: "P9", owner: {data: {name: "O"}}}) { id } }"#)
        #expect(text.contains("""
                  Stage(0) {
                    Step(0, subgraph: "authors") {
                      row1: create Author at input.owner.data {id: <new id>, name: "O"}
                      mutation($row1: AuthorInput!) { row1: create_Author(input: $row1) { _w0: id } }
                    }
                  }
                  Stage(1) {
                    Step(1, subgraph: "authors") {
                      row0: create Passport at input {id: <new id>, passport_number: "P9", owner_id: row1.id}
                      mutation($row0: PassportInput!) { row0: create_Passport(input: $row0) { id _w0: id } }
                    }
                  }
            """))
    }

    @Test func aNonIDKeyIsCopiedFromTheWrittenRow() throws {
        // Book.library_name -> Library.name: the library first, its name copied; and
        // Library.books the other way round.
        let (_, result) = try writePlan("""
            mutation { create_Book(input: {name: "B", library: {data: {name: "L", books: {data: [{name: "C"}]}}}}) { id } }
            """)
        let plan = try result.get()
        #expect(plan.rows.map { "\($0.alias) \($0.typeName) \($0.fields.map { "\($0.name)=\($0.value.description)" }.joined(separator: " "))" } == [
            "row0 Book id=<new id> name=\"B\" library_name=row1.name",
            "row1 Library id=<new id> name=\"L\"",
            "row2 Book id=<new id> name=\"C\" library_name=row1.name",
        ])
        #expect(plan.stages.map { $0.flatMap { plan.steps[$0].rows } } == [[1], [0, 2]])
        #expect(plan.steps[0].query == "mutation($row1: LibraryInput!) { row1: create_Library(input: $row1) { _w0: id _w1: name } }")
    }

    @Test func aCompositeKeyIsCopiedPairByPair() throws {
        let (_, result) = try writePlan("""
            mutation { create_Loan(input: {user_id: "1", returned: false, stock: {data: {library_id: "2", book_id: "3", copies: 1, on_loan: 1}}}) { id } }
            """)
        let plan = try result.get()
        #expect(plan.rows[0].fields.map(\.name) == ["id", "user_id", "returned", "library_id", "book_id"])
        #expect(plan.rows[0].value(of: "library_id") == .copy(row: 1, field: "library_id"))
        #expect(plan.rows[0].value(of: "book_id") == .copy(row: 1, field: "book_id"))
    }

    // MARK: Connect

    @Test func connectLinksByKeyAfterALookup() throws {
        let text = try explained("""
            mutation { create_Author(input: {name: "A", authoredBooks: {connect: [{id: "5"}, {id: "7"}]}}) { id } }
            """)
        #expect(text == """
            QueryPlan {
              Write(0, subgraph: "authors", field: create_Author, model: Authors) {
                WritePlan {
                  Lookup(0, subgraph: "catalog", model: Books, id in ["5", "7"] must exist) {
                    query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { _w0: id _w1: author_id } }
                  }
                  Stage(0) {
                    Step(0, subgraph: "authors") {
                      row0: create Author at input {id: <new id>, name: "A"}
                      mutation($row0: AuthorInput!) { row0: create_Author(input: $row0) { id _w0: id } }
                    }
                  }
                  Stage(1) {
                    Step(1, subgraph: "catalog") {
                      row1: link Book "5" (lookup 0) at input.authoredBooks.connect[0] {author_id: row0.id}
                      row2: link Book "7" (lookup 0) at input.authoredBooks.connect[1] {author_id: row0.id}
                      mutation($row1_id: ID!, $row1: BookPatch!, $row2_id: ID!, $row2: BookPatch!) { row1: update_Book(id: $row1_id, input: $row1) { _w0: id } row2: update_Book(id: $row2_id, input: $row2) { _w0: id } }
                    }
                  }
                  OnFailure(undo the finished steps, last first) {
                    Step(1): restore author_id of Book "5"; restore author_id of Book "7"
                    Step(0): delete Author row0
                  }
                }
              }
            }
            """)
    }

    @Test func connectWhereTheSourceHoldsTheKeySetsItAfterALookup() throws {
        let (_, result) = try writePlan(#"mutation { create_Book(input: {name: "B", author: {connect: {id: "3"}}}) { id } }"#)
        let plan = try result.get()
        #expect(plan.rows.count == 1)
        #expect(plan.rows[0].value(of: "author_id") == .literal("3"))
        #expect(plan.lookups.map { "\($0.purpose) \($0.model) \($0.keys)" } == [#"connect Authors [["3"]]"#])
    }

    @Test func manyToManyWritesJunctionRowsAfterBothSides() throws {
        let (_, result) = try writePlan("""
            mutation { create_Book(input: {name: "B", genres: {data: [{name: "G"}], connect: [{id: "2"}]}}) { id } }
            """)
        let plan = try result.get()
        #expect(plan.steps.map { step in "\(step.stage): " + step.rows.map { plan.describe($0) }.joined(separator: " | ") } == [
            "0: row0: create Book at input {id: <new id>, name: \"B\"} | row1: create Genre at input.genres.data[0] {id: <new id>, name: \"G\"}",
            "1: row2: create BookGenre at input.genres.data[0] (its BookGenre link) {id: <new id>, book_id: row0.id, genre_id: row1.id} | row3: create BookGenre at input.genres.connect[0] (its BookGenre link) {id: <new id>, book_id: row0.id, genre_id: \"2\"}",
        ])
        #expect(plan.lookups.map(\.model) == ["Genres"])
    }

    @Test func createManyPlansEveryInputInOnePlan() throws {
        let (_, result) = try writePlan("""
            mutation($rows: [BookInput!]!) { create_Book_many(inputs: $rows) { id name } }
            """, variables: ["rows": [["name": "X", "author_id": "1"], ["name": "Y", "author": ["data": ["name": "New"]]]]])
        let plan = try result.get()
        #expect(plan.roots == [0, 1])
        #expect(plan.stages.map { $0.flatMap { plan.steps[$0].rows } } == [[0, 2], [1]])
        #expect(plan.rows.map(\.path) == ["inputs[0]", "inputs[1]", "inputs[1].author.data"])
        // The root rows answer the client's selection.
        #expect(plan.steps[plan.rows[1].step].query.contains("row1: create_Book(input: $row1) { id name _w0: id }"))
    }

    @Test func givenIDsAreCheckedToBeFreeBeforeWriting() throws {
        let (_, result) = try writePlan(#"mutation { create_Author(input: {id: "a1", name: "A", authoredBooks: {data: [{id: "b1", name: "B"}]}}) { id } }"#)
        let plan = try result.get()
        #expect(plan.lookups.map { "\($0.purpose) \($0.model) \($0.keys) \($0.paths)" } == [
            #"newIDs Authors [["a1"]] ["input"]"#, #"newIDs Books [["b1"]] ["input.authoredBooks.data[0]"]"#,
        ])
        #expect(plan.rows[1].value(of: "author_id") == .copy(row: 0, field: "id"))
    }

    // MARK: Cascading deletes

    @Test func deleteReadsEveryRuleFirstAndWritesFromTheDeepestLevel() throws {
        let document = try documents.prepare(#"mutation { delete_Library(id: "1") { name books { name } } }"#)
        let plan = try QueryPlanner(supergraph: supergraph).plan(document: document, operation: try document.operation(named: nil), variables: [:])
        #expect(plan.explained == """
            QueryPlan {
              Sequence {
                Write(0, subgraph: "catalog", field: delete_Library, model: Libraries) {
                  Cascade {
                    Read(subgraph: "catalog", Library) {
                      query($_gw_where: LibraryFilter!) { _r: libraries(filter: $_gw_where) { _w0: id _w1: name _w2: city } }
                    }
                    Level(1, parallel) {
                      Rule(0, Library.books restrict, subgraph: "catalog", Book by library_name) {
                        read: query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { _w0: id } }
                        refuse the delete if any row is found
                      }
                      Rule(1, Library.stock cascade, subgraph: "inventory", Stock by library_id) {
                        read: query($_gw_where: StockFilter!) { _r: stocks(filter: $_gw_where) { _w0: id _w3: library_id _w4: book_id _w5: copies _w6: on_loan } }
                        write: mutation($_gw_ids: [ID!]) { _r: delete_Stock(filter: {id: {_in: $_gw_ids}}) { _w0: id } }
                      }
                    }
                    Writes(deepest level first: level 1, then the delete)
                    Delete(subgraph: "catalog") {
                      mutation($_gw_ids: [ID!]) { _r: delete_Library(filter: {id: {_in: $_gw_ids}}) { name _k0: name } }
                    }
                    OnFailure(re-create the deleted rows with their ids and restore the nulled keys, last write first)
                  }
                }
                Flatten(path: "delete_Library.@.books.@") {
                  Fetch(1, subgraph: "catalog", relationship: Library.books (Array), after: 0, keys: library_name) {
                    query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { name _k0: library_name } }
                  }
                }
              }
            }
            """)
    }

    @Test func aDeleteWithoutRulesIsForwardedAsBefore() throws {
        let document = try documents.prepare(#"mutation { delete_Review(id: "1") { id } }"#)
        let plan = try QueryPlanner(supergraph: supergraph).plan(document: document, operation: try document.operation(named: nil), variables: [:])
        #expect(plan.fetches.map(\.kind) == [.forward])
    }

    // MARK: Invalid input

    @Test func invalidNestedInputIsRefusedBeforeWriting() throws {
        let cases: [(String, String, String)] = [
            (#"create_Book(input: {name: "B", author: {data: {name: "A"}, connect: {id: "1"}}})"#,
             "input.author", "input.author: give data or connect, not both."),
            (#"create_Book(input: {name: "B", author: {}})"#,
             "input.author", "input.author: give data (a row to create) or connect (an existing row's key)."),
            (#"create_Book(input: {name: "B", author_id: "2", author: {connect: {id: "1"}}})"#,
             "input.author_id", #"input.author_id is "2" but input.author.connect sets it to "1"; leave author_id out or make them agree."#),
            (#"create_Author(input: {name: "A", passport: {data: {passport_number: "P", owner: {connect: {id: "1"}}}}})"#,
             "input.passport.data.owner_id",
             "input.passport.data.owner_id is set both by the parent Author at input (passport) and by input.passport.data.owner.connect; give only one of them."),
            (#"create_Author(input: {id: "a9", name: "A", passport: {data: {passport_number: "P", owner_id: "a8"}}})"#,
             "input.passport.data.owner_id",
             #"input.passport.data.owner_id is "a8" but the parent Author at input (passport) sets it to "a9"; leave owner_id out or make them agree."#),
            (#"create_Review(input: {rating: 3, user_id: "1"})"#,
             "input", "input: Review.book_id is required; give book_id or book."),
            (#"create_Author(input: {name: "A", authoredBooks: {data: [{id: "x", name: "B"}, {id: "x", name: "C"}]}})"#,
             "input.authoredBooks.data[1]", #"input.authoredBooks.data[1]: the id "x" is given to two new Book rows (the other at input.authoredBooks.data[0])."#),
        ]
        for (field, path, message) in cases {
            let error = try inputError("mutation { \(field) { id } }")
            #expect(error == WriteInputError(message, at: path), "\(field)")
        }
    }

    @Test func aKeySetByHandThatAgreesIsAccepted() throws {
        let (_, result) = try writePlan(#"mutation { create_Author(input: {id: "a9", name: "A", passport: {data: {passport_number: "P", owner_id: "a9"}}}) { id } }"#)
        #expect(try result.get().rows[1].value(of: "owner_id") == .copy(row: 0, field: "id"))
    }
}

extension FieldValue {
    var description: String {
        switch self {
        case .literal(let json): return json.description
        case .copy(let row, let field): return "row\(row).\(field)"
        case .generatedID: return "<new id>"
        }
    }
}
