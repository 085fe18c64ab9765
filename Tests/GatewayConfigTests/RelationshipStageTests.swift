import TestSupport
import GatewayConfig
import GraphQLSupport
import Testing

/// Stage 4: relationships against the models and the schemas.
///
/// Every YAML here is ``relationshipsPrefix`` (the demo subgraphs and models, 19 lines) followed by
/// relationships written by ``relationship(_:_:_:kind:subgraph:_:)``, whose layout fixes every
/// position: for a relationship starting on line L, `source` is at L+3:15, `name` at L+4:13, the
/// target model name at L+5:30, the mapping list at L+7:9 (L+6:16 when empty), and mapping pair i
/// at L+7+2i:11, its source field at L+7+2i:44 and its target field at L+8+2i:45.
@Suite struct RelationshipStageTests: RelationshipStageSuite {
    /// One relationship, 7 + 2 × pairs lines.
    static func relationship(
        _ source: String, _ name: String, _ target: String, kind: String = "Object", subgraph: String? = nil,
        _ pairs: [(String, String)]
    ) -> String {
        var text = """
              - kind: Relationship
                version: v1
                definition:
                  source: \(source)
                  name: \(name)
                  target: {model: {name: \(target), \(subgraph.map { "subgraph: \($0), " } ?? "")relationshipType: \(kind)}}

            """
        if pairs.isEmpty {
            text += "      mapping: []\n"
        } else {
            text += "      mapping:\n"
            for (from, to) in pairs {
                text += "        - source: {fieldPath: [{fieldName: \(from)}]}\n"
                text += "          target: {modelField: [{fieldName: \(to)}]}\n"
            }
        }
        return text
    }

    static let bookAuthor = relationship("Book", "author", "Authors", [("author_id", "id")])

