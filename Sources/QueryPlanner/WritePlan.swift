import GatewayConfig
import GatewayJSON
import GraphQLSupport

/// A root mutation field the gateway answers itself: a nested create (`create_T`,
/// `create_T_many`) or a delete with `onDelete` rules (`delete_T`). Part of the query plan;
/// a create's ``WritePlan`` depends on the input's values and is made when the request runs
/// (``WritePlanner``), a delete's ``CascadePlan`` is made with the query plan.
public struct WriteRoot: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        case create(many: Bool)
        case delete(CascadePlan)
    }

    public var operation: Operation
    /// The model written at the root.
    public var model: String
    /// The root mutation field (`create_Author`) and its response key.
    public var field: String
    public var responseKey: String
    /// The field's arguments as the client wrote them, by name (`input`, `inputs`, `id`, `filter`).
    public var arguments: [String: ValueTemplate]
    /// The input type of `input`/`inputs` or of `filter`, for coercing the resolved value.
    public var argumentTypes: [String: TypeRef]
    /// What the client selected on the root rows, as upstream selection fields (relationship
    /// fields excluded; their join keys under internal aliases).
    public var selection: String
    /// Client variables the selection uses, with their declared types.
    public var selectionVariables: [VariableDeclaration]
    /// Response keys of the client's selection: internal aliases avoid them.
    public var reservedKeys: [String]

    public init(
        operation: Operation, model: String, field: String, responseKey: String, arguments: [String: ValueTemplate],
        argumentTypes: [String: TypeRef], selection: String, selectionVariables: [VariableDeclaration], reservedKeys: [String]
    ) {
        self.operation = operation
        self.model = model
        self.field = field
        self.responseKey = responseKey
        self.arguments = arguments
        self.argumentTypes = argumentTypes
        self.selection = selection
        self.selectionVariables = selectionVariables
        self.reservedKeys = reservedKeys
    }
}

/// `$name: Type`.
public struct VariableDeclaration: Sendable, Equatable {
    public var name: String
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

// MARK: Nested creates

/// How one nested create is written: every row with where each field's value comes from, the
/// reads that check `connect` keys first, and the steps that write the rows in dependency
/// order (rows that depend on nothing still pending go together; one request per subgraph
/// per stage, its rows as aliased root fields). Pure data: the executor runs it and undoes the
/// steps that succeeded, in reverse, when one fails.
public struct WritePlan: Sendable, Equatable {
    public var rows: [WriteRow]
    /// Reads before any write: the rows `connect` names must exist.
    public var lookups: [ConnectLookup]
    /// Every step, by id; ``stages`` gives the order.
    public var steps: [WriteStep]
    /// Step ids stage by stage: a stage's steps run concurrently once the previous stage is done.
    public var stages: [[Int]]
    /// The root rows, in input order: the mutation field's result.
    public var roots: [Int]
    /// The internal alias under which each step's answer carries a field (`id` → `_w0`).
    public var aliases: [String: String]

    public init(
        rows: [WriteRow], lookups: [ConnectLookup], steps: [WriteStep], stages: [[Int]], roots: [Int], aliases: [String: String]
    ) {
        self.rows = rows
        self.lookups = lookups
        self.steps = steps
        self.stages = stages
        self.roots = roots
        self.aliases = aliases
    }
}

/// One row a nested create writes.
public struct WriteRow: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// A new row (`create_T`); undone by deleting it.
        case create
        /// An existing row linked by `connect` where it holds the key (`update_T(id:)` of the
        /// key fields); undone by writing back the values the lookup read.
        case link(id: JSON, lookup: Int)
    }

    public var action: Action
    public var model: String
    public var typeName: String
    public var subgraph: String
    /// The fields written, in input order (for a link: only the key fields).
    public var fields: [WriteField]
    /// Where the row is in the client's input (`input.authoredBooks.data[1]`).
    public var path: String
    /// The step that writes it.
    public var step: Int
    /// The upstream root field that writes it, which is also its alias (`row3`).
    public var alias: String

    public init(
        action: Action, model: String, typeName: String, subgraph: String, fields: [WriteField], path: String, step: Int = -1,
        alias: String = ""
    ) {
        self.action = action
        self.model = model
        self.typeName = typeName
        self.subgraph = subgraph
        self.fields = fields
        self.path = path
        self.step = step
        self.alias = alias
    }

    public func value(of field: String) -> FieldValue? { fields.first { $0.name == field }?.value }
}

public struct WriteField: Sendable, Equatable {
    public var name: String
    public var value: FieldValue

    public init(name: String, value: FieldValue) {
        self.name = name
        self.value = value
    }
}

/// Where a written field's value comes from.
public enum FieldValue: Sendable, Equatable {
    /// As the client gave it (or a `connect` key).
    case literal(JSON)
    /// The value of `field` in the answer that wrote an earlier row.
    case copy(row: Int, field: String)
    /// A new id chosen by the gateway before writing, so that the row can be deleted again
    /// whatever happens to the request that creates it.
    case generatedID
}

