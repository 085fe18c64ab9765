import GatewayConfig
import Testing

/// Stage 1: YAML text to typed, located values; mistakes of form, with their exact positions.
@Suite struct DecodeTests {
    @Test func decodesEveryPartWithItsLocation() throws {
        let raw = try decode(
            """
            subgraphs:
              - name: catalog
                url: http://127.0.0.1:4003/graphql
                timeouts: {connect: 500ms, request: 1.5s}
                headers:
                  x-gateway: demo
                  authorization: Bearer token
            models:
              - {name: Books, subgraph: catalog, type: Book, collection: books}
            relationships:
              - kind: Relationship
                version: v1
                definition:
                  source: Book
                  name: author
                  description: The book's author
                  target:
                    model:
                      name: Authors
                      subgraph: authors
                      relationshipType: Object
                  mapping:
                    - source:
                        fieldPath: [{fieldName: author_id}]
                      target:
                        modelField: [{fieldName: id}]
            """)
        let subgraph = try #require(raw.subgraphs.first)
        #expect(subgraph.location.description == "gateway.yaml:2:5")
        #expect(subgraph.name == Located("catalog", at: SourceLocation(file: "gateway.yaml", line: 2, column: 11)))
        #expect(subgraph.url.location.description == "gateway.yaml:3:10")
        #expect(subgraph.connectTimeout?.value == .milliseconds(500))
        #expect(subgraph.requestTimeout?.value == .milliseconds(1500))
        #expect(subgraph.connectTimeout?.location.description == "gateway.yaml:4:25")
        #expect(subgraph.headers.map(\.name.value) == ["x-gateway", "authorization"])
        #expect(subgraph.headers.map(\.value.value) == ["demo", "Bearer token"])
        #expect(raw.models.first?.collection?.location.description == "gateway.yaml:9:62")
        let relationship = try #require(raw.relationships.first)
        #expect(relationship.location.description == "gateway.yaml:11:5")
        #expect(relationship.source.value == "Book" && relationship.source.location.line == 14)
        #expect(relationship.description?.value == "The book's author")
        #expect(relationship.targetSubgraph?.value == "authors")
        #expect(relationship.kind.value == .object)
        #expect(relationship.mappingLocation.description == "gateway.yaml:23:9")
        let pair = try #require(relationship.mapping.first)
        #expect(pair.sourceField.value == "author_id" && pair.sourceField.location.description == "gateway.yaml:24:37")
        #expect(pair.targetField.value == "id" && pair.targetField.location.description == "gateway.yaml:26:38")
    }