    @Test func resolvesARelationship() throws {
        let raw = try decode(relationshipsPrefix + Self.bookAuthor)
        let config = try ConfigLoader.resolve(raw, schemas: DemoSchemas.all())
        #expect(
            config.relationships == [
                RelationshipConfig(
                    sourceType: "Book", sourceSubgraph: "catalog", name: "author", targetModel: "Authors",
                    targetSubgraph: "authors", targetType: "Author", targetCollection: "authors", kind: .object,
                    mapping: [FieldMapping(sourceField: "author_id", targetField: "id", scalarType: "ID")],
                    location: SourceLocation(file: "gateway.yaml", line: 20, column: 5))
            ])
    }

    /// `description:` (after the mapping, at L+9:20 with one pair) becomes the field's description.
    @Test func aDescriptionIsKeptAndMustBeAString() throws {
        let described = try ConfigLoader.resolve(
            decode(relationshipsPrefix + Self.bookAuthor + "      description: Who wrote it, from the authors subgraph.\n"),
            schemas: DemoSchemas.all())
        #expect(described.relationships.map(\.description) == ["Who wrote it, from the authors subgraph."])
        let undescribed = try ConfigLoader.resolve(decode(relationshipsPrefix + Self.bookAuthor), schemas: DemoSchemas.all())
        #expect(undescribed.relationships.map(\.description) == [nil])
        expectErrors(
            decodeErrors(
                relationshipsPrefix + Self.bookAuthor + "      description: [Who, wrote, it]\n"
                    + Self.relationship("Author", "books", "Books", kind: "Array", [("id", "author_id")])
                    + "      description: {text: Their books}\n"),
            [
                ("29:20", ["expected a string for \"description\" in definition of relationship Book.author, got a list"]),
                ("39:20", ["expected a string for \"description\" in definition of relationship Author.books, got a mapping"]),
            ])
    }

    @Test func unknownSourceTypeAndUnknownTargetModelAreBothReported() throws {
        let found = try stageErrors(Self.relationship("Bok", "author", "Author", [("author_id", "id")]))
        expectErrors(
            found,
            [
                ("23:15", ["unknown source type \"Bok\"; did you mean \"Book\"? object types of the subgraphs: User, Address, Author, Passport, Book, Genre, BookGenre, Library, Review, Stock, Loan"]),
                ("25:30", ["unknown target model \"Author\" in relationship Bok.author; did you mean \"Authors\"? known models: Users, Addresses, Authors, Passports, Books, Genres, BookGenres, Libraries, Reviews, Stocks, Loans"]),
            ])
    }

    @Test func sourceTypeThatIsNotAnObject() throws {
        expectError(
            try stageErrors(Self.relationship("BookFilter", "author", "Authors", [("author_id", "id")])), at: "23:15",
            "source type \"BookFilter\" is an input object type in subgraph catalog, not an object type")
    }

    @Test func targetSubgraphMustBeTheModelsSubgraph() throws {
        // `..., subgraph: catalog` follows `name: Authors, ` on the target line: 30 + 9 + 10 = 49.
        expectError(
            try stageErrors(Self.relationship("Book", "author", "Authors", subgraph: "catalog", [("author_id", "id")])),
            at: "25:49",
            "target model Authors of relationship Book.author belongs to subgraph authors, not \"catalog\"; write subgraph: authors or leave it out"
        )
        let raw = try decode(
            relationshipsPrefix
                + Self.relationship("Book", "author", "Authors", subgraph: "authors", [("author_id", "id")]))
        #expect(try ConfigLoader.resolve(raw, schemas: DemoSchemas.all()).relationships.count == 1)
    }

    @Test func nameCollidingWithAnExistingField() throws {
        expectError(
            try stageErrors(Self.relationship("Book", "name", "Authors", [("author_id", "id")])), at: "24:13",
            "relationship name \"name\" collides with the existing field Book.name (String!) of subgraph catalog; choose another name"
        )
    }

    @Test func invalidRelationshipName() throws {
        expectError(
            try stageErrors(Self.relationship("Book", "written-by", "Authors", [("author_id", "id")])), at: "24:13",
            "invalid relationship name \"written-by\"; a GraphQL field name starts with a letter or _")
    }

    @Test func duplicateRelationshipNameOnOneType() throws {
        // The second relationship starts on line 20 + 9.
        let found = try stageErrors(
            Self.bookAuthor, Self.relationship("Book", "author", "Reviews", kind: "Array", [("id", "book_id")]))
        expectError(found, at: "33:13", "duplicate relationship Book.author; it is first defined at gateway.yaml:24:13")
    }

    @Test func sameNameOnDifferentTypesIsFine() throws {
        let raw = try decode(
            relationshipsPrefix + Self.relationship("Review", "book", "Books", [("book_id", "id")])
                + Self.relationship("Stock", "book", "Books", [("book_id", "id")]))
        #expect(try ConfigLoader.resolve(raw, schemas: DemoSchemas.all()).relationships.map(\.sourceType) == ["Review", "Stock"])
    }

    @Test func unknownSourceAndTargetFields() throws {
        let found = try stageErrors(Self.relationship("Book", "author", "Authors", [("authorid", "idd")]))
        expectErrors(
            found,
            [
                ("27:44", ["unknown source field \"authorid\" on type Book; did you mean \"author_id\"? fields of Book: id, name, description, genre, year, price, author_id, library_name"]),
                ("28:45", ["unknown target field \"idd\" on type Author of model Authors; did you mean \"id\"? fields of Author: id, name, dateOfBirth, country"]),
            ])
    }

    @Test func mappingBetweenDifferentScalarTypes() throws {
        let found = try stageErrors(Self.relationship("Review", "reviewer", "Users", [("rating", "id")]))
        expectError(
            found, at: "27:11",
            "a mapping between fields of different scalar types in relationship Review.reviewer: Review.rating is Int but User.id is ID"
        )
    }

    @Test func targetCollectionThatCannotFilterWithIn() throws {
        var schemas = try DemoSchemas.all()
        schemas["catalog"] = try DemoSchemas.schema("catalog", withoutIn: ["IDOperators"])
        let found = try stageErrors(
            Self.relationship("Author", "authoredBooks", "Books", kind: "Array", [("id", "author_id")]), schemas: schemas)
        expectError(
            found, at: "28:45",
            "the target collection books cannot filter author_id with _in, so the gateway cannot batch this relationship (IDOperators has no _in field)"
        )
    }

    @Test func targetFilterWithoutTheField() throws {
        var schemas = try DemoSchemas.all()
        // The authors subgraph's AuthorFilter without `country`.
        let sdl = DemoSchemas.sdl(DemoSchemas.subgraphs[1].types).replacingOccurrences(
            of: "  country: StringOperators\n", with: "")
        schemas["authors"] = try SchemaModel(sdl: sdl)
        let found = try stageErrors(Self.relationship("Library", "localAuthors", "Authors", kind: "Array", [("city", "country")]), schemas: schemas)
        expectError(
            found, at: "28:45",
            "the target collection authors cannot filter country with _in, so the gateway cannot batch this relationship (AuthorFilter has no field country)"
        )
    }

    @Test func emptyMapping() throws {
        expectError(
            try stageErrors(Self.relationship("Book", "author", "Authors", [])), at: "26:16",
            "the mapping of relationship Book.author is empty; map at least one source field to a target field")
    }

    @Test func theSameSourceFieldTwice() throws {
        let found = try stageErrors(
            Self.relationship("Loan", "stock", "Stocks", [("library_id", "library_id"), ("library_id", "book_id")]))
        expectError(found, at: "29:44", "source field library_id is mapped more than once in relationship Loan.stock")
    }

    @Test func compositeKey() throws {
        let raw = try decode(
            relationshipsPrefix
                + Self.relationship("Loan", "stock", "Stocks", [("library_id", "library_id"), ("book_id", "book_id")]))
        let relationship = try #require(try ConfigLoader.resolve(raw, schemas: DemoSchemas.all()).relationships.first)
        #expect(relationship.mapping.map(\.sourceField) == ["library_id", "book_id"])
        #expect(relationship.mapping.map(\.targetField) == ["library_id", "book_id"])
    }

    @Test func aTypeInSeveralSubgraphsIsServedByTheOneWithItsModel() throws {
        var schemas = try DemoSchemas.all()
        // The catalog subgraph also defines an Author type.
        schemas["catalog"] = try SchemaModel(
            sdl: DemoSchemas.sdl(
                DemoSchemas.subgraphs[2].types + [DemoSchemas.ModelType("Author", "catalogAuthors", "id: ID!, name: String!")]))
        let raw = try decode(relationshipsPrefix + Self.relationship("Author", "authoredBooks", "Books", kind: "Array", [("id", "author_id")]))
        let relationship = try #require(try ConfigLoader.resolve(raw, schemas: schemas).relationships.first)
        #expect(relationship.sourceSubgraph == "authors")

        // With a model of Author in both subgraphs the gateway cannot tell which serves it.
        let yaml = subgraphsYAML + modelsYAML
            + "  - {name: CatalogAuthors, subgraph: catalog, type: Author, collection: catalogAuthors}\n"
            + "relationships:\n" + Self.relationship("Author", "authoredBooks", "Books", kind: "Array", [("id", "author_id")])
        expectError(
            resolveErrors(yaml, schemas: schemas), at: "24:15",
            "source type \"Author\" exists in subgraphs authors, catalog and it has models in subgraphs authors, catalog; declare a model of Author in exactly one of them"
        )
    }

    @Test func relationshipsAreNotCheckedWhenModelsFail() throws {
        let yaml = subgraphsYAML + "models:\n  - {name: Books, subgraph: catalog, type: Bok, collection: books}\n"
            + "relationships:\n" + Self.relationship("Nothing", "x", "Nowhere", [("a", "b")])
        expectError(resolveErrors(yaml, schemas: try DemoSchemas.all()), at: "8:44", "unknown type \"Bok\"")
    }
}
