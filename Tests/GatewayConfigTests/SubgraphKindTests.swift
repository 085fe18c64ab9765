import GatewayConfig
import GraphQLSupport
import TestSupport
import Testing

/// `protocol:` of a subgraph and `lookup:` of a model on a `graphql` subgraph.
@Suite struct SubgraphKindTests {
    /// The five demo subgraphs (lines 2-6) and prices as a graphql subgraph (line 7), then
    /// `models:` on line 8.
    static let prefix = """
        subgraphs:
          - {name: people, url: "http://127.0.0.1:4001/graphql"}
          - {name: authors, url: "http://127.0.0.1:4002/graphql"}
          - {name: catalog, url: "http://127.0.0.1:4003/graphql"}
          - {name: reviews, url: "http://127.0.0.1:4004/graphql"}
          - {name: inventory, url: "http://127.0.0.1:4005/graphql"}
          - {name: prices, url: "http://127.0.0.1:4007/graphql", protocol: graphql}
        models:
          - {name: Books, subgraph: catalog, type: Book, collection: books}

        """

    func resolved(_ yaml: String) throws -> GatewayConfiguration {
        try ConfigLoader.resolve(decode(yaml), schemas: DemoSchemas.all())
    }

    @Test func aModelOnAGraphQLSubgraphReachesItsRowsThroughALookup() throws {
        let config = try resolved(Self.prefix + """
              - {name: Prices, subgraph: prices, type: Price, lookup: {field: priceByBookId, argument: id, key: book_id}}
              - {name: PriceLists, subgraph: prices, type: Price, lookup: {field: pricesByBookIds, argument: ids, key: book_id}}
            relationships:
              - kind: Relationship
                version: v1
                definition:
                  source: Book
                  name: pricing
                  target: {model: {name: Prices, relationshipType: Object}}
                  mapping: [{source: {fieldPath: [{fieldName: id}]}, target: {modelField: [{fieldName: book_id}]}}]
            """)
        #expect(config.subgraph(named: "prices")?.protocol == .graphql)
        #expect(config.subgraph(named: "catalog")?.protocol == .model)
        #expect(config.model(named: "Prices")?.lookup == LookupConfig(
            field: "priceByBookId", argument: "id", argumentType: "ID!", isList: false, keyField: "book_id", scalarType: "ID"))
        #expect(config.model(named: "PriceLists")?.lookup == LookupConfig(
            field: "pricesByBookIds", argument: "ids", argumentType: "[ID!]!", isList: true, keyField: "book_id", scalarType: "ID"))
        #expect(config.model(named: "Prices")?.hasCollection == false)
        #expect(config.relationships.map(\.name) == ["pricing"])
    }

    @Test func protocolsAndLookupsAreCheckedWithTheirLocations() throws {
        expectError(
            decodeErrors("subgraphs:\n  - {name: prices, url: \"http://x/graphql\", protocol: graphq}\n"), at: "2:55",
            "invalid protocol \"graphq\" for subgraph \"prices\"; did you mean \"graphql\"?", "expected model, graphql or federation")
        expectError(
            decodeErrors(Self.prefix + "  - {name: Prices, subgraph: prices, type: Price}\n"), at: "10:5",
            "model \"Prices\" needs a collection (a root field listing its rows), or a lookup")
        expectErrors(
            resolveErrors(
                Self.prefix + """
                  - {name: Wrong, subgraph: catalog, type: Book, collection: books, lookup: {field: books, argument: filter}}
                  - {name: P1, subgraph: prices, type: Price, lookup: {field: priceById, argument: id}}
                  - {name: P2, subgraph: prices, type: Price, lookup: {field: priceByBookId, argument: bookId}}
                  - {name: P4, subgraph: prices, type: Price, lookup: {field: priceByBookId, argument: id}}
                  - {name: P5, subgraph: prices, type: Price, lookup: {field: priceByBookId, argument: id, key: amount}}

                """, schemas: try DemoSchemas.all()),
            [
                ("10:77", ["model \"Wrong\" declares a lookup, but subgraph catalog speaks the model protocol; lookups are for subgraphs with protocol: graphql"]),
                ("11:63", ["subgraph prices has no query field \"priceById\" for the lookup", "query fields of prices: priceByBookId, pricesByBookIds, currencies"]),
                ("12:88", ["lookup field priceByBookId of subgraph prices has no argument \"bookId\"", "its arguments: id"]),
                ("13:88", ["type Price has no scalar field \"id\" named like the lookup's argument; say which field the argument matches with key:"]),
                ("14:97", ["lookup argument priceByBookId(id:) takes ID! but Price.amount is Float"]),
            ])
    }

    @Test func aRelationshipToALookupIsAnObjectRelationshipOnItsKey() throws {
        let relationship = { (kind: String, source: String, target: String) in
            """
              - kind: Relationship
                version: v1
                definition:
                  source: Book
                  name: pricing
                  target: {model: {name: Prices, relationshipType: \(kind)}}
                  mapping: [{source: {fieldPath: [{fieldName: \(source)}]}, target: {modelField: [{fieldName: \(target)}]}}]

            """
        }
        let models = Self.prefix + "  - {name: Prices, subgraph: prices, type: Price, lookup: {field: priceByBookId, argument: id, key: book_id}}\nrelationships:\n"
        expectErrors(
            resolveErrors(
                models + relationship("Array", "id", "book_id") + relationship("Object", "name", "currency").replacingOccurrences(of: "pricing", with: "other"),
                schemas: try DemoSchemas.all()),
            [
                ("17:56", ["relationship Book.pricing is an Array relationship to model Prices, which only offers the lookup priceByBookId", "relationshipType: Object"]),
                ("25:94", ["model Prices has no collection, only the lookup priceByBookId(id:), which answers by book_id: map to book_id"]),
            ])
    }
}
