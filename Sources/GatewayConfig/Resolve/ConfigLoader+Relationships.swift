import GraphQLSupport

extension ConfigLoader {
    // MARK: Stage 4: relationships

    /// Checks each relationship against the models and the subgraphs' schemas: the source type,
    /// the target model, the new field's name, and every key pair of the mapping, down to the
    /// target collection's ability to filter the key with `_in` (which batching needs). A
    /// relationship `through` a junction model is checked hop by hop: source -> junction by
    /// `mapping`, junction -> target by `through.mapping`. An `onDelete` rule is checked against
    /// the rows it acts on and their subgraph's mutations, and the cascade rules together must
    /// not form a cycle.
    ///
    /// - Parameters:
    ///   - models: the output of ``resolveModels(_:subgraphs:schemas:)``.
    ///   - schemas: each subgraph's schema, keyed by subgraph name.
    public static func resolveRelationships(
        _ raw: RawConfig, models: [ModelConfig], schemas: [String: SchemaModel]
    ) throws(ConfigErrors) -> [RelationshipConfig] {
        var resolver = RelationshipResolver(raw: raw, models: models, schemas: schemas)
        var relationships: [RelationshipConfig] = []
        for entry in raw.relationships {
            if let relationship = resolver.resolve(entry) { relationships.append(relationship) }
        }
        resolver.checkCascadeCycles()
        guard resolver.errors.isEmpty else { throw ConfigErrors(resolver.errors) }
        return relationships
    }
}

/// The relationships stage's working state: the errors so far and the names already taken.
struct RelationshipResolver {
    let models: [ModelConfig]
    let schemas: [String: SchemaModel]
    /// Subgraphs with a schema, in declaration order, so that messages list them predictably.
    let subgraphOrder: [String]
    var errors: [ConfigError] = []
    /// `Type.field` of each relationship resolved so far, with where it is defined.
    var defined: [String: SourceLocation] = [:]
    /// The applicable `onDelete: cascade` rules so far, in file order: the edges of the graph
    /// that must stay acyclic.
    var cascades: [CascadeEdge] = []

    init(raw: RawConfig, models: [ModelConfig], schemas: [String: SchemaModel]) {
        self.models = models
        self.schemas = schemas
        let declared = raw.subgraphs.map(\.name.value).filter { schemas[$0] != nil }
        subgraphOrder = declared + schemas.keys.filter { !declared.contains($0) }.sorted()
    }

    mutating func fail(_ code: ConfigError.Code, _ message: String, at location: SourceLocation) {
        errors.append(ConfigError(code, message, at: location))
    }

