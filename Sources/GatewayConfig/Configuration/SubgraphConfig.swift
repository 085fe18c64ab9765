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

    public var name: String
    /// The GraphQL endpoint, `http` or `https`, environment variables already substituted.
    public var url: String
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    /// In declaration order.
    public var headers: [Header]
    /// Where the subgraph is declared; nil for configurations built in code.
    public var location: SourceLocation?

    /// - Parameters:
    ///   - connectTimeout: default 2 s.
    ///   - requestTimeout: default 30 s.
    ///   - headers: default none.
    ///   - location: default nil.
    public init(
        name: String, url: String, connectTimeout: Duration = SubgraphConfig.defaultConnectTimeout,
        requestTimeout: Duration = SubgraphConfig.defaultRequestTimeout, headers: [Header] = [],
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.url = url
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.headers = headers
        self.location = location
    }

    public static let defaultConnectTimeout: Duration = .seconds(2)
    public static let defaultRequestTimeout: Duration = .seconds(30)
}
