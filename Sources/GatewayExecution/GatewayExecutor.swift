import GatewayConfig
import GatewayJSON
import GraphQL
import GraphQLSupport
import Logging
import QueryPlanner
import Supergraph
import Upstream

/// Runs query plans: sends the fetches (independent ones concurrently, dependent ones as soon
/// as what they need has arrived) and writes the client's response from the answers.
///
/// It decides nothing about what to fetch; that is the plan's job.
public final class GatewayExecutor: Sendable {
    /// Execution limits and tuning.
    public struct Configuration: Sendable {
        /// Most join keys in one relationship request; more are split into requests sent
        /// concurrently (default 10,000).
        public var maxKeysPerFetch: Int
        /// Most errors reported for one failed fetch; the rest are summed up in one more
        /// error (default 100).
        public var maxErrorsPerFetch: Int
        /// Whether executions time their upstream round trips (``Execution/upstreamTime``);
        /// off by default, when the time is always zero and costs nothing.
        public var timesUpstream: Bool
        /// Largest response body written; a response that grows past it is replaced by an
        /// error naming the limit (default 16 MiB, `limits.maxResponseBytes`).
        public var maxResponseBytes: Int

        public init(
            maxKeysPerFetch: Int = 10_000, maxErrorsPerFetch: Int = 100, timesUpstream: Bool = false,
            maxResponseBytes: Int = OperationLimits().maxResponseBytes
        ) {
            self.maxKeysPerFetch = maxKeysPerFetch
            self.maxErrorsPerFetch = maxErrorsPerFetch
            self.timesUpstream = timesUpstream
            self.maxResponseBytes = maxResponseBytes
        }
    }

    public let supergraph: Supergraph
    /// How upstream requests are sent (an ``UpstreamClient`` in production).
    public let client: any UpstreamTransport
    public let configuration: Configuration
    let coercion: InputCoercion
    let introspection: IntrospectionExecutor
    let observer: (@Sendable (UpstreamObservation) -> Void)?
    let logger: Logger
    /// Deadlines, retries and circuit breaking (`traffic:` in gateway.yaml).
    let traffic: TrafficConfig
    let breakers: CircuitBreakers

