import GRDB
import GatewayJSON
import GraphQLSupport

extension SubgraphService {
    /// Runs mutation root fields one after another (the spec's serial execution), each in
    /// its own transaction. The first failing field ends the operation: its transaction is
    /// rolled back, earlier ones stay committed, and `data` is null because every mutation
    /// field is non-null.
    func executeMutation(_ fields: [CollectedField], collector: FieldCollector) async -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        var budget = AnswerBudget(limits)
        writer.raw("{\"data\":{")
        for (index, field) in fields.enumerated() {
            if index > 0 { writer.raw(UInt8(ascii: ",")) }
            writer.key(field.responseKey)
            if field.name == "__typename" {
                writer.string(schemaModel.mutationType ?? "Mutation")
                continue
            }
            do {
                let answer = try await executeMutationField(field, collector: collector, budget: budget)
                budget.spend(answer.count)
                writer.raw(answer)
            } catch let error as ResponseError {
                return responseBody(data: nil, errors: [error])
            } catch {
                return responseBody(data: nil, errors: [Self.databaseFailure(error, path: [.key(field.responseKey)])])
            }
        }
        writer.raw("}}")
        return writer.bytes
    }

    func executeMutationField(_ field: CollectedField, collector: FieldCollector, budget: AnswerBudget) async throws -> [UInt8] {
        let path: [PathElement] = [.key(field.responseKey)]
        guard let (model, kind) = modelsByMutation[field.name],
            let definition = schemaModel.mutation?.field(field.name)
        else {
            throw ResponseError("Unknown mutation \(field.name)", locations: field.locations, path: path)
        }
        let arguments = try coercion.coerceArguments(field.arguments, of: definition, variables: collector.variables, path: path)
        let projection = Projection(model: model, fields: collector.collect(subfieldsOf: field, on: model.typeName))
        let mutation = RowMutation(
            model: model, projection: projection, arguments: arguments, field: field.name, path: path,
            locations: field.locations, responseKey: field.responseKey, budget: budget)
        return try await store.writer.write { db in
            switch kind {
            case .create: return try mutation.create(db)
            case .update: return try mutation.update(db)
            case .delete: return try mutation.delete(db)
            }
        }
    }
}

/// One create, update or delete of a model's rows, run inside a write transaction.
struct RowMutation: Sendable {
    let model: Model
    let projection: Projection
    let arguments: JSONObject
    let field: String
    let path: [PathElement]
    let locations: [ResponseError.Location]
    let responseKey: String
    /// A field over a limit fails inside its transaction, so nothing of it is written.
    let budget: AnswerBudget

    var table: String { Store.quote(model.collection) }

    func failure(_ message: String, code: String = "BAD_USER_INPUT") -> ResponseError {
        ResponseError(message, code: code, locations: locations, path: path)
    }

