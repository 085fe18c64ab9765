/// What an upstream service speaks, and so how the gateway fetches rows from it by key.
public enum SubgraphProtocol: String, Sendable, Hashable, CaseIterable {
    /// The model protocol (../shared/design/subgraph-protocol.md): collections filtered with `_in`.
    case model
    /// Any GraphQL service: its root fields are forwarded; models on it may declare lookups.
    case graphql
    /// An Apollo Federation v2 subgraph: entities resolved with `_entities`.
    case federation
}

/// One upstream GraphQL service the gateway talks to.
public struct SubgraphConfig: Sendable, Hashable {
    /// A header sent on every request to the subgraph.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A client header forwarded to the subgraph with every upstream request of that client's
    /// request (`propagate:`).
    public struct PropagatedHeader: Sendable, Hashable {
        /// The client's header, as written; header names ignore case.
        public var name: String
        /// The name sent upstream: `rename`, or ``name``.
        public var upstreamName: String
        /// Sent when the client did not send the header.
        public var defaultValue: String?
        /// Whether a client request without the header, when there is no default, is refused
        /// before anything is sent upstream.
        public var required: Bool

        /// - Parameters:
        ///   - upstreamName: default `name`.
        ///   - defaultValue: default none.
        ///   - required: default false.
        public init(name: String, upstreamName: String? = nil, defaultValue: String? = nil, required: Bool = false) {
            self.name = name
            self.upstreamName = upstreamName ?? name
            self.defaultValue = defaultValue
            self.required = required
        }

        /// Whether a client request without the header is refused: required, and no default to send instead.
        public var refusesWhenMissing: Bool { required && defaultValue == nil }
    }

    public var name: String
    /// The GraphQL endpoint, `http` or `https`, environment variables already substituted.
    public var url: String
    /// What the service speaks (default: the model protocol).
    public var `protocol`: SubgraphProtocol
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    /// In declaration order.
    public var headers: [Header]
    /// Client headers forwarded to the subgraph, in declaration order.
    public var propagate: [PropagatedHeader]
    /// Largest answer taken from the subgraph; a larger one fails its fetch unread
    /// (`maxResponseBytes:`, default 16 MiB): what one upstream answer can cost in memory.
    public var maxResponseBytes: Int
    /// Where the subgraph is declared; nil for configurations built in code.
    public var location: SourceLocation?

    /// - Parameters:
    ///   - connectTimeout: default 2 s.
    ///   - requestTimeout: default 30 s.
    ///   - headers: default none.
    ///   - propagate: default none.
    ///   - protocol: default `.model`.
    ///   - maxResponseBytes: default ``defaultMaxResponseBytes``.
    ///   - location: default nil.
    public init(
        name: String, url: String, connectTimeout: Duration = SubgraphConfig.defaultConnectTimeout,
        requestTimeout: Duration = SubgraphConfig.defaultRequestTimeout, headers: [Header] = [],
        propagate: [PropagatedHeader] = [], protocol: SubgraphProtocol = .model,
        maxResponseBytes: Int = SubgraphConfig.defaultMaxResponseBytes, location: SourceLocation? = nil
    ) {
        self.maxResponseBytes = maxResponseBytes
        self.name = name
        self.url = url
        self.protocol = `protocol`
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.headers = headers
        self.propagate = propagate
        self.location = location
    }

    public static let defaultConnectTimeout: Duration = .seconds(2)
    public static let defaultRequestTimeout: Duration = .seconds(30)
    /// 16 MiB, as much as the gateway's own response (`limits.maxResponseBytes`) and a demo
    /// subgraph's (`--max-response-bytes`).
    public static let defaultMaxResponseBytes = 16 * 1024 * 1024
}
