import GatewayConfig
import GraphQL
import GraphQLSupport

/// The one schema clients see, and the facts the planner needs to split operations by
/// subgraph: who owns each root field and object type, and the relationship graph.
public struct Supergraph: Sendable {
    /// The resolved gateway.yaml.
    public let configuration: GatewayConfiguration
    /// The composed schema as data.
    public let schemaModel: SchemaModel
    /// The composed schema built by GraphQLSwift, for validation and introspection.
    public let schema: GraphQLSchema
    /// The composed schema as SDL (`gateway compose`).
    public let sdl: String
    /// Each subgraph's own schema, by subgraph name.
    public let subgraphSchemas: [String: SchemaModel]
    /// The subgraph that serves each root query field.
    public let queryOwners: [String: String]
    /// The subgraph that serves each root mutation field.
    public let mutationOwners: [String: String]
    /// The subgraph that owns each object type.
    public let typeOwners: [String: String]
    /// The relationship fields of each source type, by field name.
    public let relationships: [String: [String: RelationshipConfig]]

    init(
        configuration: GatewayConfiguration, schemaModel: SchemaModel, schema: GraphQLSchema,
        subgraphSchemas: [String: SchemaModel], queryOwners: [String: String], mutationOwners: [String: String],
        typeOwners: [String: String]
    ) {
        self.configuration = configuration
        self.schemaModel = schemaModel
        self.schema = schema
        self.sdl = schemaModel.printSDL()
        self.subgraphSchemas = subgraphSchemas
        self.queryOwners = queryOwners
        self.mutationOwners = mutationOwners
        self.typeOwners = typeOwners
        var relationships: [String: [String: RelationshipConfig]] = [:]
        for relationship in configuration.relationships {
            relationships[relationship.sourceType, default: [:]][relationship.name] = relationship
        }
        self.relationships = relationships
    }

    /// The relationship behind a field, if the field is one.
    public func relationship(on type: String, field: String) -> RelationshipConfig? {
        relationships[type]?[field]
    }

    /// The subgraph that serves a root field of an operation type.
    public func owner(ofRoot field: String, operation: OperationType) -> String? {
        operation == .mutation ? mutationOwners[field] : queryOwners[field]
    }

    public func subgraph(named name: String) -> SubgraphConfig? {
        configuration.subgraph(named: name)
    }
}
