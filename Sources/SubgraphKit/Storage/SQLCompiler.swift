import GRDB
import GatewayJSON

/// SQL text with its bound arguments. Values never enter the text.
struct SQLFragment {
    var sql: String
    var arguments: [DatabaseValue]

    init(_ sql: String, _ arguments: [DatabaseValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }

    static let always = SQLFragment("1")
    static let never = SQLFragment("0")

    /// The parts joined by AND or OR. Long lists are nested as a balanced tree: SQLite limits
    /// expression depth to 1,000, and a batched lookup of composite keys is an `_or` of
    /// thousands of `_and`s.
    static func joined(_ parts: [SQLFragment], by separator: String, empty: SQLFragment) -> SQLFragment {
        guard !parts.isEmpty else { return empty }
        if parts.count == 1 { return parts[0] }
        if parts.count > 16 {
            let middle = parts.count / 2
            return joined(
                [joined(Array(parts[..<middle]), by: separator, empty: empty),
                 joined(Array(parts[middle...]), by: separator, empty: empty)],
                by: separator, empty: empty)
        }
        return SQLFragment(
            "(" + parts.map(\.sql).joined(separator: " \(separator) ") + ")",
            parts.flatMap(\.arguments))
    }
}

/// A filter, order or pagination argument the protocol rejects.
struct QueryArgumentError: Error {
    var message: String
}

/// Compiles the model protocol's `filter`, `order`, `limit` and `offset` to SQLite.
///
/// Every condition it emits is two-valued (true or false, never NULL), so that `_not` is
/// plain negation: a comparison against a NULL column is false, `_eq: null` is `IS NULL`.
struct SQLCompiler {
    let model: Model

    /// Beyond this many values an `_in` list is bound as one JSON array (`json_each`) rather
    /// than one parameter each. The SQL text then stays the same whatever the list's length,
    /// so the prepared statement is reused (the gateway's batched lookups send lists of every
    /// length), and SQLite's parameter limit is never reached.
    static let inlineListLimit = 8

    func column(_ name: String) -> String { Store.quote(name) }

    // MARK: Filter

    func compile(filter: JSONObject) throws(QueryArgumentError) -> SQLFragment {
        var parts: [SQLFragment] = []
        for (key, value) in filter.members {
            if value.isNull { continue }
            switch key {
            case "_and":
                parts.append(SQLFragment.joined(try subfilters(value), by: "AND", empty: .always))
            case "_or":
                if let tuples = try tupleMembership(value) {
                    parts.append(tuples)
                } else {
                    parts.append(SQLFragment.joined(try subfilters(value), by: "OR", empty: .never))
                }
            case "_not":
                guard case .object(let inner) = value else { throw QueryArgumentError(message: "_not must be an object") }
                let compiled = try compile(filter: inner)
                parts.append(SQLFragment("NOT \(compiled.sql)", compiled.arguments))
            default:
                guard let field = model.field(key) else {
                    throw QueryArgumentError(message: "\(model.typeName) has no field \(key)")
                }
                guard case .object(let operators) = value else {
                    throw QueryArgumentError(message: "the filter on \(key) must be an object of operators")
                }
                for (op, operand) in operators.members {
                    parts.append(try compile(op, operand, on: field))
                }
            }
        }
        return SQLFragment.joined(parts, by: "AND", empty: .always)
    }

    func subfilters(_ value: JSON) throws(QueryArgumentError) -> [SQLFragment] {
        guard case .array(let items) = value else { throw QueryArgumentError(message: "_and and _or take a list of filters") }
        var parts: [SQLFragment] = []
        for item in items {
            guard case .object(let inner) = item else { throw QueryArgumentError(message: "_and and _or take a list of filters") }
            parts.append(try compile(filter: inner))
        }
        return parts
    }

    /// `_or: [{_and: [{a: {_eq: 1}}, {b: {_eq: 2}}]}, ...]`, the shape of a batched lookup by a
    /// composite key, as one row-value membership test bound to a JSON array: the SQL text is
    /// the same whatever the number of keys (so the statement is prepared once), and SQLite
    /// never sees thousands of nested ORs. Nil when the value has another shape.
    func tupleMembership(_ value: JSON) throws(QueryArgumentError) -> SQLFragment? {
        guard case .array(let items) = value, items.count > Self.inlineListLimit else { return nil }
        var fields: [ModelField]? = nil
        var tuples: [JSON] = []
        tuples.reserveCapacity(items.count)
        for item in items {
            guard case .object(let object) = item, object.count == 1, case .array(let conjuncts)? = object["_and"],
                conjuncts.count >= 2
            else { return nil }
            var names: [String] = []
            var tuple: [JSON] = []
            for conjunct in conjuncts {
                guard case .object(let condition) = conjunct, condition.count == 1,
                    let (name, operators) = condition.members.first, case .object(let ops) = operators, ops.count == 1,
                    let operand = ops["_eq"], !operand.isNull, let field = model.field(name)
                else { return nil }
                names.append(name)
                switch try bind(operand, field).storage {
                case .string(let text): tuple.append(.string(text))
                case .int64(let int): tuple.append(.int(Int(int)))
                case .double(let double): tuple.append(.double(double))
                default: return nil
                }
            }
            if let fields {
                guard fields.map(\.name) == names else { return nil }
            } else {
                fields = names.compactMap { model.field($0) }
            }
            tuples.append(.array(tuple))
        }
        guard let fields else { return nil }
        let columns = fields.map { column($0.name) }
        let notNull = columns.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
        let extracts = fields.indices.map { "json_extract(value, '$[\($0)]')" }.joined(separator: ", ")
        var array = JSONWriter(capacity: tuples.count * 16)
        array.write(.array(tuples))
        return SQLFragment(
            "(\(notNull) AND (\(columns.joined(separator: ", "))) IN (SELECT \(extracts) FROM json_each(?)))",
            [array.string.databaseValue])
    }

