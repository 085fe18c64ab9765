/// The names and field sets of the aggregate extension (docs/subgraph-protocol.md) for a model.
extension Model {
    /// The root field that aggregates the collection, e.g. `books_aggregate`.
    public var aggregateField: String { collection + "_aggregate" }
    /// The enum of the model's fields, for `groupBy` and `count(distinct:)`, e.g. `BookField`.
    public var fieldEnumType: String { typeName + "Field" }
    /// One group of an aggregate, e.g. `BookGroup`.
    public var groupType: String { typeName + "Group" }
    public var sumFieldsType: String { typeName + "SumFields" }
    public var avgFieldsType: String { typeName + "AvgFields" }
    public var minFieldsType: String { typeName + "MinFields" }
    public var maxFieldsType: String { typeName + "MaxFields" }

    /// The fields `sum` and `avg` apply to: every Int and Float field.
    public var numericFields: [ModelField] { fields.filter { $0.scalar == .int || $0.scalar == .float } }

    /// The fields `min` and `max` apply to: every field but the Boolean ones (which have no
    /// order worth asking for; group by them or count them instead).
    public var orderedFields: [ModelField] { fields.filter { $0.scalar != .boolean } }

    /// Whether the group type has `sum` and `avg` (an empty object type is not valid GraphQL).
    public var hasNumericFields: Bool { !numericFields.isEmpty }

    /// The members of a group type besides the model's own fields; a model field of one of
    /// these names would collide with them.
    static let groupMembers: Set<String> = ["count", "sum", "avg", "min", "max"]
}
