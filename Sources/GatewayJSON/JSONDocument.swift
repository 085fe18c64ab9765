#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed JSON text kept as its bytes plus a flat index of its values ("tape").
///
/// The gateway reads every subgraph answer once and writes most of it back out unchanged. A
/// tree of ``JSON`` values costs an allocation per string, array and object and re-escapes every
/// string on the way out; a document costs two arrays, and ``JSONWriter`` copies a value's
/// bytes as they came (strings keep their escapes, numbers their digits).
public final class JSONDocument: @unchecked Sendable {
    // @unchecked: the two buffers are written once in `init` and only read afterwards, from
    // any thread; they are freed in `deinit`, when no reader is left.
    public enum Kind: UInt8, Sendable {
        case null, `false`, `true`, number, string, array, object
    }

    /// One value: its kind, its bytes (`start..<end`, quotes included for strings), the index
    /// of the value after it and all its contents (`next`), and how many items or members a
    /// container has. An object's members follow it as key, value, key, value.
    public struct Node: Sendable {
        public var kind: Kind
        /// Whether a string contains escapes (then its bytes are not its text).
        public var escaped: Bool
        public var start: Int32
        public var end: Int32
        public var next: Int32
        public var count: Int32
    }

    /// The text and the nodes, in memory this document owns: immutable after `init`, freed in
    /// `deinit`. Plain buffers rather than arrays, so that reading them costs no reference
    /// counting on the stitching path (which reads them for every field of every row).
    public let bytes: UnsafeBufferPointer<UInt8>
    public let nodes: UnsafeBufferPointer<Node>

    /// Parses JSON text.
    public init(parsing text: [UInt8]) throws(JSONParseError) {
        var builder = TapeBuilder(count: text.count)
        let result = text.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in try builder.parse(buffer) }
        }
        do throws(JSONParseError) {
            try result.get()
        } catch {
            builder.nodes.deallocate()
            throw error
        }
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(text.count, 1))
        _ = bytes.initialize(from: text)
        self.bytes = UnsafeBufferPointer(rebasing: bytes[0..<text.count])
        // The builder's buffer becomes the document's (Node is plain data: nothing to deinitialize).
        self.nodes = UnsafeBufferPointer(rebasing: builder.nodes[0..<builder.count])
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: bytes).deallocate()
        UnsafeMutableBufferPointer(mutating: nodes).deallocate()
    }

    /// The document's top-level value; valid while the document is alive.
    public var root: JSONRef { JSONRef(document: self, index: 0) }
}

/// A value inside a ``JSONDocument``.
///
/// A reference does not keep its document alive: whoever parses a document keeps it (the
/// gateway keeps each request's answers until its response is written), so that copying
/// references, which stitching does for every row and field, costs no reference counting.
public struct JSONRef: Sendable {
    /// The document, not retained. Read through `_withUnsafeGuaranteedRef`: an
    /// `unowned(unsafe)` reference still costs a retain and a release around some reads.
    @usableFromInline let storage: Unmanaged<JSONDocument>
    public let index: Int

    @inlinable
    public init(document: JSONDocument, index: Int) {
        self.storage = .passUnretained(document)
        self.index = index
    }

    @inlinable
    init(storage: Unmanaged<JSONDocument>, index: Int) {
        self.storage = storage
        self.index = index
    }

    @inlinable
    var nodes: UnsafeBufferPointer<JSONDocument.Node> { storage._withUnsafeGuaranteedRef { $0.nodes } }
    /// The document's text.
    @inlinable
    var text: UnsafeBufferPointer<UInt8> { storage._withUnsafeGuaranteedRef { $0.bytes } }

    @inlinable
    public var node: JSONDocument.Node { nodes[index] }
    @inlinable
    public var kind: JSONDocument.Kind { nodes[index].kind }
    @inlinable
    public var isNull: Bool { kind == .null }
    @inlinable
    public var isObject: Bool { kind == .object }
    @inlinable
    public var isArray: Bool { kind == .array }
    @inlinable
    public var count: Int { Int(nodes[index].count) }

    /// The items of an array.
    public var items: [JSONRef] {
        let node = nodes[index]
        guard node.kind == .array else { return [] }
        var result: [JSONRef] = []
        result.reserveCapacity(Int(node.count))
        var position = index + 1
        for _ in 0..<node.count {
            result.append(JSONRef(storage: storage, index: position))
            position = Int(nodes[position].next)
        }
        return result
    }

    /// The members of an object, each key (decoded) with its value, in document order; empty
    /// for any other value.
    public var members: [(key: String, value: JSONRef)] {
        let node = nodes[index]
        guard node.kind == .object else { return [] }
        var result: [(key: String, value: JSONRef)] = []
        result.reserveCapacity(Int(node.count))
        var position = index + 1
        for _ in 0..<node.count {
            let key = JSONRef(storage: storage, index: position).json.stringValue ?? ""
            result.append((key, JSONRef(storage: storage, index: position + 1)))
            position = Int(nodes[position + 1].next)
        }
        return result
    }

