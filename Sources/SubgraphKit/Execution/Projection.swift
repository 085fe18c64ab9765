import GRDB
import GatewayJSON
import GraphQLSupport

/// How one row of a model is written for a selection set: which columns to read and, in the
/// client's order, which response key takes which column (or `__typename`).
struct Projection: Sendable {
    enum Entry: Sendable {
        case column(index: Int, scalar: Scalar)
        case typename
    }

    let model: Model
    /// The columns to select, each once.
    private(set) var columns: [ModelField] = []
    /// `"key":` already encoded, with what to write after it.
    private(set) var entries: [(key: [UInt8], entry: Entry)] = []

    init(model: Model, fields: [CollectedField]) {
        self.model = model
        var positions: [String: Int] = [:]
        for field in fields {
            var key = JSONWriter(capacity: field.responseKey.utf8.count + 3)
            key.key(field.responseKey)
            if field.name == "__typename" {
                entries.append((key.bytes, .typename))
                continue
            }
            guard let modelField = model.field(field.name) else { continue }
            let index: Int
            if let existing = positions[field.name] {
                index = existing
            } else {
                index = columns.count
                positions[field.name] = index
                columns.append(modelField)
            }
            entries.append((key.bytes, .column(index: index, scalar: modelField.scalar)))
        }
        // A selection of only `__typename` still needs rows to count.
        if columns.isEmpty, let id = model.field("id") { columns.append(id) }
    }

    var selectList: String { columns.map { Store.quote($0.name) }.joined(separator: ", ") }

    /// The index of `field`'s column, selected from now on if it was not (it is read, never
    /// written: the answer shows only what the selection asks for).
    mutating func include(_ field: ModelField) -> Int {
        if let index = columns.firstIndex(where: { $0.name == field.name }) { return index }
        columns.append(field)
        return columns.count - 1
    }

    /// Writes one row as a JSON object.
    @inline(__always)
    func write(_ row: Row, to writer: inout JSONWriter) {
        writer.raw(UInt8(ascii: "{"))
        var first = true
        for (key, entry) in entries {
            if !first { writer.raw(UInt8(ascii: ",")) }
            first = false
            writer.raw(key)
            switch entry {
            case .typename:
                writer.string(model.typeName)
            case .column(let index, let scalar):
                if row.hasNull(atIndex: index) {
                    writer.null()
                    continue
                }
                switch scalar {
                case .id, .string: writer.string(row[index] as String)
                case .int: writer.int(row[index] as Int)
                case .float: writer.double(row[index] as Double)
                case .boolean: writer.bool(row[index] as Bool)
                }
            }
        }
        writer.raw(UInt8(ascii: "}"))
    }
}