    /// - Parameters:
    ///   - observer: called once for every upstream request sent, with its subgraph and the size
    ///     of the answer's body (0 when it failed), for metrics.
    public init(
        supergraph: Supergraph, client: any UpstreamTransport, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "gateway.executor"), observer: (@Sendable (UpstreamObservation) -> Void)? = nil
    ) {
        self.supergraph = supergraph
        self.client = client
        self.configuration = configuration
        self.coercion = InputCoercion(schema: supergraph.schemaModel)
        self.introspection = IntrospectionExecutor(schema: supergraph.schema)
        self.observer = observer
        self.logger = logger
        self.traffic = supergraph.configuration.traffic
        self.breakers = CircuitBreakers(supergraph.configuration.traffic)
    }

    /// One upstream request as metrics see it.
    public struct UpstreamObservation: Sendable {
        public var subgraph: String
        /// The answer's size (0 when the request failed).
        public var responseBytes: Int
        /// From when the request was asked for to its answer (the driver's round trip when it
        /// timed one) or its failure.
        public var duration: Duration
        /// Whether the request failed before an answer came (connection, timeout, size).
        public var failed: Bool
    }

    /// One execution of a plan.
    struct Run: Sendable {
        let plan: QueryPlan
        let request: GraphQLRequestBody
        /// The client's request body as it came, forwarded unchanged by a forward plan.
        let rawBody: [UInt8]?
        let variables: JSONObject
        let results: FetchResults
        let answers = AnswerDocuments()
        /// The round trips, when the configuration times them.
        let timeline: UpstreamTimeline?
        /// The client's headers for upstream, per subgraph.
        let context: RequestContext
        /// When the operation's upstream time is up (`traffic.operationTimeout`).
        let deadline: ContinuousClock.Instant
        /// Where the members of the plan's batches meet (nil: the plan has none).
        let batches: BatchRendezvous?
    }

    /// An executed operation: the response body, and the time spent waiting on upstream.
    public struct Execution: Sendable {
        public var body: [UInt8]
        /// How long at least one upstream request was in flight (their round trips' union):
        /// for sequential stages, the sum of their round trips. A response's round trip is
        /// timed by the upstream client's driver (``UpstreamResponse/roundTrip``); a failed
        /// request from when it was asked for to when it failed. Zero unless
        /// ``Configuration/timesUpstream`` is on.
        public var upstreamTime: Duration
        /// Whether the request was refused before execution (a document that does not parse or
        /// validate, variables that do not coerce, a limit, a missing header): GraphQL over
        /// HTTP answers those 400 under `application/graphql-response+json`.
        public var isRequestError: Bool
        /// The `extensions.code` of each error in the response, for metrics.
        public var errorCodes: [String]

        public init(body: [UInt8], upstreamTime: Duration = .zero, isRequestError: Bool = false, errorCodes: [String] = []) {
            self.body = body
            self.upstreamTime = upstreamTime
            self.isRequestError = isRequestError
            self.errorCodes = errorCodes
        }
    }

    /// Executes a plan and returns the response body with its upstream time.
    ///
    /// - Parameters:
    ///   - plan: the operation's plan.
    ///   - request: the client's request (forwarded as is by a forward plan).
    ///   - document: the validated document (for introspection fields).
    ///   - operation: the operation being run.
    ///   - variables: the client's variables, coerced.
    ///   - rawBody: the request body as it came, which a forward plan sends on unchanged
    ///     (nil: the request is encoded again).
    ///   - context: the client's headers for the subgraphs (default none).
    public func execute(
        plan: QueryPlan, request: GraphQLRequestBody, document: PreparedDocument, operation: OperationDefinition,
        variables: JSONObject, rawBody: [UInt8]? = nil, context: RequestContext = .empty
    ) async -> Execution {
        let run = Run(
            plan: plan, request: request, rawBody: rawBody, variables: variables, results: FetchResults(count: plan.fetches.count),
            timeline: configuration.timesUpstream ? UpstreamTimeline() : nil, context: context, deadline: .now + traffic.operationTimeout,
            batches: BatchRendezvous(plan))
        var introspectionValues: JSONObject = [:]
        var introspectionErrors: [ResponseError] = []
        if plan.shape.fields.contains(where: { if case .introspection = $0 { true } else { false } }) {
            async let introspected = introspect(plan: plan, document: document, operation: operation, variables: variables)
            await execute(plan.node, run)
            (introspectionValues, introspectionErrors) = await introspected
        } else {
            await execute(plan.node, run)
        }
        let outcomes = run.results.snapshot
        let upstreamTime = run.timeline?.busyTime ?? .zero

        // A forwarded request whose answer is clean goes back byte for byte.
        if case .fetch(let id) = plan.node, case .forward = plan.fetches[id].kind, case .forwarded(let bytes)? = outcomes[id] {
            guard bytes.count <= configuration.maxResponseBytes else {
                return Execution(body: responseTooLarge(plan), upstreamTime: upstreamTime)
            }
            return Execution(body: bytes, upstreamTime: upstreamTime)
        }
        var writer = ResponseWriter(
            plan: plan, outcomes: outcomes, introspection: introspectionValues, maxErrorsPerFetch: configuration.maxErrorsPerFetch,
            maxBytes: configuration.maxResponseBytes)
        writer.errors = introspectionErrors
        // The outcomes point into the answers: they live until the response is written.
        guard let body = withExtendedLifetime(run.answers, { writer.write() }) else {
            return Execution(body: responseTooLarge(plan), upstreamTime: upstreamTime, errorCodes: ["OPERATION_LIMIT"])
        }
        return Execution(body: body, upstreamTime: upstreamTime, errorCodes: writer.errors.map(\.code))
    }

    /// The answer in place of a response larger than ``Configuration/maxResponseBytes``:
    /// `data` is null, since the operation ran (a mutation's writes happened).
    func responseTooLarge(_ plan: QueryPlan) -> [UInt8] {
        let limit = configuration.maxResponseBytes
        var message =
            "The response is larger than \(limit) bytes, the limit (limits.maxResponseBytes in gateway.yaml); ask for fewer rows or fields."
        if plan.operation == .mutation { message += " The mutation was executed; only its response was dropped." }
        let error = ResponseError(
            message,
            extensions: ["code": "OPERATION_LIMIT", "limit": "maxResponseBytes", "maximum": .int(limit)])
        var writer = JSONWriter(capacity: 512)
        writer.raw("{\"data\":null,\"errors\":")
        writer.write(errors: [error])
        writer.raw(UInt8(ascii: "}"))
        return writer.bytes
    }

    func introspect(
        plan: QueryPlan, document: PreparedDocument, operation: OperationDefinition, variables: JSONObject
    ) async -> (JSONObject, [ResponseError]) {
        let keys = Set(plan.shape.fields.compactMap { field -> String? in
            if case .introspection(let key) = field { return key }
            return nil
        })
        guard !keys.isEmpty else { return ([:], []) }
        let collector = FieldCollector(schema: supergraph.schemaModel, fragments: document.fragments, variables: variables)
        let fields = collector.collect(operation.selectionSet.selections, on: plan.shape.typeName).filter { keys.contains($0.responseKey) }
        return await introspection.execute(fields: fields, operation: operation, document: document, variables: variables)
    }

    func execute(_ node: PlanNode, _ run: Run) async {
        switch node {
        case .empty:
            return
        case .sequence(let children):
            for child in children { await execute(child, run) }
        case .parallel(let children):
            await withTaskGroup(of: Void.self) { group in
                for child in children {
                    group.addTask { await self.execute(child, run) }
                }
            }
        case .fetch(let id):
            let fetch = run.plan.fetches[id]
            run.results.set(id, await traced(fetch, run) {
                switch fetch.kind {
                case .forward: await forward(fetch, run)
                case .write(let root): await writeFetch(fetch, root, run)
                case .aggregate(let aggregate): await aggregateFetch(fetch, aggregate, run)
                default: await rootFetch(fetch, run)
                }
            })
        case .flatten(_, let id):
            let fetch = run.plan.fetches[id]
            switch fetch.kind {
            case .relationship(let relationship):
                run.results.set(id, await traced(fetch, run) { await relationshipFetch(fetch, relationship, run) })
                // A batch member that returned without asking (no parents, a failure) drops out.
                run.batches?.finished(id)
            case .aggregate(let aggregate):
                run.results.set(id, await traced(fetch, run) { await aggregateFetch(fetch, aggregate, run) })
            default: return
            }
        }
    }
}
