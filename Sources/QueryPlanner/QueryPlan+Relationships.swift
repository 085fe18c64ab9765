import GatewayJSON

/// A filter on a relationship (`books(filter: {author: {country: {_eq: "Japan"}}})`), turned
/// into key conditions by the gateway: the target rows matching the inner filter are fetched
/// once, and the filter on the relationship becomes `{author_id: {_in: [their keys]}}`.
///
/// A filter's lookups are listed in pre-order of the filter value (a relationship before the
/// relationships inside its own filter), the order the executor meets them in; `children`
/// names the lookups that must run first.
public struct FilterLookup: Sendable, Equatable {
    /// `Book.author`, for explain.
    public var relationship: String
    public var subgraph: String
    /// Asks the target collection for the key fields of the rows matching `$whereVariable`.
    public var query: String
    public var whereVariable: String
    /// Where the answer's rows hold the key values.
    public var keyAliases: [String]
    /// For a relationship through a junction model: the junction rows pointing at the keys.
    public var junction: JunctionLookup?
    /// The parent type's fields the resulting condition is on.
    public var sourceFields: [String]
    /// The lookups inside this one's filter (indexes in the same list).
    public var children: [Int]
    /// A condition on the aggregates of an Array relationship (`authoredBooks_aggregate:
    /// {count: {_gt: 3}}`): the query answers groups (or rows to aggregate) per key, and the
    /// parents whose aggregates hold the condition are kept.
    public var aggregate: AggregateLookup?

    public init(
        relationship: String, subgraph: String, query: String, whereVariable: String, keyAliases: [String],
        junction: JunctionLookup?, sourceFields: [String], children: [Int], aggregate: AggregateLookup? = nil
    ) {
        self.aggregate = aggregate
        self.relationship = relationship
        self.subgraph = subgraph
        self.query = query
        self.whereVariable = whereVariable
        self.keyAliases = keyAliases
        self.junction = junction
        self.sourceFields = sourceFields
        self.children = children
    }
}

/// The junction step of a filter lookup through a many-to-many relationship: junction rows
/// whose target side is among the found keys, answering their source side.
public struct JunctionLookup: Sendable, Equatable {
    public var subgraph: String
    public var query: String
    public var whereVariable: String
    /// Junction fields that point at the target (filtered with the found keys).
    public var targetFields: [String]
    /// Where the junction rows hold the fields that point at the source.
    public var sourceAliases: [String]
    /// Where they hold the fields that point at the target (read by aggregate lookups, which
    /// need to know which target rows each parent has).
    public var targetAliases: [String]

    public init(
        subgraph: String, query: String, whereVariable: String, targetFields: [String], sourceAliases: [String],
        targetAliases: [String] = []
    ) {
        self.subgraph = subgraph
        self.query = query
        self.whereVariable = whereVariable
        self.targetFields = targetFields
        self.sourceAliases = sourceAliases
        self.targetAliases = targetAliases
    }
}

/// A root field's argument the gateway fills in itself: a filter that uses relationships,
/// rewritten into key conditions and sent as a variable.
public struct ArgumentRewrite: Sendable, Equatable {
    /// The upstream variable that carries the rewritten value.
    public var variable: String
    /// The argument's input type (`BookFilter`).
    public var type: String
    /// The argument as the client wrote it.
    public var template: ValueTemplate
    public var lookups: [FilterLookup]

    public init(variable: String, type: String, template: ValueTemplate, lookups: [FilterLookup]) {
        self.variable = variable
        self.type = type
        self.template = template
        self.lookups = lookups
    }
}

/// An order that uses Object relationships (`order: [{author: {name: ASC}}, {year: DESC}]`),
/// applied by the gateway: the rows are fetched unordered and unpaged, the related values
/// looked up (batched, like any relationship), the rows sorted with the model protocol's rules
/// (nulls first ascending, last descending, ties by `id`), then paged.
public struct OrderPlan: Sendable, Equatable {
    public var keys: [SortKey]
    public var lookups: [OrderLookup]
    /// Where the rows hold their `id`, the final tie-break.
    public var idAlias: String?
    /// For a root field: the paging applied after sorting (relationship fields page per parent).
    public var limit: ValueTemplate?
    public var offset: ValueTemplate?

