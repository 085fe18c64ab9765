import Tracing

/// What one client request brings to its execution besides the operation: the headers its
/// upstream requests carry, per subgraph, and the trace its fetches belong to.
///
/// The server builds it from the client's request (it knows HTTP; the executor does not) and
/// passes it into ``GatewayExecutor/execute(plan:request:document:operation:variables:rawBody:context:)``;
/// every upstream request of the execution (root, relationship, forwarded, lookups, writes,
/// aggregates, undo) sends the subgraph's configured headers followed by these. Plans never
/// hold a client's headers, so one cached plan serves every client.
public struct RequestContext: Sendable {
    /// Extra header fields by subgraph name, in the order they are sent.
    public var headers: [String: [(String, String)]]
    /// The operation's trace, when tracing is on: each fetch of the plan gets a span under
    /// it, and that fetch's upstream requests carry the span in `traceparent`.
    public var trace: Trace?

    /// Where an execution's spans go.
    public struct Trace: Sendable {
        public var tracer: any Tracer
        /// The parent of the fetches' spans (the operation's `execute` span).
        public var parent: ServiceContext

        public init(tracer: any Tracer, parent: ServiceContext) {
            self.tracer = tracer
            self.parent = parent
        }
    }

    /// - Parameters:
    ///   - headers: default none.
    ///   - trace: default none (no spans).
    public init(headers: [String: [(String, String)]] = [:], trace: Trace? = nil) {
        self.headers = headers
        self.trace = trace
    }

    /// No headers for any subgraph.
    public static let empty = RequestContext()
}
