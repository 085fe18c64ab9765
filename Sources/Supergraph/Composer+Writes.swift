import GatewayConfig
import GraphQLSupport

/// The write side of composition: nested inserts and cascading deletes.
///
/// - Every model whose subgraph serves `create_T(input:)` and `delete_T(filter:)` can be
///   created in a nested write (the delete undoes a failed one). Its input type gains one
///   optional field per relationship of `T`, typed `<T><Rel>NestedInput { data, connect }`:
///   `data` creates related rows, `connect` links existing ones by key (`<Target>Key` for an
///   `id`, `<T><Rel>Connect` for other key fields).
/// - Key fields a relationship fills become nullable in the input types (the subgraph still
///   requires them; the gateway checks that each is given or filled before writing anything).
/// - `create_T_many(inputs: [TInput!]!): [T!]` is added for every such model.
/// - `delete_T` of a type with `onDelete` rules is answered by the gateway's cascade.
extension Composer {
    struct WriteComposition {
        var schema: SchemaModel
        var mutation: TypeDef
        var mutationOwners: [String: String]
        var errors: [CompositionError] = []
        var writes = WriteSchema()
    }

    static func composeWrites(
        _ composition: inout WriteComposition, configuration: GatewayConfiguration,
        subgraphs: [(name: String, schema: SchemaModel)]
    ) {
        let schemas = Dictionary(subgraphs.map { ($0.name, $0.schema) }, uniquingKeysWith: { first, _ in first })
        for model in configuration.models where model.hasCollection {
            guard let schema = schemas[model.subgraph] else { continue }
            composition.writes.models[model.name] = writeModel(model, schema: schema)
        }
        let existingTypes = Set(composition.schema.types.map(\.name))
        var added: Set<String> = []
        for relationship in configuration.relationships {
            guard let nested = nestedInput(relationship, configuration: configuration, writes: composition.writes),
                let sourceInput = sourceModel(of: relationship, configuration).flatMap({ composition.writes.models[$0.name]?.inputType })
            else { continue }
            let collisions = ([nested.inputType] + (nested.connectType.map { [$0] } ?? [])).filter(existingTypes.contains)
            for typeName in collisions {
                composition.errors.append(CompositionError(
                    "Relationship \(relationship.sourceType).\(relationship.name): the gateway's input type \(typeName) for nested writes collides with a subgraph type of the same name."))
            }
            if !collisions.isEmpty { continue }
            if composition.schema[sourceInput]?.inputField(relationship.name) != nil {
                composition.errors.append(CompositionError(
                    "Relationship \(relationship.sourceType).\(relationship.name) collides with the field \(sourceInput).\(relationship.name) of the same name."))
                continue
            }
            let target = configuration.model(named: relationship.targetModel)
            let targetInput = composition.writes.models[relationship.targetModel]?.inputType
            // `connect` keys.
            if let connectType = nested.connectType, added.insert(connectType).inserted {
                let scalars = connectScalars(relationship, fields: nested.connectFields)
                composition.schema.add(TypeDef(
                    name: connectType, kind: .inputObject,
                    description: "The key of an existing \(relationship.targetType) row to link.",
                    inputFields: zip(nested.connectFields, scalars).map { InputValueDef(name: $0, type: .nonNull(.named($1))) }))
            }
            var fields: [InputValueDef] = []
            let many = relationship.kind == .array
            if nested.allowsData, let targetInput {
                fields.append(InputValueDef(
                    name: "data", type: many ? .list(.nonNull(.named(targetInput))) : .named(targetInput),
                    description: many ? "Rows to create, each linked to the new row." : "A row to create and link."))
            }
            if let connectType = nested.connectType {
                fields.append(InputValueDef(
                    name: "connect", type: many ? .list(.nonNull(.named(connectType))) : .named(connectType),
                    description: many ? "Existing rows to link, by key." : "An existing row to link, by key."))
            }
            composition.schema.add(TypeDef(
                name: nested.inputType, kind: .inputObject,
                description: "Rows of \(target?.name ?? relationship.targetModel) for \(relationship.sourceType).\(relationship.name) in a nested create\(many ? "" : ": give data or connect, not both").",
                inputFields: fields))
            composition.schema.update(sourceInput) { input in
                input.inputFields.append(InputValueDef(
                    name: relationship.name, type: .named(nested.inputType),
                    description: nestedDescription(relationship)))
            }
            // Key fields a relationship fills are optional to the client.
            switch relationship.keyHolder {
            case .source:
                relax(relationship.mapping.map(\.sourceField), of: sourceInput, in: &composition.schema)
            case .target where nested.allowsData:
                if let targetInput { relax(relationship.mapping.map(\.targetField), of: targetInput, in: &composition.schema) }
            case .target, .junction:
                break
            }
            composition.writes.nested[relationship.sourceType, default: [:]][relationship.name] = nested
        }

        // create_T_many, and the root fields the gateway answers with write plans.
        for model in configuration.models {
            guard let write = composition.writes.models[model.name], write.canCreate,
                let createField = write.createField, let inputType = write.inputType
            else { continue }
            composition.writes.mutations[createField] = .create(model: model.name, many: false)
            let manyField = createField + "_many"
            if composition.mutation.field(manyField) == nil {
                composition.mutation.fields.append(FieldDef(
                    name: manyField, type: .list(.nonNull(.named(model.typeName))),
                    arguments: [InputValueDef(name: "inputs", type: .nonNull(.list(.nonNull(.named(inputType)))))],
                    description: "Creates several \(model.typeName) rows, with their nested rows, all or nothing (the gateway's)."))
                composition.mutationOwners[manyField] = model.subgraph
                composition.writes.mutations[manyField] = .create(model: model.name, many: true)
            }
        }
        for model in configuration.models {
            guard let deleteField = composition.writes.models[model.name]?.deleteField else { continue }
            let rules = configuration.relationships.contains {
                $0.sourceType == model.typeName && $0.sourceSubgraph == model.subgraph && $0.onDelete != nil
            }
            if rules { composition.writes.mutations[deleteField] = .delete(model: model.name) }
        }
    }

