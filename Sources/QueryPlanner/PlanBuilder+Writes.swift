import GatewayConfig
import GraphQL
import GraphQLSupport
import Supergraph

extension PlanBuilder {
    /// The fetch of a root mutation field the gateway writes itself, followed by the
    /// relationship fetches of its result (which read what was written).
    mutating func writeFetch(
        _ field: CollectedField, write: MutationWrite, rootType: TypeDef
    ) throws(ResponseError) -> ([ShapeField], PlanNode) {
        let modelName: String
        switch write {
        case .create(let model, _), .delete(let model): modelName = model
        }
        guard let definition = rootType.field(field.name), let model = supergraph.configuration.model(named: modelName) else {
            throw ResponseError("Unknown mutation \(field.name).", code: "INTERNAL_SERVER_ERROR")
        }
        let id = reserveFetch(subgraph: model.subgraph)
        var variables = VariableSet()
        let object = try objectSelection(
            fields: collector.collect(subfieldsOf: field, on: model.typeName), typeName: model.typeName, fetch: id,
            parentPath: [field.responseKey], displayPath: field.responseKey + (definition.type.isList ? ".@" : ""),
            variables: &variables)
        var arguments: [String: ValueTemplate] = [:]
        var argumentTypes: [String: TypeRef] = [:]
        var rewrites: [ArgumentRewrite] = []
        for argument in field.arguments {
            let name = argument.name.value
            guard let type = definition.argument(name)?.type else { continue }
            arguments[name] = ValueTemplate(argument.value)
            argumentTypes[name] = type
            if name == "filter", let lookups = try filterLookups(ValueTemplate(argument.value), filterType: type.namedType) {
                let variable = Self.freeName("_gw_filter0", avoiding: variableTypes)
                rewrites.append(ArgumentRewrite(variable: variable, type: type.namedType, template: ValueTemplate(argument.value), lookups: lookups))
            }
        }
        let reserved = object.selection.responseKeys
        let operation: WriteRoot.Operation
        switch write {
        case .create(_, let many):
            operation = .create(many: many)
        case .delete:
            operation = .delete(cascadePlan(
                model, reserved: Set(reserved), selection: object.selection.printedFields,
                selectionVariables: variables.declarations(variableTypes)))
        }
        let root = WriteRoot(
            operation: operation, model: model.name, field: field.name, responseKey: field.responseKey,
            arguments: arguments, argumentTypes: argumentTypes, selection: object.selection.printedFields,
            selectionVariables: variables.names.map { VariableDeclaration(name: $0, type: variableTypes[$0] ?? "String") },
            reservedKeys: reserved)
        var summary = "\(field.name) → \(model.name)"
        if case .delete(let cascade) = operation { summary = cascade.deleteQuery }
        fetches[id] = Fetch(
            id: id, subgraph: model.subgraph, kind: .write(root), query: summary, clientVariables: variables.names,
            argumentRewrites: rewrites)
        let shape = ShapeField.root(
            key: field.responseKey, fetch: id, upstreamKey: field.responseKey, type: definition.type, shape: object.shape)
        return ([shape], Self.node(.fetch(id), then: object.children))
    }

    /// The cascade of `delete_T`: every `onDelete` rule reachable from `T` through `cascade`
    /// rules, parents before children.
    func cascadePlan(
        _ model: ModelConfig, reserved: Set<String>, selection: String, selectionVariables: [String]
    ) -> CascadePlan {
        var aliases = InternalAliasNames(reserved: reserved)
        let configuration = supergraph.configuration
        let writes = supergraph.writes
        func rules(_ typeName: String, _ subgraph: String) -> [RelationshipConfig] {
            configuration.relationships.filter { $0.sourceType == typeName && $0.sourceSubgraph == subgraph && $0.onDelete != nil }
        }
        /// Every restorable field, and the keys the rules below follow.
        func fieldsToRead(_ model: ModelConfig) -> [String] {
            var fields = ["id"]
            for field in writes.models[model.name]?.restorableFields ?? [] where !fields.contains(field) { fields.append(field) }
            for rule in rules(model.typeName, model.subgraph) {
                for pair in rule.mapping where !fields.contains(pair.sourceField) { fields.append(pair.sourceField) }
            }
            return fields
        }
        func read(_ model: ModelConfig, _ fields: [String]) -> String {
            let where_ = QueryPlanner.whereVariable
            let selection = fields.map { "\(aliases.alias($0)): \($0)" }.joined(separator: " ")
            return "query($\(where_): \(model.filterType)!) { _r: \(model.collection)(filter: $\(where_)) { \(selection) } }"
        }
        var steps: [CascadeStep] = []
        func visit(_ typeName: String, _ subgraph: String, parent: Int?, depth: Int) {
            // Config rejects cascade cycles; the depth bound keeps a hand-built config finite.
            guard depth <= 32 else { return }
            for rule in rules(typeName, subgraph) {
                guard let onDelete = rule.onDelete else { continue }
                let rowsModelName = rule.keyHolder == .junction ? rule.through?.model : rule.targetModel
                guard rule.keyHolder != .source, let rowsModel = rowsModelName.flatMap(configuration.model(named:)),
                    let write = writes.models[rowsModel.name]
                else { continue }
                let keyFields = rule.mapping.map(\.targetField)
                var readFields: [String]
                var writeQuery = ""
                switch onDelete {
                case .restrict:
                    readFields = ["id"]
                case .cascade:
                    readFields = fieldsToRead(rowsModel)
                    writeQuery = "mutation($_gw_ids: [ID!]) { _r: \(write.deleteField ?? "")(filter: {id: {_in: $_gw_ids}}) { \(aliases.alias("id")): id } }"
                case .setNull:
                    readFields = ["id"] + keyFields.filter { $0 != "id" }
                    writeQuery = "mutation($_gw_ids: [ID!], $_gw_patch: \(write.patchType ?? "")!) { _r: \(write.updateField ?? "")(filter: {id: {_in: $_gw_ids}}, input: $_gw_patch) { \(aliases.alias("id")): id } }"
                }
                let id = steps.count
                steps.append(CascadeStep(
                    id: id, relationship: "\(rule.sourceType).\(rule.name)", rule: onDelete, parent: parent, depth: depth,
                    model: rowsModel.name, typeName: rowsModel.typeName, subgraph: rowsModel.subgraph,
                    sourceFields: rule.mapping.map(\.sourceField), keyFields: keyFields, query: read(rowsModel, readFields),
                    readFields: readFields, nullFields: onDelete == .setNull ? keyFields : [], writeQuery: writeQuery))
                if onDelete == .cascade { visit(rowsModel.typeName, rowsModel.subgraph, parent: id, depth: depth + 1) }
            }
        }
        let rootFields = fieldsToRead(model)
        let rootQuery = read(model, rootFields)
        visit(model.typeName, model.subgraph, parent: nil, depth: 1)
        let deleteField = writes.models[model.name]?.deleteField ?? "delete_\(model.typeName)"
        let declarations = (["$_gw_ids: [ID!]"] + selectionVariables).joined(separator: ", ")
        let returned = selection.isEmpty ? "__typename" : selection
        return CascadePlan(
            rootQuery: rootQuery, rootSubgraph: model.subgraph, rootTypeName: model.typeName, rootFields: rootFields,
            steps: steps, aliases: aliases.assigned,
            deleteQuery: "mutation(\(declarations)) { _r: \(deleteField)(filter: {id: {_in: $_gw_ids}}) { \(returned) } }")
    }
}
