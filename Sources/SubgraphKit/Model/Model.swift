import GraphQLSupport

/// The scalar types a model field can have (the model protocol's five).
public enum Scalar: String, Sendable, Hashable, CaseIterable {
    case id = "ID"
    case string = "String"
    case int = "Int"
    case float = "Float"
    case boolean = "Boolean"

    /// The name of the filter input type for fields of this scalar (`StringOperators`).
    public var operatorsType: String { rawValue + "Operators" }

    /// Whether `_like` and its kin apply.
    public var isTextual: Bool { self == .id || self == .string }

    /// The SQLite STRICT column type that stores it.
    var columnType: String {
        switch self {
        case .id, .string: return "TEXT"
        case .int, .boolean: return "INTEGER"
        case .float: return "REAL"
        }
    }
}

/// One scalar field of a model.
public struct ModelField: Sendable, Hashable {
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The field may be null.
        public static let nullable = Options(rawValue: 1)
        /// The column gets an index: declare it on every field a relationship joins on, so a
        /// lookup of many keys with `_in` stays an index lookup.
        public static let indexed = Options(rawValue: 2)
    }

    public var name: String
    public var scalar: Scalar
    public var options: Options
    /// The field's description in the schema (introspection, SDL).
    public var description: String?
    /// Why the field is deprecated (`@deprecated(reason:)`); it is still served.
    public var deprecationReason: String?

    public init(_ name: String, _ scalar: Scalar, _ options: Options = []) {
        self.name = name
        self.scalar = scalar
        self.options = options
    }

    /// The field with a description: `.string("name").described("The book's title.")`.
    public func described(_ description: String) -> ModelField {
        var field = self
        field.description = description
        return field
    }

    /// The field marked `@deprecated`: still served, but introspection says why not to use it.
    public func deprecated(_ reason: String = SchemaModel.defaultDeprecationReason) -> ModelField {
        var field = self
        field.deprecationReason = reason
        return field
    }

    public var isNullable: Bool { options.contains(.nullable) }
    public var isIndexed: Bool { options.contains(.indexed) }

    /// The field's GraphQL output type (`String`, `Int!`).
    public var graphQLType: String { scalar.rawValue + (isNullable ? "" : "!") }

    public static func id(_ name: String, _ options: Options = []) -> ModelField { ModelField(name, .id, options) }
    public static func string(_ name: String, _ options: Options = []) -> ModelField { ModelField(name, .string, options) }
    public static func int(_ name: String, _ options: Options = []) -> ModelField { ModelField(name, .int, options) }
    public static func float(_ name: String, _ options: Options = []) -> ModelField { ModelField(name, .float, options) }
    public static func boolean(_ name: String, _ options: Options = []) -> ModelField { ModelField(name, .boolean, options) }
}

/// A value of a seed row or a stored column.
public enum SQLValue: Sendable, Hashable, ExpressibleByNilLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    case null
    case int(Int)
    case double(Double)
    case text(String)
    case bool(Bool)

    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    /// A value from an optional: `nil` becomes `.null`.
    public static func from(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    public static func from(_ value: Int?) -> SQLValue { value.map(SQLValue.int) ?? .null }
    public static func from(_ value: Double?) -> SQLValue { value.map(SQLValue.double) ?? .null }
}

/// A type a subgraph owns, stored in one SQLite table and served as one collection.
///
/// Declaring the type, its fields, its collection name and its seed rows is all a subgraph
/// writes: the filter, order, input and patch types, the collection field and the
/// mutations are derived from this declaration.
public struct Model: Sendable {
    /// The GraphQL object type, e.g. `Book`.
    public var typeName: String
    /// The object type's description in the schema.
    public var description: String?
    /// The root collection field and table name, e.g. `books`.
    public var collection: String
    /// The fields, `id: ID!` first (added by the initialiser).
    public var fields: [ModelField]
    /// The seed rows for a scale: one value per field, in field order, `id` first.
    public var seed: @Sendable (_ scale: Int) -> [[SQLValue]]

    /// - Parameters:
    ///   - typeName: the object type's name.
    ///   - collection: the collection field's name.
    ///   - description: the object type's description (default none).
    ///   - fields: the fields besides `id`, which every model has.
    ///   - seed: the deterministic rows for a `--scale`, each with the `id` first.
    public init(
        _ typeName: String, collection: String, description: String? = nil, fields: [ModelField],
        seed: @escaping @Sendable (_ scale: Int) -> [[SQLValue]] = { _ in [] }
    ) {
        self.typeName = typeName
        self.collection = collection
        self.description = description
        self.fields = [ModelField("id", .id)] + fields.filter { $0.name != "id" }
        self.seed = seed
    }

    public func field(_ name: String) -> ModelField? { fields.first { $0.name == name } }

    public var filterType: String { typeName + "Filter" }
    public var orderType: String { typeName + "Order" }
    public var inputType: String { typeName + "Input" }
    public var patchType: String { typeName + "Patch" }
    public var createField: String { "create_" + typeName }
    public var updateField: String { "update_" + typeName }
    public var deleteField: String { "delete_" + typeName }
}
