import GatewayExecution
import GatewayJSON
import GraphQL
import GraphQLSupport
import Logging
import QueryPlanner
import Supergraph
import Synchronization
import Upstream

/// The gateway's request pipeline: parse and validate (cached by query text), coerce the
/// variables, plan (cached by query text, operation name and the Boolean variables that
/// `@skip`/`@include` read), execute.
public final class Gateway: Sendable {
    public let supergraph: Supergraph
    public let executor: GatewayExecutor
    public let metrics: GatewayMetrics
    let documents: DocumentCache
    let planner: QueryPlanner
    let coercion: InputCoercion
    let plans: Mutex<[String: QueryPlan]>
    let planCapacity = 1_000
    /// Bounds how many operations execute at once (and so the memory they hold).
    let limiter: ConcurrencyLimiter

    /// - Parameters:
    ///   - maxConcurrentOperations: how many operations execute at once; more wait their turn
    ///     (default 32).
    public init(
        supergraph: Supergraph, client: any UpstreamTransport, metrics: GatewayMetrics = GatewayMetrics(),
        configuration: GatewayExecutor.Configuration = .init(), maxConcurrentOperations: Int = 32,
        logger: Logger = Logger(label: "gateway")
    ) {
        limiter = ConcurrencyLimiter(limit: max(1, maxConcurrentOperations))
        self.supergraph = supergraph
        self.metrics = metrics
        self.executor = GatewayExecutor(
            supergraph: supergraph, client: client, configuration: configuration, logger: logger,
            observer: { subgraph, bytes in metrics.upstreamRequest(subgraph: subgraph, responseBytes: bytes) })
        documents = DocumentCache(schema: supergraph.schema)
        planner = QueryPlanner(supergraph: supergraph)
        coercion = InputCoercion(schema: supergraph.schemaModel)
        plans = Mutex([:])
    }

    /// What a request turned into before execution: its plan, or the errors that stop it.
    public struct Prepared: Sendable {
        public var plan: QueryPlan
        public var document: PreparedDocument
        public var operation: OperationDefinition
        public var variables: JSONObject
    }

    /// Validates a request and plans it.
    public func prepare(_ request: GraphQLRequestBody) throws(DocumentCache.ValidationFailure) -> Prepared {
        let document = try documents.prepare(request.query)
        let operation: OperationDefinition
        let variables: JSONObject
        do throws(ResponseError) {
            operation = try document.operation(named: request.operationName)
            if operation.operation == .subscription {
                throw ResponseError("Subscriptions are not supported.", code: "BAD_REQUEST")
            }
            variables = try coercion.coerceVariables(operation.variableDefinitions, values: request.variables)
        } catch {
            throw DocumentCache.ValidationFailure(errors: [error])
        }
        let key = planKey(request, operation: operation, variables: variables)
        if let plan = plans.withLock({ $0[key] }) {
            return Prepared(plan: plan, document: document, operation: operation, variables: variables)
        }
        let plan: QueryPlan
        do {
            plan = try planner.plan(document: document, operation: operation, variables: variables)
        } catch {
            throw DocumentCache.ValidationFailure(errors: [error])
        }
        plans.withLock { plans in
            if plans.count >= planCapacity { plans.removeAll(keepingCapacity: true) }
            plans[key] = plan
        }
        return Prepared(plan: plan, document: document, operation: operation, variables: variables)
    }

    /// The plan cache key: `@skip`/`@include` conditions can only read Boolean variables, so
    /// their values are part of it, and so is every filter or order variable that names a
    /// relationship (those are resolved by plans of their own shape).
    func planKey(_ request: GraphQLRequestBody, operation: OperationDefinition, variables: JSONObject) -> String {
        var key = request.query + "\u{1}" + (request.operationName ?? "")
        for definition in operation.variableDefinitions {
            let type = SchemaModel.typeRef(definition.type)
            let value = variables[definition.variable.name.value]
            if type.namedType == "Boolean", !type.isList {
                switch value {
                case .bool(true)?: key += "\u{1}t"
                case .bool(false)?: key += "\u{1}f"
                default: key += "\u{1}-"
                }
            } else if supergraph.filterTypes[type.namedType] != nil || supergraph.orderTypes[type.namedType] != nil {
                // Which relationships a filter or order names shapes the plan.
                if let value, supergraph.usesRelationships(value, inputType: type.namedType) {
                    key += "\u{1}" + value.description
                } else {
                    key += "\u{1}-"
                }
            }
        }
        return key
    }

    /// Answers a GraphQL request: the response body, and how long it waited on upstream.
    ///
    /// - Parameters:
    ///   - rawBody: the body as it came over HTTP, forwarded unchanged when one subgraph serves
    ///     the whole operation (nil: encoded again from `request`).
    public func execute(_ request: GraphQLRequestBody, rawBody: [UInt8]? = nil) async -> GatewayExecutor.Execution {
        metrics.request()
        let prepared: Prepared
        do {
            prepared = try prepare(request)
        } catch {
            metrics.rejected()
            return .init(body: errorResponseBody(error.errors))
        }
        return await limiter.run {
            await executor.execute(
                plan: prepared.plan, request: request, document: prepared.document, operation: prepared.operation,
                variables: prepared.variables, rawBody: rawBody)
        }
    }

    /// The plan of a request, as JSON and text (`POST /explain`).
    public func explain(_ request: GraphQLRequestBody) -> [UInt8] {
        do {
            let prepared = try prepare(request)
            let writePlans = executor.writePlans(for: prepared.plan, variables: prepared.variables)
            var body = prepared.plan.json(writePlans: writePlans).objectValue ?? [:]
            body["text"] = .string(prepared.plan.explained(writePlans: writePlans))
            return Array(JSON.object(["plan": .object(body)]).description.utf8)
        } catch {
            return errorResponseBody(error.errors)
        }
    }
}
