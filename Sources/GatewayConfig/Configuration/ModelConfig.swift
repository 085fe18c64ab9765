/// A root field that answers rows by key, on a subgraph that has no model-protocol collection:
/// `bookById(id: ID!): Book` (one key per call; the gateway aliases one call per key in one
/// request) or `booksByIds(ids: [ID!]!): [Book]` (all keys in one call).
public struct LookupConfig: Sendable, Hashable {
    /// The root query field.
    public var field: String
    /// Its argument that takes the key (or the list of keys).
    public var argument: String
    /// The argument's type as the subgraph declares it (`ID!`, `[ID!]!`).
    public var argumentType: String
    /// Whether the argument takes a list of keys.
    public var isList: Bool
    /// The field of the model's type that holds the key the argument takes.
    public var keyField: String
    /// The key's scalar type.
    public var scalarType: String

    public init(field: String, argument: String, argumentType: String, isList: Bool, keyField: String, scalarType: String) {
        self.field = field
        self.argument = argument
        self.argumentType = argumentType
        self.isList = isList
        self.keyField = keyField
        self.scalarType = scalarType
    }
}

/// A collection of one subgraph: the root query field that lists an object type's rows.
///
/// A model on a `graphql` subgraph may have no collection but a ``lookup`` instead; then
/// ``collection`` and ``filterType`` are empty, and the model can be reached by key only.
public struct ModelConfig: Sendable, Hashable {
    public var name: String
    public var subgraph: String
    /// The object type of the rows.
    public var typeName: String
    /// The root `Query` field of the subgraph returning `[typeName!]!`.
    public var collection: String
    /// The input type of the collection's `filter` argument (`BookFilter`).
    public var filterType: String
    /// The element input type of the collection's `order` argument (`BookOrder`), when it has one.
    public var orderType: String?
    /// Where the model is declared; nil for configurations built in code.
    public var location: SourceLocation?
    /// How rows are fetched by key when the subgraph has no collection to filter.
    public var lookup: LookupConfig?
    /// A model of Apollo Federation entities (`protocol: federation`, no collection): rows are
    /// fetched by one of the type's `@key`s through `_entities(representations:)`.
    public var isEntity: Bool
    /// Whether the collection pages per key upstream (`partitionBy`, `limitPerKey`,
    /// `offsetPerKey`: the per-key window extension of docs/subgraph-protocol.md, found by
    /// introspection). Without it an Array relationship's `limit` and `offset` apply in the gateway.
    public var windowsPerKey: Bool

    /// - Parameters:
    ///   - orderType: default nil (no `order` argument).
    ///   - lookup: default nil (rows by key through the collection).
    ///   - windowsPerKey: default false (paging per key in the gateway).
    ///   - location: default nil.
    public init(
        name: String, subgraph: String, typeName: String, collection: String, filterType: String,
        orderType: String? = nil, lookup: LookupConfig? = nil, isEntity: Bool = false, windowsPerKey: Bool = false,
        location: SourceLocation? = nil
    ) {
        self.windowsPerKey = windowsPerKey
        self.lookup = lookup
        self.isEntity = isEntity
        self.name = name
        self.subgraph = subgraph
        self.typeName = typeName
        self.collection = collection
        self.filterType = filterType
        self.orderType = orderType
        self.location = location
    }

    /// Whether the model has a collection (filters, orders, aggregates, writes need one).
    public var hasCollection: Bool { !collection.isEmpty }

    /// Whether rows are reached by key only, one per key (a lookup or federation entities).
    public var isKeyedOnly: Bool { !hasCollection && (lookup != nil || isEntity) }
}
