import GatewayConfig
import GraphQLSupport

/// The federation side of composition: entity types defined by several subgraphs become one
/// type, owned by one subgraph, with the fields the federation subgraphs add to it.
extension Composer {
    /// The subgraph that owns each object type defined by more than one: the first that defines
    /// it and is not a federation subgraph extending an entity, else the first that defines it.
    static func entityTypeOwners(
        _ subgraphs: [(name: String, schema: SchemaModel)], federation: [String: FederationSchema]
    ) -> [String: String] {
        var definers: [String: [String]] = [:]
        var order: [String] = []
        for (name, schema) in subgraphs {
            let roots = Set([schema.queryType, schema.mutationType].compactMap { $0 })
            for type in schema.types where type.kind == .object && !roots.contains(type.name) {
                if definers[type.name] == nil { order.append(type.name) }
                definers[type.name, default: []].append(name)
            }
        }
        var owners: [String: String] = [:]
        for typeName in order {
            let names = definers[typeName]!
            owners[typeName] = names.first { federation[$0]?.objects[typeName]?.isEntity != true } ?? names[0]
        }
        return owners
    }

    /// Merges each federation subgraph's entity fields into the type another subgraph owns,
    /// and records every federation entity's keys.
    ///
    /// A merged field becomes nullable, so that a failing federation subgraph costs only its
    /// fields. Key fields and `@external` fields are served by the owner; a field both define
    /// must be `@shareable` in the federation subgraph (the owner answers it).
    static func composeEntities(
        _ contributions: [(subgraph: String, type: TypeDef)], federation: [String: FederationSchema],
        typeOwners: [String: String], schema: inout SchemaModel, entities: inout EntitySchema, errors: inout [CompositionError]
    ) {
        for (subgraph, info) in federation {
            for (typeName, object) in info.objects where !object.keys.isEmpty && typeOwners[typeName] == subgraph {
                entities.keys[typeName, default: [:]][subgraph] = object.keys
            }
        }
        for (subgraph, type) in contributions {
            guard let info = federation[subgraph]?.objects[type.name], let owner = typeOwners[type.name], let ownerType = schema[type.name] else {
                continue
            }
            let ownerFields = Dictionary(ownerType.fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let keys = info.keys.filter { key in key.allSatisfy { ownerFields[$0] != nil } }
            guard !keys.isEmpty else {
                let declared = info.keys.map { "\"\($0.joined(separator: " "))\"" }.joined(separator: ", ")
                errors.append(CompositionError(
                    "Type \(type.name) of federation subgraph \(subgraph): none of its resolvable @keys (\(declared.isEmpty ? "none" : declared)) are fields of \(type.name) in \(owner), so the gateway cannot ask \(subgraph) for its entities."))
                continue
            }
            for key in keys {
                for field in key {
                    if let mine = type.field(field), let theirs = ownerFields[field], mine.type.namedType != theirs.type.namedType {
                        errors.append(CompositionError(
                            "Key field \(type.name).\(field) is \(mine.type) in \(subgraph) but \(theirs.type) in \(owner)."))
                    }
                }
            }
            entities.keys[type.name, default: [:]][subgraph] = keys
            var added: [FieldDef] = []
            for field in type.fields {
                if info.external.contains(field.name) || info.keyFields.contains(field.name) || keys.joined().contains(field.name) {
                    continue
                }
                let servedElsewhere = ownerFields[field.name] != nil || entities.fieldOwners[type.name]?[field.name] != nil
                if servedElsewhere {
                    if info.isShareable || info.shareable.contains(field.name) { continue }
                    errors.append(CompositionError(
                        "Field \(type.name).\(field.name) is served by both \(entities.fieldOwners[type.name]?[field.name] ?? owner) and \(subgraph); mark it @shareable in \(subgraph) (the first one answers it) or @external."))
                    continue
                }
                if let required = info.requires[field.name] {
                    if let missing = required.first(where: { ownerFields[$0] == nil }) {
                        errors.append(CompositionError(
                            "\(type.name).\(field.name) of \(subgraph) @requires \(missing), which \(type.name)'s own subgraph \(owner) does not serve."))
                        continue
                    }
                    entities.requires[type.name, default: [:]][field.name] = required
                }
                var composed = field
                composed.type = field.type.nullable
                added.append(composed)
                entities.fieldOwners[type.name, default: [:]][field.name] = subgraph
            }
            schema.update(type.name) { $0.fields += added }
        }
    }

    /// Why a relationship cannot reach its federation entity target, or nil: the mapped target
    /// fields must be one of the type's resolvable `@key`s in the model's subgraph.
    static func entityTargetProblem(_ relationship: RelationshipConfig, target: ModelConfig, entities: EntitySchema) -> String? {
        let mapped = Set(relationship.mapping.map(\.targetField))
        let keys = entities.keys[target.typeName]?[target.subgraph] ?? []
        if keys.contains(where: { Set($0) == mapped }) { return nil }
        let declared = keys.map { "(\($0.joined(separator: ", ")))" }.joined(separator: ", ")
        return "Relationship \(relationship.sourceType).\(relationship.name) maps to (\(relationship.mapping.map(\.targetField).joined(separator: ", "))) of \(target.typeName), but subgraph \(target.subgraph) resolves \(target.typeName) entities only by its @keys: \(declared.isEmpty ? "none" : declared)."
    }
}
