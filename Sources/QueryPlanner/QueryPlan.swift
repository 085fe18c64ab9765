import GatewayConfig
import GatewayJSON
import GraphQLSupport

/// How an operation is answered: which upstream requests to send, in which order, and how
/// to assemble their answers into the client's response. Pure data: planning does no I/O,
/// execution decides nothing about what to fetch.
public struct QueryPlan: Sendable, Equatable {
    public enum Operation: String, Sendable, Equatable {
        case query
        case mutation
    }

    public var operation: Operation
    /// The order of the fetches: sequences, parallel groups, fetches and flattens.
    public var node: PlanNode
    /// Every fetch, indexed by its id.
    public var fetches: [Fetch]
    /// How the response's `data` is assembled.
    public var shape: Shape
    /// Relationship fetches sent together, one operation per batch.
    public var batches: [FetchBatch]

    public init(operation: Operation, node: PlanNode, fetches: [Fetch], shape: Shape, batches: [FetchBatch] = []) {
        self.operation = operation
        self.node = node
        self.fetches = fetches
        self.shape = shape
        self.batches = batches
    }
}

/// The order of a plan's fetches (the shape Apollo Router uses).
public indirect enum PlanNode: Sendable, Equatable {
    /// Children one after another.
    case sequence([PlanNode])
    /// Children concurrently.
    case parallel([PlanNode])
    /// A root fetch.
    case fetch(Int)
    /// A relationship fetch for the objects at a response path (`books.@.author`).
    case flatten(path: String, fetch: Int)
    /// Nothing to fetch (an operation of only `__typename` and introspection).
    case empty
}

/// One upstream request.
public struct Fetch: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Root fields of one subgraph; the answer's `data` holds them by response key.
        case root
        /// The client's whole request sent unchanged: every field belongs to one subgraph and
        /// no relationship is involved, so the answer can be passed through as it is.
        case forward
        /// The rows of a relationship's target for all parent objects at once.
        case relationship(RelationshipFetch)
        /// A root mutation field the gateway writes itself (nested create, cascading delete);
        /// its answer, like a root fetch's, holds the field's value by response key.
        case write(WriteRoot)
        /// Aggregates: of a collection at the root (the answer holds the field's value by
        /// response key), or of an Array relationship per parent object.
        case aggregate(AggregateFetch)
    }

    public var id: Int
    public var subgraph: String
    public var kind: Kind
    /// The upstream operation text. Constant for a plan, so the subgraph's parse cache hits.
    public var query: String
    /// Client variables the upstream operation uses, forwarded by name.
    public var clientVariables: [String]
    /// Root fetches: arguments that use relationships, rewritten by the gateway into variables.
    public var argumentRewrites: [ArgumentRewrite]
    /// Root fetches: root fields ordered by the gateway (by response key), sorted and paged
    /// after the answer arrives and before anything that depends on it.
    public var orderedFields: [String: OrderPlan]

    public init(
        id: Int, subgraph: String, kind: Kind, query: String, clientVariables: [String],
        argumentRewrites: [ArgumentRewrite] = [], orderedFields: [String: OrderPlan] = [:]
    ) {
        self.id = id
        self.subgraph = subgraph
        self.kind = kind
        self.query = query
        self.clientVariables = clientVariables
        self.argumentRewrites = argumentRewrites
        self.orderedFields = orderedFields
    }
}