    mutating func resolve(_ entry: RawRelationship) -> RelationshipConfig? {
        let errorCount = errors.count
        let sourceName = entry.source.value
        let name = entry.name.value
        let label = "relationship \(sourceName).\(name)"
        let source = sourceType(entry.source)

        // The target model.
        let model = resolveModel(entry.targetModel, subgraph: entry.targetSubgraph, role: "target", label: label)
        let targetType = model.flatMap { schemas[$0.subgraph]?[$0.typeName] }

        // The new field's name.
        if !Self.isGraphQLName(name) {
            fail(
                .invalidName,
                "invalid relationship name \"\(name)\"; a GraphQL field name starts with a letter or _ (not __) and continues with letters, digits and _",
                at: entry.name.location)
        } else if source != nil {
            if let existing = existingField(name, of: sourceName) {
                fail(
                    .fieldCollision,
                    "relationship name \"\(name)\" collides with the existing field \(sourceName).\(name) (\(existing.field.type)) of subgraph \(existing.subgraph); choose another name",
                    at: entry.name.location)
            } else if let first = defined["\(sourceName).\(name)"] {
                fail(
                    .duplicateName, "duplicate relationship \(sourceName).\(name); it is first defined at \(first)",
                    at: entry.name.location)
            } else {
                defined["\(sourceName).\(name)"] = entry.name.location
            }
        }

        // The junction model of a many-to-many relationship.
        var junction: ModelConfig?
        if let through = entry.through {
            if entry.kind.value != .array {
                fail(
                    .invalidValue,
                    "\(label) has relationshipType \(entry.kind.value.rawValue) but goes through junction model \(through.model.value); a relationship through a junction model is an Array relationship: set relationshipType: Array",
                    at: entry.kind.location)
            }
            junction = resolveModel(through.model, subgraph: through.subgraph, role: "junction", label: label)
            for (role, side) in [("junction", junction), ("target", model)] {
                if let side, !side.hasCollection {
                    fail(
                        .invalidValue,
                        "\(label) goes through a junction model, which needs its \(role) model \(side.name) to have a collection; \(side.name) only answers by key",
                        at: through.model.location)
                }
            }
        }

        // The sides the mappings join.
        let sourceSide = source.map { KeySide(type: $0.type, schema: $0.schema, owner: "type \(sourceName)", model: nil) }
        let targetSide = model.flatMap { model in
            schemas[model.subgraph].flatMap { schema in
                targetType.map { KeySide(type: $0, schema: schema, owner: "type \($0.name) of model \(model.name)", model: model) }
            }
        }
        let junctionSide = junction.flatMap { junction in
            schemas[junction.subgraph].flatMap { schema in
                schema[junction.typeName].map {
                    KeySide(type: $0, schema: schema, owner: "type \($0.name) of junction model \(junction.name)", model: junction)
                }
            }
        }

        // The mapping: source -> target, or source -> junction with `through`.
        if entry.mapping.isEmpty {
            let advice =
                entry.through == nil
                ? "map at least one source field to a target field, like - source: {fieldPath: [{fieldName: author_id}]} target: {modelField: [{fieldName: id}]}"
                : "map at least one source field to a junction field, like - source: {fieldPath: [{fieldName: id}]} target: {modelField: [{fieldName: book_id}]}"
            fail(.emptyMapping, "the mapping of \(label) is empty; \(advice)", at: entry.mappingLocation)
        }
        let mapping: [FieldMapping]
        if entry.through == nil {
            mapping = resolvePairs(entry.mapping, in: label, from: "source", sourceSide, to: "target", targetSide)
            if let model, model.isEntity, entry.kind.value != .object {
                fail(
                    .invalidValue,
                    "\(label) is an Array relationship to model \(model.name), federation entities of subgraph \(model.subgraph): _entities answers one entity per key, so the relationship is relationshipType: Object",
                    at: entry.kind.location)
            }
            if let model, let lookup = model.lookup, !model.hasCollection {
                // A lookup answers one row per key: an Object relationship on that one key.
                if entry.kind.value != .object {
                    fail(
                        .invalidValue,
                        "\(label) is an Array relationship to model \(model.name), which only offers the lookup \(lookup.field): a lookup answers one row per key, so the relationship is relationshipType: Object",
                        at: entry.kind.location)
                } else if entry.mapping.count > 1 {
                    fail(
                        .invalidValue,
                        "\(label) maps \(entry.mapping.count) fields to model \(model.name), whose lookup \(lookup.field) takes one key (\(lookup.keyField))",
                        at: entry.mappingLocation)
                }
            }
        } else {
            mapping = resolvePairs(entry.mapping, in: label, from: "source", sourceSide, to: "junction", junctionSide)
        }

        // The through mapping: junction -> target.
        var junctionMapping: [FieldMapping] = []
        if let through = entry.through {
            let place = "the through mapping of \(label)"
            if through.mapping.isEmpty {
                fail(
                    .emptyMapping,
                    "\(place) is empty; map at least one junction field to a target field, like - source: {fieldPath: [{fieldName: genre_id}]} target: {modelField: [{fieldName: id}]}",
                    at: through.mappingLocation)
            }
            junctionMapping = resolvePairs(
                through.mapping, in: place, from: "junction", junctionSide, to: "target", targetSide)
        }

        guard errors.count == errorCount, let source, let model else { return nil }
        var junctionConfig: JunctionConfig?
        if let through = entry.through {
            guard let junction else { return nil }
            junctionConfig = JunctionConfig(
                model: junction.name, subgraph: junction.subgraph, typeName: junction.typeName,
                collection: junction.collection, filterType: junction.filterType, mapping: junctionMapping,
                location: through.location)
        }
        let relationship = RelationshipConfig(
            sourceType: sourceName, sourceSubgraph: source.subgraph, name: name, description: entry.description?.value,
            targetModel: model.name, targetSubgraph: model.subgraph, targetType: model.typeName,
            targetCollection: model.collection, kind: entry.kind.value, mapping: mapping, through: junctionConfig,
            onDelete: entry.onDelete?.value, location: entry.location)
        // Checked only on an otherwise sound relationship: the rule's checks read its key and models.
        if let onDelete = entry.onDelete {
            checkDeleteRule(onDelete, of: relationship, target: model, junction: junction)
        }
        return relationship
    }

    /// One side of a mapping: the type whose fields it names, and the model fetched by them
    /// (nil for the source type, which is never fetched by its keys).
    struct KeySide {
        var type: TypeDef
        var schema: SchemaModel
        /// `type Book`, `type BookGenre of junction model BookGenres`, for messages.
        var owner: String
        var model: ModelConfig?
    }

