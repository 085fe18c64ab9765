/// Why an upstream request failed, with a message that names the URL.
public struct UpstreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable classification of the failure.
    public enum Kind: Sendable, Hashable {
        /// The connect or request timeout expired.
        case timeout
        /// Nothing listens at the host and port (the connection attempt got `ECONNREFUSED`).
        case connectionRefused
        /// The connection could not be made for another reason: unknown host, unreachable network.
        case connectFailed
        /// The server answered with a status outside 2xx (only from ``UpstreamClient/postJSON(url:body:headers:timeouts:)``).
        case httpStatus(Int)
        /// The server answered 2xx with a body that is not JSON.
        case malformedBody
        /// The response body is larger than ``UpstreamClient/Configuration/maxResponseBytes``.
        case responseTooLarge
        /// The awaiting task was cancelled; the transfer was stopped.
        case cancelled
        /// The client was shut down before the request finished.
        case shutdown
        /// Any other libcurl failure, with its `CURLcode`.
        case transport(code: UInt32)
    }

    /// The classification of the failure.
    public var kind: Kind
    /// The URL of the failed request.
    public var url: String
    /// A sentence a user can act on, naming the URL.
    public var message: String

    public init(kind: Kind, url: String, message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    public var description: String { message }
}

extension UpstreamError {
    static func timeout(url: String, detail: String) -> UpstreamError {
        UpstreamError(kind: .timeout, url: url, message: "request to \(url) timed out (\(detail))")
    }

    static func connectionRefused(url: String) -> UpstreamError {
        UpstreamError(kind: .connectionRefused, url: url, message: "connection refused by \(url)")
    }

    static func connectFailed(url: String, detail: String) -> UpstreamError {
        UpstreamError(kind: .connectFailed, url: url, message: "could not connect to \(url) (\(detail))")
    }

    static func httpStatus(_ status: Int, url: String) -> UpstreamError {
        UpstreamError(kind: .httpStatus(status), url: url, message: "\(url) answered HTTP \(status)")
    }

    static func malformedBody(url: String, detail: String) -> UpstreamError {
        UpstreamError(kind: .malformedBody, url: url, message: "\(url) answered a body that is not JSON: \(detail)")
    }

    static func responseTooLarge(url: String, limit: Int) -> UpstreamError {
        UpstreamError(
            kind: .responseTooLarge, url: url,
            message: "response from \(url) is larger than the limit of \(limit) bytes"
        )
    }

    static func cancelled(url: String) -> UpstreamError {
        UpstreamError(kind: .cancelled, url: url, message: "request to \(url) was cancelled")
    }

    static func shutdown(url: String) -> UpstreamError {
        UpstreamError(kind: .shutdown, url: url, message: "request to \(url) failed: the upstream client is shut down")
    }

    static func transport(code: UInt32, url: String, detail: String) -> UpstreamError {
        UpstreamError(kind: .transport(code: code), url: url, message: "request to \(url) failed: \(detail) (curl error \(code))")
    }
}