/// A batched relationship fetch: the distinct join keys of every parent object, asked of the
/// target collection once with `filter: {key: {_in: [...]}}` (composite keys: `_or` of
/// `_and`s), combined with the relationship field's own `filter`.
public struct RelationshipFetch: Sendable, Equatable {
    /// `Book.author`, for explain and errors.
    public var relationship: String
    public var kind: RelationshipKind
    /// The fetch whose answer holds the parent objects.
    public var parent: Int
    /// Upstream response keys from the parent fetch's rows (for a root fetch: from `data`)
    /// down to the parent objects; lists on the way are flattened.
    public var parentPath: [String] { didSet { parentPathBytes = Self.utf8(parentPath) } }
    /// Where each parent object holds the source key fields (internal aliases).
    public var sourceKeys: [String] { didSet { sourceKeyBytes = Self.utf8(sourceKeys) } }
    /// Where each target row holds the target key fields (internal aliases).
    public var targetKeys: [String] { didSet { targetKeyBytes = Self.utf8(targetKeys) } }
    /// The target key fields, for the key filter.
    public var targetFields: [String]
    /// The upstream response key of the collection field.
    public var collectionKey: String
    /// The relationship field's arguments as the client wrote them.
    public var arguments: RelationshipArguments
    /// The target's filter input type (the type of `$where`).
    public var filterType: String
    /// The target's order input type, when the client passes `order`.
    public var orderType: String?
    /// The upstream variables the gateway fills: the combined key and client filter, and the order.
    public var whereVariable: String
    public var orderVariable: String
    /// `parentPath`, `sourceKeys` and `targetKeys` as UTF-8 bytes, for reading upstream
    /// answers: made once with the plan, not per request.
    public private(set) var parentPathBytes: [[UInt8]]
    public private(set) var sourceKeyBytes: [[UInt8]]
    public private(set) var targetKeyBytes: [[UInt8]]
    /// Lookups for the relationships the client's filter uses.
    public var filterLookups: [FilterLookup]
    /// An order that uses relationships, applied by the gateway before paging per parent.
    public var orderPlan: OrderPlan?
    /// For a many-to-many relationship: the junction fetch that comes first. The parents' keys
    /// select junction rows; their target side selects the target rows (`targetKeys` then
    /// hold the target side of the junction mapping).
    public var junction: JunctionStep?
    /// For a target on a `graphql` subgraph with a lookup instead of a collection: how the
    /// keys are asked for (one aliased call per key in one request, or one call with all).
    public var lookup: LookupFetch?
    /// For Apollo Federation entities: the representations sent to `_entities` (rows answer
    /// by position, so `targetKeys` is empty).
    public var entity: EntityFetch?
    /// When the target collection pages per key (docs/subgraph-protocol.md): the upstream
    /// variables of `limitPerKey` and `offsetPerKey`, partitioned by `targetFields`; the
    /// subgraph then answers each parent's page, and the gateway pages nothing itself.
    public var window: PerKeyWindow?

    public init(
        relationship: String, kind: RelationshipKind, parent: Int, parentPath: [String], sourceKeys: [String],
        targetKeys: [String], targetFields: [String], collectionKey: String, arguments: RelationshipArguments,
        filterType: String, orderType: String?, whereVariable: String, orderVariable: String,
        filterLookups: [FilterLookup] = [], orderPlan: OrderPlan? = nil, junction: JunctionStep? = nil, lookup: LookupFetch? = nil,
        entity: EntityFetch? = nil, window: PerKeyWindow? = nil
    ) {
        self.window = window
        self.lookup = lookup
        self.entity = entity
        self.relationship = relationship
        self.kind = kind
        self.parent = parent
        self.parentPath = parentPath
        self.sourceKeys = sourceKeys
        self.targetKeys = targetKeys
        self.parentPathBytes = Self.utf8(parentPath)
        self.sourceKeyBytes = Self.utf8(sourceKeys)
        self.targetKeyBytes = Self.utf8(targetKeys)
        self.targetFields = targetFields
        self.collectionKey = collectionKey
        self.arguments = arguments
        self.filterType = filterType
        self.orderType = orderType
        self.whereVariable = whereVariable
        self.orderVariable = orderVariable
        self.filterLookups = filterLookups
        self.orderPlan = orderPlan
        self.junction = junction
    }

    static func utf8(_ names: [String]) -> [[UInt8]] { names.map { Array($0.utf8) } }
}

/// An Array relationship's `limit` and `offset` sent upstream as a per-key window:
/// `partitionBy: [<target key fields>], limitPerKey: $limitVariable, offsetPerKey: $offsetVariable`.
public struct PerKeyWindow: Sendable, Equatable {
    public var limitVariable: String
    public var offsetVariable: String

    public init(limitVariable: String, offsetVariable: String) {
        self.limitVariable = limitVariable
        self.offsetVariable = offsetVariable
    }
}

/// The rows of a relationship fetched through a lookup field (`priceByBookId(id:)`): for a
/// single-key argument one aliased call per key (`_l0: priceByBookId(id: $_l0) { ... }`), for a
/// list argument one call with all keys; one request either way.
public struct LookupFetch: Sendable, Equatable {
    public var field: String
    public var argument: String
    /// The argument's type (`ID!`, `[ID!]!`).
    public var argumentType: String
    public var isList: Bool
    /// What each call selects, with the key under its internal alias (`{ amount _k0: book_id }`).
    public var selection: String
    /// The declarations of the client variables the selection uses.
    public var declarations: [String]

    public init(field: String, argument: String, argumentType: String, isList: Bool, selection: String, declarations: [String]) {
        self.field = field
        self.argument = argument
        self.argumentType = argumentType
        self.isList = isList
        self.selection = selection
        self.declarations = declarations
    }

