import GatewayJSON
import Testing

@Suite("JSON parser and writer")
struct JSONTests {
    @Test func parsesEveryKindOfValue() throws {
        let json = try JSONParser.parse(#" {"a": [1, -2, 3.5, 1e3, -0.25E-2, true, false, null], "b": {"c": "d"}, "": ""} "#)
        #expect(json == ["a": [1, -2, 3.5, 1000.0, -0.0025, true, false, nil], "b": ["c": "d"], "": ""])
    }

    @Test func keepsMemberOrder() throws {
        let json = try JSONParser.parse(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(json.objectValue?.keys == ["z", "a", "m"])
        #expect(json.description == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let json = try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u00e9\u00C6\ud83d\ude00 ærø""#)
        #expect(json == .string("\"\\/\u{08}\u{0C}\n\r\té\u{C6}😀 ærø"))
    }

    @Test func writesEscapesAndRoundTrips() throws {
        let value: JSON = ["s": "quote \" backslash \\ newline \n tab \t bell \u{07} ærø 😀", "n": [0, -7, 12345678901234, 0.1, 2.0, -1.5e-7]]
        let text = value.description
        #expect(text == #"{"s":"quote \" backslash \\ newline \n tab \t bell \u0007 ærø 😀","n":[0,-7,12345678901234,0.1,2.0,-1.5e-07]}"#)
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func bigIntegersBecomeDoubles() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
    }

    @Test func rejectsMalformedInputWithAnOffset() {
        let cases: [(String, String)] = [
            ("", "Unexpected end of JSON at byte 0"),
            ("{", "Expected a string key in object at byte 1"),
            (#"{"a" 1}"#, "Expected ':' after object key at byte 5"),
            ("[1,]", "Unexpected character ']' at byte 3"),
            ("[1 2]", "Expected ',' or ']' in array at byte 3"),
            ("01", "Leading zeros are not allowed in numbers at byte 1"),
            ("1.", "Expected digits after '.' at byte 2"),
            ("tru", "Unexpected end of JSON at byte 0"),
            ("nul!", "Invalid literal at byte 0"),
            (#""abc"#, "Unterminated string at byte 4"),
            ("\"a\u{01}\"", "Unescaped control character in string at byte 2"),
            (#""\x""#, #"Invalid escape '\x' in string at byte 2"#),
            (#""\ud800""#, #"Unpaired surrogate in \u escape at byte 7"#),
            ("{} x", "Unexpected content after the JSON value at byte 3"),
            (String(repeating: "[", count: 600), "JSON nested too deeply at byte 512"),
        ]
        for (text, message) in cases {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(text) }
            do {
                _ = try JSONParser.parse(text)
            } catch {
                #expect(error.description == message, "\(text)")
            }
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError(message: "Invalid UTF-8 in string", offset: 1)) {
            try JSONParser.parse([0x22, 0xC3, 0x28, 0x22])
        }
    }
}

@Suite("JSON documents (the tape the gateway stitches from)")
struct JSONDocumentTests {
    static let text = #"{"data": {"_r": [{"id": "1", "name": "Ærø \"quoted\"", "n": -12, "f": 1.5e2, "ok": true, "none": null, "list": [1, [2, {}]]}, {"id": "2"}]}, "errors": []}"#

    @Test func decodesToTheSameValueAsTheTreeParser() throws {
        let document = try JSONDocument(parsing: Array(Self.text.utf8))
        // References do not keep their document alive: the test does.
        let expected = try JSONParser.parse(Self.text)
        withExtendedLifetime(document) {
            #expect(document.root.json == expected)
        }
    }

    @Test func membersAreFoundInOrderOrByScanAndValuesCopiedAsTheyCame() throws {
        let document = try JSONDocument(parsing: Array(Self.text.utf8))
        defer { withExtendedLifetime(document) {} }
        let rows = try #require(document.root.member("data")?.member("_r"))
        #expect(rows.isArray && rows.count == 2)
        let first = rows.items[0]
        var cursor = 0
        #expect(first.member(Array("id".utf8), cursor: &cursor)?.json == "1")
        #expect(first.member(Array("name".utf8), cursor: &cursor)?.json == "Ærø \"quoted\"")
        // Out of order: found by scanning.
        #expect(first.member(Array("ok".utf8), cursor: &cursor)?.json == true)
        #expect(first.member(Array("n".utf8), cursor: &cursor)?.json == -12)
        #expect(first.member(Array("missing".utf8), cursor: &cursor) == nil)
        var writer = JSONWriter()
        writer.raw(try #require(first.member("name")))
        writer.raw(UInt8(ascii: ","))
        writer.raw(try #require(first.member("f")))
        writer.raw(UInt8(ascii: ","))
        writer.raw(try #require(first.member("list")))
        #expect(writer.string == #""Ærø \"quoted\"",1.5e2,[1, [2, {}]]"#)
        #expect(rows.items[1].member("name") == nil)
    }

    @Test func rejectsWhatTheTreeParserRejects() {
        for text in ["", "{", #"{"a" 1}"#, "[1,]", "01", #""\x""#, "\"a\u{01}\"", "{} x", String(repeating: "[", count: 600)] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONDocument(parsing: Array(text.utf8)) }
        }
        #expect(throws: JSONParseError.self) { try JSONDocument(parsing: [0x22, 0xC3, 0x28, 0x22]) }
    }

    /// Strings are scanned eight bytes at a time: a quote, an escape, a control character or a
    /// non-ASCII byte at any position of a word must be seen as the byte-by-byte scan sees it.
    @Test func stringsAgreeWithTheTreeParserAtEveryPositionOfAWord() throws {
        let specials: [(bytes: [UInt8], valid: Bool)] = [
            (Array(#"\""#.utf8), true), (Array(#"\\"#.utf8), true), (Array(#"\u00e6"#.utf8), true), (Array("æ".utf8), true),
            (Array("€".utf8), true), ([0x7F], true), ([0x1F], false), ([0x01], false), ([0x00], false), ([0xC3, 0x28], false),
            ([0xFF], false), ([0x20], true), ([0x21], true), ([0x23], true), ([0x5B], true), ([0x5D], true),
        ]
        for (special, valid) in specials {
            for position in 0..<20 {
                let content = Array(repeating: UInt8(ascii: "a"), count: position) + special
                    + Array(repeating: UInt8(ascii: "b"), count: 19 - position)
                let text = Array(#"{"k":""#.utf8) + content + Array(#"","n":1}"#.utf8)
                let label = "\(special) at \(position)"
                if valid {
                    let document = try JSONDocument(parsing: text)
                    let expected = try JSONParser.parse(text)
                    withExtendedLifetime(document) { #expect(document.root.json == expected, "\(label)") }
                } else {
                    #expect(throws: JSONParseError.self, "\(label)") { try JSONDocument(parsing: text) }
                    #expect(throws: JSONParseError.self, "\(label)") { try JSONParser.parse(text) }
                }
            }
        }
    }
}
