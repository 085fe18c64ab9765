import GRDB
import GatewayJSON
import GraphQLSupport

/// The aggregate extension (docs/subgraph-protocol.md): `books_aggregate(filter:, groupBy:)`
/// as one `SELECT ... GROUP BY ... ORDER BY ...`, written straight to JSON like a collection.
extension SubgraphService {
    /// An aggregate field compiled to SQL, ready to run.
    struct AggregateQuery: RootFieldQuery {
        let responseKey: String
        let sql: String
        let arguments: [DatabaseValue]
        let projection: GroupProjection
        let locations: [ResponseError.Location]
        /// The Int fields summed, to name them when SQLite's 64-bit sum overflows.
        let summedInts: [String]

        func run(_ db: Database, budget: AnswerBudget, cacheable: Bool, errors: inout [ResponseError]) throws -> [UInt8] {
            let statement = cacheable ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            var writer = JSONWriter(capacity: 1024)
            writer.raw(UInt8(ascii: "["))
            var count = 0
            var path: [PathElement] = [.key(responseKey), .index(0)]
            do {
                let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments))
                while let row = try cursor.next() {
                    try budget.checkRows(
                        count, field: responseKey, locations: locations, verb: "made", unit: "groups",
                        advice: "Group by fewer fields or narrow the filter.")
                    if count > 0 { writer.raw(UInt8(ascii: ",")) }
                    path[1] = .index(count)
                    projection.write(row, to: &writer, path: &path, errors: &errors)
                    count += 1
                    try budget.checkBytes(writer.bytes.count, field: responseKey, locations: locations)
                }
            } catch let error as DatabaseError where error.message == "integer overflow" {
                // SQLite's SUM of integers fails rather than wrap or round.
                let sums = summedInts.isEmpty ? "an Int field" : summedInts.joined(separator: " or ")
                throw ResponseError(
                    "\(responseKey): the sum of \(sums) overflows a 64-bit integer in a group; narrow the filter or group by more fields.",
                    code: "VALUE_OUT_OF_RANGE", locations: locations, path: [.key(responseKey)])
            }
            writer.raw(UInt8(ascii: "]"))
            return writer.bytes
        }
    }

    func aggregateQuery(_ field: CollectedField, model: Model, collector: FieldCollector) throws(ResponseError) -> AggregateQuery {
        let path: [PathElement] = [.key(field.responseKey)]
        guard let definition = schemaModel.query?.field(field.name) else {
            throw ResponseError("Unknown field \(field.name)", locations: field.locations, path: path)
        }
        let arguments = try coercion.coerceArguments(field.arguments, of: definition, variables: collector.variables, path: path)
        let filter: SQLFragment
        let groupBy: [ModelField]
        do throws(QueryArgumentError) {
            filter = try SQLCompiler(model: model).compile(filter: arguments["filter"]?.objectValue ?? [:])
            groupBy = try Self.groupBy(arguments["groupBy"], model: model)
        } catch {
            throw ResponseError(error.message, code: "BAD_USER_INPUT", locations: field.locations, path: path)
        }
        var projection = GroupProjection()
        // The grouped columns come first; a selected group field reads its column from there.
        let grouped = groupBy.map { Store.quote($0.name) }
        for column in grouped { _ = projection.column(column) }
        var summedInts: [String] = []
        projection.members = try groupMembers(
            field, model: model, grouped: Set(groupBy.map(\.name)), collector: collector, into: &projection,
            summedInts: &summedInts)
        // An aggregate without groups and without aggregates still answers its one group.
        if projection.columns.isEmpty { _ = projection.column("COUNT(*)") }
        var sql = "SELECT \(projection.selectList) FROM \(Store.quote(model.collection)) WHERE \(filter.sql)"
        if !grouped.isEmpty {
            // SQLite sorts NULL first under ASC and text by its bytes (BINARY collation), which for
            // UTF-8 is code point order: the protocol's order rules.
            sql += " GROUP BY \(grouped.joined(separator: ", ")) ORDER BY \(grouped.map { $0 + " ASC" }.joined(separator: ", "))"
        }
        return AggregateQuery(
            responseKey: field.responseKey, sql: sql, arguments: filter.arguments, projection: projection,
            locations: field.locations, summedInts: summedInts)
    }

    /// The `groupBy` fields in the order given. A field given twice is an error rather than
    /// ignored: the client's intent is unclear.
    static func groupBy(_ value: JSON?, model: Model) throws(QueryArgumentError) -> [ModelField] {
        guard case .array(let items)? = value else { return [] }
        var fields: [ModelField] = []
        for item in items {
            guard case .string(let name) = item, let modelField = model.field(name) else {
                throw QueryArgumentError(message: "groupBy takes values of \(model.fieldEnumType), got \(item)")
            }
            guard !fields.contains(where: { $0.name == name }) else {
                throw QueryArgumentError(message: "groupBy lists \(name) more than once: list each field once.")
            }
            fields.append(modelField)
        }
        return fields
    }

    /// The members of the group objects for the selection of an aggregate field, adding the
    /// expressions they read to the projection's select list.
    func groupMembers(
        _ field: CollectedField, model: Model, grouped: Set<String>, collector: FieldCollector,
        into projection: inout GroupProjection, summedInts: inout [String]
    ) throws(ResponseError) -> [GroupProjection.Member] {
        var members: [GroupProjection.Member] = []
        for sub in collector.collect(subfieldsOf: field, on: model.groupType) {
            switch sub.name {
            case "__typename":
                members.append(.init(sub, .typename(model.groupType)))
            case "count":
                let path: [PathElement] = [.key(field.responseKey), .key(sub.responseKey)]
                guard let definition = schemaModel[model.groupType]?.field("count") else {
                    throw ResponseError("Unknown field count", locations: sub.locations, path: path)
                }
                let arguments = try coercion.coerceArguments(sub.arguments, of: definition, variables: collector.variables, path: path)
                if case .string(let name)? = arguments["distinct"] {
                    guard let counted = model.field(name) else {
                        throw ResponseError(
                            "count(distinct:) takes a value of \(model.fieldEnumType), got \(name)", code: "BAD_USER_INPUT",
                            locations: sub.locations, path: path)
                    }
                    let index = projection.column("COUNT(DISTINCT \(Store.quote(counted.name)))")
                    members.append(.init(sub, .column(index: index, kind: .int, what: "count of distinct \(counted.name)")))
                } else {
                    members.append(.init(sub, .column(index: projection.column("COUNT(*)"), kind: .int, what: "count")))
                }
            case "sum", "avg", "min", "max":
                members.append(.init(sub, .object(aggregateMembers(
                    sub, function: sub.name, model: model, collector: collector, into: &projection, summedInts: &summedInts))))
            default:
                guard let modelField = model.field(sub.name), grouped.contains(sub.name) else {
                    members.append(.init(sub, .null))
                    continue
                }
                let index = projection.column(Store.quote(modelField.name))
                members.append(.init(sub, .column(index: index, kind: .init(modelField.scalar), what: modelField.name)))
            }
        }
        return members
    }

    /// The members of `sum`, `avg`, `min` or `max`: one SQL aggregate function of a column each.
    func aggregateMembers(
        _ field: CollectedField, function: String, model: Model, collector: FieldCollector,
        into projection: inout GroupProjection, summedInts: inout [String]
    ) -> [GroupProjection.Member] {
        let typeName: String
        switch function {
        case "sum": typeName = model.sumFieldsType
        case "avg": typeName = model.avgFieldsType
        case "min": typeName = model.minFieldsType
        default: typeName = model.maxFieldsType
        }
        var members: [GroupProjection.Member] = []
        for sub in collector.collect(subfieldsOf: field, on: typeName) {
            if sub.name == "__typename" {
                members.append(.init(sub, .typename(typeName)))
                continue
            }
            // Validation admits only the type's own fields; null for anything else rather than a crash.
            guard let modelField = model.field(sub.name), modelField.scalar != .boolean,
                function == "min" || function == "max" || modelField.scalar == .int || modelField.scalar == .float
            else {
                members.append(.init(sub, .null))
                continue
            }
            let index = projection.column("\(function.uppercased())(\(Store.quote(modelField.name)))")
            // AVG is always REAL; SUM, MIN and MAX keep the column's type.
            let kind: GroupProjection.Kind = function == "avg" ? .float : .init(modelField.scalar)
            if function == "sum", modelField.scalar == .int, !summedInts.contains(modelField.name) {
                summedInts.append(modelField.name)
            }
            members.append(.init(sub, .column(index: index, kind: kind, what: "\(function) of \(modelField.name)")))
        }
        return members
    }
}
