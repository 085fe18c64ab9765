/// How the gateway treats its subgraphs under failure (`traffic:` in gateway.yaml).
public struct TrafficConfig: Sendable, Hashable {
    /// The most one operation may take upstream: every fetch's request timeout is cut to what
    /// is left of it, and a fetch that would start after it fails at once (default 60 s: two
    /// sequential fetches of the default 30 s request timeout).
    public var operationTimeout: Duration
    /// How many times a request of a query operation is sent again when the connection could
    /// not be made (nothing was sent, so it is safe); mutations are never retried (default 1).
    public var retries: Int
    /// Consecutive failed requests to one subgraph after which the gateway stops sending it
    /// requests for ``breakerOpenFor``, then lets one probe through; 0 turns it off (default 5).
    public var breakerFailures: Int
    /// How long an open circuit refuses requests before a probe (default 10 s).
    public var breakerOpenFor: Duration

    public init(
        operationTimeout: Duration = .seconds(60), retries: Int = 1, breakerFailures: Int = 5, breakerOpenFor: Duration = .seconds(10)
    ) {
        self.operationTimeout = operationTimeout
        self.retries = retries
        self.breakerFailures = breakerFailures
        self.breakerOpenFor = breakerOpenFor
    }
}
