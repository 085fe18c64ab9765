import GatewayJSON
import GraphQLSupport
import SubgraphKit
import Testing

/// Descriptions and deprecations a model declares, as its subgraph serves them.
@Suite("Model descriptions and deprecations")
struct ModelDocumentationTests {
    static let paper = Model(
        "Paper", collection: "papers", description: "A published paper.",
        fields: [
            .string("title").described("The title, as printed."),
            .int("pages", .nullable),
            .string("venue", .nullable).deprecated("Use journal."),
            .string("journal", .nullable),
            .string("doi", .nullable).deprecated(),
        ]
    ) { _ in [["1", "Graphs", 12, "JACM", "Journal of the ACM", nil]] }

    @Test func introspectionServesTheDescriptionsAndDeprecationsInDeclarationOrder() async throws {
        try await InProcessSubgraph.with(models: [Self.paper]) { subgraph in
            let schema = try SchemaModel(introspection: try await subgraph.query(SchemaModel.introspectionQuery))
            let paper = try #require(schema["Paper"])
            #expect(paper.description == "A published paper.")
            #expect(paper.fields.map(\.name) == ["id", "title", "pages", "venue", "journal", "doi"])
            #expect(paper.field("title")?.description == "The title, as printed.")
            #expect(paper.fields.map(\.deprecationReason) == [nil, nil, nil, "Use journal.", nil, "No longer supported"])
            // Without includeDeprecated, introspection leaves the deprecated fields out.
            let current = try await subgraph.query(#"{ __type(name: "Paper") { fields { name } } }"#)
            #expect(current.at("data", "__type", "fields") == [["name": "id"], ["name": "title"], ["name": "pages"], ["name": "journal"]])
            #expect(schema.printSDL().contains("""
                  venue: String @deprecated(reason: "Use journal.")
                  journal: String
                  doi: String @deprecated
                """))
        }
    }

    @Test func aDeprecatedFieldIsStillServed() async throws {
        try await InProcessSubgraph.with(models: [Self.paper]) { subgraph in
            let answer = try await subgraph.query(#"{ papers(filter: {venue: {_eq: "JACM"}}) { id venue journal } }"#)
            #expect(answer == ["data": ["papers": [["id": "1", "venue": "JACM", "journal": "Journal of the ACM"]]]])
        }
    }
}
