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
@Suite struct DeleteRuleTests {
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

    /// Passport's rows refer to their Author: id -> owner_id, the related rows hold the key.
    static func authorPassport(_ value: String) -> String {
        relationship("Author", "passport", "Passports", [("id", "owner_id")], onDelete: value)
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
}
