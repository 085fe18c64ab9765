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
    /// What one client operation may ask (`limits:`).
    public var limits: OperationLimits
    /// Automatic persisted queries and the allow-list (`persistedQueries:`).
    public var persistedQueries: PersistedQueryConfig
    /// Deadlines, retries and circuit breaking of upstream requests (`traffic:`).
    public var traffic: TrafficConfig
    /// When a serving gateway reloads (`reload:`).
    public var reload: ReloadSettings
    /// Where spans go (`telemetry:`).
    public var telemetry: TelemetrySettings

    /// - Parameters:
    ///   - subgraphs: default none.
    ///   - models: default none.
    ///   - relationships: default none.
    ///   - limits: default ``OperationLimits/init(maxDepth:maxAliases:maxRootFields:maxListNesting:maxCost:defaultListSize:maxRequestBytes:maxResponseBytes:introspection:)``'s defaults.
    ///   - reload: default ``ReloadSettings/init(watchConfig:pollSchemas:)``'s defaults.
    public init(
        subgraphs: [SubgraphConfig] = [], models: [ModelConfig] = [], relationships: [RelationshipConfig] = [],
        limits: OperationLimits = OperationLimits(), persistedQueries: PersistedQueryConfig = PersistedQueryConfig(),
        traffic: TrafficConfig = TrafficConfig(), reload: ReloadSettings = ReloadSettings(),
        telemetry: TelemetrySettings = TelemetrySettings()
    ) {
        self.telemetry = telemetry
        self.traffic = traffic
        self.persistedQueries = persistedQueries
        self.subgraphs = subgraphs
        self.models = models
        self.relationships = relationships
        self.limits = limits
        self.reload = reload
    }

    public func subgraph(named name: String) -> SubgraphConfig? { subgraphs.first { $0.name == name } }

    public func model(named name: String) -> ModelConfig? { models.first { $0.name == name } }

    /// The relationships whose source is `typeName`, in declaration order.
    public func relationships(from typeName: String) -> [RelationshipConfig] {
        relationships.filter { $0.sourceType == typeName }
    }
}
