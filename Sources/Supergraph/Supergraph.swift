import GatewayConfig
import GatewayJSON
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
    /// The object type each model filter input type filters (`BookFilter` → `Book`).
    public let filterTypes: [String: String]
    /// The object type each model order input type orders (`BookOrder` → `Book`).
    public let orderTypes: [String: String]
    /// What the gateway writes itself: nested inserts and cascading deletes.
    public let writes: WriteSchema
    /// Aggregates of collections and Array relationships.
    public let aggregates: AggregateSchema
    /// Federation entities: fields merged into types other subgraphs own, and keys.
    public let entities: EntitySchema

    init(
        configuration: GatewayConfiguration, schemaModel: SchemaModel, schema: GraphQLSchema,
        subgraphSchemas: [String: SchemaModel], queryOwners: [String: String], mutationOwners: [String: String],
        typeOwners: [String: String], writes: WriteSchema = WriteSchema(), aggregates: AggregateSchema = AggregateSchema(),
        entities: EntitySchema = EntitySchema()
    ) {
        self.entities = entities
        self.configuration = configuration
        self.schemaModel = schemaModel
        self.schema = schema
        self.sdl = schemaModel.printSDL()
        self.subgraphSchemas = subgraphSchemas
        self.queryOwners = queryOwners
        self.mutationOwners = mutationOwners
        self.typeOwners = typeOwners
        self.writes = writes
        self.aggregates = aggregates
        var relationships: [String: [String: RelationshipConfig]] = [:]
        for relationship in configuration.relationships {
            relationships[relationship.sourceType, default: [:]][relationship.name] = relationship
        }
        self.relationships = relationships
        var filterTypes: [String: String] = [:]
        var orderTypes: [String: String] = [:]
        for model in configuration.models where model.hasCollection {
            filterTypes[model.filterType] = model.typeName
            if let orderType = model.orderType { orderTypes[orderType] = model.typeName }
        }
        self.filterTypes = filterTypes
        self.orderTypes = orderTypes
    }

    /// Whether a filter or order value (of the input type `inputType`, or a list of it) names a
    /// relationship anywhere: such values are resolved by the gateway before going upstream.
    public func usesRelationships(_ value: JSON, inputType: String) -> Bool {
        switch value {
        case .array(let items):
            return items.contains { usesRelationships($0, inputType: inputType) }
        case .object(let object):
            guard let typeName = filterTypes[inputType] ?? orderTypes[inputType] else { return false }
            for (key, member) in object.members where !member.isNull {
                switch key {
                case "_and", "_or", "_not":
                    if usesRelationships(member, inputType: inputType) { return true }
                default:
                    if relationship(on: typeName, field: key) != nil || aggregates.relationship(on: typeName, field: key) != nil {
                        return true
                    }
                }
            }
            return false
        default:
            return false
        }
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
