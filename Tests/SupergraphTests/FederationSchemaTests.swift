import GatewayConfig
import GraphQLSupport
import Supergraph
import TestSupport
import Testing

/// Apollo Federation v2 SDL as the gateway reads it, and entity types composed across subgraphs.
@Suite("Federation SDL and entity composition")
struct FederationSchemaTests {
    static func messages(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let errors as CompositionErrors {
            return errors.errors.map(\.message)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func theShippingSDLGivesKeysExternalsAndRequires() throws {
        let schema = try FederationSchema(sdl: DemoSchemas.shippingSDL, subgraph: "shipping")
        let book = try #require(schema.objects["Book"])
        #expect(book.keys == [["id"]])
        #expect(book.external == ["price"])
        #expect(book.requires == ["shippingEstimate": ["price"]])
        let shipment = try #require(schema.objects["Shipment"])
        #expect(shipment.keys == [["id"], ["book_id", "library_id"]])
        #expect(shipment.isEntity && shipment.external.isEmpty)
    }

    @Test func renamedImportsNamespacedNamesAndUnresolvableKeys() throws {
        let schema = try FederationSchema(sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: "@key", as: "@primaryKey"}, "@shareable"])
            type Product @primaryKey(fields: "sku") @federation__key(fields: "upc", resolvable: false) {
              sku: ID!
              upc: String!
              name: String @federation__shareable
              secret: String @federation__inaccessible
            }
            type Query { products: [Product!]! }
            """, subgraph: "products")
        let product = try #require(schema.objects["Product"])
        #expect(product.keys == [["sku"]])  // the unresolvable key is not used to fetch
        #expect(product.isEntity && product.shareable == ["name"] && product.inaccessible == ["secret"])
        let stripped = schema.strip(try SchemaModel(sdl: """
            type Query { products: [Product!]! _service: _Service! _entities(representations: [_Any!]!): [_Entity]! }
            type Product { sku: ID! upc: String! name: String secret: String }
            type _Service { sdl: String }
            scalar _Any
            union _Entity = Product
            """))
        #expect(stripped.query?.fields.map(\.name) == ["products"])
        #expect(stripped["Product"]?.fields.map(\.name) == ["sku", "upc", "name"])
        #expect(stripped["_Any"] == nil && stripped["_Entity"] == nil && stripped["_Service"] == nil)
    }

    /// A GraphQLSwift subgraph answers introspection sorted by name, and without the
    /// descriptions of fields built in code: the SDL it serves says how it was written.
    @Test func strippingTakesOrderDescriptionsAndDeprecationsFromTheSDL() throws {
        let schema = try FederationSchema(sdl: """
            "A product."
            type Product @key(fields: "sku") {
              "The stock keeping unit."
              sku: ID!
              name(
                "A language tag."
                locale: String
                fallback: Boolean
              ): String
              code: String @deprecated(reason: "Use sku.")
            }
            enum Size { SMALL "The usual." MEDIUM LARGE @deprecated }
            input ProductFilter { sku: ID name: String }
            type Query { products: [Product!]! }
            """, subgraph: "products")
        let introspected = try SchemaModel(sdl: """
            type Query { _service: _Service! products: [Product!]! }
            type Product { code: String extra: Int name(fallback: Boolean, locale: String): String sku: ID! }
            enum Size { LARGE MEDIUM SMALL }
            input ProductFilter { name: String sku: ID }
            type _Service { sdl: String }
            """)
        let stripped = schema.strip(introspected)
        let product = try #require(stripped["Product"])
        #expect(product.description == "A product.")
        #expect(product.fields.map(\.name) == ["sku", "name", "code", "extra"])  // `extra` is not in the SDL: last
        #expect(product.field("sku")?.description == "The stock keeping unit.")
        #expect(product.field("code")?.deprecationReason == "Use sku.")
        #expect(product.field("name")?.arguments.map(\.name) == ["locale", "fallback"])
        #expect(product.field("name")?.arguments.first?.description == "A language tag.")
        #expect(stripped["Size"]?.enumValues == [
            "SMALL", EnumValueDef(name: "MEDIUM", description: "The usual."),
            EnumValueDef(name: "LARGE", deprecationReason: SchemaModel.defaultDeprecationReason),
        ])
        #expect(stripped["ProductFilter"]?.inputFields.map(\.name) == ["sku", "name"])
    }

    @Test func unsupportedDirectivesAndNestedFieldSetsAreRefusedWithReasons() {
        let refused = Self.messages {
            _ = try FederationSchema(sdl: """
                type Book @key(fields: "id") @interfaceObject { id: ID! title: String @override(from: "catalog") }
                type Review @key(fields: "book { id }") { book: Book! stars: Int @requires(fields: "stars2") stars2: Int }
                type Query { books: [Book] }
                """, subgraph: "ship")
        }
        #expect(refused == [
            "Subgraph ship: @interfaceObject on type Book is not supported: interfaces are not composed by this gateway.",
            "Subgraph ship: @override on Book.title is not supported: the gateway does not migrate fields between subgraphs; remove @override once the field has moved.",
            "Subgraph ship: @key(fields: \"book { id }\") on type Review selects nested fields; the gateway supports flat field sets (\"id\", \"book_id library_id\").",
            "Subgraph ship: Review.stars @requires stars2, which is not declared @external on Review.",
        ])
        let unparsable = Self.messages { _ = try FederationSchema(sdl: "type {", subgraph: "ship") }
        #expect(unparsable.count == 1 && unparsable[0].hasPrefix("Subgraph ship: its _service { sdl } does not parse"))
    }

    /// The catalog's Book and a federation subgraph's Book entity composed with gateway.yaml.
    static func composeWithCatalog(_ sdl: String, plain: String, yaml extra: String = "") throws -> Supergraph {
        let yaml = """
            subgraphs:
              - {name: catalog, url: "http://127.0.0.1:1/catalog"}
              - {name: ship, url: "http://127.0.0.1:1/ship", protocol: federation}
            models:
              - {name: Books, subgraph: catalog, type: Book, collection: books}
            """ + extra
        let federation = try FederationSchema(sdl: sdl, subgraph: "ship")
        var schemas = try DemoSchemas.all()
        schemas["ship"] = try SchemaModel(sdl: plain)
        let configuration = try ConfigLoader.resolve(ConfigLoader.decode(yaml: yaml, file: "test.yaml", environment: [:]), schemas: schemas)
        return try Composer.compose(
            subgraphs: [("catalog", schemas["catalog"]!), ("ship", schemas["ship"]!)], configuration: configuration,
            federation: ["ship": federation])
    }

    @Test func entityFieldsMergeIntoTheOwnersTypeAsNullableFields() throws {
        let supergraph = try Self.composeWithCatalog(
            "type Book @key(fields: \"id\") { id: ID! name: String! @shareable weight: Int! } type Query { heaviest: Book }",
            plain: "type Book { id: ID! name: String! weight: Int! } type Query { heaviest: Book }")
        let book = try #require(supergraph.schemaModel["Book"])
        #expect(book.field("weight")?.type.description == "Int")
        #expect(book.fields.filter { $0.name == "name" }.count == 1)
        #expect(supergraph.entities.fieldOwners["Book"] == ["weight": "ship"])
        #expect(supergraph.entities.keys["Book"]?["ship"] == [["id"]])
        #expect(supergraph.typeOwners["Book"] == "catalog")
    }

    @Test func conflictsBetweenEntitiesAndTheirOwnersAreNamed() {
        let both = Self.messages {
            _ = try Self.composeWithCatalog(
                "type Book @key(fields: \"id\") { id: ID! name: String! } type Query { heaviest: Book }",
                plain: "type Book { id: ID! name: String! } type Query { heaviest: Book }")
        }
        #expect(both == ["Field Book.name is served by both catalog and ship; mark it @shareable in ship (the first one answers it) or @external."])
        let key = Self.messages {
            _ = try Self.composeWithCatalog(
                "type Book @key(fields: \"isbn\") { isbn: ID! weight: Int } type Query { heaviest: Book }",
                plain: "type Book { isbn: ID! weight: Int } type Query { heaviest: Book }")
        }
        #expect(key == ["Type Book of federation subgraph ship: none of its resolvable @keys (\"isbn\") are fields of Book in catalog, so the gateway cannot ask ship for its entities."])
        let requires = Self.messages {
            _ = try Self.composeWithCatalog(
                "type Book @key(fields: \"id\") { id: ID! rrp: Float @external tax: Float @requires(fields: \"rrp\") } type Query { x: Int }",
                plain: "type Book { id: ID! rrp: Float tax: Float } type Query { x: Int }")
        }
        #expect(requires == ["Book.tax of ship @requires rrp, which Book's own subgraph catalog does not serve."])
    }

    @Test func aRelationshipToAnEntityModelMustMapOneOfItsKeys() {
        let problems = Self.messages {
            _ = try Self.composeWithCatalog(
                DemoSchemas.shippingSDL.replacingOccurrences(of: "type Book @key(fields: \"id\")", with: "type Parcel @key(fields: \"id\")")
                    .replacingOccurrences(of: "price: Float @external\n", with: "")
                    .replacingOccurrences(of: "@requires(fields: \"price\")", with: ""),
                plain: DemoSchemas.shippingSchemaSDL.replacingOccurrences(of: "type Book {", with: "type Parcel {"),
                yaml: """

                      - {name: Shipments, subgraph: ship, type: Shipment}
                    relationships:
                      - kind: Relationship
                        version: v1
                        definition:
                          source: Book
                          name: lastShipment
                          target: {model: {name: Shipments, subgraph: ship, relationshipType: Object}}
                          mapping: [{source: {fieldPath: [{fieldName: id}]}, target: {modelField: [{fieldName: book_id}]}}]
                    """)
        }
        #expect(problems == [
            "Relationship Book.lastShipment maps to (book_id) of Shipment, but subgraph ship resolves Shipment entities only by its @keys: (id), (book_id, library_id)."
        ])
    }
}
