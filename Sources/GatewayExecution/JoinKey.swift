import GatewayJSON

/// The value of a join key, as the canonical JSON text of its parts, hashed and compared as
/// bytes. Keys up to 32 bytes (every id of the demo, most keys anywhere) live inline: making,
/// hashing and comparing one allocates nothing, which matters because stitching makes one per
/// parent object and per row.
struct JoinKey: Hashable, Sendable {
    private var a: UInt64 = 0
    private var b: UInt64 = 0
    private var c: UInt64 = 0
    private var d: UInt64 = 0
    private var length = 0
    /// The bytes past the first 32, for longer keys.
    private var spill: [UInt8]? = nil

    private mutating func append(_ byte: UInt8) {
        if length < 32 {
            let shift = UInt64((length % 8) * 8)
            switch length / 8 {
            case 0: a |= UInt64(byte) << shift
            case 1: b |= UInt64(byte) << shift
            case 2: c |= UInt64(byte) << shift
            default: d |= UInt64(byte) << shift
            }
        } else {
            spill = (spill ?? []) + [byte]
        }
        length += 1
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes { append(byte) }
    }

    /// Parts are separated by a byte that JSON text never contains unescaped.
    private mutating func separate() { append(0x1F) }

    /// The key of an object: the values at `aliases` (read in order), or nil when one is null
    /// or missing (such an object matches nothing).
    static func of(_ object: JSONRef, _ aliases: [[UInt8]]) -> JoinKey? {
        var key = JoinKey()
        var cursor = 0
        for (index, alias) in aliases.enumerated() {
            guard let part = object.member(alias, cursor: &cursor), !part.isNull else { return nil }
            if index > 0 { key.separate() }
            key.append(part: part)
        }
        return key
    }

    private init() {}

    /// A value's canonical text: its own bytes when they are already canonical (an unescaped
    /// string, an integer, a literal), the text ``JSONWriter`` writes for it otherwise.
    private mutating func append(part: JSONRef) {
        let node = part.node
        let raw = part.rawBytes
        let canonical: Bool
        switch node.kind {
        case .string: canonical = !node.escaped
        case .number: canonical = !raw.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        case .true, .false, .null: canonical = true
        case .array, .object: canonical = false
        }
        if canonical {
            append(raw)
        } else {
            var writer = JSONWriter(capacity: 32)
            writer.write(part.json)
            writer.bytes.withUnsafeBufferPointer { append($0) }
        }
    }
}

extension GatewayExecutor {
    /// The JSON values of a key (what a filter on the target needs).
    static func values(_ object: JSONRef, _ aliases: [[UInt8]]) -> [JSON] {
        var cursor = 0
        return aliases.map { object.member($0, cursor: &cursor)?.json ?? .null }
    }
}
