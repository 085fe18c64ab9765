import TestSupport
import GatewayConfig
import GraphQLSupport
import Testing

/// `onDelete:` of a relationship (a gateway extension of OpenDD): decoding, and the relationships
/// stage's checks of each rule and of the cascade rules together.
///
/// Stage YAML is ``relationshipsPrefix`` followed by relationships in
/// ``RelationshipStageTests/relationship(_:_:_:kind:subgraph:_:)``'s layout with `onDelete:` as
/// their last definition key (``rule(_:_:)``): for a relationship with p pairs starting on line L,
/// its value is at L+7+2p:17, and the next relationship starts on L+8+2p. The first relationship
/// starts on line 20, so with one pair the first rule is at 29:17 and the second relationship
/// starts on line 30 (its rule at 39:17, a third at 49:17).
@Suite struct DeleteRuleTests: RelationshipStageSuite {
    /// `relationship` with `onDelete: value` appended to its definition.
    static func rule(_ relationship: String, _ value: String) -> String {
        relationship + "      onDelete: \(value)\n"
    }

    static func relationship(
        _ source: String, _ name: String, _ target: String, kind: String = "Object", _ pairs: [(String, String)],
        onDelete: String
    ) -> String {
        rule(RelationshipStageTests.relationship(source, name, target, kind: kind, pairs), onDelete)
    }

    func resolve(_ relationships: String..., schemas: [String: SchemaModel]? = nil) throws -> [RelationshipConfig] {
        let raw = try decode(relationshipsPrefix + relationships.joined())
        return try ConfigLoader.resolve(raw, schemas: schemas ?? DemoSchemas.all()).relationships
    }

    /// The demo schemas with the authors subgraph's SDL edited by `edit`.
    static func authors(_ edit: (String) -> String) throws -> [String: SchemaModel] {
        var schemas = try DemoSchemas.all()
        schemas["authors"] = try SchemaModel(sdl: edit(DemoSchemas.sdl(DemoSchemas.subgraphs[1].types)))
        return schemas
    }

    /// The demo schemas where an Author also holds keys to a passport and to a mentor (both
    /// nullable), so that relationships back to Author can close cascade cycles.
    static func authorsWithBackReferences() throws -> [String: SchemaModel] {
        var schemas = try DemoSchemas.all()
        schemas["authors"] = try SchemaModel(
            sdl: DemoSchemas.sdl([
                DemoSchemas.ModelType(
                    "Author", "authors",
                    "id: ID!, name: String!, dateOfBirth: String, country: String, passport_id: ID, mentor_id: ID"),
                DemoSchemas.ModelType("Passport", "passports", "id: ID!, owner_id: ID!, passport_number: String!, expires: String"),
            ]))
        return schemas
    }

    /// Passport's rows refer to their Author: id -> owner_id, the related rows hold the key.
    static func authorPassport(_ value: String) -> String {
        relationship("Author", "passport", "Passports", [("id", "owner_id")], onDelete: value)
    }

    /// With ``authorsWithBackReferences()``: Author's rows refer to their passport.
    static func passportHolder(_ value: String) -> String {
        relationship("Passport", "holder", "Authors", [("id", "passport_id")], onDelete: value)
    }

    /// With ``authorsWithBackReferences()``: Author's rows refer to their mentor, an Author.
    static func authorMentees(_ value: String) -> String {
        relationship("Author", "mentees", "Authors", kind: "Array", [("id", "mentor_id")], onDelete: value)
    }

    // MARK: Decoding

