import GatewayConfig
import GraphQL
import GraphQLSupport

/// A conflict between subgraph schemas, or between them and gateway.yaml.
public struct CompositionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Every conflict found while composing, one per line.
public struct CompositionErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [CompositionError]
    public init(errors: [CompositionError]) { self.errors = errors }
    public var description: String { errors.map(\.message).joined(separator: "\n") }
}

/// Merges the subgraphs' schemas into the supergraph and adds the relationship fields.
///
/// - Root fields: the union of the subgraphs' root fields; a name served by two subgraphs is
///   an error naming both. Root fields become nullable in the supergraph, so that a failing
///   subgraph costs only the fields it serves, never the whole `data`.
/// - Object types belong to one subgraph; a type defined by two is an error.
/// - Input, enum and scalar types with the same name are merged when their definitions are
///   identical (field order aside) and an error when they differ.
/// - Each relationship becomes a nullable field of its source type: an Object relationship a
///   field of the target type, an Array relationship
///   `name(filter: TFilter, order: [TOrder!], limit: Int, offset: Int): [T!]`.
public enum Composer {
    ///
    /// - Parameter federation: what each `protocol: federation` subgraph's SDL says about its
    ///   entities (``FederationSchema``), by subgraph name; their schemas are already stripped.
    public static func compose(
        subgraphs: [(name: String, schema: SchemaModel)], configuration: GatewayConfiguration,
        federation: [String: FederationSchema] = [:]
    ) throws(CompositionErrors) -> Supergraph {
        var errors: [CompositionError] = []
        var model = SchemaModel(queryType: "Query", mutationType: nil)
        var query = TypeDef(name: "Query", kind: .object)
        var mutation = TypeDef(name: "Mutation", kind: .object)
        var queryOwners: [String: String] = [:]
        var mutationOwners: [String: String] = [:]
        var typeOwners: [String: String] = [:]
        var sharedOwners: [String: String] = [:]
        let entityOwners = Self.entityTypeOwners(subgraphs, federation: federation)
        var contributions: [(subgraph: String, type: TypeDef)] = []

        for (name, schema) in subgraphs {
            let roots: [(TypeDef?, String)] = [(schema.query, "Query"), (schema.mutation, "Mutation")]
            for (root, rootName) in roots {
                guard let root else { continue }
                for field in root.fields {
                    var owners = rootName == "Query" ? queryOwners : mutationOwners
                    if let other = owners[field.name] {
                        errors.append(CompositionError(
                            "\(rootName).\(field.name) is served by both \(other) and \(name); root fields must be unique across subgraphs."))
                        continue
                    }
                    owners[field.name] = name
                    var composed = field
                    composed.type = field.type.nullable
                    if rootName == "Query" {
                        queryOwners = owners
                        query.fields.append(composed)
                    } else {
                        mutationOwners = owners
                        mutation.fields.append(composed)
                    }
                }
            }
            let rootNames = Set([schema.queryType, schema.mutationType].compactMap { $0 })
            for type in schema.types where !rootNames.contains(type.name) {
                switch type.kind {
                case .object:
                    if let owner = entityOwners[type.name], owner != name, federation[name]?.objects[type.name]?.isEntity == true {
                        // A federation entity whose type another subgraph owns: its own fields
                        // are merged into that type below.
                        contributions.append((name, type))
                        continue
                    }
                    if let other = typeOwners[type.name] ?? sharedOwners[type.name] {
                        errors.append(CompositionError(
                            "Type \(type.name) is defined by both \(other) and \(name); an object type must belong to one subgraph."))
                        continue
                    }
                    typeOwners[type.name] = name
                    model.add(type)
                case .interface, .union:
                    errors.append(CompositionError(
                        "\(type.kind == .interface ? "Interface" : "Union") \(type.name) of \(name) is not supported: the gateway joins object types with scalar fields (subgraph-protocol.md)."))
                case .inputObject, .enumeration, .scalar:
                    if let other = typeOwners[type.name] {
                        errors.append(CompositionError(
                            "Type \(type.name) is an object type in \(other) but a \(kindName(type.kind)) in \(name)."))
                    } else if let existing = model[type.name], let other = sharedOwners[type.name] {
                        if let difference = difference(existing, type) {
                            errors.append(CompositionError(
                                "\(kindName(type.kind).capitalizedFirst) \(type.name) differs between \(other) and \(name): \(difference)."))
                        }
                    } else {
                        sharedOwners[type.name] = name
                        model.add(type)
                    }
                }
            }
        }

        var entities = EntitySchema()
        composeEntities(
            contributions, federation: federation, typeOwners: typeOwners, schema: &model, entities: &entities, errors: &errors)

        for relationship in configuration.relationships {
            guard model[relationship.sourceType]?.kind == .object else {
                errors.append(CompositionError(
                    "Relationship \(relationship.sourceType).\(relationship.name): no subgraph defines the object type \(relationship.sourceType)."))
                continue
            }
            guard let target = configuration.model(named: relationship.targetModel) else {
                errors.append(CompositionError("Relationship \(relationship.sourceType).\(relationship.name): unknown model \(relationship.targetModel)."))
                continue
            }
            if target.isEntity, let problem = entityTargetProblem(relationship, target: target, entities: entities) {
                errors.append(CompositionError(problem))
                continue
            }
            if model[relationship.sourceType]?.field(relationship.name) != nil {
                errors.append(CompositionError(
                    "Relationship \(relationship.sourceType).\(relationship.name) collides with a field of the same name."))
                continue
            }
            model.update(relationship.sourceType) { type in
                type.fields.append(relationshipField(relationship, target: target))
            }
            // Parents can be filtered by their related rows, and ordered by an Object
            // relationship's fields: the source's filter and order inputs gain the relationship
            // (when the target has a collection to ask; a lookup answers by key only).
            for source in configuration.models where source.typeName == relationship.sourceType && target.hasCollection && source.hasCollection {
                model.update(source.filterType) { filter in
                    guard filter.inputField(relationship.name) == nil else { return }
                    filter.inputFields.append(InputValueDef(name: relationship.name, type: .named(target.filterType)))
                }
                if relationship.kind == .object, let orderType = source.orderType, let targetOrder = target.orderType {
                    model.update(orderType) { order in
                        guard order.inputField(relationship.name) == nil else { return }
                        order.inputFields.append(InputValueDef(name: relationship.name, type: .named(targetOrder)))
                    }
                }
            }
        }

        var writes = WriteComposition(schema: model, mutation: mutation, mutationOwners: mutationOwners)
        composeWrites(&writes, configuration: configuration, subgraphs: subgraphs)
        model = writes.schema
        mutation = writes.mutation
        mutationOwners = writes.mutationOwners
        errors += writes.errors
        var aggregates = AggregateComposition(schema: model, query: query, queryOwners: queryOwners)
        composeAggregates(&aggregates, configuration: configuration, subgraphs: subgraphs)
        model = aggregates.schema
        query = aggregates.query
        queryOwners = aggregates.queryOwners
        errors += aggregates.errors

        for subgraph in configuration.subgraphs where subgraph.protocol == .federation && federation[subgraph.name] == nil {
            errors.append(CompositionError(
                "Subgraph \(subgraph.name) says protocol: federation, but its _service { sdl } was not read; the gateway needs it for the entities' @keys."))
        }
        guard errors.isEmpty else { throw CompositionErrors(errors: errors) }
        // Root types first, then the rest in the order the subgraphs listed them.
        var ordered = SchemaModel(queryType: "Query", mutationType: mutation.fields.isEmpty ? nil : "Mutation")
        ordered.add(query)
        if !mutation.fields.isEmpty { ordered.add(mutation) }
        for type in model.types { ordered.add(type) }

        let sdl = ordered.printSDL()
        let schema: GraphQLSchema
        do {
            schema = try GraphQL.buildSchema(source: sdl)
        } catch {
            throw CompositionErrors(errors: [CompositionError("The composed schema is invalid: \(error)")])
        }
        let validation = GraphQL.validateSchema(schema: schema)
        guard validation.isEmpty else {
            throw CompositionErrors(errors: validation.map { CompositionError("The composed schema is invalid: \($0.message)") })
        }
        return Supergraph(
            configuration: configuration, schemaModel: ordered, schema: schema,
            subgraphSchemas: Dictionary(subgraphs.map { ($0.name, $0.schema) }, uniquingKeysWith: { first, _ in first }),
            queryOwners: queryOwners, mutationOwners: mutationOwners, typeOwners: typeOwners, writes: writes.writes,
            aggregates: aggregates.aggregates, entities: entities)
    }

