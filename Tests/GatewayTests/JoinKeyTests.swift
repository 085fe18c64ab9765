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

    /// The condition `writeKeyCondition` writes for the keys of `rows` over `fields`.
    func condition(_ rows: String, _ fields: [String]) throws -> String {
        var out = JSONWriter()
        GatewayExecutor.writeKeyCondition(try keys(rows, fields).compactMap { $0 }[...], fields: fields, into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    @Test func keyConditionsCarryEachValueAsJSON() throws {
        let long = String(repeating: "z", count: 40)
        #expect(try condition(#"[{"id": 7}, {"id": "a\"b"}, {"id": 1.50}, {"id": "\#(long)"}]"#, ["id"])
            == #"{"id":{"_in":[7,"a\"b",1.5,"\#(long)"]}}"#)
    }

    @Test func compositeKeyConditionsMatchEveryPart() throws {
        #expect(try condition(#"[{"a": 1, "b": "x"}, {"a": 2, "b": "\#(String(repeating: "y", count: 40))"}]"#, ["a", "b"])
            == #"{"_or":[{"_and":[{"a":{"_eq":1}},{"b":{"_eq":"x"}}]},{"_and":[{"a":{"_eq":2}},{"b":{"_eq":"\#(String(repeating: "y", count: 40))"}}]}]}"#)
    }

    @Test func noKeysMatchNothing() throws {
        #expect(try condition("[]", ["a"]) == #"{"_or":[]}"#)
        #expect(try condition("[]", ["a", "b"]) == #"{"_or":[]}"#)
    }

    @Test func keyQueryBodiesKeepTheVariablesAndTheClientFilter() throws {
        let keys = try keys(#"[{"id": 1}, {"id": 2}]"#, ["id"]).compactMap { $0 }
        let body = GatewayExecutor.keyQueryBody(
            query: "query($w: F!) { x }", variables: ["v": 3], whereVariable: "w", keys: keys[...], fields: ["id"],
            and: ["name": ["_eq": "n"]])
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"query":"query($w: F!) { x }","variables":{"v":3,"w":{"_and":[{"id":{"_in":[1,2]}},{"name":{"_eq":"n"}}]}}}"#)
    }

    @Test func theIndexNumbersDistinctKeysInOrder() throws {
        // Short and long keys, each inserted twice, enough to grow the table several times.
        let values = (0..<3_000).map { $0 % 2 == 0 ? "\($0)" : "\"\(String(repeating: "v", count: 40))\($0)\"" }
        let rows = "[" + (values + values).map { #"{"a": \#($0)}"# }.joined(separator: ",") + "]"
        let keys = try keys(rows, ["a"]).map { try #require($0) }
        var index = JoinKeyIndex()
        for (offset, key) in keys.enumerated() {
            let (position, inserted) = index.insert(key)
            #expect(position == offset % values.count)
            #expect(inserted == (offset < values.count))
        }
        #expect(index.count == values.count)
        #expect(index.keys == Array(keys.prefix(values.count)))
        for (offset, key) in keys.enumerated() { #expect(index.position(of: key) == offset % values.count) }
        let absent = try self.keys(#"[{"a": 3000}, {"a": "3"}, {"a": 1.5}]"#, ["a"]).map { try #require($0) }
        for key in absent { #expect(index.position(of: key) == nil) }
        #expect(JoinKeyIndex().position(of: absent[0]) == nil)
    }
}
