/// What the gateway's executor needs from an HTTP client: one POST, answered or failed.
///
/// ``UpstreamClient`` is the real one. Others answer from memory, so that the planner and
/// executor can be exercised and measured without sockets (canned subgraph answers, or
/// subgraph engines running in the same process).
public protocol UpstreamTransport: Sendable {
    /// - Parameter maxResponseBytes: the largest answer taken (nil: the transport's own bound).
    func post(
        url: String, body: [UInt8], headers: [(String, String)], timeouts: UpstreamClient.Timeouts?, maxResponseBytes: Int?
    ) async throws(UpstreamError) -> UpstreamResponse
}

extension UpstreamClient: UpstreamTransport {}