    static func relationshipField(_ relationship: RelationshipConfig, target: ModelConfig) -> FieldDef {
        let description = relationship.description ?? relationshipDescription(relationship)
        switch relationship.kind {
        case .object:
            return FieldDef(name: relationship.name, type: .named(target.typeName), description: description)
        case .array:
            var arguments = [InputValueDef(name: "filter", type: .named(target.filterType))]
            if let orderType = target.orderType {
                arguments.append(InputValueDef(name: "order", type: .list(.nonNull(.named(orderType)))))
            }
            arguments.append(InputValueDef(name: "limit", type: .named("Int")))
            arguments.append(InputValueDef(name: "offset", type: .named("Int")))
            return FieldDef(
                name: relationship.name, type: .list(.nonNull(.named(target.typeName))), arguments: arguments,
                description: description)
        }
    }

    /// The description of a relationship field without `description:` in gateway.yaml: the
    /// target model and the mapping, e.g. "Object relationship to model Authors (Author):
    /// author_id → id." or "Array relationship to model Genres (Genre) through BookGenres:
    /// id → book_id, then genre_id → id."
    static func relationshipDescription(_ relationship: RelationshipConfig) -> String {
        func pairs(_ mapping: [FieldMapping]) -> String {
            mapping.map { "\($0.sourceField) → \($0.targetField)" }.joined(separator: ", ")
        }
        var text = "\(relationship.kind.rawValue) relationship to model \(relationship.targetModel) (\(relationship.targetType))"
        if let through = relationship.through {
            text += " through \(through.model): \(pairs(relationship.mapping)), then \(pairs(through.mapping))."
        } else {
            text += ": \(pairs(relationship.mapping))."
        }
        return text
    }

