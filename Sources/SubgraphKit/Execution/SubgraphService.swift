import GRDB
import GatewayJSON
import GraphQL
import GraphQLSupport
import Synchronization

/// A subgraph's GraphQL engine: validates an operation with GraphQLSwift, then goes from the
/// selection set to SQL to JSON bytes without GraphQLSwift's resolver executor (whose cost
/// grows with every resolved field). Only `__schema` and `__type` use that executor.
public final class SubgraphService: Sendable {
    /// Limits that protect the service from runaway operations. Together they bound what one
    /// operation can hold in memory: its request body, and an answer of at most
    /// `maxResponseBytes` (plus one row), whatever the query asks.
    public struct Limits: Sendable, Equatable {
        /// Most rows one collection, aggregate or mutation field may answer or change
        /// (default 10,000); more is a `TOO_MANY_ROWS` error for the field.
        public var maxRows: Int
        /// Largest answer of one operation, in bytes, counted while it is written
        /// (default 16 MiB); more is a `RESPONSE_TOO_LARGE` error.
        public var maxResponseBytes: Int
        /// Largest request body accepted, in bytes (default 16 MiB).
        public var maxBodyBytes: Int

        public static let defaultMaxRows = 10_000
        public static let defaultMaxResponseBytes = 16 << 20