    func create(_ db: Database) throws -> [UInt8] {
        guard case .object(let input)? = arguments["input"] else { throw failure("\(field) needs an input object") }
        let id: String
        if case .string(let given)? = input["id"] {
            id = given
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE \"id\" = ?", arguments: [given]) == true {
                throw failure("A \(model.typeName) with id \"\(given)\" already exists.", code: "CONFLICT")
            }
        } else {
            id = try nextID(db)
        }
        var values: [DatabaseValue] = [id.databaseValue]
        for modelField in model.fields.dropFirst() {
            let value = input[modelField.name] ?? .null
            if value.isNull && !modelField.isNullable {
                throw failure("\(model.typeName).\(modelField.name) cannot be null.")
            }
            values.append(try storedValue(value, modelField))
        }
        let columns = model.fields.map { Store.quote($0.name) }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO \(table) (\(columns)) VALUES (\(placeholders))", arguments: StatementArguments(values))
        return try rows(db, ids: [id], single: true)
    }

    /// One more than the largest all-digit id, so generated ids continue the seed's numbering.
    func nextID(_ db: Database) throws -> String {
        let largest = try Int.fetchOne(
            db, sql: "SELECT max(CAST(\"id\" AS INTEGER)) FROM \(table) WHERE \"id\" NOT GLOB '*[^0-9]*' AND length(\"id\") < 19")
        return String((largest ?? 0) + 1)
    }

    func update(_ db: Database) throws -> [UInt8] {
        guard case .object(let patch)? = arguments["input"] else { throw failure("\(field) needs an input object") }
        var assignments: [String] = []
        var values: [DatabaseValue] = []
        for (name, value) in patch.members {
            guard let modelField = model.field(name), name != "id" else { throw failure("\(model.typeName) has no field \(name) to update") }
            if value.isNull && !modelField.isNullable {
                throw failure("\(model.typeName).\(name) cannot be null.")
            }
            assignments.append("\(Store.quote(name)) = ?")
            values.append(try storedValue(value, modelField))
        }
        let ids = try matchingIDs(db)
        if !assignments.isEmpty && !ids.isEmpty {
            try db.execute(
                sql: "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE \"id\" IN (SELECT value FROM json_each(?))",
                arguments: StatementArguments(values + [idList(ids)]))
        }
        return try rows(db, ids: ids, single: false)
    }

    func delete(_ db: Database) throws -> [UInt8] {
        let ids = try matchingIDs(db)
        let answer = try rows(db, ids: ids, single: false)
        if !ids.isEmpty {
            try db.execute(sql: "DELETE FROM \(table) WHERE \"id\" IN (SELECT value FROM json_each(?))", arguments: [idList(ids)])
        }
        return answer
    }

    /// The ids that `id` and `filter` select, in id order. One of them is required, so that a
    /// forgotten argument never touches every row; `filter: {}` says "every row" explicitly.
    func matchingIDs(_ db: Database) throws -> [String] {
        let id = arguments["id"].flatMap { $0.isNull ? nil : $0 }
        let filter = arguments["filter"].flatMap { $0.isNull ? nil : $0 }
        guard id != nil || filter != nil else {
            throw failure("\(field) needs an `id` or a `filter` (pass `filter: {}` to select every row).")
        }
        let compiler = SQLCompiler(model: model)
        var conditions: [SQLFragment] = []
        do throws(QueryArgumentError) {
            if let id { conditions.append(try compiler.compile("_eq", id, on: model.fields[0])) }
            if case .object(let filter)? = filter { conditions.append(try compiler.compile(filter: filter)) }
        } catch {
            throw failure(error.message)
        }
        let condition = SQLFragment.joined(conditions, by: "AND", empty: .always)
        // One more than the limit is enough to know it is exceeded.
        let ids = try String.fetchAll(
            db, sql: "SELECT \"id\" FROM \(table) WHERE \(condition.sql) ORDER BY \"id\" LIMIT ?",
            arguments: StatementArguments(condition.arguments + [(budget.limits.maxRows + 1).databaseValue]))
        try budget.checkRows(ids.count - 1, field: responseKey, locations: locations, advice: "Narrow the filter; nothing was changed.")
        return ids
    }

    func idList(_ ids: [String]) -> DatabaseValue {
        var writer = JSONWriter(capacity: ids.count * 8)
        writer.write(.array(ids.map(JSON.string)))
        return writer.string.databaseValue
    }

    /// The projected rows with these ids, in id order; a single object when `single`.
    func rows(_ db: Database, ids: [String], single: Bool) throws -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        if !single { writer.raw(UInt8(ascii: "[")) }
        if !ids.isEmpty {
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT \(projection.selectList) FROM \(table) WHERE \"id\" IN (SELECT value FROM json_each(?)) ORDER BY \"id\"",
                arguments: [idList(ids)])
            var first = true
            while let row = try cursor.next() {
                if !first { writer.raw(UInt8(ascii: ",")) }
                first = false
                projection.write(row, to: &writer)
                try budget.checkBytes(writer.bytes.count, field: responseKey, locations: locations)
            }
        }
        if !single { writer.raw(UInt8(ascii: "]")) }
        return writer.bytes
    }

    func storedValue(_ value: JSON, _ modelField: ModelField) throws -> DatabaseValue {
        if value.isNull { return .null }
        do {
            return try SQLCompiler(model: model).bind(value, modelField)
        } catch {
            throw failure(error.message)
        }
    }
}