    public init(keys: [SortKey], lookups: [OrderLookup], idAlias: String?, limit: ValueTemplate? = nil, offset: ValueTemplate? = nil) {
        self.keys = keys
        self.lookups = lookups
        self.idAlias = idAlias
        self.limit = limit
        self.offset = offset
    }
}

/// One sort key: the value at `alias` of the object reached through `chain` (order lookups,
/// empty for a field of the row itself).
public struct SortKey: Sendable, Equatable {
    public var chain: [Int]
    /// The field's name (for explain) and where the object holds it.
    public var field: String
    public var alias: String
    public var descending: Bool
    /// An aggregate's field inside the object at `alias` (`sum { price }`: alias `sum`, `price`).
    public var subfield: String?
    /// The value when the object reached through `chain` is missing: null, or 0 for the
    /// `count` of a parent without related rows.
    public var missing: JSON

    public init(chain: [Int], field: String, alias: String, descending: Bool, subfield: String? = nil, missing: JSON = .null) {
        self.chain = chain
        self.field = field
        self.alias = alias
        self.descending = descending
        self.subfield = subfield
        self.missing = missing
    }
}

/// The aggregates a filter or an order needs per key, grouped by the subgraph or computed by
/// the gateway from rows (then `spec.rowAliases` says where rows hold the fields).
public struct AggregateLookup: Sendable, Equatable {
    public var strategy: AggregateFetch.Strategy
    /// The aggregates, under their own names (`count`, `sum { price }`).
    public var spec: AggregateSpec
    /// Many-to-many (always `rows`): the junction rows that lead from target keys to parents,
    /// and where they hold the parents' key fields.
    public var junction: JunctionLookup?

    public init(strategy: AggregateFetch.Strategy, spec: AggregateSpec, junction: JunctionLookup? = nil) {
        self.strategy = strategy
        self.spec = spec
        self.junction = junction
    }
}

/// The related rows of an Object relationship that an order needs, for all rows at once.
public struct OrderLookup: Sendable, Equatable {
    public var relationship: String
    public var subgraph: String
    public var query: String
    public var whereVariable: String
    /// The lookup whose rows hold the keys, or nil for the rows being sorted.
    public var parent: Int?
    public var sourceAliases: [String]
    public var targetFields: [String]
    public var targetAliases: [String]
    /// An order by the aggregates of an Array relationship: the query answers one group per
    /// key (or rows to aggregate), and a parent without rows sorts by the empty aggregate.
    public var aggregate: AggregateLookup?

    public init(
        relationship: String, subgraph: String, query: String, whereVariable: String, parent: Int?,
        sourceAliases: [String], targetFields: [String], targetAliases: [String], aggregate: AggregateLookup? = nil
    ) {
        self.aggregate = aggregate
        self.relationship = relationship
        self.subgraph = subgraph
        self.query = query
        self.whereVariable = whereVariable
        self.parent = parent
        self.sourceAliases = sourceAliases
        self.targetFields = targetFields
        self.targetAliases = targetAliases
    }
}

/// The junction fetch of a many-to-many relationship: the junction rows of all parents, whose
/// target side then selects the target rows.
public struct JunctionStep: Sendable, Equatable {
    public var subgraph: String
    public var query: String
    public var whereVariable: String
    /// Junction fields matched against the parents' keys.
    public var sourceFields: [String]
    /// Where junction rows hold those fields, and the fields pointing at the target.
    public var sourceAliases: [String]
    public var targetAliases: [String]

    public init(
        subgraph: String, query: String, whereVariable: String, sourceFields: [String], sourceAliases: [String],
        targetAliases: [String]
    ) {
        self.subgraph = subgraph
        self.query = query
        self.whereVariable = whereVariable
        self.sourceFields = sourceFields
        self.sourceAliases = sourceAliases
        self.targetAliases = targetAliases
    }
}
