import GatewayConfig
import GraphQLSupport

/// What the gateway knows to aggregate a model's rows: the fields each aggregate applies to,
/// the names of the types it adds, and whether the subgraph groups rows itself.
public struct AggregateModel: Sendable, Hashable {
    public var model: ModelConfig
    /// The scalar fields of the type, in its order, with their scalar types (`count(distinct:)`).
    public var fields: [(name: String, scalar: String)]
    /// `Int` and `Float` fields (`sum`, `avg`).
    public var numericFields: [(name: String, scalar: String)] { fields.filter { $0.scalar == "Int" || $0.scalar == "Float" } }
    /// `ID`, `String`, `Int` and `Float` fields (`min`, `max`).
    public var orderableFields: [(name: String, scalar: String)] { fields.filter { $0.scalar != "Boolean" } }
    /// The subgraph's `ts_aggregate(filter:, groupBy:)` (docs/subgraph-protocol.md), when it
    /// serves it; nil when the gateway computes aggregates from rows.
    public var groupedField: String?

    public init(model: ModelConfig, fields: [(name: String, scalar: String)], groupedField: String?) {
        self.model = model
        self.fields = fields
        self.groupedField = groupedField
    }

    public static func == (left: AggregateModel, right: AggregateModel) -> Bool {
        left.model == right.model && left.groupedField == right.groupedField
            && left.fields.map(\.name) == right.fields.map(\.name) && left.fields.map(\.scalar) == right.fields.map(\.scalar)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(model)
        hasher.combine(groupedField)
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.scalar)
        }
    }

    var typeName: String { model.typeName }
    /// `Book` → `BookAggregate`, `BookField`, ...
    public var aggregateType: String { typeName + "Aggregate" }
    public var fieldEnum: String { typeName + "Field" }
    public var sumType: String { typeName + "SumFields" }
    public var avgType: String { typeName + "AvgFields" }
    public var minType: String { typeName + "MinFields" }
    public var maxType: String { typeName + "MaxFields" }
    public var filterType: String { typeName + "AggregateFilter" }
    public var orderType: String { typeName + "AggregateOrder" }
    var sumFilterType: String { typeName + "SumFieldsFilter" }
    var avgFilterType: String { typeName + "AvgFieldsFilter" }
    var minMaxFilterType: String { typeName + "MinMaxFieldsFilter" }
    var numericOrderType: String { typeName + "NumericFieldsOrder" }
    var minMaxOrderType: String { typeName + "MinMaxFieldsOrder" }
    /// The root field the gateway serves (`books_aggregate`).
    public var rootField: String { model.collection + "_aggregate" }

    /// The type of an aggregate function's fields: `sum` → `BookSumFields`.
    public func functionType(_ function: String) -> String? {
        switch function {
        case "sum": return numericFields.isEmpty ? nil : sumType
        case "avg": return numericFields.isEmpty ? nil : avgType
        case "min": return orderableFields.isEmpty ? nil : minType
        case "max": return orderableFields.isEmpty ? nil : maxType
        default: return nil
        }
    }
}

/// The aggregate side of the supergraph: `ts_aggregate` root fields, `rel_aggregate` fields of
/// Array relationships, and the filters and orders on them.
public struct AggregateSchema: Sendable {
    /// By model name.
    public var models: [String: AggregateModel]
    /// Root field → model name.
    public var roots: [String: String]
    /// Source type → `rel_aggregate` field → the Array relationship.
    public var relationships: [String: [String: RelationshipConfig]]

    public init(
        models: [String: AggregateModel] = [:], roots: [String: String] = [:], relationships: [String: [String: RelationshipConfig]] = [:]
    ) {
        self.models = models
        self.roots = roots
        self.relationships = relationships
    }

    /// The Array relationship behind a `rel_aggregate` field (of a type, a filter or an order).
    public func relationship(on type: String, field: String) -> RelationshipConfig? {
        relationships[type]?[field]
    }

    public func model(of relationship: RelationshipConfig) -> AggregateModel? { models[relationship.targetModel] }

    /// `authoredBooks` → `authoredBooks_aggregate`.
    public static func fieldName(_ relationship: RelationshipConfig) -> String { relationship.name + "_aggregate" }
}
