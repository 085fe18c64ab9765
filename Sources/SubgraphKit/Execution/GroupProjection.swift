import GRDB
import GatewayJSON
import GraphQLSupport

/// How one group of an aggregate is written for a selection set: the SQL expressions to
/// select (each once) and, in the client's order, which response key takes which expression,
/// down into `sum`, `avg`, `min` and `max`.
struct GroupProjection: Sendable {
    /// How a selected value is read and checked against its GraphQL type.
    enum Kind: Sendable {
        case text, int, float, boolean

        init(_ scalar: Scalar) {
            switch scalar {
            case .id, .string: self = .text
            case .int: self = .int
            case .float: self = .float
            case .boolean: self = .boolean
            }
        }
    }

    indirect enum Entry: Sendable {
        case typename(String)
        /// A field of the model that is not grouped by: null in every group.
        case null
        /// The expression at `index` of the select list; `what` names it in an error message.
        case column(index: Int, kind: Kind, what: String)
        case object([Member])
    }

    struct Member: Sendable {
        let key: String
        /// `"key":` already encoded.
        let encodedKey: [UInt8]
        let locations: [ResponseError.Location]
        let entry: Entry

        init(_ field: CollectedField, _ entry: Entry) {
            key = field.responseKey
            var writer = JSONWriter(capacity: field.responseKey.utf8.count + 3)
            writer.key(field.responseKey)
            encodedKey = writer.bytes
            locations = field.locations
            self.entry = entry
        }
    }

    /// The SQL expressions to select, each once.
    private(set) var columns: [String] = []
    private var positions: [String: Int] = [:]
    /// The group object's members; set by whoever builds the projection.
    var members: [Member] = []

    /// The index of an expression in the select list, adding it when new.
    mutating func column(_ expression: String) -> Int {
        if let index = positions[expression] { return index }
        positions[expression] = columns.count
        columns.append(expression)
        return columns.count - 1
    }

    var selectList: String { columns.joined(separator: ", ") }

    // MARK: Writing

    /// Writes one group as a JSON object.
    ///
    /// A value beyond its GraphQL type (an Int sum past 32 bits, a Float sum past the largest
    /// double) is written as null, with an error at its path, as the GraphQL spec's result
    /// coercion says; the fields that hold it are all nullable.
    func write(_ row: Row, to writer: inout JSONWriter, path: inout [PathElement], errors: inout [ResponseError]) {
        write(members, row, to: &writer, path: &path, errors: &errors)
    }

    private func write(
        _ members: [Member], _ row: Row, to writer: inout JSONWriter, path: inout [PathElement], errors: inout [ResponseError]
    ) {
        writer.raw(UInt8(ascii: "{"))
        for (position, member) in members.enumerated() {
            if position > 0 { writer.raw(UInt8(ascii: ",")) }
            writer.raw(member.encodedKey)
            switch member.entry {
            case .typename(let name):
                writer.string(name)
            case .null:
                writer.null()
            case .object(let inner):
                path.append(.key(member.key))
                write(inner, row, to: &writer, path: &path, errors: &errors)
                path.removeLast()
            case .column(let index, let kind, let what):
                if let problem = Self.write(row[index] as DatabaseValue, kind, to: &writer) {
                    writer.null()
                    errors.append(ResponseError(
                        "The \(what) in this group is \(problem): it is null here.", code: "VALUE_OUT_OF_RANGE",
                        locations: member.locations, path: path + [.key(member.key)]))
                }
            }
        }
        writer.raw(UInt8(ascii: "}"))
    }

    /// Writes a value, or returns what is wrong with it (then nothing is written).
    private static func write(_ value: DatabaseValue, _ kind: Kind, to writer: inout JSONWriter) -> String? {
        switch (value.storage, kind) {
        case (.null, _):
            writer.null()
        case (.string(let text), .text):
            writer.string(text)
        case (.int64(let int), .int):
            guard let int32 = Int32(exactly: int) else { return "\(int), beyond GraphQL's Int (32-bit signed)" }
            writer.int(Int(int32))
        case (.double(let double), .int):
            // SQLite answers an integer expression with a REAL only in corner cases; keep it exact.
            guard let int32 = Int32(exactly: double) else { return "\(double), not a GraphQL Int" }
            writer.int(Int(int32))
        case (.double(let double), .float):
            guard double.isFinite else { return "\(double), beyond GraphQL's Float" }
            writer.double(double)
        case (.int64(let int), .float):
            writer.double(Double(int))
        case (.int64(let int), .boolean):
            writer.bool(int != 0)
        default:
            return "\(value), not of the field's type"
        }
        return nil
    }
}
