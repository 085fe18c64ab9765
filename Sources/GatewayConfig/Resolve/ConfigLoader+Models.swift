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

            let collection = entry.collection.value
            let queryFields = schema.query?.fields.map(\.name) ?? []
            guard let field = schema.query?.field(collection) else {
                errors.append(
                    ConfigError(
                        .unknownCollection,
                        "subgraph \(subgraph) has no query field \"\(collection)\"\(Suggestions.didYouMean(collection, queryFields))query fields of \(subgraph): \(Suggestions.list(queryFields))",
                        at: entry.collection.location))
                continue
            }
            if typeIsValid, !returnsList(of: typeName, field.type) {
                errors.append(
                    ConfigError(
                        .collectionType,
                        "collection \"\(collection)\" of subgraph \(subgraph) returns \(field.type), not a list of \(typeName)",
                        at: entry.collection.location))
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
                            at: entry.collection.location))
                }
            } else {
                errors.append(
                    ConfigError(
                        .collectionArguments,
                        "collection \"\(collection)\" of subgraph \(subgraph) has no filter argument; the gateway fetches related rows with filter: {field: {_in: [...]}}",
                        at: entry.collection.location))
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
                            at: entry.collection.location))
                }
            }
            guard errors.count == errorCount, let filterType else { continue }
            models.append(
                ModelConfig(
                    name: name, subgraph: subgraph, typeName: typeName, collection: collection, filterType: filterType,
                    orderType: orderType, location: entry.location))
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return models
    }

    /// `[T!]!`, `[T!]`, `[T]!` or `[T]`.
    static func returnsList(of typeName: String, _ type: TypeRef) -> Bool {
        guard case .list(let element) = type.nullable else { return false }
        return element.nullable == .named(typeName)
    }
}
