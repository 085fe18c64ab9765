import GatewayJSON
import SubgraphKit
import Testing

let note = Model("Note", collection: "notes", fields: [
    .string("title"), .string("body", .nullable), .int("stars", .nullable),
]) { _ in
    [["1", "first", "hello", 3], ["2", "second", nil, 5], ["7", "seventh", "x", nil]]
}

@Suite("Mutations")
struct MutationTests {
    func allNotes(_ subgraph: InProcessSubgraph) async throws -> JSON {
        try await subgraph.query("{ notes { id title body stars } }")
    }

    @Test func createWithAndWithoutId() async throws {
        try await InProcessSubgraph.with(models: [note]) { subgraph async throws in
            let withID = try await subgraph.query(#"mutation { create_Note(input: {id: "n-1", title: "given", stars: 4}) { id title body stars } }"#)
            #expect(withID == ["data": ["create_Note": ["id": "n-1", "title": "given", "body": nil, "stars": 4]]])
            // Generated ids continue the numeric ids: the largest is 7.
            let generated = try await subgraph.query(#"mutation { create_Note(input: {title: "made", body: "b"}) { id title } }"#)
            #expect(generated == ["data": ["create_Note": ["id": "8", "title": "made"]]])
            let again = try await subgraph.query(#"mutation { a: create_Note(input: {title: "x"}) { id } b: create_Note(input: {title: "y"}) { id } }"#)
            #expect(again == ["data": ["a": ["id": "9"], "b": ["id": "10"]]])
            #expect(try await subgraph.ids("{ notes { id } }", field: "notes") == ["1", "10", "2", "7", "8", "9", "n-1"])
        }
    }

    @Test func duplicateIdIsAnErrorAndChangesNothing() async throws {
        try await InProcessSubgraph.with(models: [note]) { subgraph async throws in
            let before = try await allNotes(subgraph)
            let answer = try await subgraph.query(#"mutation { create_Note(input: {id: "2", title: "clash"}) { id } }"#)
            #expect(answer == [
                "data": nil,
                "errors": [[
                    "message": "A Note with id \"2\" already exists.", "locations": [["line": 1, "column": 12]],
                    "path": ["create_Note"], "extensions": ["code": "CONFLICT"],
                ]],
            ])
            #expect(try await allNotes(subgraph) == before)
        }
    }

    @Test func updateByIdAndByFilter() async throws {
        try await InProcessSubgraph.with(models: [note]) { subgraph async throws in
            let byID = try await subgraph.query(#"mutation { update_Note(id: "2", input: {body: "now set", stars: null}) { id body stars } }"#)
            #expect(byID == ["data": ["update_Note": [["id": "2", "body": "now set", "stars": nil]]]])
            let byFilter = try await subgraph.query(
                #"mutation($p: NotePatch!) { update_Note(filter: {body: {_ne: "x"}}, input: $p) { id title stars } }"#,
                variables: ["p": ["stars": 1]])
            #expect(byFilter == ["data": ["update_Note": [["id": "1", "title": "first", "stars": 1], ["id": "2", "title": "second", "stars": 1]]]])
            // id and filter together must both hold; no match updates nothing.
            let none = try await subgraph.query(#"mutation { update_Note(id: "7", filter: {stars: {_eq: 1}}, input: {title: "no"}) { id } }"#)
            #expect(none == ["data": ["update_Note": []]])
            #expect(try await allNotes(subgraph) == [
                "data": ["notes": [
                    ["id": "1", "title": "first", "body": "hello", "stars": 1],
                    ["id": "2", "title": "second", "body": "now set", "stars": 1],
                    ["id": "7", "title": "seventh", "body": "x", "stars": nil],
                ]]
            ])
        }
    }

    @Test func updateRejectsNullForNonNullFieldsAndMissingSelection() async throws {
        try await InProcessSubgraph.with(models: [note]) { subgraph async throws in
            let before = try await allNotes(subgraph)
            let nullTitle = try await subgraph.query(#"mutation { update_Note(id: "1", input: {title: null}) { id } }"#)
            #expect(nullTitle.at("errors", 0, "message") == "Note.title cannot be null.")
            let unscoped = try await subgraph.query(#"mutation { update_Note(input: {title: "all"}) { id } }"#)
            #expect(unscoped.at("errors", 0, "message")
                == "update_Note needs an `id` or a `filter` (pass `filter: {}` to select every row).")
            #expect(try await allNotes(subgraph) == before)
            let everything = try await subgraph.query(#"mutation { update_Note(filter: {}, input: {stars: 2}) { id } }"#)
            #expect(everything == ["data": ["update_Note": [["id": "1"], ["id": "2"], ["id": "7"]]]])
        }
    }

    @Test func deleteReturnsTheDeletedRows() async throws {
        try await InProcessSubgraph.with(models: [note]) { subgraph async throws in
            let deleted = try await subgraph.query(#"mutation { delete_Note(filter: {stars: {_ge: 3}}) { id title } }"#)
            #expect(deleted == ["data": ["delete_Note": [["id": "1", "title": "first"], ["id": "2", "title": "second"]]]])
            #expect(try await subgraph.ids("{ notes { id } }", field: "notes") == ["7"])
            let missing = try await subgraph.query(#"mutation { delete_Note(id: "1") { id } }"#)
            #expect(missing == ["data": ["delete_Note": []]])
        }
    }

    @Test func mutationsRunInOrderAndStopAtTheFirstError() async throws {
        try await InProcessSubgraph.with(models: [note]) { subgraph async throws in
            let answer = try await subgraph.query(#"""
                mutation {
                  a: create_Note(input: {id: "x", title: "one"}) { id }
                  b: update_Note(id: "x", input: {title: "two"}) { title }
                  c: create_Note(input: {id: "x", title: "dup"}) { id }
                  d: delete_Note(id: "x") { id }
                }
                """#)
            #expect(answer.at("errors", 0, "path") == ["c"])
            #expect(answer["data"] == .null)
            // a and b committed; d never ran.
            let x = try await subgraph.query(#"{ notes(filter: {id: {_eq: "x"}}) { title } }"#)
            #expect(x == ["data": ["notes": [["title": "two"]]]])
        }
    }
}