    /// Checks the pairs of one mapping: each field exists on its side and is a scalar, both
    /// fields of a pair share a scalar type, the `to` side's collection can filter its field with
    /// `_in`, and no field is mapped twice. A side is nil when it is unknown (already reported).
    ///
    /// - Parameters:
    ///   - place: `relationship Book.genres`, or `the through mapping of relationship Book.genres`.
    ///   - fromRole, toRole: `source`, `junction` or `target`.
    mutating func resolvePairs(
        _ pairs: [RawFieldMapping], in place: String, from fromRole: String, _ from: KeySide?,
        to toRole: String, _ to: KeySide?
    ) -> [FieldMapping] {
        var mapping: [FieldMapping] = []
        var fromFieldsSeen: Set<String> = []
        var toFieldsSeen: Set<String> = []
        for pair in pairs {
            let fromField = pair.sourceField.value
            let toField = pair.targetField.value
            var fromDef: FieldDef?
            var toDef: FieldDef?
            if !fromFieldsSeen.insert(fromField).inserted {
                fail(
                    .duplicateMapping, "\(fromRole) field \(fromField) is mapped more than once in \(place)",
                    at: pair.sourceField.location)
            } else if let from {
                fromDef = keyField(pair.sourceField, of: from.type, in: from.schema, role: fromRole, owner: from.owner)
            }
            if !toFieldsSeen.insert(toField).inserted {
                fail(
                    .duplicateMapping, "\(toRole) field \(toField) is mapped more than once in \(place)",
                    at: pair.targetField.location)
            } else if let to {
                toDef = keyField(pair.targetField, of: to.type, in: to.schema, role: toRole, owner: to.owner)
            }
            guard let from, let to, let fromDef, let toDef, let model = to.model else { continue }
            let scalar = toDef.type.namedType
            guard fromDef.type.namedType == scalar else {
                fail(
                    .scalarMismatch,
                    "a mapping between fields of different scalar types in \(place): \(from.type.name).\(fromField) is \(fromDef.type.namedType) but \(to.type.name).\(toField) is \(scalar)",
                    at: pair.location)
                continue
            }
            if model.isEntity {
                // Entities by representation: the composer checks the mapped fields against
                // the type's @keys in the subgraph's SDL.
                mapping.append(FieldMapping(sourceField: fromField, targetField: toField, scalarType: scalar))
                continue
            }
            if let lookup = model.lookup, !model.hasCollection {
                // Rows by key through the lookup: the mapping names the field the lookup answers by.
                guard toField == lookup.keyField else {
                    fail(
                        .notBatchable,
                        "model \(model.name) has no collection, only the lookup \(lookup.field)(\(lookup.argument):), which answers by \(lookup.keyField): map to \(lookup.keyField)",
                        at: pair.targetField.location)
                    continue
                }
                mapping.append(FieldMapping(sourceField: fromField, targetField: toField, scalarType: scalar))
                continue
            }
            if let reason = Self.inFilterProblem(model: model, field: toField, scalar: scalar, schema: to.schema) {
                fail(
                    .notBatchable,
                    "the \(toRole) collection \(model.collection) cannot filter \(toField) with _in, so the gateway cannot batch this relationship (\(reason))",
                    at: pair.targetField.location)
                continue
            }
            mapping.append(FieldMapping(sourceField: fromField, targetField: toField, scalarType: scalar))
        }
        return mapping
    }

    /// The model a relationship names as its target or junction, checked against the
    /// subgraph the entry says it belongs to (when it says).
    mutating func resolveModel(
        _ name: Located<String>, subgraph: Located<String>?, role: String, label: String
    ) -> ModelConfig? {
        guard let model = models.first(where: { $0.name == name.value }) else {
            let names = models.map(\.name)
            fail(
                .unknownModel,
                "unknown \(role) model \"\(name.value)\" in \(label)\(Suggestions.didYouMean(name.value, names))known models: \(Suggestions.list(names))",
                at: name.location)
            return nil
        }
        if let subgraph, subgraph.value != model.subgraph {
            fail(
                .subgraphMismatch,
                "\(role) model \(model.name) of \(label) belongs to subgraph \(model.subgraph), not \"\(subgraph.value)\"; write subgraph: \(model.subgraph) or leave it out",
                at: subgraph.location)
        }
        return model
    }

    // MARK: Source type

