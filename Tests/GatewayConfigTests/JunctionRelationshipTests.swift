import TestSupport
import GatewayConfig
import GraphQLSupport
import Testing

/// Many-to-many relationships through a junction model (`through:`, the gateway's extension of
/// OpenDD): decoding and the relationships stage.
///
/// Stage YAML is ``relationshipsPrefix`` followed by ``relationship(_:_:_:kind:_:through:subgraph:_:)``:
/// ``RelationshipStageTests/relationship(_:_:_:kind:subgraph:_:)``'s layout (source at L+3:15,
/// relationshipType after the target name on L+5, mapping pair i at L+7+2i:11 with fields at
/// L+7+2i:44 and L+8+2i:45) followed by ``throughBlock(_:subgraph:_:)`` starting on line T (T = L+7+2p
/// for p pairs), whose layout fixes: `model` at T+1:16 (the block's mapping at T+1:9), `subgraph` at
/// T+2:19, the mapping list at M+1:11 with M = T+2 (T+3 with a subgraph; `mapping: []` at M:18),
/// and through pair j at M+1+2j:13, its junction field at M+1+2j:46 and its target field at M+2+2j:47.
@Suite struct JunctionRelationshipTests: RelationshipStageSuite {
    static func throughBlock(_ model: String, subgraph: String? = nil, _ pairs: [(String, String)]) -> String {
        var text = "      through:\n        model: \(model)\n"
        if let subgraph { text += "        subgraph: \(subgraph)\n" }
        if pairs.isEmpty {
            text += "        mapping: []\n"
        } else {
            text += "        mapping:\n"
            for (from, to) in pairs {
                text += "          - source: {fieldPath: [{fieldName: \(from)}]}\n"
                text += "            target: {modelField: [{fieldName: \(to)}]}\n"
            }
        }
        return text
    }

    static func relationship(
        _ source: String, _ name: String, _ target: String, kind: String = "Array", _ pairs: [(String, String)],
        through junction: String, subgraph: String? = nil, _ throughPairs: [(String, String)]
    ) -> String {
        RelationshipStageTests.relationship(source, name, target, kind: kind, pairs)
            + throughBlock(junction, subgraph: subgraph, throughPairs)
    }

    /// Book.genres as in the repository's gateway.yaml, as the first relationship: lines 20-34,
    /// `through:` on line 29, `model` on 30, `subgraph` on 31, `mapping:` on 32, its pair on 33-34.
    static let bookGenres = relationship(
        "Book", "genres", "Genres", [("id", "book_id")], through: "BookGenres", subgraph: "catalog",
        [("genre_id", "id")])

    /// The catalog schema with its SDL edited by `edit`.
    static func catalog(_ edit: (String) -> String) throws -> [String: SchemaModel] {
        var schemas = try DemoSchemas.all()
        schemas["catalog"] = try SchemaModel(sdl: edit(DemoSchemas.sdl(DemoSchemas.subgraphs[2].types)))
        return schemas
    }

    // MARK: Resolving

