/// A parsed JSON value.
///
/// Objects keep their members in document order: a GraphQL response is ordered by the
/// client's selection, and the gateway stitches and re-serialises without reordering.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

/// The members of a JSON object, in document order.
///
/// Lookup is a linear scan: the objects a GraphQL service answers with have a handful of
/// members, where a scan beats hashing. Duplicate keys keep the first occurrence on lookup.
/// The members live in one array, one allocation per object.
public struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSON

        @inlinable
        public init(key: String, value: JSON) {
            self.key = key
            self.value = value
        }
    }

    public var storage: [Member]

    public init() {
        storage = []
    }

    public init(minimumCapacity: Int) {
        storage = []
        storage.reserveCapacity(minimumCapacity)
    }

    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }

    public init(_ members: some Sequence<(String, JSON)>) {
        storage = members.map { Member(key: $0.0, value: $0.1) }
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var keys: [String] { storage.map(\.key) }
    public var values: [JSON] { storage.map(\.value) }

    /// The members as `(key, value)` pairs, without copying them.
    public var members: LazyMapSequence<[Member], (String, JSON)> { storage.lazy.map { ($0.key, $0.value) } }

    @inlinable
    public func index(of key: String) -> Int? {
        for index in storage.indices where storage[index].key == key { return index }
        return nil
    }

    public subscript(key: String) -> JSON? {
        get {
            guard let index = index(of: key) else { return nil }
            return storage[index].value
        }
        set {
            if let index = index(of: key) {
                if let newValue {
                    storage[index].value = newValue
                } else {
                    storage.remove(at: index)
                }
            } else if let newValue {
                storage.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Appends a member without checking for an existing key.
    @inlinable
    public mutating func append(_ key: String, _ value: JSON) {
        storage.append(Member(key: key, value: value))
    }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
}

extension JSON {
    public subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> JSON? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The name of the value's JSON kind, for error messages ("expected an object, got a string").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSON: CustomStringConvertible {
    /// Compact JSON text of the value.
    public var description: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.string
    }
}
