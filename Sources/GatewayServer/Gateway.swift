import GatewayConfig
import GatewayEdge
import GatewayExecution
import GatewayJSON
import GraphQL
import GraphQLSupport
import Logging
import QueryPlanner
import Supergraph
import Synchronization
import Tracing
import Upstream

/// The gateway's request pipeline: parse and validate (cached by query text), coerce the
/// variables, check the operation limits (measured once per document and operation), plan
/// (cached by query text, operation name and the Boolean variables that `@skip`/`@include`
/// read), check the client's required headers for the subgraphs the plan touches, execute
/// with the client's headers for upstream.
public final class Gateway: Sendable {
    public let supergraph: Supergraph
    public let executor: GatewayExecutor
    public let metrics: GatewayMetrics
    /// What one operation may ask (`limits:` in gateway.yaml).
    public let limits: OperationLimits
    /// Which client headers each subgraph gets (`propagate:` in gateway.yaml).
    public let propagation: HeaderPropagation
    let documents: DocumentCache
    let planner: QueryPlanner
    let coercion: InputCoercion
    let plans: Mutex<[String: QueryPlan]>
    let planCapacity = 1_000
    let analyzer: OperationAnalyzer
    /// Each operation's measure, by query text and operation name (variables only change the
    /// cost, which the measure computes from them).
    let analyses: Mutex<[AnalysisKey: OperationAnalysis]>
    /// Bounds how many operations execute at once (and so the memory they hold).
    let limiter: ConcurrencyLimiter
    /// Automatic persisted queries and the allow-list (`persistedQueries:` in gateway.yaml).
    public let persistedQueries: PersistedQueries
    /// Where operations' spans go (``OperationTrace``); nil: no tracing, nothing timed.
    public let tracer: (any Tracer)?

