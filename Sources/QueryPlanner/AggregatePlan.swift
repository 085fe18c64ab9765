import GatewayConfig
import GatewayJSON

/// Aggregates of rows: of a whole collection (`books_aggregate`), or of an Array
/// relationship's rows per parent (`authoredBooks_aggregate`), one request whatever the number
/// of parents. Where the subgraph serves the grouped `ts_aggregate(filter:, groupBy:)`
/// (docs/subgraph-protocol.md), it groups by the join key and no child row is transferred;
/// otherwise the gateway fetches only the key and the aggregated fields and computes.
public struct AggregateFetch: Sendable, Equatable {
    public enum Strategy: Sendable, Equatable {
        /// The subgraph groups (`ts_aggregate(filter:, groupBy: [join key])`).
        case grouped
        /// The gateway computes from rows carrying only the key and the aggregated fields.
        case rows
    }

    public var strategy: Strategy
    /// `Author.authoredBooks_aggregate`, or the root field (`books_aggregate`).
    public var label: String
    /// The fetch holding the parents; nil at the root.
    public var parent: Int?
    /// Upstream keys from the parent fetch's rows to the parent objects.
    public var parentPath: [String]
    /// Where parents hold the source key fields.
    public var sourceKeys: [String]
    /// The target's key fields (grouped by), and where groups or rows hold them.
    public var targetFields: [String]
    public var targetKeys: [String]
    /// `query($_gw_where: BookFilter!) { _r: books_aggregate(filter: $_gw_where, groupBy: [author_id]) { count _k0: author_id } }`,
    /// or for `rows`: `query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { _k0: author_id _a0: price } }`.
    public var query: String
    public var whereVariable: String
    /// The target's filter input type, and the client's filter on the aggregated rows.
    public var filterType: String
    public var filter: ValueTemplate?
    public var filterLookups: [FilterLookup]
    /// What the client selected, to compute it (`rows`) and to answer parents without rows.
    public var spec: AggregateSpec
    /// Many-to-many: the junction rows come first (always `rows`).
    public var junction: JunctionStep?
    /// At the root: the response key under which the answer holds the aggregate object.
    public var responseKey: String

    public init(
        strategy: Strategy, label: String, parent: Int?, parentPath: [String], sourceKeys: [String], targetFields: [String],
        targetKeys: [String], query: String, whereVariable: String, filterType: String, filter: ValueTemplate?,
        filterLookups: [FilterLookup], spec: AggregateSpec, junction: JunctionStep?, responseKey: String
    ) {
        self.strategy = strategy
        self.label = label
        self.parent = parent
        self.parentPath = parentPath
        self.sourceKeys = sourceKeys
        self.targetFields = targetFields
        self.targetKeys = targetKeys
        self.query = query
        self.whereVariable = whereVariable
        self.filterType = filterType
        self.filter = filter
        self.filterLookups = filterLookups
        self.spec = spec
        self.junction = junction
        self.responseKey = responseKey
    }
}

/// The aggregates a client selected on one aggregate object, in its order: what the gateway
/// computes from rows, and what a parent without rows answers (count 0, the rest null).
public struct AggregateSpec: Sendable, Equatable {
    public enum Item: Sendable, Equatable {
        case typename(key: String, typeName: String)
        /// `count`, or `count(distinct: field)` (a field name, or a variable naming one).
        case count(key: String, distinct: ValueTemplate?)
        /// `sum`, `avg`, `min` or `max`, with its sub-selection.
        case function(key: String, function: String, typeName: String, fields: [FunctionField])
    }

    /// A field of `sum { ... }` and its kin; `field == "__typename"` answers `typeName`.
    public struct FunctionField: Sendable, Equatable {
        public var key: String
        public var field: String
        /// The field's scalar on the model (`Int`, `Float`, ...).
        public var scalar: String

        public init(key: String, field: String, scalar: String) {
            self.key = key
            self.field = field
            self.scalar = scalar
        }
    }

    public var items: [Item]
    /// `rows`: where each fetched row holds a field the items need (field → alias).
    public var rowAliases: [String: String]

    public init(items: [Item], rowAliases: [String: String] = [:]) {
        self.items = items
        self.rowAliases = rowAliases
    }
}
