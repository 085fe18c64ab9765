import GraphQL
import GraphQLSupport

extension PlanBuilder {
    /// The plan for an operation the gateway can pass through unchanged: the document holds
    /// this one operation, every root field belongs to one subgraph, and no field anywhere
    /// (skipped ones included: they are sent too) is a relationship, an entity field of
    /// another subgraph, or introspection.
    func forwardPlan(rootType: TypeDef, rootFields: [CollectedField], isMutation: Bool) -> QueryPlan? {
        guard document.operations.count == 1, !rootFields.isEmpty else { return nil }
        var owners: Set<String> = []
        var visited: Set<String> = []
        guard
            walk(operation.selectionSet, typeName: rootType.name, isRoot: true, owners: &owners, visited: &visited,
                 isMutation: isMutation),
            owners.count == 1, let subgraph = owners.first
        else { return nil }
        let shape = Shape(
            typeName: rootType.name,
            fields: rootFields.map { field in
                if field.name == "__typename" { return .typename(key: field.responseKey, typeName: rootType.name) }
                let type = rootType.field(field.name)?.type ?? .named("String")
                return .root(key: field.responseKey, fetch: 0, upstreamKey: field.responseKey, type: type, shape: nil)
            })
        let fetch = Fetch(
            id: 0, subgraph: subgraph, kind: .forward, query: document.document.loc?.source.body ?? "",
            clientVariables: operation.variableDefinitions.map(\.variable.name.value))
        return QueryPlan(operation: isMutation ? .mutation : .query, node: .fetch(0), fetches: [fetch], shape: shape)
    }

    /// False as soon as a relationship or introspection field appears.
    private func walk(
        _ selectionSet: SelectionSet, typeName: String, isRoot: Bool, owners: inout Set<String>,
        visited: inout Set<String>, isMutation: Bool
    ) -> Bool {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                let name = field.name.value
                if name == "__typename" { continue }
                if name.hasPrefix("__") { return false }
                if supergraph.relationship(on: typeName, field: name) != nil { return false }
                if supergraph.aggregates.relationship(on: typeName, field: name) != nil { return false }
                // A federation entity field another subgraph serves.
                if supergraph.entities.owner(of: name, on: typeName) != nil { return false }
                if isRoot, !isMutation, supergraph.aggregates.roots[name] != nil { return false }
                // A filter or order naming a relationship is resolved by the gateway.
                if let definition = schema[typeName]?.field(name) {
                    for argument in field.arguments {
                        guard let type = definition.argument(argument.name.value)?.type,
                            supergraph.filterTypes[type.namedType] != nil || supergraph.orderTypes[type.namedType] != nil,
                            let value = resolved(ValueTemplate(argument.value), type: type)
                        else { continue }
                        if supergraph.usesRelationships(value, inputType: type.namedType) { return false }
                    }
                }
                // Nested creates and cascading deletes are written by the gateway.
                if isRoot, isMutation, supergraph.writes.mutations[name] != nil { return false }
                if isRoot {
                    guard let owner = isMutation ? supergraph.mutationOwners[name] : supergraph.queryOwners[name] else {
                        return false
                    }
                    owners.insert(owner)
                }
                if let subselection = field.selectionSet {
                    guard let fieldType = schema[typeName]?.field(name)?.type.namedType else { return false }
                    if !walk(subselection, typeName: fieldType, isRoot: false, owners: &owners, visited: &visited, isMutation: isMutation) {
                        return false
                    }
                }
            case let inline as InlineFragment:
                let condition = inline.typeCondition?.name.value ?? typeName
                if !walk(inline.selectionSet, typeName: condition, isRoot: isRoot, owners: &owners, visited: &visited, isMutation: isMutation) {
                    return false
                }
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard let fragment = document.fragments[name] else { return false }
                // A fragment spread at several depths is walked once per depth kind.
                let key = (isRoot ? "root:" : "") + name
                if !visited.insert(key).inserted { continue }
                if !walk(fragment.selectionSet, typeName: fragment.typeCondition.name.value, isRoot: isRoot,
                         owners: &owners, visited: &visited, isMutation: isMutation) {
                    return false
                }
            default:
                return false
            }
        }
        return true
    }
}
