/// What one client request brings to its execution besides the operation: the headers its
/// upstream requests carry, per subgraph.
///
/// The server builds it from the client's request (it knows HTTP; the executor does not) and
/// passes it into ``GatewayExecutor/execute(plan:request:document:operation:variables:rawBody:context:)``;
/// every upstream request of the execution (root, relationship, forwarded, lookups, writes,
/// aggregates, undo) sends the subgraph's configured headers followed by these. Plans never
/// hold a client's headers, so one cached plan serves every client.
public struct RequestContext: Sendable {
    /// Extra header fields by subgraph name, in the order they are sent.
    public var headers: [String: [(String, String)]]

    /// - Parameters:
    ///   - headers: default none.
    public init(headers: [String: [(String, String)]] = [:]) {
        self.headers = headers
    }

    /// No headers for any subgraph.
    public static let empty = RequestContext()
}
