/// How deep braces, brackets and parentheses nest in GraphQL source text, outside strings,
/// block strings and comments: measured before parsing, because GraphQLSwift's parser and
/// validator recurse once per level and a query nested a thousand levels deep (40 KB of text)
/// overflows a thread's stack and ends the process before any depth limit can be checked.
public enum SourceNesting {
    /// The deepest nesting of `{`, `[` and `(`, counting no further than `limit + 1`.
    public static func depth(of text: String, stoppingAfter limit: Int) -> Int {
        var text = text
        return text.withUTF8 { depth(of: $0, stoppingAfter: limit) }
    }

    static func depth(of bytes: UnsafeBufferPointer<UInt8>, stoppingAfter limit: Int) -> Int {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var depth = 0
        var deepest = 0
        var index = 0
        let count = bytes.count
        func isBlockQuote(_ at: Int) -> Bool {
            at + 2 < count && bytes[at] == quote && bytes[at + 1] == quote && bytes[at + 2] == quote
        }
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("):
                depth += 1
                if depth > deepest {
                    deepest = depth
                    if deepest > limit { return deepest }
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "#"):
                // A comment runs to the end of the line.
                while index < count, bytes[index] != UInt8(ascii: "\n"), bytes[index] != UInt8(ascii: "\r") { index += 1 }
            case quote where isBlockQuote(index):
                // A block string ends at the next `"""` not escaped as `\"""`.
                index += 3
                while index < count, !(isBlockQuote(index) && bytes[index - 1] != backslash) { index += 1 }
                index += 2
            case quote:
                // A string ends at the next unescaped `"` (or, malformed, at the line's end).
                index += 1
                while index < count, bytes[index] != quote, bytes[index] != UInt8(ascii: "\n") {
                    if bytes[index] == backslash { index += 1 }
                    index += 1
                }
            default:
                break
            }
            index += 1
        }
        return deepest
    }
}