    /// - Parameters:
    ///   - configuration: the executor's; its `maxResponseBytes` is replaced by the limits'.
    ///   - maxConcurrentOperations: how many operations execute at once; more wait their turn
    ///     (default 32).
    ///   - limiter: shared with the gateways this one replaces or is replaced by on a reload, so
    ///     that the bound holds across them (default a new one of `maxConcurrentOperations`).
    ///   - limits: default the supergraph configuration's (`limits:` in gateway.yaml).
    public init(
        supergraph: Supergraph, client: any UpstreamTransport, metrics: GatewayMetrics = GatewayMetrics(),
        configuration: GatewayExecutor.Configuration = .init(), maxConcurrentOperations: Int = 32,
        limiter: ConcurrencyLimiter? = nil, limits: OperationLimits? = nil, tracer: (any Tracer)? = nil,
        logger: Logger = Logger(label: "gateway")
    ) {
        self.tracer = tracer
        // The loader has read the allow-list already (``SupergraphLoader``); should it fail
        // here after all, nothing is allowed rather than everything.
        persistedQueries = (try? PersistedQueries(supergraph.configuration.persistedQueries)) ?? PersistedQueries(capacity: 0, allowed: [])
        self.limiter = limiter ?? ConcurrencyLimiter(limit: max(1, maxConcurrentOperations))
        let limits = limits ?? supergraph.configuration.limits
        var configuration = configuration
        configuration.maxResponseBytes = limits.maxResponseBytes
        self.limits = limits
        self.propagation = HeaderPropagation(subgraphs: supergraph.configuration.subgraphs)
        self.analyzer = OperationAnalyzer(schema: supergraph.schemaModel, defaultListSize: limits.defaultListSize)
        self.analyses = Mutex([:])
        self.supergraph = supergraph
        self.metrics = metrics
        self.executor = GatewayExecutor(
            supergraph: supergraph, client: client, configuration: configuration, logger: logger,
            observer: { metrics.upstreamRequest($0) })
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

    /// Validates a request, checks it against the operation limits, and plans it.
    ///
    /// - Parameter trace: gets the parse, validation and planning spans (default none).
    public func prepare(_ request: GraphQLRequestBody) throws(DocumentCache.ValidationFailure) -> Prepared {
        try prepare(request, trace: nil)
    }

    func prepare(_ request: GraphQLRequestBody, trace: OperationTrace?) throws(DocumentCache.ValidationFailure) -> Prepared {
        let document = try documents.prepare(request.query, observe: trace.map { trace in { trace.document($0, $1) } })
        let operation: OperationDefinition
        let variables: JSONObject
        do throws(ResponseError) {
            operation = try document.operation(named: request.operationName)
            if operation.operation == .subscription {
                throw ResponseError("Subscriptions are not supported.", code: "BAD_REQUEST")
            }
            trace?.named(operation)
            guard persistedQueries.allows(request.query, operation: operation, document: document) else {
                throw PersistedQueries.notAllowed
            }
            variables = try coercion.coerceVariables(operation.variableDefinitions, values: request.variables)
        } catch {
            throw DocumentCache.ValidationFailure(errors: [error])
        }
        let violations = limits.violations(of: analysis(request, document: document, operation: operation), variables: variables)
        guard violations.isEmpty else { throw DocumentCache.ValidationFailure(errors: violations) }
        // Read only when traced: an untraced request reads no clock here.
        let planning = trace == nil ? nil : ContinuousClock.now
        let key = planKey(request, operation: operation, variables: variables)
        if let plan = plans.withLock({ $0[key] }) {
            metrics.planCache(hit: true)
            if let trace, let planning { trace.record("graphql.plan", planning..<ContinuousClock.now, attributes: ["gateway.cached": true]) }
            return Prepared(plan: plan, document: document, operation: operation, variables: variables)
        }
        metrics.planCache(hit: false)
        let plan: QueryPlan
        do {
            defer { if let trace, let planning { trace.record("graphql.plan", planning..<ContinuousClock.now) } }
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

    /// The operation's measure for the limits, made once per query text and operation name.
    func analysis(_ request: GraphQLRequestBody, document: PreparedDocument, operation: OperationDefinition) -> OperationAnalysis {
        let key = AnalysisKey(query: request.query, operationName: request.operationName)
        if let known = analyses.withLock({ $0[key] }) { return known }
        let analysis = analyzer.analyze(operation, in: document)
        analyses.withLock { analyses in
            if analyses.count >= planCapacity { analyses.removeAll(keepingCapacity: true) }
            analyses[key] = analysis
        }
        return analysis
    }

    /// Query text and operation name, hashed as they are (no concatenated copy of the text).
    struct AnalysisKey: Hashable {
        var query: String
        var operationName: String?
    }

    /// Every subgraph a prepared request can send a request to: its plan's, and for nested
    /// creates, those of their write plans for this input.
    func subgraphs(of prepared: Prepared) -> Set<String> {
        var names = prepared.plan.subgraphs
        for case .success(let plan) in executor.writePlans(for: prepared.plan, variables: prepared.variables).values {
            names.formUnion(plan.subgraphs)
        }
        return names
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
    ///   - headers: the client's header fields that some subgraph gets
    ///     (``HeaderPropagation/clientHeaderNames``; others are ignored).
    ///   - traceParent: the trace the client's request belongs to (its `traceparent`), when
    ///     the gateway traces; default: a new trace.
    public func execute(
        _ sent: GraphQLRequestBody, rawBody: [UInt8]? = nil, headers: [(name: String, value: String)] = [],
        traceParent: ServiceContext? = nil
    ) async -> GatewayExecutor.Execution {
        let started = ContinuousClock.now
        metrics.request()
        let trace = tracer.map { OperationTrace(tracer: $0, parent: traceParent) }
        let execution = await answer(sent, rawBody: rawBody, headers: headers, trace: trace)
        trace?.finish(execution)
        metrics.answered(duration: started.duration(to: .now), errorCodes: execution.errorCodes, rejected: execution.isRequestError)
        return execution
    }

    /// A request refused before execution, with its errors.
    static func refused(_ errors: [ResponseError]) -> GatewayExecutor.Execution {
        .init(body: errorResponseBody(errors), isRequestError: true, errorCodes: errors.map(\.code))
    }

    func answer(
        _ sent: GraphQLRequestBody, rawBody: [UInt8]?, headers: [(name: String, value: String)], trace: OperationTrace?
    ) async -> GatewayExecutor.Execution {
        let prepared: Prepared
        let request: GraphQLRequestBody
        do {
            request = try persistedQueries.resolve(sent)
            prepared = try prepare(request, trace: trace)
        } catch let error as DocumentCache.ValidationFailure {
            return Self.refused(error.errors)
        } catch let error as ResponseError {
            return Self.refused([error])
        } catch {
            return Self.refused([ResponseError("\(error)", code: "INTERNAL_SERVER_ERROR")])
        }
        var context = RequestContext.empty
        if !propagation.isEmpty {
            let client = HeaderPropagation.ClientHeaders(headers)
            if propagation.refusesMissing {
                let missing = propagation.missing(in: client, subgraphs: subgraphs(of: prepared))
                guard missing.isEmpty else { return Self.refused(missing) }
            }
            context = propagation.context(for: client)
        }
        context.trace = trace?.executing()
        return await limiter.run {
            await executor.execute(
                plan: prepared.plan, request: request, document: prepared.document, operation: prepared.operation,
                variables: prepared.variables, rawBody: rawBody, context: context)
        }
    }

    /// The kind of operation a request would run (after resolving a persisted query), or nil
    /// when it does not get that far (its execution then says why).
    public func operationType(of sent: GraphQLRequestBody) -> OperationType? {
        guard let request = try? persistedQueries.resolve(sent), let document = try? documents.prepare(request.query),
            let operation = try? document.operation(named: request.operationName)
        else { return nil }
        return operation.operation
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
