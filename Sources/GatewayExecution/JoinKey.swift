import GatewayJSON

/// The value of a join key, as the canonical JSON text of its parts, hashed and compared as
/// bytes. Keys up to 32 bytes (every id of the demo, most keys anywhere) live inline: making,
/// hashing and comparing one allocates nothing, which matters because stitching makes one per
/// parent object and per row.
struct JoinKey: Hashable, Sendable {
    /// The first 32 bytes, little-endian, zero past `length` (JSON text has no zero bytes).
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var length = 0
    /// The bytes past the first 32, for longer keys.
    private var spill: [UInt8]? = nil

    static func == (left: JoinKey, right: JoinKey) -> Bool {
        left.length == right.length && left.words.0 == right.words.0 && left.words.1 == right.words.1
            && left.words.2 == right.words.2 && left.words.3 == right.words.3 && left.spill == right.spill
    }

    /// The key's content goes in as ``fastHash``: one place decides which bytes count.
    func hash(into hasher: inout Hasher) {
        hasher.combine(fastHash)
    }

    private mutating func append(_ byte: UInt8) {
        withUnsafeBytes(of: byte) { append(UnsafeBufferPointer(start: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 1)) }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        let inline = min(bytes.count, max(32 - length, 0))
        if inline > 0 {
            let offset = length
            withUnsafeMutableBytes(of: &words) { storage in
                UnsafeMutableRawBufferPointer(rebasing: storage[offset..<(offset + inline)]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[0..<inline]))
            }
        }
        if inline < bytes.count { spill = (spill ?? []) + bytes[inline...] }
        length += bytes.count
    }

    /// A hash for ``JoinKeyIndex``: the filled words mixed with a per-process seed, cheaper
    /// than `Hasher` (SipHash) for the one-word keys stitching makes by the thousand.
    @inline(__always)
    var fastHash: UInt64 {
        var hash = Self.mix(Self.seed ^ UInt64(length) ^ words.0)
        if length > 8 { hash = Self.mix(hash ^ words.1) }
        if length > 16 { hash = Self.mix(hash ^ words.2) }
        if length > 24 { hash = Self.mix(hash ^ words.3) }
        if let spill {
            for byte in spill { hash = Self.mix(hash ^ UInt64(byte)) }
        }
        return hash
    }

    /// Chosen at random per process, so that which keys collide is not known in advance.
    private static let seed = UInt64.random(in: .min ... .max)

    /// A 64-bit finalizer (multiply, xor-shift): every input bit moves every output bit.
    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var mixed = (value ^ (value >> 32)) &* 0xD6E8_FEB8_6659_FD93
        mixed = (mixed ^ (mixed >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return mixed ^ (mixed >> 32)
    }

    /// Parts are separated by a byte that JSON text never contains unescaped.
    private mutating func separate() { append(0x1F) }

    /// The key of an object: the values at `aliases` (read in order), or nil when one is null
    /// or missing (such an object matches nothing).
    static func of(_ object: JSONRef, _ aliases: [[UInt8]]) -> JoinKey? {
        var key = JoinKey()
        var cursor = 0
        // By index, each alias borrowed: iterating the array would retain every alias.
        for index in aliases.indices {
            let part = aliases[index].withUnsafeBufferPointer { object.member($0, cursor: &cursor) }
            guard let part, !part.isNull else { return nil }
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

/// Distinct join keys, numbered in the order they were first inserted: a set and a
/// dictionary to dense positions in one, with open addressing on ``JoinKey/fastHash``.
struct JoinKeyIndex: Sendable {
    /// The keys by position.
    private(set) var keys: [JoinKey] = []
    private var hashes: [UInt64] = []
    /// Position + 1 of the key in each slot; 0 is an empty slot. The count is a power of two
    /// at least twice the keys'.
    private var slots: [UInt32] = []

    var count: Int { keys.count }

    /// The position of `key`, and whether it was new (then it gets the next position).
    @discardableResult
    mutating func insert(_ key: JoinKey) -> (position: Int, inserted: Bool) {
        if (keys.count + 1) * 2 > slots.count { grow(to: keys.count + 1) }
        let hash = key.fastHash
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while slots[slot] != 0 {
            let position = Int(slots[slot] - 1)
            if hashes[position] == hash, keys[position] == key { return (position, false) }
            slot = (slot + 1) & (slots.count - 1)
        }
        slots[slot] = UInt32(keys.count + 1)
        keys.append(key)
        hashes.append(hash)
        return (keys.count - 1, true)
    }

    /// The position of `key`, nil when it was never inserted.
    func position(of key: JoinKey) -> Int? {
        guard !slots.isEmpty else { return nil }
        let hash = key.fastHash
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while slots[slot] != 0 {
            let position = Int(slots[slot] - 1)
            if hashes[position] == hash, keys[position] == key { return position }
            slot = (slot + 1) & (slots.count - 1)
        }
        return nil
    }

    /// Room for `count` keys: the slots rebuilt at the next power of two above twice that.
    private mutating func grow(to count: Int) {
        var size = 16
        while size < count * 2 { size *= 2 }
        guard size > slots.count else { return }
        slots = Array(repeating: 0, count: size)
        for (position, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = UInt32(position + 1)
        }
    }
}

extension JoinKey {
    /// The key's bytes (its parts' JSON texts, separated by 0x1F).
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let spill {
            var all = withUnsafeBytes(of: words) { Array($0) }
            all += spill
            return all.withUnsafeBufferPointer(body)
        }
        return withUnsafeBytes(of: words) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: length))
        }
    }

    /// Writes the JSON text of each part, with `between` written between two parts.
    func writeParts(into out: inout JSONWriter, between: (inout JSONWriter, _ nextPart: Int) -> Void) {
        withBytes { bytes in
            var start = 0
            var part = 0
            for end in 0...bytes.count where end == bytes.count || bytes[end] == 0x1F {
                if part > 0 { between(&out, part) }
                out.raw(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                start = end + 1
                part += 1
            }
        }
    }
}

