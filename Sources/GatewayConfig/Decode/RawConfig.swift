/// A value read from the configuration file together with where it was written.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// The configuration file as typed data, before any name is checked against another:
/// the output of ``ConfigLoader/decode(yaml:file:environment:)``.
///
/// Every value keeps its location so that the resolving stages can point at it. Environment
/// variables are already substituted and durations already parsed.
public struct RawConfig: Sendable, Hashable {
    public var file: String
    /// Where `subgraphs:`'s list starts (for mistakes about the list as a whole).
    public var subgraphsLocation: SourceLocation
    public var subgraphs: [RawSubgraph]
    public var models: [RawModel]
    public var relationships: [RawRelationship]
    /// `limits:`, when the file has it.
    public var limits: RawLimits?
    /// `persistedQueries:`, when the file has it.
    public var persistedQueries: RawPersistedQueries?
    /// `traffic:`, when the file has it.
    public var traffic: RawTraffic?
    /// `reload:`, when the file has it.
    public var reload: RawReload?
    /// `telemetry:`, when the file has it.
    public var telemetry: RawTelemetry?

    init(
        file: String, subgraphsLocation: SourceLocation, subgraphs: [RawSubgraph], models: [RawModel],
        relationships: [RawRelationship], limits: RawLimits? = nil, persistedQueries: RawPersistedQueries? = nil,
        traffic: RawTraffic? = nil, reload: RawReload? = nil, telemetry: RawTelemetry? = nil
    ) {
        self.telemetry = telemetry
        self.traffic = traffic
        self.persistedQueries = persistedQueries
        self.file = file
        self.subgraphsLocation = subgraphsLocation
        self.subgraphs = subgraphs
        self.models = models
        self.relationships = relationships
        self.limits = limits
        self.reload = reload
    }
}

/// `telemetry.traces:`: where the gateway's spans go.
public struct RawTelemetry: Sendable, Hashable {
    /// Where `telemetry.traces` starts.
    public var location: SourceLocation
    public var endpoint: Located<String>?
    public var `protocol`: Located<String>?
    public var serviceName: Located<String>?
}

/// `reload:` at the top level: when the serving gateway builds a new supergraph.
public struct RawReload: Sendable, Hashable {
    /// Where the mapping starts.
    public var location: SourceLocation
    public var watchConfig: Located<Bool>?
    public var pollSchemas: Located<Duration>?
}

/// `limits:` at the top level: the operation limits, each key optional (the limits stage
/// checks the ranges and fills in the defaults).
public struct RawLimits: Sendable, Hashable {
    /// Where the mapping starts.
    public var location: SourceLocation
    public var maxDepth: Located<Int>?
    public var maxAliases: Located<Int>?
    public var maxRootFields: Located<Int>?
    public var maxListNesting: Located<Int>?
    public var maxCost: Located<Int>?
    public var defaultListSize: Located<Int>?
    /// Sizes are already in bytes (`16MiB` is 16,777,216).
    public var maxRequestBytes: Located<Int>?
    public var maxResponseBytes: Located<Int>?
    public var introspection: Located<Bool>?
    public var maxBatch: Located<Int>?
}

/// `traffic:` at the top level.
public struct RawTraffic: Sendable, Hashable {
    public var location: SourceLocation
    public var operationTimeout: Located<Duration>?
    public var retries: Located<Int>?
    public var breakerFailures: Located<Int>?
    public var breakerOpenFor: Located<Duration>?
}

/// `persistedQueries:` at the top level.
public struct RawPersistedQueries: Sendable, Hashable {
    public var location: SourceLocation
    public var cacheSize: Located<Int>?
    /// A file of GraphQL documents, relative to gateway.yaml.
    public var allowList: Located<String>?
}

/// An entry of `subgraphs:`.
public struct RawSubgraph: Sendable, Hashable {
    public struct Header: Sendable, Hashable {
        public var name: Located<String>
        public var value: Located<String>
    }

    /// Where the entry's mapping starts.
    public var location: SourceLocation
    public var name: Located<String>
    public var url: Located<String>
    public var connectTimeout: Located<Duration>?
    public var requestTimeout: Located<Duration>?
    public var headers: [Header]
    /// `propagate:`, the client headers forwarded to the subgraph, in declaration order.
    public var propagate: [RawPropagatedHeader] = []
    /// `protocol:`, when given.
    public var `protocol`: Located<SubgraphProtocol>? = nil
    /// `maxResponseBytes:`, in bytes, when given.
    public var maxResponseBytes: Located<Int>? = nil
}

/// An entry of a subgraph's `propagate:`: a header name alone, or a mapping.
public struct RawPropagatedHeader: Sendable, Hashable {
    /// Where the entry is written.
    public var location: SourceLocation
    /// The client's header, as written.
    public var name: Located<String>
    /// The name sent upstream instead.
    public var rename: Located<String>?
    /// The value sent when the client did not send the header.
    public var defaultValue: Located<String>?
    /// Whether a client request without the header (and with no default) is refused.
    public var required: Located<Bool>?
}

/// An entry of `models:`.
public struct RawModel: Sendable, Hashable {
    /// A model's `lookup:`.
    public struct Lookup: Sendable, Hashable {
        public var location: SourceLocation
        public var field: Located<String>
        public var argument: Located<String>
        /// `key:`, when given (else the type's field named like the argument).
        public var key: Located<String>?
    }

    public var location: SourceLocation
    public var name: Located<String>
    public var subgraph: Located<String>
    public var type: Located<String>
    /// Absent only for a model with a lookup (the stage checks which).
    public var collection: Located<String>?
    public var lookup: Lookup? = nil
}

/// An entry of `relationships:` (OpenDD `kind: Relationship`, `version: v1`).
public struct RawRelationship: Sendable, Hashable {
    /// Where the entry's mapping starts (its `kind:` line, usually).
    public var location: SourceLocation
    public var source: Located<String>
    public var name: Located<String>
    public var description: Located<String>?
    public var targetModel: Located<String>
    /// `target.model.subgraph`, when given.
    public var targetSubgraph: Located<String>?
    public var kind: Located<RelationshipKind>
    /// Where the `mapping:` list starts.
    public var mappingLocation: SourceLocation
    /// May be empty here; the relationships stage rejects an empty mapping. With ``through``,
    /// its target fields are the junction type's.
    public var mapping: [RawFieldMapping]
    /// `through:`, the junction model of a many-to-many relationship (a gateway extension).
    public var through: RawJunction? = nil
    /// `onDelete:`, what deleting a source row does to the related rows (a gateway extension).
    public var onDelete: Located<DeleteRule>? = nil
}

/// A relationship's `through:` (a gateway extension of OpenDD): the junction model between the
/// source type and the target model.
public struct RawJunction: Sendable, Hashable {
    /// Where the `through:` mapping starts.
    public var location: SourceLocation
    public var model: Located<String>
    /// `through.subgraph`, when given.
    public var subgraph: Located<String>?
    /// Where `through.mapping:`'s list starts.
    public var mappingLocation: SourceLocation
    /// Junction field (`source.fieldPath`) -> target field (`target.modelField`). May be empty
    /// here; the relationships stage rejects an empty mapping.
    public var mapping: [RawFieldMapping]
}

/// An entry of a relationship's `mapping:`, its one-element field paths already unwrapped.
public struct RawFieldMapping: Sendable, Hashable {
    public var location: SourceLocation
    /// The `fieldName` of `source.fieldPath`'s only element.
    public var sourceField: Located<String>
    /// The `fieldName` of `target.modelField`'s only element.
    public var targetField: Located<String>
}
