import GatewayConfig
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
        let id = reserveFetch()
        let target = model.model
        let collected = collector.collect(subfieldsOf: field, on: model.aggregateType)
        let spec = aggregateSpec(collected, model: model)

        // The rows' filter: the client's, its relationships resolved by lookups.
        let filter = field.arguments.first { $0.name.value == "filter" }.map { ValueTemplate($0.value) }
        var lookups: [FilterLookup] = []
        if let filter { lookups = try filterLookups(filter, filterType: target.filterType) ?? [] }

        // Which fields of the target match it to its parents.
        var targetFields: [String] = []
        var junction: JunctionStep?
        let whereName = Self.freeName(QueryPlanner.whereVariable, avoiding: variableTypes)
        if let relationship {
            targetFields = relationship.targetKeyFields
            if let through = relationship.through {
                let junctionSource = relationship.mapping.map(\.targetField)
                let (query, aliases) = Self.keyQuery(
                    collection: through.collection, filterType: through.filterType,
                    fields: junctionSource + through.mapping.map(\.sourceField), whereVariable: whereName)
                junction = JunctionStep(
                    subgraph: through.subgraph, query: query, whereVariable: whereName, sourceFields: junctionSource,
                    sourceAliases: Array(aliases.prefix(junctionSource.count)), targetAliases: Array(aliases.dropFirst(junctionSource.count)))
            }
        }
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
