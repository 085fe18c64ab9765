/// A collection of one subgraph: the root query field that lists an object type's rows.
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

    /// - Parameters:
    ///   - orderType: default nil (no `order` argument).
    ///   - location: default nil.
    public init(
        name: String, subgraph: String, typeName: String, collection: String, filterType: String,
        orderType: String? = nil, location: SourceLocation? = nil
    ) {
        self.name = name
        self.subgraph = subgraph
        self.typeName = typeName
        self.collection = collection
        self.filterType = filterType
        self.orderType = orderType
        self.location = location
    }
}