    /// The request for this many keys: its text, and the variables the keys go in.
    public func query(keys count: Int) -> (text: String, variables: [String]) {
        if isList {
            let declarations = ["$_gw_keys: \(argumentType)"] + self.declarations
            return ("query(\(declarations.joined(separator: ", "))) { _r: \(field)(\(argument): $_gw_keys) \(selection) }", ["_gw_keys"])
        }
        let names = (0..<count).map { "_l\($0)" }
        let declarations = names.map { "$\($0): \(argumentType)" } + self.declarations
        let calls = names.map { "\($0): \(field)(\(argument): $\($0)) \(selection)" }
        return ("query(\(declarations.joined(separator: ", "))) { \(calls.joined(separator: " ")) }", names)
    }
}

/// Entities of an Apollo Federation subgraph asked for by representation: one
/// `_entities(representations: $_gw_reps)` call with one `{__typename, key..., required...}`
/// per distinct parent key, answered in the same order.
public struct EntityFetch: Sendable, Equatable {
    public var typeName: String
    /// The `@key` fields (the join: `sourceKeys` of the fetch hold them in the parents).
    public var keyFields: [String]
    /// Fields the selected fields `@require`, taken from the first parent with each key.
    public var requiredFields: [String]
    /// Where the parents hold them.
    public var requiredAliases: [String]
    /// The upstream variable of the representations.
    public var variable: String

    public init(typeName: String, keyFields: [String], requiredFields: [String], requiredAliases: [String], variable: String) {
        self.typeName = typeName
        self.keyFields = keyFields
        self.requiredFields = requiredFields
        self.requiredAliases = requiredAliases
        self.variable = variable
    }

    /// `query($_gw_reps: [_Any!]!, ...) { _r: _entities(representations: $_gw_reps) { ... on T {...} } }`.
    public func query(selection: String, declarations: [String]) -> String {
        let all = ["$\(variable): [_Any!]!"] + declarations
        return "query(\(all.joined(separator: ", "))) { _r: _entities(representations: $\(variable)) { ... on \(typeName) \(selection) } }"
    }
}

/// The arguments of an Array relationship field, as templates over the client's variables.
/// `filter` and `order` go upstream; `limit` and `offset` go upstream as a per-key window when
/// the target collection serves one (``PerKeyWindow``), else apply to each parent's list in
/// the gateway.
public struct RelationshipArguments: Sendable, Equatable {
    public var filter: ValueTemplate?
    public var order: ValueTemplate?
    public var limit: ValueTemplate?
    public var offset: ValueTemplate?

    public init(filter: ValueTemplate? = nil, order: ValueTemplate? = nil, limit: ValueTemplate? = nil, offset: ValueTemplate? = nil) {
        self.filter = filter
        self.order = order
        self.limit = limit
        self.offset = offset
    }

    public var isEmpty: Bool { filter == nil && order == nil && limit == nil && offset == nil }
}

/// An argument value from the document: a literal with variables left to fill in.
public indirect enum ValueTemplate: Sendable, Equatable {
    case constant(JSON)
    case variable(String)
    case list([ValueTemplate])
    case object([Member])

    public struct Member: Sendable, Equatable {
        public var name: String
        public var value: ValueTemplate
        public init(name: String, value: ValueTemplate) {
            self.name = name
            self.value = value
        }
    }

    /// The value with the variables filled in; nil when it is a variable that was not given.
    public func resolve(_ variables: JSONObject) -> JSON? {
        switch self {
        case .constant(let value): return value
        case .variable(let name): return variables[name]
        case .list(let items): return .array(items.map { $0.resolve(variables) ?? .null })
        case .object(let members):
            var object = JSONObject(minimumCapacity: members.count)
            for member in members {
                if let value = member.value.resolve(variables) { object.append(member.name, value) }
            }
            return .object(object)
        }
    }
}

/// How the client's response is assembled for one object type: the fields in the client's
/// order, each saying where its value comes from.
///
/// Immutable, and a class so that the response writer, which walks a shape once per object of
/// the response, holds it with one reference; `steps` and `bytes` say per field what the
/// writer needs without copying the field's enum.
public final class Shape: @unchecked Sendable, Equatable {
    // @unchecked: `bytes` is written once in `init`, only read afterwards, freed in `deinit`.
    public let typeName: String
    public let fields: [ShapeField]
    /// Per field, in order: what the writer does (plain data).
    public let steps: [WriteStep]
    /// Per field, the shape of its object or relationship rows (nil for other fields).
    public let children: [Shape?]
    /// Per field, its response key (for error paths).
    public let keys: [String]
    /// Each field's `"key":` as JSON bytes and its upstream key as UTF-8, which `steps` point
    /// into; owned by the shape, freed with it.
    public let bytes: UnsafeBufferPointer<UInt8>

