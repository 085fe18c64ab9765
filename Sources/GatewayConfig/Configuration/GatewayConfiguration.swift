/// The whole resolved gateway configuration: every name checked against the subgraphs' schemas.
///
/// Produced by ``ConfigLoader/resolve(_:schemas:)``; nothing after it reads YAML again.
public struct GatewayConfiguration: Sendable, Hashable {
    /// Subgraphs in declaration order.
    public var subgraphs: [SubgraphConfig]
    /// Models in declaration order.
    public var models: [ModelConfig]
    /// Relationships in declaration order.
    public var relationships: [RelationshipConfig]

    /// - Parameters:
    ///   - subgraphs: default none.
    ///   - models: default none.
    ///   - relationships: default none.
    public init(
        subgraphs: [SubgraphConfig] = [], models: [ModelConfig] = [], relationships: [RelationshipConfig] = []
    ) {
        self.subgraphs = subgraphs
        self.models = models
        self.relationships = relationships
    }

    public func subgraph(named name: String) -> SubgraphConfig? { subgraphs.first { $0.name == name } }

    public func model(named name: String) -> ModelConfig? { models.first { $0.name == name } }

    /// The relationships whose source is `typeName`, in declaration order.
    public func relationships(from typeName: String) -> [RelationshipConfig] {
        relationships.filter { $0.sourceType == typeName }
    }
}
