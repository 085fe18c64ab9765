/// An HTTP response from an upstream server, whatever its status.
public struct UpstreamResponse: Sendable, Hashable {
    /// The HTTP status code, such as 200.
    public var status: Int
    /// The response body, exactly as received.
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
