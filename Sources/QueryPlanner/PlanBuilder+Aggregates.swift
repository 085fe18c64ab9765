import GatewayConfig
import GatewayJSON
import GraphQL
import GraphQLSupport
import Supergraph

extension PlanBuilder {
    /// The fetch of aggregates: a root `ts_aggregate` field (`relationship` nil), or an Array
    /// relationship's `rel_aggregate` field on the objects `parent` fetches.
    mutating func aggregateFetch(
        _ field: CollectedField, model: AggregateModel, relationship: RelationshipConfig?, parent: Int?, parentPath: [String],
        sourceKeys: [String], displayPath: String
    ) throws(ResponseError) -> (Int, PlanNode, Shape) {
        let target = model.model
        let id = reserveFetch(subgraph: target.subgraph)
        let collected = collector.collect(subfieldsOf: field, on: model.aggregateType)
        let spec = aggregateSpec(collected, model: model)

        // The rows' filter: the client's, its relationships resolved by lookups.
        let filter = field.arguments.first { $0.name.value == "filter" }.map { ValueTemplate($0.value) }
        var lookups: [FilterLookup] = []
        if let filter { lookups = try filterLookups(filter, filterType: target.filterType) ?? [] }

        // Which fields of the target match it to its parents.
        var targetFields: [String] = []
        let whereName = Self.freeName(QueryPlanner.whereVariable, avoiding: variableTypes)
        let junction = relationship.flatMap { Self.junctionStep($0, whereVariable: whereName) }
        if let relationship { targetFields = relationship.targetKeyFields }
        // Many-to-many: the target rows do not know their parents, so the gateway counts.
        let strategy: AggregateFetch.Strategy = model.groupedField != nil && junction == nil ? .grouped : .rows

        var variables = VariableSet()
        let object = try objectSelection(
            fields: collected, typeName: model.aggregateType, fetch: id, parentPath: [], displayPath: displayPath,
            keyFields: strategy == .grouped ? targetFields : [], variables: &variables)
        var specWithRows = spec
        let query: String
        let targetKeys: [String]
        var clientVariables: [String] = []
        switch strategy {
        case .grouped:
            targetKeys = object.keyAliases
            let groupBy = targetFields.isEmpty ? "" : ", groupBy: [\(targetFields.joined(separator: ", "))]"
            var outer = UpstreamSelection()
            outer.add(
                alias: "_r", name: model.groupedField ?? model.rootField, arguments: "(filter: $\(whereName)\(groupBy))",
                selection: object.selection)
            let declarations = ["$\(whereName): \(target.filterType)!"] + variables.declarations(variableTypes)
            query = "query(\(declarations.joined(separator: ", "))) " + outer.printed
            clientVariables = variables.names
        case .rows:
            var needed = Self.rowFields(spec, model: model)
            if needed.isEmpty && targetFields.isEmpty { needed = ["id"] }
            var aliases = InternalAliases(taken: [])
            targetKeys = targetFields.map { aliases.alias(for: $0) }
            var rowAliases: [String: String] = [:]
            for field in needed { rowAliases[field] = aliases.alias(for: field) }
            specWithRows.rowAliases = rowAliases
            var selection = UpstreamSelection()
            for (name, alias) in aliases.assigned { selection.add(alias: alias, name: name) }
            var outer = UpstreamSelection()
            outer.add(alias: "_r", name: target.collection, arguments: "(filter: $\(whereName))", selection: selection)
            query = "query($\(whereName): \(target.filterType)!) " + outer.printed
        }

        let label = relationship.map { "\($0.sourceType).\(AggregateSchema.fieldName($0))" } ?? field.name
        fetches[id] = Fetch(
            id: id, subgraph: target.subgraph,
            kind: .aggregate(AggregateFetch(
                strategy: strategy, label: label, parent: parent, parentPath: parentPath, sourceKeys: sourceKeys,
                targetFields: targetFields, targetKeys: targetKeys, query: query, whereVariable: whereName,
                filterType: target.filterType, filter: filter, filterLookups: lookups, spec: specWithRows, junction: junction,
                responseKey: field.responseKey)),
            query: query, clientVariables: clientVariables)
        let node: PlanNode = parent == nil ? .fetch(id) : .flatten(path: displayPath, fetch: id)
        return (id, node, object.shape)
    }

    /// The client's selection on an aggregate object as items to compute.
    func aggregateSpec(_ fields: [CollectedField], model: AggregateModel) -> AggregateSpec {
        var items: [AggregateSpec.Item] = []
        let scalars = Dictionary(model.fields.map { ($0.name, $0.scalar) }, uniquingKeysWith: { first, _ in first })
        for field in fields {
            switch field.name {
            case "__typename":
                items.append(.typename(key: field.responseKey, typeName: model.aggregateType))
            case "count":
                let distinct = field.arguments.first { $0.name.value == "distinct" }.map { ValueTemplate($0.value) }
                items.append(.count(key: field.responseKey, distinct: distinct))
            default:
                guard let typeName = model.functionType(field.name) else { continue }
                let subfields = collector.collect(subfieldsOf: field, on: typeName).map { sub in
                    AggregateSpec.FunctionField(key: sub.responseKey, field: sub.name, scalar: scalars[sub.name] ?? "")
                }
                items.append(.function(key: field.responseKey, function: field.name, typeName: typeName, fields: subfields))
            }
        }
        return AggregateSpec(items: items)
    }