/// A read before any write, one request per model and key fields: that the rows `connect`
/// names exist (reading, for rows a write will link, the key values to restore when undoing),
/// or that the ids the client gives new rows are free (so that undoing deletes only rows this
/// mutation made).
public struct ConnectLookup: Sendable, Equatable {
    public enum Purpose: String, Sendable, Equatable {
        /// Every key must name an existing row.
        case connect
        /// No key may name an existing row.
        case newIDs
    }

    public var purpose: Purpose
    public var model: String
    public var typeName: String
    public var subgraph: String
    /// The target fields the keys name.
    public var keyFields: [String]
    /// `query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { _w0: id ... } }`.
    public var query: String
    /// The distinct keys, in first-use order, each with the input path that first names it.
    public var keys: [[JSON]]
    public var paths: [String]
    /// Fields read under internal aliases (the keys, and the old values of linked rows).
    public var readFields: [String]

    public init(
        purpose: Purpose = .connect, model: String, typeName: String, subgraph: String, keyFields: [String], query: String,
        keys: [[JSON]], paths: [String], readFields: [String]
    ) {
        self.purpose = purpose
        self.model = model
        self.typeName = typeName
        self.subgraph = subgraph
        self.keyFields = keyFields
        self.query = query
        self.keys = keys
        self.paths = paths
        self.readFields = readFields
    }
}

/// One upstream request of a nested create: the rows of one subgraph in one stage.
public struct WriteStep: Sendable, Equatable {
    public var id: Int
    public var stage: Int
    public var subgraph: String
    public var rows: [Int]
    /// `mutation($row0: AuthorInput!) { row0: create_Author(input: $row0) { _w0: id } }`.
    public var query: String

    public init(id: Int, stage: Int, subgraph: String, rows: [Int], query: String) {
        self.id = id
        self.stage = stage
        self.subgraph = subgraph
        self.rows = rows
        self.query = query
    }
}

// MARK: Cascading deletes

/// How `delete_T` follows its `onDelete` rules: read the rows to delete, then level by level
/// the related rows of every rule (one request per rule and level, whatever the number of
/// rows), refuse if a `restrict` rule finds rows, then write from the deepest level up:
/// `cascade` deletes, `setNull` updates, and last the rows themselves.
public struct CascadePlan: Sendable, Equatable {
    /// Reads the rows the client's `id`/`filter` select, every restorable field and the keys
    /// the rules follow.
    public var rootQuery: String
    public var rootSubgraph: String
    public var rootTypeName: String
    /// The fields read from every row, under ``aliases`` (restorable fields and keys).
    public var rootFields: [String]
    /// Every rule step, parents before children.
    public var steps: [CascadeStep]
    /// Field → internal alias in every read and write of the plan.
    public var aliases: [String: String]
    /// Deletes the rows read, by id, answering the client's selection:
    /// `mutation($_gw_ids: [ID!]) { _r: delete_Author(filter: {id: {_in: $_gw_ids}}) { ... } }`.
    public var deleteQuery: String

    public init(
        rootQuery: String, rootSubgraph: String, rootTypeName: String, rootFields: [String], steps: [CascadeStep],
        aliases: [String: String], deleteQuery: String
    ) {
        self.deleteQuery = deleteQuery
        self.rootQuery = rootQuery
        self.rootSubgraph = rootSubgraph
        self.rootTypeName = rootTypeName
        self.rootFields = rootFields
        self.steps = steps
        self.aliases = aliases
    }
}

/// One `onDelete` rule at one place of a cascade.
public struct CascadeStep: Sendable, Equatable {
    public var id: Int
    /// `Author.authoredBooks`.
    public var relationship: String
    public var rule: DeleteRule
    /// The step whose rows are the parents; nil for the deleted rows themselves.
    public var parent: Int?
    /// 1 for the rules of the deleted rows, 2 for the rules of their cascaded rows, ...
    public var depth: Int
    public var model: String
    public var typeName: String
    public var subgraph: String
    /// The parent rows' fields (source side of the mapping) and the related rows' fields
    /// matched against them (target side, or the junction's).
    public var sourceFields: [String]
    public var keyFields: [String]
    /// Reads the related rows: `query($_gw_where: BookFilter!) { _r: books(filter: $_gw_where) { ... } }`.
    public var query: String
    /// The fields read (restorable fields and keys; `id` alone for `restrict`).
    public var readFields: [String]
    /// `setNull`: the key fields set to null.
    public var nullFields: [String]
    /// The write, by the ids read (empty for `restrict`): `delete_T` for `cascade`,
    /// `update_T(input: {key: null})` for `setNull`.
    public var writeQuery: String

    public init(
        id: Int, relationship: String, rule: DeleteRule, parent: Int?, depth: Int, model: String, typeName: String,
        subgraph: String, sourceFields: [String], keyFields: [String], query: String, readFields: [String], nullFields: [String],
        writeQuery: String
    ) {
        self.writeQuery = writeQuery
        self.id = id
        self.relationship = relationship
        self.rule = rule
        self.parent = parent
        self.depth = depth
        self.model = model
        self.typeName = typeName
        self.subgraph = subgraph
        self.sourceFields = sourceFields
        self.keyFields = keyFields
        self.query = query
        self.readFields = readFields
        self.nullFields = nullFields
    }
}
