import GatewayConfig
import GraphQLSupport

/// The aggregate side of composition (docs/subgraph-protocol.md for the subgraphs' part).
///
/// For every model `T` the supergraph gets `ts_aggregate(filter: TFilter): TAggregate` with
/// `TAggregate { count(distinct: TField): Int!, sum, avg, min, max }`, and every Array
/// relationship `rel` a field `rel_aggregate(filter:)` beside it; filters and orders of the
/// source gain `rel_aggregate` too. Where a subgraph serves the protocol's grouped
/// `ts_aggregate(filter:, groupBy:)`, its root field and group type stay internal (the gateway
/// asks them for per-parent aggregates); otherwise the gateway computes from rows.
extension Composer {
    struct AggregateComposition {
        var schema: SchemaModel
        var query: TypeDef
        var queryOwners: [String: String]
        var errors: [CompositionError] = []
        var aggregates = AggregateSchema()
    }

    static let aggregateScalars: Set<String> = ["ID", "String", "Int", "Float", "Boolean"]

    static func composeAggregates(
        _ composition: inout AggregateComposition, configuration: GatewayConfiguration,
        subgraphs: [(name: String, schema: SchemaModel)]
    ) {
        let schemas = Dictionary(subgraphs.map { ($0.name, $0.schema) }, uniquingKeysWith: { first, _ in first })
        for model in configuration.models where model.hasCollection {
            guard let schema = schemas[model.subgraph], let type = schema[model.typeName] else { continue }
            let fields = type.fields.compactMap { field -> (name: String, scalar: String)? in
                guard !field.type.isList, aggregateScalars.contains(field.type.namedType) else { return nil }
                return (field.name, field.type.namedType)
            }
            guard !fields.isEmpty else { continue }
            var grouped: String?
            var groupType: String?
            if let field = schema.query?.field(model.collection + "_aggregate"), field.argument("groupBy") != nil,
                field.argument("filter")?.type.namedType == model.filterType, schema[field.type.namedType]?.kind == .object
            {
                grouped = field.name
                groupType = field.type.namedType
            }
            let aggregate = AggregateModel(model: model, fields: fields, groupedField: grouped)
            // The protocol's own types are the gateway's too, or internal (the group type).
            var replaced: Set<String> = []
            if grouped != nil {
                replaced = [aggregate.fieldEnum, aggregate.sumType, aggregate.avgType, aggregate.minType, aggregate.maxType]
                if let groupType { replaced.insert(groupType) }
            }
            let defined = [
                aggregate.aggregateType, aggregate.fieldEnum, aggregate.sumType, aggregate.avgType, aggregate.minType,
                aggregate.maxType, aggregate.filterType, aggregate.orderType, aggregate.sumFilterType, aggregate.avgFilterType,
                aggregate.minMaxFilterType, aggregate.numericOrderType, aggregate.minMaxOrderType,
            ]
            let collisions = defined.filter { composition.schema[$0] != nil && !replaced.contains($0) }
            if !collisions.isEmpty {
                composition.errors.append(CompositionError(
                    "Model \(model.name): the gateway's aggregate types \(collisions.joined(separator: ", ")) collide with subgraph types of the same name."))
                continue
            }
            if grouped == nil, composition.query.field(aggregate.rootField) != nil {
                composition.errors.append(CompositionError(
                    "Model \(model.name): the root field \(aggregate.rootField) of subgraph \(model.subgraph) is not the aggregate extension of docs/subgraph-protocol.md, and the gateway's aggregate field has that name."))
                continue
            }
            if let groupType { composition.schema.remove(groupType) }
            composition.query.fields.removeAll { $0.name == aggregate.rootField }
            addAggregateTypes(aggregate, to: &composition.schema)
            composition.query.fields.append(FieldDef(
                name: aggregate.rootField, type: .named(aggregate.aggregateType),
                arguments: [InputValueDef(name: "filter", type: .named(model.filterType))],
                description: "Count, sum, average, minimum and maximum of the \(model.typeName) rows the filter selects."))
            composition.queryOwners[aggregate.rootField] = model.subgraph
            composition.aggregates.models[model.name] = aggregate
            composition.aggregates.roots[aggregate.rootField] = model.name
        }

        for relationship in configuration.relationships where relationship.kind == .array {
            guard let target = composition.aggregates.models[relationship.targetModel] else { continue }
            let name = AggregateSchema.fieldName(relationship)
            if composition.schema[relationship.sourceType]?.field(name) != nil {
                composition.errors.append(CompositionError(
                    "Relationship \(relationship.sourceType).\(relationship.name): its aggregate field \(name) collides with a field of the same name."))
                continue
            }
            composition.schema.update(relationship.sourceType) { type in
                type.fields.append(FieldDef(
                    name: name, type: .named(target.aggregateType),
                    arguments: [InputValueDef(name: "filter", type: .named(target.model.filterType))],
                    description: "Aggregates of \(relationship.name) (\(target.model.name)), per \(relationship.sourceType)."))
            }
            composition.aggregates.relationships[relationship.sourceType, default: [:]][name] = relationship
            for source in configuration.models where source.typeName == relationship.sourceType && source.hasCollection {
                composition.schema.update(source.filterType) { filter in
                    if filter.inputField(name) == nil { filter.inputFields.append(InputValueDef(name: name, type: .named(target.filterType))) }
                }
                if let orderType = source.orderType {
                    composition.schema.update(orderType) { order in
                        if order.inputField(name) == nil { order.inputFields.append(InputValueDef(name: name, type: .named(target.orderType))) }
                    }
                }
            }
        }
    }