    @Test func decodesEachRuleWithItsLocation() throws {
        let raw = try decode(
            relationshipsPrefix + Self.authorPassport("cascade")
                + Self.relationship("User", "loans", "Loans", kind: "Array", [("id", "user_id")], onDelete: "restrict")
                + Self.relationship("Address", "user", "Users", [("id", "address_id")], onDelete: "setNull")
                + RelationshipStageTests.bookAuthor)
        #expect(raw.relationships.map { $0.onDelete?.value } == [.cascade, .restrict, .setNull, nil])
        #expect(raw.relationships.map { $0.onDelete?.location.description } == [
            "gateway.yaml:29:17", "gateway.yaml:39:17", "gateway.yaml:49:17", nil,
        ])
    }

    @Test func anUnknownRuleSuggestsTheClosest() {
        let found = decodeErrors(
            relationshipsPrefix + Self.authorPassport("setnull")
                + Self.relationship("User", "loans", "Loans", kind: "Array", [("id", "user_id")], onDelete: "cascde")
                + Self.relationship("Address", "user", "Users", [("id", "address_id")], onDelete: "delete"))
        expectErrors(
            found,
            [
                ("29:17", ["invalid onDelete \"setnull\" in relationship Author.passport; did you mean \"setNull\"? expected cascade, restrict or setNull"]),
                ("39:17", ["invalid onDelete \"cascde\" in relationship User.loans; did you mean \"cascade\"? expected cascade, restrict or setNull"]),
                ("49:17", ["invalid onDelete \"delete\" in relationship Address.user; expected cascade, restrict or setNull"]),
            ])
        #expect(found.allSatisfy { $0.code == .invalidValue })
    }

    @Test func aRuleIsAString() {
        expectError(
            decodeErrors(relationshipsPrefix + Self.authorPassport("[cascade]")), at: "29:17",
            "expected a string for \"onDelete\" in definition of relationship Author.passport, got a list")
    }

    @Test func aMisspeltKeySuggestsOnDelete() {
        let found = decodeErrors(
            relationshipsPrefix + RelationshipStageTests.relationship("Author", "passport", "Passports", [("id", "owner_id")])
                + "      ondelete: cascade\n")
        expectError(
            found, at: "29:7",
            "unknown key \"ondelete\" in definition of relationship Author.passport; did you mean \"onDelete\"? allowed keys: source, name, target, mapping, description, through, onDelete"
        )
    }

    // MARK: Resolving

    @Test func resolvesTheRuleIntoTheRelationship() throws {
        let relationships = try resolve(
            Self.authorPassport("cascade"),
            Self.relationship("Author", "authoredBooks", "Books", kind: "Array", [("id", "author_id")], onDelete: "setNull"),
            Self.relationship("User", "loans", "Loans", kind: "Array", [("id", "user_id")], onDelete: "restrict"),
            RelationshipStageTests.bookAuthor)
        #expect(
            relationships.first
                == RelationshipConfig(
                    sourceType: "Author", sourceSubgraph: "authors", name: "passport", targetModel: "Passports",
                    targetSubgraph: "authors", targetType: "Passport", targetCollection: "passports", kind: .object,
                    mapping: [FieldMapping(sourceField: "id", targetField: "owner_id", scalarType: "ID")],
                    onDelete: .cascade, location: SourceLocation(file: "gateway.yaml", line: 20, column: 5)))
        #expect(relationships.map(\.onDelete) == [.cascade, .setNull, .restrict, nil])
        #expect(relationships.map(\.keyHolder) == [.target, .target, .target, .source])
    }

    @Test func resolvesRulesOnManyToManyRelationships() throws {
        // Cascading deletes the junction rows (BookGenre, with delete_BookGenre), not the genres.
        let relationships = try resolve(
            Self.rule(JunctionRelationshipTests.bookGenres, "cascade"),
            Self.rule(
                JunctionRelationshipTests.relationship(
                    "Genre", "books", "Books", [("id", "genre_id")], through: "BookGenres", [("book_id", "id")]),
                "restrict"))
        #expect(relationships.map(\.onDelete) == [.cascade, .restrict])
        #expect(relationships.map(\.keyHolder) == [.junction, .junction])
    }

    // MARK: Where the rule applies

    @Test func aRuleWhereTheSourceRowsHoldTheKeyIsAnError() throws {
        // Book.author (9 lines, rule at 29), then Loan.stock's composite key (11 lines from 30, rule at 41).
        let found = try stageErrors(
            Self.rule(RelationshipStageTests.bookAuthor, "cascade"),
            Self.relationship(
                "Loan", "stock", "Stocks", [("library_id", "library_id"), ("book_id", "book_id")], onDelete: "restrict"))
        expectErrors(
            found,
            [
                ("29:17", ["onDelete: cascade does not apply to relationship Book.author: its source rows hold the key (Book.author_id -> Author.id), so no rows refer to deleted Book rows through it; onDelete applies where the related rows hold the key (Array relationships, Object relationships from the source's id such as Author.passport, many-to-many ones): remove it, or declare it on a relationship from Author mapping id -> author_id"]),
                ("41:17", ["onDelete: restrict does not apply to relationship Loan.stock: its source rows hold the key (Loan.library_id -> Stock.library_id, Loan.book_id -> Stock.book_id), so no rows refer to deleted Loan rows through it;", "mapping library_id -> library_id, book_id -> book_id"]),
            ])
        #expect(found.map(\.code) == [.deleteRuleNotApplicable, .deleteRuleNotApplicable])
    }

    // MARK: setNull

    @Test func setNullOnANonNullTargetKeyIsAnError() throws {
        let found = try stageErrors(Self.authorPassport("setNull"))
        expectError(
            found, at: "29:17",
            "onDelete: setNull on relationship Author.passport sets the key of the Passport rows referring to deleted Author rows to null, but Passport.owner_id is ID!; make it nullable in subgraph authors, or choose cascade or restrict"
        )
        #expect(found.first?.code == .nonNullableKey)
    }

    @Test func setNullOnANonNullJunctionKeyIsAnError() throws {
        // Book.genres through BookGenres: lines 20-34, its rule at 35:17. The junction's book_id holds the key.
        let found = try stageErrors(Self.rule(JunctionRelationshipTests.bookGenres, "setNull"))
        expectError(
            found, at: "35:17",
            "onDelete: setNull on relationship Book.genres sets the key of the BookGenre rows referring to deleted Book rows to null, but BookGenre.book_id is ID!; make it nullable in subgraph catalog, or choose cascade or restrict"
        )
        #expect(found.first?.code == .nonNullableKey)
    }

    @Test func setNullOnNullableKeysResolves() throws {
        // Book.author_id and User.address_id are nullable.
        let relationships = try resolve(
            Self.relationship("Author", "authoredBooks", "Books", kind: "Array", [("id", "author_id")], onDelete: "setNull"),
            Self.relationship("Address", "user", "Users", [("id", "address_id")], onDelete: "setNull"))
        #expect(relationships.map(\.onDelete) == [.setNull, .setNull])
    }

    // MARK: Mutations

    @Test func cascadeAndSetNullNeedTheirMutations() throws {
        // The authors subgraph without delete_ and update_ mutations.
        let schemas = try Self.authors { sdl in
            sdl.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("delete_") && !$0.contains("update_") }.joined(separator: "\n")
        }
        // Authors sharing a country: Author.country is nullable, so only update_Author is missing.
        let found = try stageErrors(
            Self.authorPassport("cascade"),
            Self.relationship("Author", "compatriots", "Authors", kind: "Array", [("country", "country")], onDelete: "setNull"),
            schemas: schemas)
        expectErrors(
            found,
            [
                ("29:17", ["onDelete: cascade on relationship Author.passport needs the mutation delete_Passport(filter: ...) of subgraph authors to delete the Passport rows referring to deleted Author rows, but its Mutation type has no field delete_Passport; serve it as the subgraph protocol describes, or choose restrict"]),
                ("39:17", ["onDelete: setNull on relationship Author.compatriots needs the mutation update_Author(filter: ..., input: ...) of subgraph authors to set the key of the Author rows referring to deleted Author rows to null, but its Mutation type has no field update_Author; serve it as the subgraph protocol describes, or choose restrict"]),
            ])
        #expect(found.map(\.code) == [.missingMutation, .missingMutation])
        // restrict sends no mutation.
        let raw = try decode(relationshipsPrefix + Self.authorPassport("restrict"))
        #expect(try ConfigLoader.resolve(raw, schemas: schemas).relationships.first?.onDelete == .restrict)
    }

    @Test func aMutationWithoutTheNeededArgumentOrNoMutationTypeAtAll() throws {
        let withoutFilter = try Self.authors {
            $0.replacingOccurrences(of: "delete_Passport(id: ID, filter: PassportFilter)", with: "delete_Passport(id: ID)")
        }
        expectError(
            try stageErrors(Self.authorPassport("cascade"), schemas: withoutFilter), at: "29:17",
            "needs the mutation delete_Passport(filter: ...) of subgraph authors to delete the Passport rows referring to deleted Author rows, but its delete_Passport has no argument filter;"
        )
        let withoutMutations = try Self.authors { sdl in
            // The SDL's blocks are separated by blank lines; the Mutation type is one of them.
            sdl.components(separatedBy: "\n\n").filter { !$0.hasPrefix("type Mutation") }.joined(separator: "\n\n")
        }
        #expect(withoutMutations["authors"]?.mutation == nil)
        expectError(
            try stageErrors(Self.authorPassport("cascade"), schemas: withoutMutations), at: "29:17",
            "needs the mutation delete_Passport(filter: ...) of subgraph authors to delete the Passport rows referring to deleted Author rows, but it has no Mutation type;"
        )
    }

    // MARK: Cascade cycles

    @Test func aCascadeCycleOfTwoRelationships() throws {
        let schemas = try Self.authorsWithBackReferences()
        let found = try stageErrors(Self.authorPassport("cascade"), Self.passportHolder("cascade"), schemas: schemas)
        expectError(
            found, at: "29:17",
            "onDelete: cascade rules form a cycle: Author.passport (cascade) -> Passport.holder (cascade) -> Author; deleting Author rows would cascade back to Author rows without end; make one of these rules restrict or setNull, or remove it"
        )
        #expect(found.first?.code == .cascadeCycle)
        // Declared the other way round, the cycle starts at the other relationship, located at its rule.
        let reversed = try stageErrors(Self.passportHolder("cascade"), Self.authorPassport("cascade"), schemas: schemas)
        expectError(
            reversed, at: "29:17",
            "onDelete: cascade rules form a cycle: Passport.holder (cascade) -> Author.passport (cascade) -> Passport; deleting Passport rows would cascade back to Passport rows without end;"
        )
    }

    @Test func aTypeCascadingToItselfIsACycle() throws {
        let found = try stageErrors(Self.authorMentees("cascade"), schemas: Self.authorsWithBackReferences())
        expectError(
            found, at: "29:17",
            "onDelete: cascade rules form a cycle: Author.mentees (cascade) -> Author; deleting Author rows would cascade back to Author rows without end; make one of these rules restrict or setNull, or remove it"
        )
    }

    @Test func restrictAndSetNullRulesCloseNoCycle() throws {
        let schemas = try Self.authorsWithBackReferences()
        let relationships = try resolve(
            Self.authorPassport("cascade"), Self.passportHolder("setNull"), Self.authorMentees("restrict"),
            schemas: schemas)
        #expect(relationships.map(\.onDelete) == [.cascade, .setNull, .restrict])
        let restricted = try resolve(Self.authorPassport("cascade"), Self.passportHolder("restrict"), schemas: schemas)
        #expect(restricted.map(\.onDelete) == [.cascade, .restrict])
    }

    @Test func everyCycleIsReportedOnceAfterTheOtherMistakes() throws {
        // Author.passport (rule at 29), Author.mentees (39), Book.author (49, not applicable) and
        // Passport.holder (59): two cycles, each at its first-declared rule, in file order, after
        // the mistakes of single relationships.
        let found = try stageErrors(
            Self.authorPassport("cascade"), Self.authorMentees("cascade"),
            Self.rule(RelationshipStageTests.bookAuthor, "cascade"), Self.passportHolder("cascade"),
            schemas: Self.authorsWithBackReferences())
        expectErrors(
            found,
            [
                ("49:17", ["onDelete: cascade does not apply to relationship Book.author"]),
                ("29:17", ["cycle: Author.passport (cascade) -> Passport.holder (cascade) -> Author;"]),
                ("39:17", ["cycle: Author.mentees (cascade) -> Author;"]),
            ])
        #expect(found.map(\.code) == [.deleteRuleNotApplicable, .cascadeCycle, .cascadeCycle])
    }

    @Test func theShippedGatewayYAMLResolvesWithItsRules() throws {
        let raw = try ConfigLoader.load(path: repositoryGatewayYAML, environment: [:])
        let config = try ConfigLoader.resolve(raw, schemas: DemoSchemas.all())
        let rules = config.relationships.compactMap { relationship in
            relationship.onDelete.map { "\(relationship.sourceType).\(relationship.name): \($0.rawValue)" }
        }
        #expect(
            rules == [
                "Address.user: setNull", "Author.passport: cascade", "Library.books: restrict",
                "Book.bookGenres: cascade", "Genre.genreBooks: cascade", "Author.authoredBooks: setNull",
                "Book.reviews: cascade", "User.reviews: cascade", "Library.stock: cascade", "User.loans: restrict",
            ])
        // Each rule sits on a relationship whose related rows hold the key.
        #expect(config.relationships.filter { $0.onDelete != nil }.allSatisfy { $0.keyHolder != .source })
    }
}