    /// What the response writer does for one field.
    public struct WriteStep: Sendable {
        public enum Kind: UInt8, Sendable {
            /// Read `upstreamKey` from the upstream object; a scalar present is copied as is.
            case value
            /// Read `upstreamKey`; an object, written by its child shape.
            case object
            /// Rows of relationship fetch `fetch` for the object's key, by the child shape.
            case relationship
            /// `upstreamKey` of the entity that fetch `fetch` answered for the object's key.
            case entity
            /// `__typename`, root and introspection fields: see the field itself.
            case other
        }
        public let kind: Kind
        /// Whether the field's type is a scalar or enum (nullable or not), not a list: a
        /// non-null value present is copied without further checks.
        public let plainScalar: Bool
        /// The relationship fetch (relationship steps).
        public let fetch: Int
        @usableFromInline let prefixStart: Int32
        @usableFromInline let prefixCount: Int32
        @usableFromInline let upstreamStart: Int32
        @usableFromInline let upstreamCount: Int32

        /// `"key":`.
        @inlinable public func prefix(in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[Int(prefixStart)..<Int(prefixStart + prefixCount)])
        }

        /// The key the value has in the upstream object (empty for fields not read from it).
        @inlinable public func upstreamKey(in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[Int(upstreamStart)..<Int(upstreamStart + upstreamCount)])
        }
    }

    public init(typeName: String, fields: [ShapeField]) {
        self.typeName = typeName
        self.fields = fields
        var text: [UInt8] = []
        var steps: [WriteStep] = []
        var children: [Shape?] = []
        for field in fields {
            var writer = JSONWriter(capacity: field.key.utf8.count + 3)
            writer.key(field.key)
            let prefixStart = Int32(text.count)
            text += writer.bytes
            let upstreamStart = Int32(text.count)
            let kind: WriteStep.Kind
            var plainScalar = false
            var fetch = -1
            var child: Shape?
            switch field {
            case .value(_, let upstreamKey, let type):
                kind = .value
                text += Array(upstreamKey.utf8)
                if case .named = type.nullable { plainScalar = true }
            case .object(_, let upstreamKey, _, let shape):
                kind = .object
                text += Array(upstreamKey.utf8)
                child = shape
            case .relationship(_, let id, let shape):
                kind = .relationship
                fetch = id
                child = shape
            case .entity(_, let id, let upstreamKey, _, let shape):
                kind = .entity
                fetch = id
                text += Array(upstreamKey.utf8)
                child = shape
            case .root(_, _, let upstreamKey, _, _):
                kind = .other
                text += Array(upstreamKey.utf8)
            case .typename, .introspection:
                kind = .other
            }
            steps.append(WriteStep(
                kind: kind, plainScalar: plainScalar, fetch: fetch, prefixStart: prefixStart, prefixCount: upstreamStart - prefixStart,
                upstreamStart: upstreamStart, upstreamCount: Int32(text.count) - upstreamStart))
            children.append(child)
        }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(text.count, 1))
        _ = buffer.initialize(from: text)
        self.bytes = UnsafeBufferPointer(rebasing: buffer[0..<text.count])
        self.steps = steps
        self.children = children
        self.keys = fields.map(\.key)
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: bytes).deallocate()
    }

    public static func == (left: Shape, right: Shape) -> Bool {
        left === right || (left.typeName == right.typeName && left.fields == right.fields)
    }
}

public indirect enum ShapeField: Sendable, Equatable {
    /// `__typename`.
    case typename(key: String, typeName: String)
    /// `__schema` or `__type`, answered by the gateway itself.
    case introspection(key: String)
    /// A root field whose value is in a root fetch's `data`.
    case root(key: String, fetch: Int, upstreamKey: String, type: TypeRef, shape: Shape?)
    /// A field read from the upstream object (scalars, enums and lists of them).
    case value(key: String, upstreamKey: String, type: TypeRef)
    /// An object field served by the same subgraph as its parent.
    case object(key: String, upstreamKey: String, type: TypeRef, shape: Shape)
    /// A relationship field, filled from a relationship fetch by the parent's key.
    case relationship(key: String, fetch: Int, shape: Shape)
    /// A field another subgraph serves for this entity (Apollo Federation): read from the
    /// entity that the entity fetch answered for the parent's key.
    case entity(key: String, fetch: Int, upstreamKey: String, type: TypeRef, shape: Shape?)

    public var key: String {
        switch self {
        case .typename(let key, _), .introspection(let key), .root(let key, _, _, _, _), .value(let key, _, _),
            .object(let key, _, _, _), .relationship(let key, _, _), .entity(let key, _, _, _, _):
            return key
        }
    }
}