        public init(
            maxRows: Int = Limits.defaultMaxRows, maxResponseBytes: Int = Limits.defaultMaxResponseBytes,
            maxBodyBytes: Int = 16 << 20
        ) {
            self.maxRows = maxRows
            self.maxResponseBytes = maxResponseBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public let name: String
    public let models: [Model]
    public let store: Store
    public let schemaModel: SchemaModel
    public let schema: GraphQLSchema
    public let limits: Limits
    /// Whether the service serves only the base model protocol, without the extensions of
    /// docs/subgraph-protocol.md (false unless asked: `--without-extensions`).
    public let withoutExtensions: Bool
    let documents: DocumentCache
    let coercion: InputCoercion
    let introspection: IntrospectionExecutor
    let modelsByCollection: [String: Model]
    /// The models by their aggregate field (`books_aggregate`); empty without extensions.
    let modelsByAggregate: [String: Model]
    /// The SQL texts whose prepared statements are cached (at most `statementCacheLimit`).
    let cachedSQL = Mutex<Set<String>>([])
    let statementCacheLimit = 256
    let modelsByMutation: [String: (Model, MutationKind)]

    enum MutationKind { case create, update, delete }

    /// - Parameters:
    ///   - name: the subgraph's name, for logs.
    ///   - models: the types it owns.
    ///   - store: their database.
    ///   - limits: protection against runaway operations.
    ///   - withoutExtensions: serve only the base protocol of subgraph-protocol.md, without the
    ///     aggregates and per-key windows of docs/subgraph-protocol.md (default false: the extensions are served), so
    ///     that a gateway's fallback for plain subgraphs can be tried against real ones.
    public init(
        name: String, models: [Model], store: Store, limits: Limits = Limits(), withoutExtensions: Bool = false
    ) throws {
        self.name = name
        self.models = models
        self.store = store
        self.limits = limits
        self.withoutExtensions = withoutExtensions
        schemaModel = try ModelSchema.build(models, extensions: !withoutExtensions)
        schema = try GraphQL.buildSchema(source: schemaModel.printSDL())
        documents = DocumentCache(schema: schema)
        coercion = InputCoercion(schema: schemaModel)
        introspection = IntrospectionExecutor(schema: schema)
        modelsByCollection = Dictionary(uniqueKeysWithValues: models.map { ($0.collection, $0) })
        modelsByAggregate = withoutExtensions ? [:] : Dictionary(uniqueKeysWithValues: models.map { ($0.aggregateField, $0) })
        var mutations: [String: (Model, MutationKind)] = [:]
        for model in models {
            mutations[model.createField] = (model, .create)
            mutations[model.updateField] = (model, .update)
            mutations[model.deleteField] = (model, .delete)
        }
        modelsByMutation = mutations
    }

    /// The SDL of the subgraph's schema.
    public var sdl: String { schemaModel.printSDL() }

    /// Executes a decoded request; the answer is always a GraphQL response body.
    public func execute(_ request: GraphQLRequestBody) async -> [UInt8] {
        let document: PreparedDocument
        let operation: OperationDefinition
        let variables: JSONObject
        do {
            document = try documents.prepare(request.query)
        } catch {
            return errorResponseBody(error.errors)
        }
        do {
            operation = try document.operation(named: request.operationName)
            variables = try coercion.coerceVariables(operation.variableDefinitions, values: request.variables)
        } catch {
            return errorResponseBody([error])
        }
        let collector = FieldCollector(schema: schemaModel, fragments: document.fragments, variables: variables)
        switch operation.operation {
        case .query:
            let fields = collector.collect(operation.selectionSet.selections, on: schemaModel.queryType)
            return await executeQuery(fields, operation: operation, document: document, collector: collector)
        case .mutation:
            let fields = collector.collect(operation.selectionSet.selections, on: schemaModel.mutationType ?? "Mutation")
            return await executeMutation(fields, collector: collector)
        case .subscription:
            return errorResponseBody([ResponseError("Subscriptions are not supported.", code: "BAD_REQUEST")])
        }
    }

    // MARK: Query

    func executeQuery(
        _ fields: [CollectedField], operation: OperationDefinition, document: PreparedDocument, collector: FieldCollector
    ) async -> [UInt8] {
        var errors: [ResponseError] = []
        var introspected = JSONObject()
        let introspectionFields = fields.filter { IntrospectionExecutor.isIntrospectionRoot($0.name) }
        if !introspectionFields.isEmpty {
            (introspected, errors) = await introspection.execute(
                fields: introspectionFields, operation: operation, document: document, variables: collector.variables)
        }
        var queries: [any RootFieldQuery] = []
        for field in fields {
            do {
                if let model = modelsByCollection[field.name] {
                    queries.append(try collectionQuery(field, model: model, collector: collector))
                } else if let model = modelsByAggregate[field.name] {
                    queries.append(try aggregateQuery(field, model: model, collector: collector))
                }
            } catch {
                return responseBody(data: nil, errors: errors + [error])
            }
        }
        let limits = limits
        let outcome: Result<(answers: [String: [UInt8]], errors: [ResponseError]), ResponseError>
        do {
            let compiled = queries
            let cacheable = queries.map { isCacheable($0.sql) }
            outcome = .success(try await store.writer.read { db in
                var answers: [String: [UInt8]] = [:]
                var fieldErrors: [ResponseError] = []
                var budget = AnswerBudget(limits)
                for (query, cacheable) in zip(compiled, cacheable) {
                    let answer = try query.run(db, budget: budget, cacheable: cacheable, errors: &fieldErrors)
                    budget.spend(answer.count)
                    answers[query.responseKey] = answer
                }
                return (answers, fieldErrors)
            })
        } catch let error as ResponseError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(Self.databaseFailure(error, path: nil))
        }
        let results: [String: [UInt8]]
        switch outcome {
        case .success(let success):
            results = success.answers
            errors += success.errors
        case .failure(let error):
            errors.append(error)
            return responseBody(data: nil, errors: errors)
        }
        var writer = JSONWriter(capacity: results.values.reduce(64) { $0 + $1.count + 16 })
        writer.raw("{\"data\":{")
        for (index, field) in fields.enumerated() {
            if index > 0 { writer.raw(UInt8(ascii: ",")) }
            writer.key(field.responseKey)
            if field.name == "__typename" {
                writer.string(schemaModel.queryType)
            } else if IntrospectionExecutor.isIntrospectionRoot(field.name) {
                writer.write(introspected[field.responseKey] ?? .null)
            } else if let answer = results[field.responseKey] {
                writer.raw(answer)
            } else {
                // Validation admits no other root field; null rather than a crash if one slips by.
                writer.null()
            }
        }
        writer.raw(UInt8(ascii: "}"))
        if !errors.isEmpty {
            writer.raw(",\"errors\":")
            writer.write(errors: errors)
        }
        writer.raw(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// A collection field compiled to SQL, ready to run.
    struct CollectionQuery: RootFieldQuery {
        let responseKey: String
        let sql: String
        let arguments: [DatabaseValue]
        let projection: Projection
        let locations: [ResponseError.Location]
        /// The per-key window and the paging after it, applied to the rows as they come.
        var window: RowWindow? = nil

        func run(_ db: Database, budget: AnswerBudget, cacheable: Bool, errors: inout [ResponseError]) throws -> [UInt8] {
            // Prepared statements are kept for reuse only for a bounded set of SQL texts: a
            // client can write endlessly many filter shapes.
            let statement = cacheable ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments))
            var writer = JSONWriter(capacity: 4096)
            writer.raw(UInt8(ascii: "["))
            var count = 0
            var window = self.window
            while let row = try cursor.next() {
                if window != nil {
                    let decision = window!.admit(row)
                    if decision == .stop { break }
                    if decision == .skip { continue }
                }
                try budget.checkRows(count, field: responseKey, locations: locations)
                if count > 0 { writer.raw(UInt8(ascii: ",")) }
                projection.write(row, to: &writer)
                count += 1
                try budget.checkBytes(writer.bytes.count, field: responseKey, locations: locations)
            }
            writer.raw(UInt8(ascii: "]"))
            return writer.bytes
        }
    }

