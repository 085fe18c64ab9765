import GraphQLSupport

/// The types of the aggregate extension (docs/subgraph-protocol.md).
extension ModelSchema {
    /// `books_aggregate(filter: BookFilter, groupBy: [BookField!]): [BookGroup!]!`
    static func aggregateField(_ model: Model) -> FieldDef {
        FieldDef(
            name: model.aggregateField, type: .nonNull(.list(.nonNull(.named(model.groupType)))),
            arguments: [
                InputValueDef(name: "filter", type: .named(model.filterType)),
                InputValueDef(name: "groupBy", type: .list(.nonNull(.named(model.fieldEnumType)))),
            ])
    }

    /// The field enum, the group type and the types of its `sum`, `avg`, `min` and `max`.
    static func aggregateTypes(_ model: Model) -> [TypeDef] {
        var group = model.fields.map { FieldDef(name: $0.name, type: .named($0.scalar.rawValue)) }
        group.append(FieldDef(
            name: "count", type: .nonNull(.named("Int")),
            arguments: [InputValueDef(name: "distinct", type: .named(model.fieldEnumType))]))
        var types = [TypeDef(name: model.fieldEnumType, kind: .enumeration, enumValues: model.fields.map { EnumValueDef(name: $0.name) })]
        if model.hasNumericFields {
            group.append(FieldDef(name: "sum", type: .nonNull(.named(model.sumFieldsType))))
            group.append(FieldDef(name: "avg", type: .nonNull(.named(model.avgFieldsType))))
        }
        group.append(FieldDef(name: "min", type: .nonNull(.named(model.minFieldsType))))
        group.append(FieldDef(name: "max", type: .nonNull(.named(model.maxFieldsType))))
        types.append(TypeDef(name: model.groupType, kind: .object, fields: group))
        if model.hasNumericFields {
            types.append(TypeDef(
                name: model.sumFieldsType, kind: .object,
                fields: model.numericFields.map { FieldDef(name: $0.name, type: .named($0.scalar.rawValue)) }))
            types.append(TypeDef(
                name: model.avgFieldsType, kind: .object,
                fields: model.numericFields.map { FieldDef(name: $0.name, type: .named("Float")) }))
        }
        let ordered = model.orderedFields.map { FieldDef(name: $0.name, type: .named($0.scalar.rawValue)) }
        types.append(TypeDef(name: model.minFieldsType, kind: .object, fields: ordered))
        types.append(TypeDef(name: model.maxFieldsType, kind: .object, fields: ordered))
        return types
    }

    /// Refuses models whose field names cannot live in the aggregate types: a field named like
    /// a member of the group type, or like a GraphQL keyword an enum value cannot be.
    static func checkAggregateNames(_ models: [Model]) throws(ModelSchemaError) {
        for model in models {
            for field in model.fields {
                if Model.groupMembers.contains(field.name) {
                    throw ModelSchemaError(message: """
                        \(model.typeName).\(field.name) collides with the field \(field.name) of \(model.groupType) \
                        in the aggregate extension: rename the field, or serve only the base protocol \
                        (--without-extensions).
                        """)
                }
                if ["true", "false", "null"].contains(field.name) {
                    throw ModelSchemaError(message: """
                        \(model.typeName).\(field.name) cannot be a value of the enum \(model.fieldEnumType) \
                        in the aggregate extension (GraphQL reserves it): rename the field, or serve only the \
                        base protocol (--without-extensions).
                        """)
                }
            }
        }
    }
}
