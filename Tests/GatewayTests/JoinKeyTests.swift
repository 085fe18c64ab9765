import GatewayJSON
import Testing

@testable import GatewayExecution

/// Join keys decide which rows a parent gets: equal exactly when the key values are equal as
/// JSON, whatever their spelling, and whatever their length.
@Suite("Join keys")
struct JoinKeyTests {
    /// The key of each row of `rows` (a JSON array of objects) over `fields`.
    func keys(_ rows: String, _ fields: [String]) throws -> [JoinKey?] {
        let document = try JSONDocument(parsing: Array(rows.utf8))
        return withExtendedLifetime(document) {
            document.root.items.map { JoinKey.of($0, fields.map { Array($0.utf8) }) }
        }
    }

    @Test func equalValuesMakeEqualKeysWhateverTheirSpelling() throws {
        let keys = try keys(#"[{"a": "A1"}, {"a": "\u0041\u0031"}, {"a": 15e-1}, {"a": 1.50}, {"a": 7}]"#, ["a"])
        #expect(keys[0] != nil && keys[0] == keys[1])
        #expect(Set([keys[0], keys[1]]).count == 1)
        #expect(keys[2] != nil && keys[2] == keys[3])
        #expect(keys[0] != keys[2] && keys[2] != keys[4])
    }

    @Test func aStringIsNotTheNumberItSpells() throws {
        let keys = try keys(#"[{"a": "7"}, {"a": 7}]"#, ["a"])
        #expect(keys[0] != keys[1])
    }

    @Test func nullOrMissingPartsMatchNothing() throws {
        let keys = try keys(#"[{"a": null, "b": 1}, {"b": 1}, {"a": 1, "b": 1}]"#, ["a", "b"])
        #expect(keys[0] == nil && keys[1] == nil && keys[2] != nil)
    }

    @Test func compositeKeysKeepTheirPartsApart() throws {
        // "ab" + "c" and "a" + "bc" have the same bytes run together.
        let keys = try keys(#"[{"x": "ab", "y": "c"}, {"x": "a", "y": "bc"}, {"y": "c", "x": "ab"}]"#, ["x", "y"])
        #expect(keys[0] != keys[1])
        #expect(keys[0] == keys[2])
    }

    @Test func longKeysCompareEveryByte() throws {
        let prefix = String(repeating: "k", count: 31)
        let long = String(repeating: "z", count: 60)
        let keys = try keys(
            #"[{"a": "\#(prefix)1"}, {"a": "\#(prefix)2"}, {"a": "\#(long)1"}, {"a": "\#(long)2"}, {"a": "\#(long)1"}]"#, ["a"])
        #expect(keys[0] != keys[1])
        #expect(keys[2] != keys[3])
        #expect(keys[2] == keys[4])
        #expect(Set(keys).count == 4)
    }
}
