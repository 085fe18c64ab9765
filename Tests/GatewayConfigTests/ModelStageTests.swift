import TestSupport
import GatewayConfig
import GraphQLSupport
import Testing

/// Stage 3: models against their subgraphs' schemas.
@Suite struct ModelStageTests {
    @Test func resolvesFilterAndOrderTypes() throws {
        let raw = try decode(subgraphsYAML + modelsYAML)
        let subgraphs = try ConfigLoader.resolveSubgraphs(raw)
        let models = try ConfigLoader.resolveModels(raw, subgraphs: subgraphs, schemas: DemoSchemas.all())
        #expect(models.count == 11)
        #expect(
            models.first
                == ModelConfig(
                    name: "Users", subgraph: "people", typeName: "User", collection: "users", filterType: "UserFilter",
                    orderType: "UserOrder", location: SourceLocation(file: "gateway.yaml", line: 8, column: 5)))
        #expect(models.map(\.filterType).last == "LoanFilter")
    }

    @Test func everyModelMistakeIsReportedAtItsValue() throws {
        let found = resolveErrors(
            subgraphsYAML + """
                models:
                  - {name: Books, subgraph: catlog, type: Book, collection: books}
                  - {name: Bookz, subgraph: catalog, type: Bok, collection: books}
                  - {name: Filters, subgraph: catalog, type: BookFilter, collection: books}
                  - {name: Genres, subgraph: catalog, type: Genre, collection: genre}
                  - {name: Libraries, subgraph: catalog, type: Library, collection: books}
                  - {name: Books, subgraph: catalog, type: Book, collection: books}
                  - {name: Root, subgraph: catalog, type: Query, collection: books}
                """, schemas: try DemoSchemas.all())
        expectErrors(
            found,
            [
                ("8:29", ["unknown subgraph \"catlog\" in model \"Books\"; did you mean \"catalog\"? known subgraphs: people, authors, catalog, reviews, inventory"]),
                ("9:44", ["unknown type \"Bok\" in subgraph catalog; did you mean \"Book\"? object types of catalog: Book, Genre, BookGenre, Library"]),
                ("10:46", ["type \"BookFilter\" of subgraph catalog is an input object type; a model's type must be an object type such as Book, Genre, BookGenre, Library"]),
                ("11:64", ["subgraph catalog has no query field \"genre\"; did you mean \"genres\"? query fields of catalog: books, genres, bookGenres, libraries"]),
                ("12:69", ["collection \"books\" of subgraph catalog returns [Book!]!, not a list of Library"]),
                ("13:12", ["duplicate model name \"Books\"; it is first declared at gateway.yaml:8:12"]),
                ("14:43", ["type \"Query\" of subgraph catalog is the root operation type"]),
            ])
    }

    @Test func errorsPrintOnePerLineWithTheirLocation() throws {
        let found = resolveErrors(
            subgraphsYAML + """
                models:
                  - {name: Books, subgraph: catlog, type: Book, collection: books}
                  - {name: Books, subgraph: catalog, type: Book, collection: books}
                """, schemas: try DemoSchemas.all())
        #expect(
            ConfigErrors(found).description == """
                gateway.yaml:8:29: unknown subgraph "catlog" in model "Books"; did you mean "catalog"? known subgraphs: people, authors, catalog, reviews, inventory
                gateway.yaml:9:12: duplicate model name "Books"; it is first declared at gateway.yaml:8:12
                """)
    }

    @Test func aCollectionNeedsAFilterArgumentAndMayLackOrder() throws {
        let schema = try SchemaModel(
            sdl: """
                type Query {
                  things: [Thing!]!
                  items(filter: ItemFilter, limit: Int): [Item!]!
                }
                type Thing { id: ID! }
                type Item { id: ID! }
                input ItemFilter { id: IDOperators }
                input IDOperators { _in: [ID!] }
                """)
        let yaml = """
            subgraphs: [{name: things, url: "http://t/graphql"}]
            models:
              - {name: Things, subgraph: things, type: Thing, collection: things}
              - {name: Items, subgraph: things, type: Item, collection: items}
            """
        expectError(
            resolveErrors(yaml, schemas: ["things": schema]), at: "3:63",
            "collection \"things\" of subgraph things has no filter argument; the gateway fetches related rows with filter: {field: {_in: [...]}}"
        )
        let raw = try decode(yaml.replacingOccurrences(of: "  - {name: Things, subgraph: things, type: Thing, collection: things}\n", with: ""))
        let models = try ConfigLoader.resolveModels(
            raw, subgraphs: ConfigLoader.resolveSubgraphs(raw), schemas: ["things": schema])
        #expect(models.map(\.filterType) == ["ItemFilter"])
        #expect(models.map(\.orderType) == [nil])
    }

    @Test func aMissingSchemaIsReported() {
        expectError(
            resolveErrors(
                "subgraphs: [{name: catalog, url: \"http://c/graphql\"}]\nmodels: [{name: Books, subgraph: catalog, type: Book, collection: books}]\n",
                schemas: [:]), at: "2:34", "no schema is known for subgraph \"catalog\" (used by model \"Books\")")
    }

    @Test func modelsAreNotCheckedWhenSubgraphsFail() throws {
        let found = resolveErrors(
            """
            subgraphs:
              - {name: catalog, url: "ftp://c/graphql"}
            models:
              - {name: Books, subgraph: nowhere, type: Nothing, collection: none}
            """, schemas: try DemoSchemas.all())
        expectError(found, at: "2:26", "invalid url \"ftp://c/graphql\"")
    }
}