    /// The subgraph that serves the source type, and the type there.
    mutating func sourceType(_ name: Located<String>) -> (subgraph: String, schema: SchemaModel, type: TypeDef)? {
        let typeName = name.value
        let found = subgraphOrder.compactMap { subgraph in
            schemas[subgraph].flatMap { schema in schema[typeName].map { (subgraph, schema, $0) } }
        }
        if let root = found.first(where: { $0.1.isRootType(typeName) }) {
            fail(
                .notObjectType,
                "source type \"\(typeName)\" is the root operation type of subgraph \(root.0); a relationship's source is an object type such as \(Suggestions.list(root.1.dataObjectTypes))",
                at: name.location)
            return nil
        }
        let objects = found.filter { $0.2.kind == .object }
        if objects.isEmpty {
            if let other = found.first {
                fail(
                    .notObjectType,
                    "source type \"\(typeName)\" is \(other.2.kind.phrase) in subgraph \(other.0), not an object type",
                    at: name.location)
            } else if SchemaModel.builtInScalars.contains(typeName) {
                fail(.notObjectType, "source type \"\(typeName)\" is a scalar type, not an object type", at: name.location)
            } else {
                var known: [String] = []
                for subgraph in subgraphOrder {
                    for type in schemas[subgraph]?.dataObjectTypes ?? [] where !known.contains(type) { known.append(type) }
                }
                fail(
                    .unknownType,
                    "unknown source type \"\(typeName)\"\(Suggestions.didYouMean(typeName, known))object types of the subgraphs: \(Suggestions.list(known))",
                    at: name.location)
            }
            return nil
        }
        if objects.count == 1 { return objects[0] }
        // A type several subgraphs define is served by the one subgraph that has a model of it.
        let servingSubgraphs = objects.map(\.0).filter { subgraph in
            models.contains { $0.typeName == typeName && $0.subgraph == subgraph }
        }
        if servingSubgraphs.count == 1, let served = objects.first(where: { $0.0 == servingSubgraphs[0] }) {
            return served
        }
        let modelNote =
            servingSubgraphs.isEmpty
            ? "no model has this type" : "it has models in subgraphs \(Suggestions.list(servingSubgraphs))"
        fail(
            .ambiguousType,
            "source type \"\(typeName)\" exists in subgraphs \(Suggestions.list(objects.map(\.0))) and \(modelNote); declare a model of \(typeName) in exactly one of them so the gateway knows which serves it",
            at: name.location)
        return nil
    }

    /// A field named `name` that the source type already has in any subgraph.
    func existingField(_ name: String, of typeName: String) -> (subgraph: String, field: FieldDef)? {
        for subgraph in subgraphOrder {
            if let type = schemas[subgraph]?[typeName], type.kind == .object, let field = type.field(name) {
                return (subgraph, field)
            }
        }
        return nil
    }

    // MARK: Mapping

    /// The field a mapping names, when it exists and is a scalar (possibly non-null).
    mutating func keyField(
        _ name: Located<String>, of type: TypeDef, in schema: SchemaModel, role: String, owner: String
    ) -> FieldDef? {
        guard let field = type.field(name.value) else {
            let names = type.fields.map(\.name)
            fail(
                .unknownField,
                "unknown \(role) field \"\(name.value)\" on \(owner)\(Suggestions.didYouMean(name.value, names))fields of \(type.name): \(Suggestions.list(names))",
                at: name.location)
            return nil
        }
        guard !field.type.isList, schema.kind(of: field.type.namedType) == .scalar else {
            fail(
                .notScalarField,
                "\(role) field \(type.name).\(field.name) has type \(field.type), not a scalar; a mapping joins scalar fields",
                at: name.location)
            return nil
        }
        return field
    }

    /// Why the model's collection cannot be asked for `{field: {_in: [...]}}`, or nil when it can.
    static func inFilterProblem(model: ModelConfig, field: String, scalar: String, schema: SchemaModel) -> String? {
        guard let filter = schema[model.filterType], filter.kind == .inputObject else {
            return "its filter type \(model.filterType) is not an input object type"
        }
        guard let input = filter.inputField(field) else { return "\(filter.name) has no field \(field)" }
        guard let operators = schema[input.type.namedType], operators.kind == .inputObject else {
            return "\(filter.name).\(field) has type \(input.type), not an operators input type"
        }
        guard let inOperator = operators.inputField("_in") else { return "\(operators.name) has no _in field" }
        guard inOperator.type.isList, inOperator.type.namedType == scalar else {
            return "\(operators.name)._in has type \(inOperator.type), not a list of \(scalar)"
        }
        return nil
    }

    /// A GraphQL name, not reserved for introspection.
    static func isGraphQLName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.hasPrefix("__") else { return false }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
        }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}
