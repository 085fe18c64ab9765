import GatewayJSON

/// A reference to a type as written in a field or argument: `Book`, `[Book!]!`.
public indirect enum TypeRef: Sendable, Hashable, CustomStringConvertible {
    case named(String)
    case list(TypeRef)
    case nonNull(TypeRef)

    public var description: String {
        switch self {
        case .named(let name): return name
        case .list(let inner): return "[\(inner)]"
        case .nonNull(let inner): return "\(inner)!"
        }
    }

    /// The innermost named type.
    public var namedType: String {
        switch self {
        case .named(let name): return name
        case .list(let inner), .nonNull(let inner): return inner.namedType
        }
    }

    public var isNonNull: Bool {
        if case .nonNull = self { return true }
        return false
    }

    /// The type without an outer non-null wrapper.
    public var nullable: TypeRef {
        if case .nonNull(let inner) = self { return inner }
        return self
    }

    /// Whether the type is a list, ignoring an outer non-null wrapper.
    public var isList: Bool {
        if case .list = nullable { return true }
        return false
    }
}

public enum TypeKind: String, Sendable, Hashable {
    case scalar = "SCALAR"
    case object = "OBJECT"
    case interface = "INTERFACE"
    case union = "UNION"
    case enumeration = "ENUM"
    case inputObject = "INPUT_OBJECT"
}

/// An argument or an input object field.
public struct InputValueDef: Sendable, Hashable {
    public var name: String
    public var type: TypeRef
    /// The default value as GraphQL literal text (`10`, `"x"`, `ASC`), when there is one.
    public var defaultValue: String?
    public var description: String?

    public init(name: String, type: TypeRef, defaultValue: String? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// A field of an object or interface type.
public struct FieldDef: Sendable, Hashable {
    public var name: String
    public var type: TypeRef
    public var arguments: [InputValueDef]
    public var description: String?
    public var deprecationReason: String?

    public init(
        name: String, type: TypeRef, arguments: [InputValueDef] = [], description: String? = nil,
        deprecationReason: String? = nil
    ) {
        self.name = name
        self.type = type
        self.arguments = arguments
        self.description = description
        self.deprecationReason = deprecationReason
    }

    public func argument(_ name: String) -> InputValueDef? { arguments.first { $0.name == name } }
}

/// A value of an enum type.
public struct EnumValueDef: Sendable, Hashable, ExpressibleByStringLiteral {
    public var name: String
    public var description: String?
    public var deprecationReason: String?

    public init(name: String, description: String? = nil, deprecationReason: String? = nil) {
        self.name = name
        self.description = description
        self.deprecationReason = deprecationReason
    }

    public init(stringLiteral name: String) {
        self.init(name: name)
    }
}

/// A named type of a schema, of any kind. Only the members that belong to its kind are set.
public struct TypeDef: Sendable, Hashable {
    public var name: String
    public var kind: TypeKind
    public var description: String?
    /// Object and interface fields, in declaration order.
    public var fields: [FieldDef]
    /// Input object fields, in declaration order.
    public var inputFields: [InputValueDef]
    /// Enum values, in declaration order.
    public var enumValues: [EnumValueDef]
    /// Interfaces an object or interface implements.
    public var interfaces: [String]
    /// Members of a union.
    public var possibleTypes: [String]

    public init(
        name: String, kind: TypeKind, description: String? = nil, fields: [FieldDef] = [],
        inputFields: [InputValueDef] = [], enumValues: [EnumValueDef] = [], interfaces: [String] = [],
        possibleTypes: [String] = []
    ) {
        self.name = name
        self.kind = kind
        self.description = description
        self.fields = fields
        self.inputFields = inputFields
        self.enumValues = enumValues
        self.interfaces = interfaces
        self.possibleTypes = possibleTypes
    }

    public func field(_ name: String) -> FieldDef? { fields.first { $0.name == name } }
    public func inputField(_ name: String) -> InputValueDef? { inputFields.first { $0.name == name } }
}

/// A GraphQL schema as plain data: what introspection tells about a subgraph, what the
/// gateway composes, and what it prints as SDL.
public struct SchemaModel: Sendable, Hashable {
    /// Named types in declaration order (built-in scalars and introspection types excluded).
    public private(set) var types: [TypeDef]
    private var index: [String: Int]
    public var queryType: String
    public var mutationType: String?

    public static let builtInScalars: Set<String> = ["ID", "String", "Int", "Float", "Boolean"]

    public init(types: [TypeDef] = [], queryType: String = "Query", mutationType: String? = nil) {
        self.types = []
        self.index = [:]
        self.queryType = queryType
        self.mutationType = mutationType
        for type in types { add(type) }
    }

    public subscript(name: String) -> TypeDef? {
        guard let position = index[name] else { return nil }
        return types[position]
    }

    /// Adds a type, or replaces the type of the same name in place.
    public mutating func add(_ type: TypeDef) {
        if let position = index[type.name] {
            types[position] = type
        } else {
            index[type.name] = types.count
            types.append(type)
        }
    }

    /// Removes a type (when there is one of that name).
    public mutating func remove(_ name: String) {
        guard let position = index[name] else { return }
        types.remove(at: position)
        index = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1.name, $0) })
    }

    public mutating func update(_ name: String, _ change: (inout TypeDef) -> Void) {
        guard let position = index[name] else { return }
        change(&types[position])
    }

    public func kind(of name: String) -> TypeKind? {
        if SchemaModel.builtInScalars.contains(name) { return .scalar }
        return self[name]?.kind
    }

    public var query: TypeDef? { self[queryType] }
    public var mutation: TypeDef? { mutationType.flatMap { self[$0] } }

    /// The root type of an operation type.
    public func rootType(for operation: String) -> TypeDef? {
        switch operation {
        case "query": return query
        case "mutation": return mutation
        default: return nil
        }
    }
}