extension GatewayExecutor {
    /// The JSON values of a key (what a filter on the target needs).
    static func values(_ object: JSONRef, _ aliases: [[UInt8]]) -> [JSON] {
        var cursor = 0
        return aliases.map { object.member($0, cursor: &cursor)?.json ?? .null }
    }

    /// Writes the condition selecting the rows whose `fields` hold one of `keys`:
    /// `{"field":{"_in":[...]}}`, or for a composite key
    /// `{"_or":[{"_and":[{"k1":{"_eq":..}},{"k2":{"_eq":..}}]},...]}`; with no keys
    /// `{"_or":[]}`, which matches nothing. The values are the keys' own JSON text.
    static func writeKeyCondition(_ keys: ArraySlice<JoinKey>, fields: [String], into out: inout JSONWriter) {
        if keys.isEmpty {
            out.raw(#"{"_or":[]}"#)
        } else if fields.count == 1 {
            out.raw(UInt8(ascii: "{"))
            out.key(fields[0])
            out.raw(#"{"_in":["#)
            for (index, key) in keys.enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                key.writeParts(into: &out) { _, _ in }
            }
            out.raw("]}}")
        } else {
            out.raw(#"{"_or":["#)
            for (index, key) in keys.enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                out.raw(#"{"_and":[{"#)
                out.key(fields[0])
                out.raw(#"{"_eq":"#)
                key.writeParts(into: &out) { out, part in
                    out.raw("}},{")
                    out.key(fields[part])
                    out.raw(#"{"_eq":"#)
                }
                out.raw("}}]}")
            }
            out.raw("]}")
        }
    }

    /// `{"query": ..., "variables": {...}}` for a key query: `variables` plus `whereVariable`,
    /// the condition on the keys, and'ed with `filter` when there is one.
    static func keyQueryBody(
        query: String, variables: JSONObject = [:], whereVariable: String, keys: ArraySlice<JoinKey>, fields: [String],
        and filter: JSON? = nil
    ) -> [UInt8] {
        body(query: query, variables: variables, capacity: 64 + keys.count * 12) { out in
            out.key(whereVariable)
            writeKeyFilter(keys, fields: fields, and: filter, into: &out)
        }
    }

    /// The key condition, with the client's filter when there is one.
    static func writeKeyFilter(_ keys: ArraySlice<JoinKey>, fields: [String], and filter: JSON?, into out: inout JSONWriter) {
        if let filter {
            out.raw(#"{"_and":["#)
            writeKeyCondition(keys, fields: fields, into: &out)
            out.raw(UInt8(ascii: ","))
            out.write(filter)
            out.raw("]}")
        } else {
            writeKeyCondition(keys, fields: fields, into: &out)
        }
    }
}
