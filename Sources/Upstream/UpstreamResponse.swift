/// An HTTP response from an upstream server, whatever its status.
public struct UpstreamResponse: Sendable, Hashable {
    /// The HTTP status code, such as 200.
    public var status: Int
    /// The response body, exactly as received.
    public var body: [UInt8]
    /// From when the client's driver started the request to when it had the whole response,
    /// without the hand-offs between the caller's task and the driver thread; nil for a
    /// response the ``UpstreamClient`` did not receive.
    public var roundTrip: Range<ContinuousClock.Instant>?

    public init(status: Int, body: [UInt8], roundTrip: Range<ContinuousClock.Instant>? = nil) {
        self.status = status
        self.body = body
        self.roundTrip = roundTrip
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