    /// Whether the string node at `position` is the key `key` (its UTF-8 bytes).
    @inlinable
    func isKey(_ position: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let keyNode = nodes[position]
        let start = Int(keyNode.start) + 1
        let length = Int(keyNode.end) - 1 - start
        guard length == key.count, !keyNode.escaped else { return false }
        if length == 0 { return true }
        return memcmp(text.baseAddress! + start, key.baseAddress!, length) == 0
    }

    /// The value of an object's member whose key is `key` (its UTF-8 bytes); nil when there is
    /// none or this is not an object.
    @inlinable
    public func member(_ key: UnsafeBufferPointer<UInt8>) -> JSONRef? {
        let node = nodes[index]
        guard node.kind == .object else { return nil }
        var position = index + 1
        for _ in 0..<node.count {
            if isKey(position, key) { return JSONRef(storage: storage, index: position + 1) }
            position = Int(nodes[position + 1].next)
        }
        return nil
    }

    @inlinable
    public func member(_ key: [UInt8]) -> JSONRef? {
        key.withUnsafeBufferPointer { member($0) }
    }

    /// The value of member `key`, trying first the member at `cursor` (a key's node index; 0
    /// for the first member) and moving the cursor past it: reading fields in the order an
    /// object lists them costs one comparison each.
    @inlinable
    public func member(_ key: UnsafeBufferPointer<UInt8>, cursor: inout Int) -> JSONRef? {
        let node = nodes[index]
        guard node.kind == .object else { return nil }
        if cursor == 0 { cursor = index + 1 }
        if cursor < Int(node.next), isKey(cursor, key) {
            let value = cursor + 1
            cursor = Int(nodes[value].next)
            return JSONRef(storage: storage, index: value)
        }
        return member(key)
    }

    @inlinable
    public func member(_ key: [UInt8], cursor: inout Int) -> JSONRef? {
        key.withUnsafeBufferPointer { member($0, cursor: &cursor) }
    }

    public func member(_ key: String) -> JSONRef? { member(Array(key.utf8)) }

    /// The value's JSON text, as it came.
    @inlinable
    public var rawBytes: UnsafeBufferPointer<UInt8> {
        let node = nodes[index]
        return UnsafeBufferPointer(rebasing: text[Int(node.start)..<Int(node.end)])
    }

    /// A small decimal integer's value, without a parser.
    @inlinable
    static func integer(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count < 18 else { return nil }
        var value = 0
        var negative = false
        for (offset, byte) in digits.enumerated() {
            if offset == 0, byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }

    /// The value as a ``JSON`` tree (decodes strings and numbers).
    public var json: JSON {
        let node = nodes[index]
        switch node.kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .string:
            if !node.escaped {
                let start = Int(node.start) + 1
                let end = Int(node.end) - 1
                return .string(String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self))
            }
            return (try? JSONParser.parse(rawBytes)) ?? .null
        case .number:
            if let integer = Self.integer(rawBytes) { return .int(integer) }
            return (try? JSONParser.parse(rawBytes)) ?? .null
        case .array:
            return .array(items.map(\.json))
        case .object:
            var object = JSONObject(minimumCapacity: Int(node.count))
            for (key, value) in members { object.append(key, value.json) }
            return .object(object)
        }
    }
}

extension JSONWriter {
    /// Writes a document's value as it came.
    @inlinable
    public mutating func raw(_ value: JSONRef) {
        bytes.append(contentsOf: value.rawBytes)
    }
}

/// Builds a document's nodes in one pass over the bytes, into a buffer the document takes
/// over (grown by doubling; no per-node checks of an array's uniqueness).
private struct TapeBuilder {
    var nodes: UnsafeMutableBufferPointer<JSONDocument.Node>
    /// Nodes written so far.
    var count = 0
    var index = 0

