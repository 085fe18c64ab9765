import Foundation
import GatewayJSON
import TestSupport
import Testing

/// The composed schema as schema browsers and code generators read it through the gateway:
/// declaration order, descriptions and deprecations from the subgraphs and gateway.yaml.
@Suite("The composed schema as clients see it", .serialized)
struct SchemaPresentationTests {
    @Test func bookReadsInDeclarationOrderWithDescriptionsAndItsDeprecatedFieldStillWorks() async throws {
        try await withStack { stack in
            let answer = try await stack.query("""
                {
                  __type(name: "Book") {
                    description
                    fields { name description }
                    all: fields(includeDeprecated: true) { name isDeprecated deprecationReason }
                  }
                  filter: __type(name: "BookFilter") { inputFields { name } }
                  books(filter: {id: {_in: ["1", "2"]}}, order: [{id: ASC}]) { id genre }
                }
                """)
            #expect(answer.at("data", "__type", "description") == "A book in the catalog, held by at most one library.")
            // The catalog's fields as it declares them, shipping's (federation) as its SDL does,
            // then the relationships in gateway.yaml's order and their aggregates.
            let own = ["id", "name", "description", "year", "price", "author_id", "library_name"]
            let shipping = ["shippingEstimate", "deliveryDays", "shipments"]
            let relationships = ["library", "bookGenres", "author", "reviews", "genres", "pricing"]
            let aggregates = ["bookGenres_aggregate", "reviews_aggregate", "genres_aggregate"]
            let fields = answer.at("data", "__type", "fields")?.arrayValue ?? []
            #expect(fields.compactMap { $0["name"]?.stringValue } == own + shipping + relationships + aggregates)
            let descriptions = Dictionary(
                fields.map { ($0["name"]?.stringValue ?? "", $0["description"] ?? .null) }, uniquingKeysWith: { first, _ in first })
            #expect(descriptions["name"] == "The title.")
            #expect(descriptions["deliveryDays"] == "Days to deliver, from the book's id.")
            #expect(descriptions["author"] == "The book's author.")

            let all = answer.at("data", "__type", "all")?.arrayValue ?? []
            #expect(all.compactMap { $0["name"]?.stringValue } == ["id", "name", "description", "genre"] + own.dropFirst(3) + shipping + relationships + aggregates)
            #expect(all.first { $0["name"] == "genre" } == [
                "name": "genre", "isDeprecated": true,
                "deprecationReason": "A book can have several genres: use genres, linked through BookGenres.",
            ])
            #expect(all.filter { $0["isDeprecated"] == true }.count == 1)

            let filter = answer.at("data", "filter", "inputFields")?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(Array(filter.prefix(11)) == ["id", "name", "description", "genre", "year", "price", "author_id", "library_name", "_and", "_or", "_not"])
            #expect(answer.at("data", "books") == [["id": "1", "genre": "Fiction"], ["id": "2", "genre": "Mystery"]])
        }
    }

    /// graphql-core's `build_client_schema`, as code generators use it, over the gateway's
    /// introspection prints the same schema as `gateway compose` (Tests/introspection/client_schema.py).
    @Test func aClientRebuildingTheSchemaFromIntrospectionGetsTheComposedSDL() async throws {
        try await withStack { stack in
            let (status, sdl) = try await runGateway(
                ["compose", "--config", LocalStack.configPath, "--wait", "5"], environment: await stack.environment)
            #expect(status == 0)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("supergraph-\(UUID().uuidString).graphql").path
            try sdl.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let script = BuildProducts.packageRoot.appendingPathComponent("Tests/introspection/client_schema.py").path
            let url = await stack.url("gateway")
            let check = try ManagedProcess("/usr/bin/env", arguments: ["python3", script, url, path], name: "client_schema")
            let checkStatus = await check.waitForExit(timeout: .seconds(120))
            await check.stop()
            #expect(checkStatus == 0, "\(check.outputText)")
            #expect(check.outputText.hasPrefix("same"), "\(check.outputText)")
        }
    }
}