    @Test func resolvesBookGenres() throws {
        let raw = try decode(relationshipsPrefix + Self.bookGenres)
        let config = try ConfigLoader.resolve(raw, schemas: DemoSchemas.all())
        #expect(
            config.relationships == [
                RelationshipConfig(
                    sourceType: "Book", sourceSubgraph: "catalog", name: "genres", targetModel: "Genres",
                    targetSubgraph: "catalog", targetType: "Genre", targetCollection: "genres", kind: .array,
                    mapping: [FieldMapping(sourceField: "id", targetField: "book_id", scalarType: "ID")],
                    through: JunctionConfig(
                        model: "BookGenres", subgraph: "catalog", typeName: "BookGenre", collection: "bookGenres",
                        filterType: "BookGenreFilter",
                        mapping: [FieldMapping(sourceField: "genre_id", targetField: "id", scalarType: "ID")],
                        location: SourceLocation(file: "gateway.yaml", line: 30, column: 9)),
                    location: SourceLocation(file: "gateway.yaml", line: 20, column: 5))
            ])
    }

    @Test func resolvesGenreBooksWithoutAJunctionSubgraph() throws {
        let raw = try decode(
            relationshipsPrefix
                + Self.relationship("Genre", "books", "Books", [("id", "genre_id")], through: "BookGenres", [("book_id", "id")]))
        let relationship = try #require(try ConfigLoader.resolve(raw, schemas: DemoSchemas.all()).relationships.first)
        #expect(relationship.mapping == [FieldMapping(sourceField: "id", targetField: "genre_id", scalarType: "ID")])
        #expect(relationship.targetCollection == "books" && relationship.kind == .array)
        let through = try #require(relationship.through)
        #expect(through.model == "BookGenres" && through.subgraph == "catalog" && through.collection == "bookGenres")
        #expect(through.mapping == [FieldMapping(sourceField: "book_id", targetField: "id", scalarType: "ID")])
    }

    @Test func aRelationshipWithoutThroughHasNoJunction() throws {
        let raw = try decode(relationshipsPrefix + RelationshipStageTests.bookAuthor)
        #expect(try ConfigLoader.resolve(raw, schemas: DemoSchemas.all()).relationships.first?.through == nil)
    }

    @Test func junctionRelationshipsAlongsideDirectOnes() throws {
        let raw = try decode(
            relationshipsPrefix + RelationshipStageTests.bookAuthor + Self.bookGenres
                + RelationshipStageTests.relationship("Book", "bookGenres", "BookGenres", kind: "Array", [("id", "book_id")]))
        let relationships = try ConfigLoader.resolve(raw, schemas: DemoSchemas.all()).relationships
        #expect(relationships.map(\.name) == ["author", "genres", "bookGenres"])
        #expect(relationships.map { $0.through?.model } == [nil, "BookGenres", nil])
    }

    // MARK: The junction model

    @Test func throughRequiresAnArrayRelationship() throws {
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", kind: "Object", [("id", "book_id")], through: "BookGenres", [("genre_id", "id")]))
        // `relationshipType: Object` on line 25: 30 + "Genres, relationshipType: ".count = 56.
        expectError(
            found, at: "25:56",
            "relationship Book.genres has relationshipType Object but goes through junction model BookGenres; a relationship through a junction model is an Array relationship: set relationshipType: Array"
        )
    }

    @Test func unknownJunctionModel() throws {
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "book_id")], through: "BookGenre", [("genre_id", "id")]))
        expectError(
            found, at: "30:16",
            "unknown junction model \"BookGenre\" in relationship Book.genres; did you mean \"BookGenres\"? known models: Users, Addresses, Authors, Passports, Books, Genres, BookGenres, Libraries, Reviews, Stocks, Loans"
        )
        let far = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "book_id")], through: "Links", [("genre_id", "id")]))
        expectError(far, at: "30:16", "unknown junction model \"Links\" in relationship Book.genres; known models: Users,")
    }

    @Test func junctionSubgraphMustBeTheModelsSubgraph() throws {
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "book_id")], through: "BookGenres", subgraph: "people", [("genre_id", "id")]))
        expectError(
            found, at: "31:19",
            "junction model BookGenres of relationship Book.genres belongs to subgraph catalog, not \"people\"; write subgraph: catalog or leave it out"
        )
    }

    @Test func theJunctionMistakesAreCollectedWithTheOthers() throws {
        // An Object relationship from an unknown type to an unknown model through an unknown junction.
        let found = try stageErrors(
            Self.relationship("Bok", "genres", "Genre", kind: "Object", [("id", "book_id")], through: "Links", [("genre_id", "id")]),
            Self.bookGenres.replacingOccurrences(of: "book_id", with: "bookid"))
        expectErrors(
            found,
            [
                ("23:15", ["unknown source type \"Bok\""]),
                ("25:30", ["unknown target model \"Genre\" in relationship Bok.genres; did you mean \"Genres\"?"]),
                ("25:55", ["a relationship through a junction model is an Array relationship: set relationshipType: Array"]),
                ("30:16", ["unknown junction model \"Links\" in relationship Bok.genres"]),
                // The second relationship starts on line 34.
                ("42:45", ["unknown junction field \"bookid\" on type BookGenre of junction model BookGenres; did you mean \"book_id\"? fields of BookGenre: id, book_id, genre_id"]),
            ])
    }

    // MARK: mapping: source -> junction

    @Test func unknownSourceAndJunctionFields() throws {
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("idd", "bookid")], through: "BookGenres", [("genre_id", "id")]))
        expectErrors(
            found,
            [
                ("27:44", ["unknown source field \"idd\" on type Book; did you mean \"id\"? fields of Book: id, name, description, genre, year, price, author_id, library_name"]),
                ("28:45", ["unknown junction field \"bookid\" on type BookGenre of junction model BookGenres; did you mean \"book_id\"? fields of BookGenre: id, book_id, genre_id"]),
            ])
    }

    @Test func theMappingLeadsToTheJunctionNotTheTarget() throws {
        // Genre has no book_id: without `through` this is an unknown target field; with it, fine.
        let direct = try stageErrors(
            RelationshipStageTests.relationship("Book", "genres", "Genres", kind: "Array", [("id", "book_id")]))
        expectError(direct, at: "28:45", "unknown target field \"book_id\" on type Genre of model Genres")
        // And with `through`, a target field in `mapping` is not a junction field.
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "name")], through: "BookGenres", [("genre_id", "id")]))
        expectError(found, at: "28:45", "unknown junction field \"name\" on type BookGenre of junction model BookGenres")
    }

    @Test func sourceAndJunctionFieldsOfDifferentScalarTypes() throws {
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("year", "book_id")], through: "BookGenres", [("genre_id", "id")]))
        expectError(
            found, at: "27:11",
            "a mapping between fields of different scalar types in relationship Book.genres: Book.year is Int but BookGenre.book_id is ID"
        )
    }

    @Test func junctionCollectionThatCannotFilterWithIn() throws {
        let schemas = try Self.catalog {
            $0.replacingOccurrences(of: "input BookGenreFilter {\n  id: IDOperators\n  book_id: IDOperators\n", with: "input BookGenreFilter {\n  id: IDOperators\n")
        }
        let found = try stageErrors(Self.bookGenres, schemas: schemas)
        expectError(
            found, at: "28:45",
            "the junction collection bookGenres cannot filter book_id with _in, so the gateway cannot batch this relationship (BookGenreFilter has no field book_id)"
        )
    }

    @Test func duplicatesInTheMapping() throws {
        let found = try stageErrors(
            Self.relationship(
                "Book", "genres", "Genres", [("id", "book_id"), ("id", "genre_id"), ("name", "book_id")],
                through: "BookGenres", [("genre_id", "id")]))
        expectErrors(
            found,
            [
                ("29:44", ["source field id is mapped more than once in relationship Book.genres"]),
                ("32:45", ["junction field book_id is mapped more than once in relationship Book.genres"]),
            ])
    }

    @Test func emptyMappingWithThrough() throws {
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [], through: "BookGenres", [("genre_id", "id")]))
        expectError(
            found, at: "26:16",
            "the mapping of relationship Book.genres is empty; map at least one source field to a junction field, like - source: {fieldPath: [{fieldName: id}]} target: {modelField: [{fieldName: book_id}]}"
        )
    }

    // MARK: through.mapping: junction -> target

    @Test func emptyThroughMapping() throws {
        // `through:` on line 29, `mapping: []` on line 32 (after `subgraph`).
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "book_id")], through: "BookGenres", subgraph: "catalog", []))
        expectError(
            found, at: "32:18",
            "the through mapping of relationship Book.genres is empty; map at least one junction field to a target field, like - source: {fieldPath: [{fieldName: genre_id}]} target: {modelField: [{fieldName: id}]}"
        )
    }

    @Test func unknownJunctionAndTargetFieldsInTheThroughMapping() throws {
        // `through:` on line 29, `mapping:` on line 32, the pair on lines 33-34.
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "book_id")], through: "BookGenres", subgraph: "catalog", [("genreid", "idd")]))
        expectErrors(
            found,
            [
                ("33:46", ["unknown junction field \"genreid\" on type BookGenre of junction model BookGenres; did you mean \"genre_id\"? fields of BookGenre: id, book_id, genre_id"]),
                ("34:47", ["unknown target field \"idd\" on type Genre of model Genres; did you mean \"id\"? fields of Genre: id, name"]),
            ])
    }

    @Test func aJunctionFieldThatIsNotAScalar() throws {
        let schemas = try Self.catalog {
            $0.replacingOccurrences(of: "type BookGenre {\n", with: "type BookGenre {\n  linked: Genre\n")
        }
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "book_id")], through: "BookGenres", [("linked", "id")]),
            schemas: schemas)
        // `through:` on line 29, `mapping:` on line 31.
        expectError(
            found, at: "32:46",
            "junction field BookGenre.linked has type Genre, not a scalar; a mapping joins scalar fields")
    }

    @Test func junctionAndTargetFieldsOfDifferentScalarTypes() throws {
        let found = try stageErrors(
            Self.relationship("Book", "genres", "Genres", [("id", "book_id")], through: "BookGenres", [("genre_id", "name")]))
        expectError(
            found, at: "32:13",
            "a mapping between fields of different scalar types in the through mapping of relationship Book.genres: BookGenre.genre_id is ID but Genre.name is String"
        )
    }

    @Test func targetCollectionThatCannotFilterWithInThroughAJunction() throws {
        let schemas = try Self.catalog {
            $0.replacingOccurrences(of: "\ninput GenreFilter {\n  id: IDOperators\n", with: "\ninput GenreFilter {\n")
        }
        let found = try stageErrors(Self.bookGenres, schemas: schemas)
        expectError(
            found, at: "34:47",
            "the target collection genres cannot filter id with _in, so the gateway cannot batch this relationship (GenreFilter has no field id)"
        )
    }

    @Test func neitherHopCanBatchWithoutIDIn() throws {
        let schemas = try Self.catalog { _ in DemoSchemas.sdl(DemoSchemas.subgraphs[2].types, withoutIn: ["IDOperators"]) }
        let found = try stageErrors(Self.bookGenres, schemas: schemas)
        expectErrors(
            found,
            [
                ("28:45", ["the junction collection bookGenres cannot filter book_id with _in", "(IDOperators has no _in field)"]),
                ("34:47", ["the target collection genres cannot filter id with _in", "(IDOperators has no _in field)"]),
            ])
    }

    @Test func duplicatesInTheThroughMapping() throws {
        let found = try stageErrors(
            Self.relationship(
                "Book", "genres", "Genres", [("id", "book_id")], through: "BookGenres",
                [("genre_id", "id"), ("genre_id", "name"), ("id", "id")]))
        // `through:` on line 29, `mapping:` on line 31, pairs on lines 32-37.
        expectErrors(
            found,
            [
                ("34:46", ["junction field genre_id is mapped more than once in the through mapping of relationship Book.genres"]),
                ("37:47", ["target field id is mapped more than once in the through mapping of relationship Book.genres"]),
            ])
    }

    // MARK: Decoding

    @Test func decodesThroughWithItsLocations() throws {
        let raw = try decode(relationshipsPrefix + Self.bookGenres)
        let relationship = try #require(raw.relationships.first)
        #expect(relationship.mapping.map(\.targetField.value) == ["book_id"])
        let through = try #require(relationship.through)
        #expect(through.location.description == "gateway.yaml:30:9")
        #expect(through.model == Located("BookGenres", at: SourceLocation(file: "gateway.yaml", line: 30, column: 16)))
        #expect(through.subgraph?.location.description == "gateway.yaml:31:19")
        #expect(through.mappingLocation.description == "gateway.yaml:33:11")
        let pair = try #require(through.mapping.first)
        #expect(pair.location.description == "gateway.yaml:33:13")
        #expect(pair.sourceField.value == "genre_id" && pair.sourceField.location.description == "gateway.yaml:33:46")
        #expect(pair.targetField.value == "id" && pair.targetField.location.description == "gateway.yaml:34:47")
        // An empty `through:` is no junction, like other optional keys.
        let plain = try decode(
            relationshipsPrefix + RelationshipStageTests.relationship("Book", "bookGenres", "BookGenres", kind: "Array", [("id", "book_id")])
                + "      through:\n")
        #expect(plain.relationships.first?.through == nil)
    }

    @Test func unknownKeysInThroughSuggestTheRightOne() {
        let found = decodeErrors(
            relationshipsPrefix + Self.bookGenres.replacingOccurrences(of: "model: BookGenres", with: "models: BookGenres")
                .replacingOccurrences(of: "subgraph: catalog\n        mapping", with: "subgraf: catalog\n        mapping"))
        expectErrors(
            found,
            [
                ("30:9", ["unknown key \"models\" in \"through\" of relationship Book.genres; did you mean \"model\"? allowed keys: model, mapping, subgraph"]),
                ("31:9", ["unknown key \"subgraf\" in \"through\" of relationship Book.genres; did you mean \"subgraph\"? allowed keys: model, mapping, subgraph"]),
            ])
        expectError(
            decodeErrors(relationshipsPrefix + Self.bookGenres + "        junction: BookGenre\n"), at: "35:9",
            "unknown key \"junction\" in \"through\" of relationship Book.genres; allowed keys: model, mapping, subgraph")
    }

    @Test func misspeltThroughKeyInTheDefinition() {
        expectError(
            decodeErrors(relationshipsPrefix + Self.bookGenres.replacingOccurrences(of: "through:", with: "throgh:")),
            at: "29:7",
            "unknown key \"throgh\" in definition of relationship Book.genres; did you mean \"through\"? allowed keys: source, name, target, mapping, description, through"
        )
    }

    @Test func missingKeysInThrough() {
        let yaml = relationshipsPrefix + RelationshipStageTests.relationship("Book", "genres", "Genres", kind: "Array", [("id", "book_id")])
            + "      through:\n        subgraph: catalog\n"
        expectErrors(
            decodeErrors(yaml),
            [
                ("30:9", ["missing required key \"model\" in \"through\" of relationship Book.genres; required keys: model, mapping"]),
                ("30:9", ["missing required key \"mapping\" in \"through\" of relationship Book.genres; required keys: model, mapping"]),
            ])
    }

    @Test func throughThatIsNotAMapping() {
        let yaml = relationshipsPrefix + RelationshipStageTests.relationship("Book", "genres", "Genres", kind: "Array", [("id", "book_id")])
            + "      through: BookGenres\n"
        expectError(
            decodeErrors(yaml), at: "29:16",
            "expected a junction model (a mapping with the keys model, mapping, subgraph), got the value \"BookGenres\"")
        let notAList = relationshipsPrefix + RelationshipStageTests.relationship("Book", "genres", "Genres", kind: "Array", [("id", "book_id")])
            + "      through:\n        model: BookGenres\n        mapping: {genre_id: id}\n"
        expectError(
            decodeErrors(notAList), at: "31:18",
            "expected a list of through mapping entries for relationship Book.genres, got a mapping")
    }

    @Test func nestedFieldPathsInThroughAreRejected() {
        let found = decodeErrors(
            relationshipsPrefix + Self.bookGenres.replacingOccurrences(
                of: "[{fieldName: genre_id}]", with: "[{fieldName: genre}, {fieldName: id}]"))
        expectError(
            found, at: "33:33",
            "nested field paths are not supported: \"fieldPath\" in source of through mapping entry 1 of relationship Book.genres is genre.id (2 elements); name one top-level field of the junction model's type"
        )
        let target = decodeErrors(
            relationshipsPrefix + Self.bookGenres.replacingOccurrences(
                of: "modelField: [{fieldName: id}]", with: "modelField: []"))
        expectError(
            target, at: "34:34",
            "\"modelField\" in target of through mapping entry 1 of relationship Book.genres is empty; name one field of the target model's type"
        )
        // In `mapping`, the target of a relationship with `through` is the junction's field.
        let junction = decodeErrors(
            relationshipsPrefix + Self.bookGenres.replacingOccurrences(
                of: "[{fieldName: book_id}]", with: "[{fieldName: book}, {fieldName: id}]"))
        expectError(
            junction, at: "28:32",
            "nested field paths are not supported: \"modelField\" in target of mapping entry 1 of relationship Book.genres is book.id (2 elements); name one top-level field of the junction model's type"
        )
    }

    @Test func wrongEntriesInTheThroughMapping() {
        let found = decodeErrors(
            relationshipsPrefix + Self.bookGenres.replacingOccurrences(
                of: "            target: {modelField: [{fieldName: id}]}\n", with: ""))
        expectError(
            found, at: "33:13",
            "missing required key \"target\" in through mapping entry 1 of relationship Book.genres; required keys: source, target")
    }
}
