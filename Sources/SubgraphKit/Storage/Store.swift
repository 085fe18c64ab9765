import GRDB

/// A problem opening or seeding a subgraph's database.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The SQLite database behind a subgraph: one STRICT table per model, an index on every
/// declared join column, and the model protocol's LIKE functions.
public struct Store: Sendable {
    public let writer: any DatabaseWriter
    public let models: [Model]

    /// Opens (and creates and seeds when new) the database.
    ///
    /// - Parameters:
    ///   - path: a SQLite file; nil for a fresh in-memory database.
    ///   - models: the subgraph's models.
    ///   - scale: the seed multiplier, used only when the tables are created.
    public init(path: String?, models: [Model], scale: Int) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            db.add(function: LikeMatcher.sqlFunction(name: "gw_like", ignoringCase: false))
            db.add(function: LikeMatcher.sqlFunction(name: "gw_ilike", ignoringCase: true))
        }
        if let path {
            writer = try DatabasePool(path: path, configuration: configuration)
        } else {
            writer = try DatabaseQueue(configuration: configuration)
        }
        self.models = models
        try writer.write { db in
            for model in models {
                if try db.tableExists(model.collection) {
                    try Self.checkColumns(of: model, in: db)
                } else {
                    try Self.createTable(for: model, in: db)
                    try Self.seed(model, scale: scale, in: db)
                }
            }
        }
    }

    static func quote(_ identifier: String) -> String {
        // Model and field names are GraphQL names and never contain a quote; escape anyway.
        if !identifier.utf8.contains(UInt8(ascii: "\"")) { return "\"" + identifier + "\"" }
        return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func createTable(for model: Model, in db: Database) throws {
        let columns = model.fields.map { field -> String in
            var column = "\(quote(field.name)) \(field.scalar.columnType)"
            if field.name == "id" {
                column += " PRIMARY KEY NOT NULL"
            } else if !field.isNullable {
                column += " NOT NULL"
            }
            if field.scalar == .boolean { column += " CHECK (\(quote(field.name)) IN (0, 1))" }
            return column
        }
        try db.execute(sql: "CREATE TABLE \(quote(model.collection)) (\(columns.joined(separator: ", "))) STRICT")
        for field in model.fields where field.isIndexed {
            try db.execute(sql: """
                CREATE INDEX \(quote("\(model.collection)_\(field.name)")) \
                ON \(quote(model.collection)) (\(quote(field.name)))
                """)
        }
    }

    static func checkColumns(of model: Model, in db: Database) throws {
        let existing = try db.columns(in: model.collection).map(\.name)
        let expected = model.fields.map(\.name)
        guard Set(existing) == Set(expected) else {
            throw StoreError(message: """
                The database's table \(model.collection) has columns \(existing.joined(separator: ", ")) \
                but the model \(model.typeName) declares \(expected.joined(separator: ", ")). \
                Use a fresh --database file.
                """)
        }
    }

    static func seed(_ model: Model, scale: Int, in db: Database) throws {
        let placeholders = Array(repeating: "?", count: model.fields.count).joined(separator: ", ")
        let statement = try db.makeStatement(
            sql: "INSERT INTO \(quote(model.collection)) VALUES (\(placeholders))")
        for (number, row) in model.seed(scale).enumerated() {
            guard row.count == model.fields.count else {
                throw StoreError(message: "Seed row \(number) of \(model.typeName) has \(row.count) values for \(model.fields.count) fields")
            }
            let values = zip(model.fields, row).map { field, value in value.databaseValue(as: field.scalar) }
            try statement.execute(arguments: StatementArguments(values))
        }
    }
}

extension SQLValue {
    /// The value as stored in a column of the scalar (an `ID` given as a number is stored as text).
    func databaseValue(as scalar: Scalar) -> DatabaseValue {
        switch (self, scalar) {
        case (.null, _): return .null
        case (.int(let int), .id), (.int(let int), .string): return String(int).databaseValue
        case (.int(let int), .float): return Double(int).databaseValue
        case (.int(let int), _): return int.databaseValue
        case (.double(let double), _): return double.databaseValue
        case (.text(let text), _): return text.databaseValue
        case (.bool(let bool), _): return (bool ? 1 : 0).databaseValue
        }
    }
}
