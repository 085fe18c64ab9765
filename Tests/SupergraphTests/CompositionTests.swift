import Foundation
import GatewayConfig
import GatewayJSON
import GraphQL
import GraphQLSupport
import Supergraph
import TestSupport
import Testing

/// Composes SDL subgraphs with a gateway.yaml text.
func compose(_ subgraphs: [(String, String)], yaml: String = "subgraphs:\n") throws -> Supergraph {
    var text = yaml
    if text == "subgraphs:\n" {
        for (name, _) in subgraphs { text += "  - name: \(name)\n    url: http://127.0.0.1:1/\(name)\n" }
    }
    let schemas = Dictionary(uniqueKeysWithValues: try subgraphs.map { ($0.0, try SchemaModel(sdl: $0.1)) })
    let configuration = try ConfigLoader.resolve(ConfigLoader.decode(yaml: text, file: "test.yaml", environment: [:]), schemas: schemas)
    return try Composer.compose(subgraphs: subgraphs.map { ($0.0, schemas[$0.0]!) }, configuration: configuration)
}

@Suite("Composition")
struct CompositionTests {
    @Test func theDemoSupergraphHasEveryRootFieldNullableAndEveryRelationship() throws {
        let supergraph = try demoSupergraph()
        let query = try #require(supergraph.schemaModel.query)
        #expect(query.fields.count == 27)  // 11 collections, their aggregates, the prices service's 3 and shipping's 2
        #expect(query.field("books")?.type.description == "[Book!]")
        #expect(supergraph.queryOwners["books"] == "catalog" && supergraph.queryOwners["loans"] == "inventory")
        #expect(supergraph.schemaModel["Book"]?.field("author")?.type.description == "Author")
        let reviews = try #require(supergraph.schemaModel["Book"]?.field("reviews"))
        #expect(reviews.type.description == "[Review!]")
        #expect(reviews.arguments.map { "\($0.name): \($0.type)" }
            == ["filter: ReviewFilter", "order: [ReviewOrder!]", "limit: Int", "offset: Int"])
        #expect(supergraph.schemaModel["Loan"]?.field("stock")?.type.description == "Stock")
        let relationshipCount = supergraph.relationships.values.reduce(0) { $0 + $1.count }
        #expect(relationshipCount == 30)
        // Shared operator inputs are merged into one.
        #expect(supergraph.schemaModel.types.filter { $0.name == "IDOperators" }.count == 1)
    }

    @Test func theComposedSchemaValidatesAndSurvivesAnIntrospectionRoundTrip() async throws {
        let supergraph = try demoSupergraph()
        #expect(GraphQL.validateSchema(schema: supergraph.schema).isEmpty)
        let data = try await IntrospectionExecutor(schema: supergraph.schema).execute(document: SchemaModel.introspectionQuery)
        // Introspection says exactly what the model says: types, fields, arguments, input
        // fields and enum values in the same order, with the same descriptions and deprecations.
        #expect(try SchemaModel(introspection: data) == supergraph.schemaModel)
        // The SDL printed from the model parses back to the same model.
        #expect(try SchemaModel(sdl: supergraph.sdl) == supergraph.schemaModel)
    }

    @Test func relationshipFieldsAreDescribedByGatewayYAMLOrByTheirTargetAndMapping() throws {
        let book = try #require(try demoSupergraph().schemaModel["Book"])
        #expect(book.field("author")?.description == "The book's author.")
        // Without `description:`, the field names its target model and mapping.
        let yaml = try String(contentsOfFile: BuildProducts.packageRoot.appendingPathComponent("gateway.yaml").path, encoding: .utf8)
        let undescribed = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("      description:") }.joined(separator: "\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("undescribed-\(UUID().uuidString).yaml").path
        try undescribed.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let generated = try #require(try demoSupergraph(config: path).schemaModel["Book"])
        #expect(generated.field("author")?.description == "Object relationship to model Authors (Author): author_id → id.")
        #expect(generated.field("reviews")?.description == "Array relationship to model Reviews (Review): id → book_id.")
        #expect(generated.field("genres")?.description
            == "Array relationship to model Genres (Genre) through BookGenres: id → book_id, then genre_id → id.")
        // Relationship fields follow the type's own fields, in gateway.yaml's order.
        #expect(generated.fields.map(\.name).suffix(9) == [
            "library", "bookGenres", "author", "reviews", "genres", "pricing",
            "bookGenres_aggregate", "reviews_aggregate", "genres_aggregate",
        ])
    }

    @Test func aRootFieldServedByTwoSubgraphsIsAnErrorNamingBoth() throws {
        let a = "type Query { things: [A!]! }\ntype A { id: ID! }"
        let b = "type Query { things: [B!]! }\ntype B { id: ID! }"
        #expect {
            try compose([("one", a), ("two", b)])
        } throws: { error in
            (error as? CompositionErrors)?.description == "Query.things is served by both one and two; root fields must be unique across subgraphs."
        }
    }

    @Test func anObjectTypeDefinedTwiceIsAnError() throws {
        let a = "type Query { as: [Thing!]! }\ntype Thing { id: ID! }"
        let b = "type Query { bs: [Thing!]! }\ntype Thing { id: ID! }"
        #expect {
            try compose([("one", a), ("two", b)])
        } throws: { error in
            (error as? CompositionErrors)?.description == "Type Thing is defined by both one and two; an object type must belong to one subgraph."
        }
    }

    @Test func sharedInputsMergeWhenIdenticalAndConflictWhenNot() throws {
        let a = "type Query { as(f: Ops): [A!]! }\ntype A { id: ID! }\ninput Ops { _eq: ID, _in: [ID!] }\nenum Ordering { ASC DESC }"
        let same = "type Query { bs(f: Ops): [B!]! }\ntype B { id: ID! }\ninput Ops { _in: [ID!], _eq: ID }\nenum Ordering { DESC ASC }"
        let merged = try compose([("one", a), ("two", same)])
        #expect(merged.schemaModel["Ops"]?.inputFields.count == 2)
        let different = "type Query { bs(f: Ops): [B!]! }\ntype B { id: ID! }\ninput Ops { _eq: String, _in: [ID!] }"
        #expect {
            try compose([("one", a), ("two", different)])
        } throws: { error in
            (error as? CompositionErrors)?.description == "Input type Ops differs between one and two: field _eq is ID in one and String in the other."
        }
        let enumDifferent = "type Query { bs: [B!]! }\ntype B { id: ID! }\nenum Ordering { ASC }"
        #expect {
            try compose([("one", a), ("two", enumDifferent)])
        } throws: { error in
            (error as? CompositionErrors)?.description == "Enum Ordering differs between one and two: values DESC are not in both."
        }
    }

    @Test func interfacesAreRejectedWithAReason() throws {
        let sdl = "type Query { as: [A!]! }\ninterface Node { id: ID! }\ntype A implements Node { id: ID! }"
        #expect {
            try compose([("one", sdl)])
        } throws: { error in
            (error as? CompositionErrors)?.description
                == "Interface Node of one is not supported: the gateway joins object types with scalar fields (subgraph-protocol.md)."
        }
    }
}
