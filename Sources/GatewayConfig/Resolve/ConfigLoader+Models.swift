import GraphQLSupport

extension ConfigLoader {
    // MARK: Stage 3: models

    /// Checks each model against its subgraph's schema: the subgraph exists, the type is an
    /// object type, the collection is a root query field returning a list of that type with a
    /// `filter` argument (and, optionally, an `order` argument).
    ///
    /// - Parameters:
    ///   - subgraphs: the output of ``resolveSubgraphs(_:)``.
    ///   - schemas: each subgraph's schema, keyed by subgraph name.
    public static func resolveModels(
        _ raw: RawConfig, subgraphs: [SubgraphConfig], schemas: [String: SchemaModel]
    ) throws(ConfigErrors) -> [ModelConfig] {
        var errors: [ConfigError] = []
        var firstDeclared: [String: SourceLocation] = [:]
        var models: [ModelConfig] = []
        let subgraphNames = subgraphs.map(\.name)
        let protocols = Dictionary(subgraphs.map { ($0.name, $0.protocol) }, uniquingKeysWith: { first, _ in first })
        for entry in raw.models {
            let errorCount = errors.count
            let name = entry.name.value
            if let first = firstDeclared[name] {
                errors.append(
                    ConfigError(
                        .duplicateName, "duplicate model name \"\(name)\"; it is first declared at \(first)",
                        at: entry.name.location))
            } else {
                firstDeclared[name] = entry.name.location
            }
            let subgraph = entry.subgraph.value
            guard subgraphNames.contains(subgraph) else {
                errors.append(
                    ConfigError(
                        .unknownSubgraph,
                        "unknown subgraph \"\(subgraph)\" in model \"\(name)\"\(Suggestions.didYouMean(subgraph, subgraphNames))known subgraphs: \(Suggestions.list(subgraphNames))",
                        at: entry.subgraph.location))
                continue
            }
            guard let schema = schemas[subgraph] else {
                errors.append(
                    ConfigError(
                        .missingSchema, "no schema is known for subgraph \"\(subgraph)\" (used by model \"\(name)\")",
                        at: entry.subgraph.location))
                continue
            }
            let typeName = entry.type.value
            var typeIsValid = false
            switch schema.kind(of: typeName) {
            case nil:
                let objects = schema.dataObjectTypes
                errors.append(
                    ConfigError(
                        .unknownType,
                        "unknown type \"\(typeName)\" in subgraph \(subgraph)\(Suggestions.didYouMean(typeName, objects))object types of \(subgraph): \(Suggestions.list(objects))",
                        at: entry.type.location))
            case .object? where !schema.isRootType(typeName):
                typeIsValid = true
            case let kind?:
                let what = schema.isRootType(typeName) ? "the root operation type" : kind.phrase
                errors.append(
                    ConfigError(
                        .notObjectType,
                        "type \"\(typeName)\" of subgraph \(subgraph) is \(what); a model's type must be an object type such as \(Suggestions.list(schema.dataObjectTypes))",
                        at: entry.type.location))
            }

            // A lookup instead of (or besides) a collection: rows by key on any GraphQL service.
            var lookup: LookupConfig?
            if let raw = entry.lookup {
                if protocols[subgraph] != .graphql {
                    errors.append(ConfigError(
                        .invalidValue,
                        "model \"\(name)\" declares a lookup, but subgraph \(subgraph) speaks the \(protocols[subgraph]?.rawValue ?? "model") protocol; lookups are for subgraphs with protocol: graphql",
                        at: raw.location))
                } else if typeIsValid {
                    lookup = resolveLookup(raw, typeName: typeName, schema: schema, subgraph: subgraph, errors: &errors)
                }
            }
            guard let rawCollection = entry.collection else {
                if lookup == nil, entry.lookup == nil, protocols[subgraph] == .federation {
                    // Federation entities: reached through `_entities` by one of their `@key`s,
                    // which the composer checks against the subgraph's SDL.
                    guard errors.count == errorCount else { continue }
                    models.append(ModelConfig(
                        name: name, subgraph: subgraph, typeName: typeName, collection: "", filterType: "", isEntity: true,
                        location: entry.location))
                    continue
                }
                guard let lookup else {
                    if entry.lookup == nil {
                        errors.append(ConfigError(
                            .missingKey,
                            "model \"\(name)\" needs a collection (a root field listing its rows), or a lookup (a root field answering a row by key: lookup: {field: bookById, argument: id}); only models on protocol: federation subgraphs may have neither",
                            at: entry.location))
                    }
                    continue
                }
                guard errors.count == errorCount else { continue }
                models.append(ModelConfig(
                    name: name, subgraph: subgraph, typeName: typeName, collection: "", filterType: "", lookup: lookup,
                    location: entry.location))
                continue
            }
            let collection = rawCollection.value
            let queryFields = schema.query?.fields.map(\.name) ?? []
            guard let field = schema.query?.field(collection) else {
                errors.append(
                    ConfigError(
                        .unknownCollection,
                        "subgraph \(subgraph) has no query field \"\(collection)\"\(Suggestions.didYouMean(collection, queryFields))query fields of \(subgraph): \(Suggestions.list(queryFields))",
                        at: rawCollection.location))
                continue
            }
            if typeIsValid, !returnsList(of: typeName, field.type) {
                errors.append(
                    ConfigError(
                        .collectionType,
                        "collection \"\(collection)\" of subgraph \(subgraph) returns \(field.type), not a list of \(typeName)",
                        at: rawCollection.location))
            }
            var filterType: String?
            if let filter = field.argument("filter") {
                if schema.kind(of: filter.type.namedType) == .inputObject, !filter.type.isList {
                    filterType = filter.type.namedType
                } else {
                    errors.append(
                        ConfigError(
                            .collectionArguments,
                            "the filter argument of collection \"\(collection)\" in subgraph \(subgraph) has type \(filter.type), not an input object type",
                            at: rawCollection.location))
                }
            } else {
                errors.append(
                    ConfigError(
                        .collectionArguments,
                        "collection \"\(collection)\" of subgraph \(subgraph) has no filter argument; the gateway fetches related rows with filter: {field: {_in: [...]}}",
                        at: rawCollection.location))
            }
            var orderType: String?
            if let order = field.argument("order") {
                if schema.kind(of: order.type.namedType) == .inputObject {
                    orderType = order.type.namedType
                } else {
                    errors.append(
                        ConfigError(
                            .collectionArguments,
                            "the order argument of collection \"\(collection)\" in subgraph \(subgraph) has type \(order.type), not a list of an input object type",
                            at: rawCollection.location))
                }
            }
            guard errors.count == errorCount, let filterType else { continue }
            models.append(
                ModelConfig(
                    name: name, subgraph: subgraph, typeName: typeName, collection: collection, filterType: filterType,
                    orderType: orderType, lookup: lookup, windowsPerKey: servesWindowsPerKey(field), location: entry.location))
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return models
    }

    /// A lookup checked against the schema: a root query field answering the model's type (or a
    /// list of it for a list argument), whose argument takes the key field's scalar.
    static func resolveLookup(
        _ raw: RawModel.Lookup, typeName: String, schema: SchemaModel, subgraph: String, errors: inout [ConfigError]
    ) -> LookupConfig? {
        let queryFields = schema.query?.fields.map(\.name) ?? []
        guard let field = schema.query?.field(raw.field.value) else {
            errors.append(ConfigError(
                .unknownCollection,
                "subgraph \(subgraph) has no query field \"\(raw.field.value)\" for the lookup\(Suggestions.didYouMean(raw.field.value, queryFields))query fields of \(subgraph): \(Suggestions.list(queryFields))",
                at: raw.field.location))
            return nil
        }
        guard let argument = field.argument(raw.argument.value) else {
            let names = field.arguments.map(\.name)
            errors.append(ConfigError(
                .unknownField,
                "lookup field \(field.name) of subgraph \(subgraph) has no argument \"\(raw.argument.value)\"\(Suggestions.didYouMean(raw.argument.value, names))its arguments: \(Suggestions.list(names))",
                at: raw.argument.location))
            return nil
        }
        let isList = argument.type.isList
        let answersType = isList ? returnsList(of: typeName, field.type) : field.type.nullable == .named(typeName)
        guard answersType else {
            errors.append(ConfigError(
                .collectionType,
                "lookup field \(field.name) of subgraph \(subgraph) returns \(field.type); a lookup by \(isList ? "a list of keys returns a list of" : "one key returns one") \(typeName)",
                at: raw.field.location))
            return nil
        }
        let keyName = raw.key?.value ?? raw.argument.value
        guard let keyField = schema[typeName]?.field(keyName), !keyField.type.isList, schema.kind(of: keyField.type.namedType) == .scalar else {
            let names = schema[typeName]?.fields.map(\.name) ?? []
            errors.append(ConfigError(
                .unknownField,
                raw.key == nil
                    ? "type \(typeName) has no scalar field \"\(keyName)\" named like the lookup's argument; say which field the argument matches with key: (fields: \(Suggestions.list(names)))"
                    : "unknown key field \"\(keyName)\" on type \(typeName)\(Suggestions.didYouMean(keyName, names))fields of \(typeName): \(Suggestions.list(names))",
                at: raw.key?.location ?? raw.argument.location))
            return nil
        }
        guard argument.type.namedType == keyField.type.namedType else {
            errors.append(ConfigError(
                .scalarMismatch,
                "lookup argument \(field.name)(\(argument.name):) takes \(argument.type) but \(typeName).\(keyName) is \(keyField.type.namedType)",
                at: raw.key?.location ?? raw.argument.location))
            return nil
        }
        return LookupConfig(
            field: field.name, argument: argument.name, argumentType: argument.type.description, isList: isList,
            keyField: keyName, scalarType: keyField.type.namedType)
    }

    /// `[T!]!`, `[T!]`, `[T]!` or `[T]`.
    static func returnsList(of typeName: String, _ type: TypeRef) -> Bool {
        guard case .list(let element) = type.nullable else { return false }
        return element.nullable == .named(typeName)
    }

    /// Whether a collection field has the per-key window of docs/subgraph-protocol.md:
    /// `partitionBy: [String!]`, `limitPerKey: Int` and `offsetPerKey: Int`, all optional.
    static func servesWindowsPerKey(_ field: FieldDef) -> Bool {
        field.argument("partitionBy")?.type == .list(.nonNull(.named("String")))
            && field.argument("limitPerKey")?.type == .named("Int")
            && field.argument("offsetPerKey")?.type == .named("Int")
    }
}