    /// The model protocol's mutations of a model, as its subgraph serves them.
    static func writeModel(_ model: ModelConfig, schema: SchemaModel) -> WriteModel {
        var write = WriteModel(model: model)
        let type = schema[model.typeName]
        write.scalarFields = type?.fields.filter { field in
            !field.type.isList && schema.kind(of: field.type.namedType).map { $0 == .scalar || $0 == .enumeration } == true
        }.map(\.name) ?? []
        guard let mutation = schema.mutation else { return write }
        func inputObject(_ field: FieldDef?, _ argument: String) -> TypeDef? {
            guard let argument = field?.argument(argument), argument.type.isNonNull, !argument.type.isList,
                let input = schema[argument.type.namedType], input.kind == .inputObject
            else { return nil }
            return input
        }
        let create = mutation.field("create_\(model.typeName)")
        if let create, create.type.namedType == model.typeName, let input = inputObject(create, "input") {
            write.createField = create.name
            write.inputType = input.name
            write.inputFields = input.inputFields
        }
        let update = mutation.field("update_\(model.typeName)")
        if let update, update.argument("filter")?.type.namedType == model.filterType, let patch = inputObject(update, "input") {
            write.updateField = update.name
            write.patchType = patch.name
        }
        let delete = mutation.field("delete_\(model.typeName)")
        if let delete, delete.argument("filter")?.type.namedType == model.filterType {
            write.deleteField = delete.name
        }
        return write
    }

    /// The model whose type is the relationship's source, in the source's subgraph.
    static func sourceModel(of relationship: RelationshipConfig, _ configuration: GatewayConfiguration) -> ModelConfig? {
        configuration.models.first { $0.typeName == relationship.sourceType && $0.subgraph == relationship.sourceSubgraph }
    }

    /// What a relationship field of the source's input type offers, or nil when it offers
    /// nothing (the source cannot be created, or neither `data` nor `connect` can be done).
    static func nestedInput(
        _ relationship: RelationshipConfig, configuration: GatewayConfiguration, writes: WriteSchema
    ) -> NestedRelationshipInput? {
        guard let source = sourceModel(of: relationship, configuration), writes.models[source.name]?.canCreate == true,
            let target = writes.models[relationship.targetModel]
        else { return nil }
        let allowsData = target.canCreate
        var connectFields: [String]
        var allowsConnect: Bool
        switch relationship.keyHolder {
        case .source:
            connectFields = relationship.mapping.map(\.targetField)
            allowsConnect = true
        case .target:
            connectFields = ["id"]
            allowsConnect = target.canUpdate
        case .junction:
            guard let through = relationship.through, let junction = writes.models[through.model], junction.canCreate else { return nil }
            // The gateway fills junction rows from the two mappings; other required fields it cannot.
            let filled = Set(relationship.mapping.map(\.targetField) + through.mapping.map(\.sourceField))
            guard junction.requiredFields.allSatisfy(filled.contains) else { return nil }
            connectFields = through.mapping.map(\.targetField)
            allowsConnect = true
        }
        guard allowsData || allowsConnect else { return nil }
        if !allowsConnect { connectFields = [] }
        let connectType: String? =
            allowsConnect
            ? (connectFields == ["id"] ? "\(relationship.targetType)Key" : "\(relationship.sourceType)\(relationship.name.capitalizedFirst)Connect")
            : nil
        return NestedRelationshipInput(
            relationship: relationship, inputType: "\(relationship.sourceType)\(relationship.name.capitalizedFirst)NestedInput",
            allowsData: allowsData, connectType: connectType, connectFields: connectFields)
    }

    /// The scalar type of each connect key field.
    static func connectScalars(_ relationship: RelationshipConfig, fields: [String]) -> [String] {
        let mappings = relationship.mapping + (relationship.through?.mapping ?? [])
        return fields.map { field in
            field == "id" ? "ID" : mappings.first { $0.targetField == field }?.scalarType ?? "ID"
        }
    }

    static func nestedDescription(_ relationship: RelationshipConfig) -> String {
        let keys = { (fields: [String]) in fields.joined(separator: ", ") }
        switch relationship.keyHolder {
        case .source:
            return "Creates (data) or links (connect) the \(relationship.targetType) of \(relationship.name) first; the gateway copies its \(keys(relationship.mapping.map(\.targetField))) into \(keys(relationship.mapping.map(\.sourceField)))."
        case .target:
            return "Creates (data) or links (connect) \(relationship.targetType) rows after this row; the gateway copies \(keys(relationship.mapping.map(\.sourceField))) into their \(keys(relationship.mapping.map(\.targetField)))."
        case .junction:
            return "Creates (data) or links (connect) \(relationship.targetType) rows and writes the \(relationship.through?.model ?? "junction") rows linking them to this row."
        }
    }

    static func relax(_ fields: [String], of inputType: String, in schema: inout SchemaModel) {
        schema.update(inputType) { input in
            for index in input.inputFields.indices where fields.contains(input.inputFields[index].name) {
                input.inputFields[index].type = input.inputFields[index].type.nullable
            }
        }
    }
}
