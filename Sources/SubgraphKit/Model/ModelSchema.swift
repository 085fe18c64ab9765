import GraphQLSupport

/// A model declaration the protocol cannot serve; the subgraph does not start with it.
public struct ModelSchemaError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Derives a subgraph's whole schema from its models, as subgraph-protocol.md (and, with
/// `extensions`, docs/subgraph-protocol.md) specifies.
enum ModelSchema {
    /// - Parameters:
    ///   - models: the subgraph's models.
    ///   - extensions: whether to add the optional extensions (the aggregates) to the base protocol.
    static func build(_ models: [Model], extensions: Bool) throws(ModelSchemaError) -> SchemaModel {
        if extensions { try checkAggregateNames(models) }
        var schema = SchemaModel(queryType: "Query", mutationType: models.isEmpty ? nil : "Mutation")
        var query = TypeDef(name: "Query", kind: .object)
        var mutation = TypeDef(name: "Mutation", kind: .object)
        for model in models {
            query.fields.append(FieldDef(
                name: model.collection, type: .nonNull(.list(.nonNull(.named(model.typeName)))),
                arguments: collectionArguments(model, extensions: extensions)))
            if extensions { query.fields.append(aggregateField(model)) }
            mutation.fields.append(contentsOf: mutations(model))
        }
        var added: [String] = []
        func add(_ type: TypeDef) {
            added.append(type.name)
            schema.add(type)
        }
        add(query)
        if !models.isEmpty { add(mutation) }
        for model in models {
            add(TypeDef(
                name: model.typeName, kind: .object, description: model.description,
                fields: model.fields.map {
                    FieldDef(name: $0.name, type: outputType($0), description: $0.description, deprecationReason: $0.deprecationReason)
                }))
        }
        if extensions {
            for model in models {
                aggregateTypes(model).forEach(add)
            }
        }
        for model in models {
            add(filterType(model))
            add(TypeDef(
                name: model.orderType, kind: .inputObject,
                inputFields: model.fields.map { InputValueDef(name: $0.name, type: .named("Ordering")) }))
            add(TypeDef(
                name: model.inputType, kind: .inputObject,
                inputFields: model.fields.map {
                    InputValueDef(name: $0.name, type: $0.name == "id" ? .named("ID") : outputType($0))
                }))
            add(TypeDef(
                name: model.patchType, kind: .inputObject,
                inputFields: model.fields.dropFirst().map { InputValueDef(name: $0.name, type: .named($0.scalar.rawValue)) }))
        }
        add(TypeDef(name: "Ordering", kind: .enumeration, enumValues: ["ASC", "DESC"]))
        let used = Set(models.flatMap { $0.fields.map(\.scalar) })
        for scalar in Scalar.allCases where used.contains(scalar) {
            add(operatorsType(scalar))
        }
        // Two models whose derived names meet (`Book` and `BookGroup`, `books` and
        // `books_aggregate`) would otherwise replace each other's types without a word.
        try checkUnique(added, what: "type")
        try checkUnique(query.fields.map(\.name), what: "Query field")
        return schema
    }

    static func checkUnique(_ names: [String], what: String) throws(ModelSchemaError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw ModelSchemaError(message: """
                The models derive the \(what) \(name) twice: rename a model or collection so that \
                its derived names (see docs/subgraph-protocol.md) do not meet another's.
                """)
        }
    }

    static func outputType(_ field: ModelField) -> TypeRef {
        field.isNullable ? .named(field.scalar.rawValue) : .nonNull(.named(field.scalar.rawValue))
    }

    /// The base protocol's `filter`, `order`, `limit` and `offset`; with the extensions, the
    /// per-key window of docs/subgraph-protocol.md (`partitionBy`, `limitPerKey`, `offsetPerKey`).
    static func collectionArguments(_ model: Model, extensions: Bool) -> [InputValueDef] {
        var arguments = [
            InputValueDef(name: "filter", type: .named(model.filterType)),
            InputValueDef(name: "order", type: .list(.nonNull(.named(model.orderType)))),
            InputValueDef(name: "limit", type: .named("Int")),
            InputValueDef(name: "offset", type: .named("Int")),
        ]
        if extensions {
            arguments += [
                InputValueDef(name: "partitionBy", type: .list(.nonNull(.named("String")))),
                InputValueDef(name: "limitPerKey", type: .named("Int")),
                InputValueDef(name: "offsetPerKey", type: .named("Int")),
            ]
        }
        return arguments
    }

    static func mutations(_ model: Model) -> [FieldDef] {
        let rows = TypeRef.nonNull(.list(.nonNull(.named(model.typeName))))
        return [
            FieldDef(
                name: model.createField, type: .nonNull(.named(model.typeName)),
                arguments: [InputValueDef(name: "input", type: .nonNull(.named(model.inputType)))]),
            FieldDef(
                name: model.updateField, type: rows,
                arguments: [
                    InputValueDef(name: "id", type: .named("ID")),
                    InputValueDef(name: "filter", type: .named(model.filterType)),
                    InputValueDef(name: "input", type: .nonNull(.named(model.patchType))),
                ]),
            FieldDef(
                name: model.deleteField, type: rows,
                arguments: [
                    InputValueDef(name: "id", type: .named("ID")),
                    InputValueDef(name: "filter", type: .named(model.filterType)),
                ]),
        ]
    }

    static func filterType(_ model: Model) -> TypeDef {
        var inputFields = model.fields.map { InputValueDef(name: $0.name, type: .named($0.scalar.operatorsType)) }
        inputFields.append(InputValueDef(name: "_and", type: .list(.nonNull(.named(model.filterType)))))
        inputFields.append(InputValueDef(name: "_or", type: .list(.nonNull(.named(model.filterType)))))
        inputFields.append(InputValueDef(name: "_not", type: .named(model.filterType)))
        return TypeDef(name: model.filterType, kind: .inputObject, inputFields: inputFields)
    }

    /// The operator input of a scalar, identical in every subgraph.
    static func operatorsType(_ scalar: Scalar) -> TypeDef {
        let value = TypeRef.named(scalar.rawValue)
        let list = TypeRef.list(.nonNull(value))
        var fields: [InputValueDef] = [
            InputValueDef(name: "_eq", type: value),
            InputValueDef(name: "_ne", type: value),
        ]
        if scalar != .boolean {
            fields += [
                InputValueDef(name: "_in", type: list),
                InputValueDef(name: "_nin", type: list),
                InputValueDef(name: "_gt", type: value),
                InputValueDef(name: "_ge", type: value),
                InputValueDef(name: "_lt", type: value),
                InputValueDef(name: "_le", type: value),
            ]
        }
        if scalar.isTextual {
            fields += ["_like", "_nlike", "_ilike", "_nilike"].map { InputValueDef(name: $0, type: .named("String")) }
        }
        return TypeDef(name: scalar.operatorsType, kind: .inputObject, inputFields: fields)
    }
}