    /// The aggregate object, its function types, and the filter and order inputs over them.
    static func addAggregateTypes(_ aggregate: AggregateModel, to schema: inout SchemaModel) {
        let numeric = aggregate.numericFields
        let orderable = aggregate.orderableFields
        func object(_ name: String, _ fields: [(String, String)]) -> TypeDef {
            TypeDef(name: name, kind: .object, fields: fields.map { FieldDef(name: $0.0, type: .named($0.1)) })
        }
        func input(_ name: String, _ fields: [(String, TypeRef)], description: String? = nil) -> TypeDef {
            TypeDef(name: name, kind: .inputObject, description: description, inputFields: fields.map { InputValueDef(name: $0.0, type: $0.1) })
        }
        schema.add(TypeDef(name: aggregate.fieldEnum, kind: .enumeration, enumValues: aggregate.fields.map { EnumValueDef(name: $0.name) }))
        var aggregateFields = [
            FieldDef(
                name: "count", type: .nonNull(.named("Int")),
                arguments: [InputValueDef(name: "distinct", type: .named(aggregate.fieldEnum))],
                description: "The rows; with distinct, the distinct non-null values of that field.")
        ]
        if !numeric.isEmpty {
            schema.add(object(aggregate.sumType, numeric.map { ($0.name, $0.scalar) }))
            schema.add(object(aggregate.avgType, numeric.map { ($0.name, "Float") }))
            aggregateFields.append(FieldDef(name: "sum", type: .named(aggregate.sumType), description: "Sums of the non-null values; null where there is none."))
            aggregateFields.append(FieldDef(name: "avg", type: .named(aggregate.avgType), description: "Averages of the non-null values; null where there is none."))
        }
        if !orderable.isEmpty {
            schema.add(object(aggregate.minType, orderable.map { ($0.name, $0.scalar) }))
            schema.add(object(aggregate.maxType, orderable.map { ($0.name, $0.scalar) }))
            aggregateFields.append(FieldDef(name: "min", type: .named(aggregate.minType), description: "Smallest non-null values (strings by code point)."))
            aggregateFields.append(FieldDef(name: "max", type: .named(aggregate.maxType), description: "Largest non-null values (strings by code point)."))
        }
        schema.add(TypeDef(
            name: aggregate.aggregateType, kind: .object,
            description: "Aggregates of \(aggregate.model.typeName) rows; null values are skipped as in SQL.", fields: aggregateFields))

        // Filters and orders of parents by these aggregates.
        ensureOperators(["Int", "Float"] + orderable.map(\.scalar), in: &schema)
        if schema["Ordering"] == nil { schema.add(TypeDef(name: "Ordering", kind: .enumeration, enumValues: ["ASC", "DESC"])) }
        var filterFields: [(String, TypeRef)] = [("count", .named("IntOperators"))]
        var orderFields: [(String, TypeRef)] = [("count", .named("Ordering"))]
        if !numeric.isEmpty {
            schema.add(input(aggregate.sumFilterType, numeric.map { ($0.name, .named($0.scalar + "Operators")) }))
            schema.add(input(aggregate.avgFilterType, numeric.map { ($0.name, .named("FloatOperators")) }))
            schema.add(input(aggregate.numericOrderType, numeric.map { ($0.name, .named("Ordering")) }))
            filterFields += [("sum", .named(aggregate.sumFilterType)), ("avg", .named(aggregate.avgFilterType))]
            orderFields += [("sum", .named(aggregate.numericOrderType)), ("avg", .named(aggregate.numericOrderType))]
        }
        if !orderable.isEmpty {
            schema.add(input(aggregate.minMaxFilterType, orderable.map { ($0.name, .named($0.scalar + "Operators")) }))
            schema.add(input(aggregate.minMaxOrderType, orderable.map { ($0.name, .named("Ordering")) }))
            filterFields += [("min", .named(aggregate.minMaxFilterType)), ("max", .named(aggregate.minMaxFilterType))]
            orderFields += [("min", .named(aggregate.minMaxOrderType)), ("max", .named(aggregate.minMaxOrderType))]
        }
        filterFields.append(("filter", .named(aggregate.model.filterType)))
        schema.add(input(
            aggregate.filterType, filterFields,
            description: "A condition on the aggregates of related \(aggregate.model.typeName) rows (those `filter` selects): every operator given must hold."))
        schema.add(input(
            aggregate.orderType, orderFields, description: "Order by one aggregate of related \(aggregate.model.typeName) rows: set exactly one."))
    }

    /// The model protocol's operator inputs of these scalars, added where no subgraph has them.
    static func ensureOperators(_ scalars: [String], in schema: inout SchemaModel) {
        for scalar in Set(scalars) where schema[scalar + "Operators"] == nil {
            let value = TypeRef.named(scalar)
            var fields = [InputValueDef(name: "_eq", type: value), InputValueDef(name: "_ne", type: value)]
            if scalar != "Boolean" {
                fields += ["_in", "_nin"].map { InputValueDef(name: $0, type: .list(.nonNull(value))) }
                fields += ["_gt", "_ge", "_lt", "_le"].map { InputValueDef(name: $0, type: value) }
            }
            if scalar == "ID" || scalar == "String" {
                fields += ["_like", "_nlike", "_ilike", "_nilike"].map { InputValueDef(name: $0, type: .named("String")) }
            }
            schema.add(TypeDef(name: scalar + "Operators", kind: .inputObject, inputFields: fields))
        }
    }
}