    @Test func yamlSyntaxErrorCarriesYamsLocation() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: http://x: y
            """)
        expectError(found, at: "3:18", "invalid YAML: mapping values are not allowed in this context")
    }

    @Test func unclosedFlowListIsASyntaxError() {
        let found = decodeErrors(
            """
            subgraphs:
              - {name: catalog, url: "http://x/graphql"}
            models: [
            """)
        #expect(found.count == 1)
        #expect(found.first?.code == .yamlSyntax)
        #expect(found.first?.location?.line == 4)
    }

    /// Yams reports a duplicate key at its first occurrence.
    @Test func duplicateKeyIsReportedAtTheKey() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: http://x/graphql
                name: books
            """)
        expectError(found, at: "2:5", "duplicate key \"name\" in one mapping")
    }

    @Test func emptyFileAndWrongTopLevel() {
        expectError(decodeErrors(""), at: "1:1", "the file is empty; expected a mapping with the keys subgraphs, models, relationships, limits, persistedQueries, traffic, reload")
        expectError(decodeErrors("# nothing yet\n"), at: "1:1", "the file is empty")
        expectError(
            decodeErrors("- name: catalog\n"), at: "1:1",
            "expected the configuration (a mapping with the keys subgraphs, models, relationships, limits, persistedQueries, traffic, reload, telemetry), got a list")
    }

    @Test func unknownTopLevelKeyWithSuggestion() {
        let found = decodeErrors(
            """
            subgraphs:
              - {name: catalog, url: "http://127.0.0.1:4003/graphql"}
            model:
              - {name: Books, subgraph: catalog, type: Book, collection: books}
            """)
        expectError(
            found, at: "3:1",
            "unknown key \"model\" at the top level; did you mean \"models\"? allowed keys: subgraphs, models, relationships, limits, persistedQueries, traffic, reload"
        )
    }

    @Test func unknownKeyWithoutCloseMatchListsAllowedKeys() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: http://x/graphql
                retries: 3
            """)
        expectError(
            found, at: "4:5",
            "unknown key \"retries\" in subgraph \"catalog\"; allowed keys: name, url, timeouts, headers, propagate")
    }

    static func relationshipWithKey(_ sourceKey: String) -> String {
        """
        subgraphs:
          - {name: catalog, url: "http://x/graphql"}
        relationships:
          - kind: Relationship
            version: v1
            definition:
              \(sourceKey): Book
              name: author
              target:
                model: {name: Authors, relationshipType: Object}
              mapping:
                - source: {fieldPath: [{fieldName: author_id}]}
                  target: {modelField: [{fieldName: id}]}
        """
    }

    @Test func unknownKeyInRelationshipDefinitionSuggestsTheRightOne() {
        // Reported once, as unknown with a suggestion, not also as the missing key "source".
        expectError(
            decodeErrors(Self.relationshipWithKey("sorce")), at: "7:7",
            "unknown key \"sorce\" in definition of relationship \"author\"; did you mean \"source\"? allowed keys: source, name, target, mapping, description"
        )
        // OpenDD's spelling of the same key.
        expectError(
            decodeErrors(Self.relationshipWithKey("sourceType")), at: "7:7",
            "unknown key \"sourceType\" in definition of relationship \"author\"; did you mean \"source\"?")
    }

    @Test func missingRequiredKeyIsReportedAtTheOwningMapping() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                timeouts: {connect: 1s}
            models:
              - {name: Books, type: Book, collection: books}
            """)
        expectErrors(
            found,
            [
                ("2:5", ["missing required key \"url\" in subgraph \"catalog\"; required keys: name, url"]),
                ("5:5", ["missing required key \"subgraph\" in model \"Books\"; required keys: name, subgraph, type"]),
            ])
    }

    @Test func wrongNodeKinds() {
        expectError(
            decodeErrors(
                """
                subgraphs:
                  catalog:
                    url: http://x/graphql
                """), at: "2:3", "expected a list of subgraphs, got a mapping")
        expectErrors(
            decodeErrors(
                """
                subgraphs:
                  - {name: catalog, url: [http://x/graphql]}
                models:
                  - Books
                """),
            [
                ("2:26", ["expected a string for \"url\" in subgraph \"catalog\", got a list"]),
                ("4:5", ["expected a model (a mapping with the keys name, subgraph, type, collection, lookup), got the value \"Books\""]),
            ])
        expectError(
            decodeErrors("subgraphs:\n"), at: "1:11", "expected a list of subgraphs, got an empty value")
    }

    @Test func wrongKindVersionAndRelationshipTypeAreAllReported() {
        let found = decodeErrors(
            """
            subgraphs:
              - {name: catalog, url: "http://x/graphql"}
            relationships:
              - kind: Relationships
                version: v2
                definition:
                  source: Book
                  name: author
                  target:
                    model:
                      name: Authors
                      relationshipType: object
                  mapping:
                    - source: {fieldPath: [{fieldName: author_id}]}
                      target: {modelField: [{fieldName: id}]}
            """)
        expectErrors(
            found,
            [
                ("4:11", ["unsupported kind \"Relationships\" in relationship Book.author; did you mean \"Relationship\"?"]),
                ("5:14", ["unsupported version \"v2\" of kind Relationship in relationship Book.author; the supported version is v1"]),
                ("12:29", ["invalid relationshipType \"object\" in relationship Book.author; did you mean \"Object\"? expected Object or Array"]),
            ])
    }

    @Test func badDurations() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: http://x/graphql
                timeouts:
                  connect: 2 sec
                  request: 10
            """)
        expectErrors(
            found,
            [
                ("5:16", ["invalid duration \"2 sec\" for \"connect\" in timeouts of subgraph \"catalog\"; write a number followed by ms, s, m or h, like 500ms, 2s or 1m"]),
                ("6:16", ["invalid duration \"10\" for \"request\""]),
            ])
    }

    @Test func durationUnits() throws {
        let raw = try decode(
            """
            subgraphs:
              - {name: a, url: "http://a/graphql", timeouts: {connect: 250ms, request: 1m}}
              - {name: b, url: "http://b/graphql", timeouts: {connect: 0.5s, request: 1h}}
            """)
        #expect(raw.subgraphs.map { $0.connectTimeout?.value } == [.milliseconds(250), .milliseconds(500)])
        #expect(raw.subgraphs.map { $0.requestTimeout?.value } == [.seconds(60), .seconds(3600)])
    }

    static func relationship(fieldPath: String) -> String {
        """
        subgraphs:
          - {name: people, url: "http://x/graphql"}
        relationships:
          - kind: Relationship
            version: v1
            definition:
              source: User
              name: city
              target:
                model: {name: Addresses, relationshipType: Object}
              mapping:
                - source:
                    fieldPath: \(fieldPath)
                  target:
                    modelField: [{fieldName: id}]
        """
    }

    @Test func nestedFieldPathIsRejected() {
        let found = decodeErrors(
            Self.relationship(fieldPath: "\n              - fieldName: address\n              - fieldName: city"))
        expectError(
            found, at: "14:15",
            "nested field paths are not supported: \"fieldPath\" in source of mapping entry 1 of relationship User.city is address.city (2 elements); name one top-level field of the source type"
        )
    }

    @Test func emptyFieldPathIsRejected() {
        expectError(
            decodeErrors(Self.relationship(fieldPath: "[]")), at: "13:24",
            "\"fieldPath\" in source of mapping entry 1 of relationship User.city is empty; name one field of the source type")
    }
}