    func collectionQuery(_ field: CollectedField, model: Model, collector: FieldCollector) throws(ResponseError) -> CollectionQuery {
        let path: [PathElement] = [.key(field.responseKey)]
        guard let definition = schemaModel.query?.field(field.name) else {
            throw ResponseError("Unknown field \(field.name)", locations: field.locations, path: path)
        }
        let arguments = try coercion.coerceArguments(field.arguments, of: definition, variables: collector.variables, path: path)
        let compiler = SQLCompiler(model: model)
        do throws(QueryArgumentError) {
            let filter = try compiler.compile(filter: arguments["filter"]?.objectValue ?? [:])
            let order = try compiler.compile(order: arguments["order"]?.arrayValue ?? [])
            let limit = try Self.nonNegative(arguments["limit"], name: "limit")
            let offset = try Self.nonNegative(arguments["offset"], name: "offset") ?? 0
            var projection = Projection(model: model, fields: collector.collect(subfieldsOf: field, on: model.typeName))
            let partition = try compiler.partitionFields(arguments["partitionBy"])
            let limitPerKey = try Self.nonNegative(arguments["limitPerKey"], name: "limitPerKey")
            let offsetPerKey = try Self.nonNegative(arguments["offsetPerKey"], name: "offsetPerKey")
            if limitPerKey != nil || offsetPerKey != nil {
                // The per-key window is applied while the rows stream from the field's own
                // ordered query: a count per partition, then limit and offset on what is kept.
                // (SQLite's row_number() window cost more than the rows it saved: it sorts
                // each partition and then the answer again.)
                let window = RowWindow(
                    partition: partition.map { projection.include($0) }, offsetPerKey: offsetPerKey ?? 0, limitPerKey: limitPerKey,
                    offset: offset, limit: limit)
                let sql = "SELECT \(projection.selectList) FROM \(Store.quote(model.collection)) WHERE \(filter.sql) ORDER BY \(order)"
                return CollectionQuery(
                    responseKey: field.responseKey, sql: sql, arguments: filter.arguments, projection: projection,
                    locations: field.locations, window: window)
            }
            let sql = """
                SELECT \(projection.selectList) FROM \(Store.quote(model.collection)) \
                WHERE \(filter.sql) ORDER BY \(order) LIMIT ? OFFSET ?
                """
            return CollectionQuery(
                responseKey: field.responseKey, sql: sql, arguments: filter.arguments + [(limit ?? -1).databaseValue, offset.databaseValue],
                projection: projection, locations: field.locations)
        } catch {
            throw ResponseError(error.message, code: "BAD_USER_INPUT", locations: field.locations, path: path)
        }
    }

    /// A database error for the client: its code and message, never the SQL text.
    static func databaseFailure(_ error: any Error, path: [PathElement]?) -> ResponseError {
        let message = (error as? DatabaseError).map { "SQLite error \($0.resultCode.rawValue): \($0.message ?? "unknown")" } ?? "\(error)"
        return ResponseError("Database error: \(message)", code: "INTERNAL_SERVER_ERROR", path: path)
    }

    static func nonNegative(_ value: JSON?, name: String) throws(QueryArgumentError) -> Int? {
        guard let value, case .int(let number) = value else { return nil }
        guard number >= 0 else { throw QueryArgumentError(message: "\(name) must not be negative, got \(number)") }
        return number
    }

    /// Whether a statement for this SQL may join the prepared-statement cache.
    func isCacheable(_ sql: String) -> Bool {
        cachedSQL.withLock { cached in
            if cached.contains(sql) { return true }
            guard cached.count < statementCacheLimit else { return false }
            cached.insert(sql)
            return true
        }
    }

    // MARK: Response

    func responseBody(data: [UInt8]?, errors: [ResponseError]) -> [UInt8] {
        var writer = JSONWriter(capacity: (data?.count ?? 0) + 256)
        writer.raw("{\"data\":")
        if let data { writer.raw(data) } else { writer.null() }
        if !errors.isEmpty {
            writer.raw(",\"errors\":")
            writer.write(errors: errors)
        }
        writer.raw(UInt8(ascii: "}"))
        return writer.bytes
    }
}
