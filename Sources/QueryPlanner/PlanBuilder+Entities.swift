import GatewayConfig
import GraphQLSupport

extension PlanBuilder {
    /// The fields of an object that another subgraph serves for it (Apollo Federation entity
    /// fields such as `Book.deliveryDays` on a Book from the catalog): per serving subgraph one
    /// `_entities` fetch for all the objects at this place, with the key (and the fields they
    /// `@require`) fetched from the parents under internal aliases.
    struct EntityFieldShapes {
        /// Each such field's shape, by response key.
        var shapes: [String: ShapeField] = [:]
        /// The entity fetches, each followed by what depends on it.
        var nodes: [PlanNode] = []
    }

    mutating func entityFieldShapes(
        _ fields: [CollectedField], typeName: String, fetch: Int, parentPath: [String], displayPath: String,
        aliases: inout InternalAliases
    ) throws(ResponseError) -> EntityFieldShapes {
        var result = EntityFieldShapes()
        guard let owners = supergraph.entities.fieldOwners[typeName] else { return result }
        let current = fetches[fetch].subgraph
        var order: [String] = []
        var bySubgraph: [String: [CollectedField]] = [:]
        for field in fields {
            guard let owner = owners[field.name], owner != current else { continue }
            if bySubgraph[owner] == nil { order.append(owner) }
            bySubgraph[owner, default: []].append(field)
        }
        for subgraph in order {
            let selected = bySubgraph[subgraph]!
            let local = supergraph.subgraphSchemas[current]?[typeName]
            guard let key = supergraph.entities.key(of: typeName, in: subgraph, where: { local?.field($0) != nil }) else {
                let names = selected.map(\.name).joined(separator: ", ")
                throw ResponseError(
                    "\(typeName).\(names) at \(displayPath) cannot be fetched: subgraph \(subgraph) serves it by the @key of \(typeName), whose fields subgraph \(current) does not serve.",
                    code: "QUERY_PLAN_FAILED")
            }
            var required: [String] = []
            for field in selected {
                for name in supergraph.entities.requires[typeName]?[field.name] ?? [] where !required.contains(name) { required.append(name) }
            }
            let sourceKeys = key.map { aliases.alias(for: $0) }
            let requiredAliases = required.map { aliases.alias(for: $0) }

            let id = reserveFetch(subgraph: subgraph)
            var variables = VariableSet()
            let object = try objectSelection(
                fields: selected, typeName: typeName, fetch: id, parentPath: [], displayPath: displayPath, variables: &variables)
            let variable = Self.freeName("_gw_reps", avoiding: variableTypes)
            let entity = EntityFetch(
                typeName: typeName, keyFields: key, requiredFields: required, requiredAliases: requiredAliases, variable: variable)
            fetches[id] = Fetch(
                id: id, subgraph: subgraph,
                kind: .relationship(RelationshipFetch(
                    relationship: "\(typeName) entities", kind: .object, parent: fetch, parentPath: parentPath, sourceKeys: sourceKeys,
                    targetKeys: [], targetFields: key, collectionKey: "_r", arguments: RelationshipArguments(), filterType: "",
                    orderType: nil, whereVariable: variable, orderVariable: "", entity: entity)),
                query: entity.query(selection: object.selection.printed, declarations: variables.declarations(variableTypes)),
                clientVariables: variables.names)
            for shape in object.shape.fields {
                switch shape {
                case .value(let key, let upstreamKey, let type):
                    result.shapes[key] = .entity(key: key, fetch: id, upstreamKey: upstreamKey, type: type, shape: nil)
                case .object(let key, let upstreamKey, let type, let child):
                    result.shapes[key] = .entity(key: key, fetch: id, upstreamKey: upstreamKey, type: type, shape: child)
                default:
                    continue
                }
            }
            result.nodes.append(Self.node(.flatten(path: displayPath, fetch: id), then: object.children))
        }
        return result
    }
}