    func compile(_ op: String, _ operand: JSON, on field: ModelField) throws(QueryArgumentError) -> SQLFragment {
        let name = column(field.name)
        let notNull = "\(name) IS NOT NULL"
        switch op {
        case "_eq":
            if operand.isNull { return SQLFragment("\(name) IS NULL") }
            return SQLFragment("\(name) IS ?", [try bind(operand, field)])
        case "_ne":
            if operand.isNull { return SQLFragment(notNull) }
            return SQLFragment("(\(notNull) AND \(name) <> ?)", [try bind(operand, field)])
        case "_gt", "_ge", "_lt", "_le":
            // A comparison with null matches nothing.
            if operand.isNull { return .never }
            let symbol = ["_gt": ">", "_ge": ">=", "_lt": "<", "_le": "<="][op]!
            return SQLFragment("(\(notNull) AND \(name) \(symbol) ?)", [try bind(operand, field)])
        case "_in", "_nin":
            if operand.isNull { return .never }
            guard case .array(let items) = operand else { throw QueryArgumentError(message: "\(op) takes a list") }
            let negated = op == "_nin"
            if items.isEmpty { return negated ? SQLFragment(notNull) : .never }
            let keyword = negated ? "NOT IN" : "IN"
            if items.count > Self.inlineListLimit {
                var array = JSONWriter(capacity: items.count * 8)
                array.write(.array(items))
                return SQLFragment(
                    "(\(notNull) AND \(name) \(keyword) (SELECT value FROM json_each(?)))",
                    [array.string.databaseValue])
            }
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(items.count)
            for item in items { arguments.append(try bind(item, field)) }
            let placeholders = Array(repeating: "?", count: items.count).joined(separator: ",")
            return SQLFragment("(\(notNull) AND \(name) \(keyword) (\(placeholders)))", arguments)
        case "_like", "_nlike", "_ilike", "_nilike":
            guard field.scalar.isTextual else { throw QueryArgumentError(message: "\(op) applies to text fields only") }
            if operand.isNull { return .never }
            guard case .string(let pattern) = operand else { throw QueryArgumentError(message: "\(op) takes a string pattern") }
            let function = op.contains("il") ? "gw_ilike" : "gw_like"
            let negation = op.hasPrefix("_n") ? "NOT " : ""
            return SQLFragment("(\(notNull) AND \(negation)\(function)(?, \(name)))", [pattern.databaseValue])
        default:
            throw QueryArgumentError(message: "unknown operator \(op) on \(field.name)")
        }
    }

    /// A filter operand as a database value of the column's storage class.
    func bind(_ value: JSON, _ field: ModelField) throws(QueryArgumentError) -> DatabaseValue {
        switch (value, field.scalar) {
        case (.string(let text), .id), (.string(let text), .string): return text.databaseValue
        case (.int(let int), .id), (.int(let int), .string): return String(int).databaseValue
        case (.int(let int), .int): return int.databaseValue
        case (.int(let int), .float): return Double(int).databaseValue
        case (.double(let double), .float): return double.databaseValue
        case (.bool(let bool), .boolean): return (bool ? 1 : 0).databaseValue
        default:
            throw QueryArgumentError(message: "\(value) is not a valid \(field.scalar.rawValue) for \(field.name)")
        }
    }

    // MARK: Order and pagination

    /// `ORDER BY` for an `order` argument; ties (and no order at all) fall back to `id` ascending.
    /// SQLite already sorts NULL first under ASC and last under DESC, as the protocol wants.
    func compile(order: [JSON]) throws(QueryArgumentError) -> String {
        var terms: [String] = []
        var sawID = false
        for (index, element) in order.enumerated() {
            guard case .object(let object) = element else {
                throw QueryArgumentError(message: "order[\(index)] must be an object")
            }
            let set = object.members.filter { !$0.1.isNull }
            guard set.count == 1, let (fieldName, direction) = set.first else {
                throw QueryArgumentError(
                    message: "order[\(index)] must set exactly one field, got \(set.count == 0 ? "none" : set.map(\.0).joined(separator: ", "))")
            }
            guard model.field(fieldName) != nil else {
                throw QueryArgumentError(message: "\(model.typeName) has no field \(fieldName) to order by")
            }
            guard case .string(let word) = direction, word == "ASC" || word == "DESC" else {
                throw QueryArgumentError(message: "order[\(index)].\(fieldName) must be ASC or DESC")
            }
            terms.append("\(column(fieldName)) \(word)")
            if fieldName == "id" { sawID = true }
        }
        if !sawID { terms.append("\"id\" ASC") }
        return terms.joined(separator: ", ")
    }

    // MARK: Per-key windows

    /// The fields of `partitionBy` (each once), checked against the model; empty for none.
    func partitionFields(_ partitionBy: JSON?) throws(QueryArgumentError) -> [ModelField] {
        guard let partitionBy, !partitionBy.isNull else { return [] }
        guard case .array(let names) = partitionBy else { throw QueryArgumentError(message: "partitionBy takes a list of field names") }
        var fields: [ModelField] = []
        for name in names {
            guard case .string(let text) = name, let field = model.field(text) else {
                let valid = model.fields.map(\.name).joined(separator: ", ")
                throw QueryArgumentError(message: "partitionBy: \(model.typeName) has no field \(name.stringValue ?? "\(name)") (fields: \(valid))")
            }
            if !fields.contains(where: { $0.name == field.name }) { fields.append(field) }
        }
        return fields
    }
}