    static func kindName(_ kind: GraphQLSupport.TypeKind) -> String {
        switch kind {
        case .inputObject: return "input type"
        case .enumeration: return "enum"
        case .scalar: return "scalar"
        case .object: return "object type"
        case .interface: return "interface"
        case .union: return "union"
        }
    }

    /// How two definitions of a shared type differ, or nil when they are the same.
    static func difference(_ first: TypeDef, _ second: TypeDef) -> String? {
        if first.kind != second.kind {
            return "a \(kindName(first.kind)) in one and a \(kindName(second.kind)) in the other"
        }
        switch first.kind {
        case .enumeration:
            let missing = Set(first.enumValues.map(\.name)).symmetricDifference(second.enumValues.map(\.name)).sorted()
            return missing.isEmpty ? nil : "values \(missing.joined(separator: ", ")) are not in both"
        case .inputObject:
            let one = Dictionary(first.inputFields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let other = Dictionary(second.inputFields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for name in Set(one.keys).union(other.keys).sorted() {
                switch (one[name], other[name]) {
                case (let a?, let b?) where a.type != b.type:
                    return "field \(name) is \(a.type) in one and \(b.type) in the other"
                case (let a?, let b?) where a.defaultValue != b.defaultValue:
                    return "field \(name) has different default values"
                case (nil, _?), (_?, nil):
                    return "field \(name) is not in both"
                default:
                    continue
                }
            }
            return nil
        default:
            return nil
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