    init(count: Int) {
        nodes = .allocate(capacity: max(16, count / 6))
    }

    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        skipWhitespace(bytes)
        try value(bytes, depth: 0)
        skipWhitespace(bytes)
        guard index == bytes.count else {
            throw JSONParseError(message: "Unexpected content after the JSON value", offset: index)
        }
    }

    @inline(__always)
    mutating func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

    mutating func append(_ kind: JSONDocument.Kind, start: Int, end: Int, escaped: Bool = false) {
        if count == nodes.count {
            let larger = UnsafeMutableBufferPointer<JSONDocument.Node>.allocate(capacity: nodes.count * 2)
            _ = larger.initialize(fromContentsOf: nodes)
            nodes.deallocate()
            nodes = larger
        }
        nodes.initializeElement(
            at: count,
            to: .init(kind: kind, escaped: escaped, start: Int32(start), end: Int32(end), next: Int32(count + 1), count: 0))
        count += 1
    }

    mutating func value(_ bytes: UnsafeBufferPointer<UInt8>, depth: Int) throws(JSONParseError) {
        guard index < bytes.count else { throw error("Unexpected end of JSON") }
        guard depth <= JSONParser.maximumDepth else { throw error("JSON nested too deeply") }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"):
            let position = count
            append(.object, start: start, end: start)
            index += 1
            skipWhitespace(bytes)
            var members: Int32 = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipWhitespace(bytes)
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                        throw error("Expected a string key in object")
                    }
                    try string(bytes)
                    skipWhitespace(bytes)
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                        throw error("Expected ':' after object key")
                    }
                    index += 1
                    skipWhitespace(bytes)
                    try value(bytes, depth: depth + 1)
                    members += 1
                    skipWhitespace(bytes)
                    guard index < bytes.count else { throw error("Unexpected end of JSON in object") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    if bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        break
                    }
                    throw error("Expected ',' or '}' in object")
                }
            }
            nodes[position].end = Int32(index)
            nodes[position].next = Int32(count)
            nodes[position].count = members
        case UInt8(ascii: "["):
            let position = count
            append(.array, start: start, end: start)
            index += 1
            skipWhitespace(bytes)
            var members: Int32 = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
            } else {
                while true {
                    skipWhitespace(bytes)
                    try value(bytes, depth: depth + 1)
                    members += 1
                    skipWhitespace(bytes)
                    guard index < bytes.count else { throw error("Unexpected end of JSON in array") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    if bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        break
                    }
                    throw error("Expected ',' or ']' in array")
                }
            }
            nodes[position].end = Int32(index)
            nodes[position].next = Int32(count)
            nodes[position].count = members
        case UInt8(ascii: "\""):
            try string(bytes)
        case UInt8(ascii: "t"):
            try literal(bytes, "true")
            append(.true, start: start, end: index)
        case UInt8(ascii: "f"):
            try literal(bytes, "false")
            append(.false, start: start, end: index)
        case UInt8(ascii: "n"):
            try literal(bytes, "null")
            append(.null, start: start, end: index)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number(bytes)
            append(.number, start: start, end: index)
        default:
            throw error("Unexpected character")
        }
    }

    mutating func literal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) throws(JSONParseError) {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("Unexpected end of JSON") }
        let expected = text.utf8Start
        for offset in 0..<count where bytes[index + offset] != expected[offset] { throw error("Invalid literal") }
        index += count
    }

    /// A string's extent, checked: no raw control characters, valid escapes, valid UTF-8.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        let start = index
        // A local cursor, stored back on the way out: the loop then keeps it in a register.
        var at = index + 1
        defer { index = at }
        var escaped = false
        var ascii = true
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while at < bytes.count {
            // Eight bytes at a time while none of them ends the string, starts an escape or is
            // a control character (most of a string's bytes).
            while at + 8 <= bytes.count {
                let word = base.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                let special = Self.specialBytes(word)
                if special != 0 {
                    // Only the bytes before the first special one belong to the string here.
                    let before = (special & (0 &- special)) &- 1
                    if word & 0x8080_8080_8080_8080 & before != 0 { ascii = false }
                    // Straight to the first of them (bytes are little-endian in the word).
                    at += special.trailingZeroBitCount / 8
                    break
                }
                if word & 0x8080_8080_8080_8080 != 0 { ascii = false }
                at += 8
            }
            guard at < bytes.count else { break }
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                at += 1
                if !ascii {
                    let content = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(at - 1)])
                    guard UTF8Validation.isValid(content) else {
                        throw JSONParseError(message: "Invalid UTF-8 in string", offset: start + 1)
                    }
                }
                append(.string, start: start, end: at, escaped: escaped)
                return
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                at += 1
                guard at < bytes.count else { break }
                switch bytes[at] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    at += 1
                case UInt8(ascii: "u"):
                    guard at + 4 < bytes.count else { throw JSONParseError(message: "Unterminated \\u escape", offset: at) }
                    for offset in 1...4 where !isHex(bytes[at + offset]) {
                        throw JSONParseError(message: "Invalid hex digit in \\u escape", offset: at)
                    }
                    at += 5
                default:
                    throw JSONParseError(message: "Invalid escape in string", offset: at)
                }
                continue
            }
            if byte < 0x20 { throw JSONParseError(message: "Unescaped control character in string", offset: at) }
            if byte >= 0x80 { ascii = false }
            at += 1
        }
        throw JSONParseError(message: "Unterminated string", offset: at)
    }

    /// The high bit of each of the eight bytes of `word` that is `"`, `\\` or below 0x20
    /// (bytes of 0x80 and above are none of these), exact up to the first such byte: a mask
    /// whose lowest set bit marks the first byte the string scan has to look at.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        // The zero bytes of a value (exact for the lowest one; a borrow can only mark bytes
        // above a zero byte).
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & high }
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        // A byte below 0x20: with its high bit set, subtracting 0x20 clears it (and borrows
        // nothing from the next byte), and the byte itself has the high bit clear.
        let control = ~((word | high) &- (ones &* 0x20)) & ~word & high
        return quote | backslash | control
    }

    func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    mutating func number(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("Invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("Expected digits after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("Expected digits in exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
    }
}