    /// The fields rows must carry to compute a spec: every field it aggregates (all scalar
    /// fields when a `count(distinct:)` names its field through a variable).
    static func rowFields(_ spec: AggregateSpec, model: AggregateModel) -> [String] {
        var fields: [String] = []
        func need(_ field: String) { if !fields.contains(field) { fields.append(field) } }
        for item in spec.items {
            switch item {
            case .typename: continue
            case .count(_, let distinct):
                switch distinct {
                case nil, .constant(.null)?: continue
                case .constant(.string(let name))?: need(name)
                default: model.fields.forEach { need($0.name) }
                }
            case .function(_, _, _, let subfields):
                for sub in subfields where sub.field != "__typename" { need(sub.field) }
            }
        }
        return fields
    }
}

// MARK: Filters and orders by aggregates

extension AggregateSpec.Item {
    /// The response key of the item.
    public var key: String {
        switch self {
        case .typename(let key, _), .count(let key, _), .function(let key, _, _, _): return key
        }
    }
}

extension PlanBuilder {
    /// The aggregates a condition or an order names, under their own names.
    static func lookupSpec(_ wanted: [(function: String, field: String?)], model: AggregateModel) -> AggregateSpec {
        var items: [AggregateSpec.Item] = []
        let scalars = Dictionary(model.fields.map { ($0.name, $0.scalar) }, uniquingKeysWith: { first, _ in first })
        for (function, field) in wanted {
            if function == "count" {
                if !items.contains(.count(key: "count", distinct: nil)) { items.append(.count(key: "count", distinct: nil)) }
                continue
            }
            guard let field, let typeName = model.functionType(function) else { continue }
            let sub = AggregateSpec.FunctionField(key: field, field: field, scalar: scalars[field] ?? "")
            if let index = items.firstIndex(where: { if case .function(function, _, _, _) = $0 { true } else { false } }),
                case .function(let key, _, _, var fields) = items[index]
            {
                if !fields.contains(sub) { fields.append(sub) }
                items[index] = .function(key: key, function: function, typeName: typeName, fields: fields)
            } else {
                items.append(.function(key: function, function: function, typeName: typeName, fields: [sub]))
            }
        }
        return AggregateSpec(items: items)
    }

    /// The query answering a lookup's aggregates per target key: the subgraph's groups, or the
    /// rows the gateway aggregates; and where they hold the key fields.
    func aggregateLookupQuery(
        _ relationship: RelationshipConfig, model: AggregateModel, spec: AggregateSpec
    ) -> (query: String, keyAliases: [String], lookup: AggregateLookup) {
        let target = model.model
        let whereName = QueryPlanner.whereVariable
        let keyFields = relationship.targetKeyFields
        var junction: JunctionLookup?
        if let through = relationship.through {
            let sourceSide = relationship.mapping.map(\.targetField)
            let targetSide = through.mapping.map(\.sourceField)
            let (query, aliases) = Self.keyQuery(
                collection: through.collection, filterType: through.filterType, fields: sourceSide + targetSide, whereVariable: whereName)
            junction = JunctionLookup(
                subgraph: through.subgraph, query: query, whereVariable: whereName, targetFields: targetSide,
                sourceAliases: Array(aliases.prefix(sourceSide.count)), targetAliases: Array(aliases.dropFirst(sourceSide.count)))
        }
        var aliases = InternalAliases(taken: Set(spec.items.map(\.key)))
        let keyAliases = keyFields.map { aliases.alias(for: $0) }
        if let grouped = model.groupedField, junction == nil {
            var selection = spec.items.map { item -> String in
                switch item {
                case .typename(let key, _): return key + ": __typename"
                case .count: return "count"
                case .function(_, let function, _, let fields): return "\(function) { \(fields.map(\.field).joined(separator: " ")) }"
                }
            }
            selection += aliases.assigned.map { "\($1): \($0)" }
            let query = "query($\(whereName): \(target.filterType)!) { _r: \(grouped)(filter: $\(whereName), groupBy: [\(keyFields.joined(separator: ", "))]) { \(selection.joined(separator: " ")) } }"
            return (query, keyAliases, AggregateLookup(strategy: .grouped, spec: spec))
        }
        var withRows = spec
        for field in Self.rowFields(spec, model: model) { withRows.rowAliases[field] = aliases.alias(for: field) }
        let selection = aliases.assigned.map { "\($1): \($0)" }.joined(separator: " ")
        let query = "query($\(whereName): \(target.filterType)!) { _r: \(target.collection)(filter: $\(whereName)) { \(selection) } }"
        return (query, keyAliases, AggregateLookup(strategy: .rows, spec: withRows, junction: junction))
    }

    /// The lookup of `rel_aggregate: {count: {...}, sum: {f: {...}}, ..., filter: {...}}`.
    func aggregateFilterLookup(
        _ relationship: RelationshipConfig, model: AggregateModel, condition: JSON, children: [Int]
    ) -> FilterLookup {
        var wanted: [(function: String, field: String?)] = []
        for (key, value) in condition.objectValue?.members ?? JSONObject().members where !value.isNull && key != "filter" {
            if key == "count" {
                wanted.append(("count", nil))
            } else {
                for (field, operators) in value.objectValue?.members ?? JSONObject().members where !operators.isNull {
                    wanted.append((key, field))
                }
            }
        }
        let spec = Self.lookupSpec(wanted, model: model)
        let (query, keyAliases, lookup) = aggregateLookupQuery(relationship, model: model, spec: spec)
        return FilterLookup(
            relationship: "\(relationship.sourceType).\(AggregateSchema.fieldName(relationship))", subgraph: model.model.subgraph,
            query: query, whereVariable: QueryPlanner.whereVariable, keyAliases: keyAliases, junction: lookup.junction,
            sourceFields: relationship.mapping.map(\.sourceField), children: children, aggregate: lookup)
    }
}
