import GatewayJSON
import Logging

/// An HTTP client for the gateway's upstream requests, over libcurl.
///
/// One curl multi handle, driven by one dedicated thread, runs every transfer of the client and
/// keeps connections alive for reuse (at most ``Configuration/maxConnectionsPerHost`` per host).
/// Callers `await` each request; cancelling the awaiting task stops its transfer.
///
/// ```swift
/// let client = UpstreamClient()
/// let answer = try await client.postJSON(url: "http://127.0.0.1:4003/graphql", body: query)
/// client.shutdown()
/// ```
///
/// Call ``shutdown()`` when done; releasing the last reference also shuts the client down.
public final class UpstreamClient: Sendable {
    /// The settings the client was created with.
    public let configuration: Configuration
    private let multi: CurlMulti
    private let logger: Logger

    /// Creates a client and starts its driver thread.
    /// - Parameters:
    ///   - configuration: Connection limits, default timeouts and the response size limit.
    ///   - logger: Receives failed requests at `debug` level; nothing is logged at `info` or above.
    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "gateway.upstream")) {
        self.configuration = configuration
        self.logger = logger
        self.multi = CurlMulti(configuration: configuration)
    }

    deinit {
        multi.shutdown()
    }

    /// Sends a POST request and returns the response, whatever its HTTP status.
    ///
    /// The request carries `Content-Type: application/json` unless `headers` sets another one.
    /// - Parameters:
    ///   - url: An `http` or `https` URL.
    ///   - body: The request body, sent as is.
    ///   - headers: Extra header fields; an empty value sends the field with no value.
    ///   - timeouts: Overrides ``Configuration/timeouts`` for this request.
    ///   - maxResponseBytes: Overrides ``Configuration/maxResponseBytes`` for this request.
    /// - Throws: ``UpstreamError`` for transport failures, timeouts, an over-large response,
    ///   cancellation of the calling task and shutdown; never for an HTTP status.
    public func post(
        url: String,
        body: [UInt8],
        headers: [(String, String)] = [],
        timeouts: Timeouts? = nil,
        maxResponseBytes: Int? = nil
    ) async throws(UpstreamError) -> UpstreamResponse {
        let id = multi.makeRequestID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: UpstreamRequest.Continuation) in
                let request = UpstreamRequest(
                    id: id,
                    url: url,
                    body: body,
                    headers: headers,
                    timeouts: timeouts ?? configuration.timeouts,
                    maxResponseBytes: maxResponseBytes ?? configuration.maxResponseBytes,
                    continuation: continuation
                )
                // A request the driver will never see is answered here instead.
                if let rejection = multi.submit(request) {
                    continuation.resume(returning: .failure(rejection))
                }
            }
        } onCancel: { [multi] in
            multi.cancel(id: id)
        }
        if case .failure(let error) = result {
            logger.debug("upstream request failed", metadata: ["url": "\(url)", "error": "\(error.message)"])
        }
        return try result.get()
    }

    /// Sends a POST request and parses its 2xx response body as JSON.
    ///
    /// - Parameters:
    ///   - url: An `http` or `https` URL.
    ///   - body: The request body, usually JSON, sent as is.
    ///   - headers: Extra header fields.
    ///   - timeouts: Overrides ``Configuration/timeouts`` for this request.
    /// - Throws: ``UpstreamError``: what ``post(url:body:headers:timeouts:)`` throws, plus
    ///   ``UpstreamError/Kind/httpStatus(_:)`` for a status outside 2xx and
    ///   ``UpstreamError/Kind/malformedBody`` for a body that is not JSON.
    public func postJSON(
        url: String,
        body: [UInt8],
        headers: [(String, String)] = [],
        timeouts: Timeouts? = nil
    ) async throws(UpstreamError) -> JSON {
        let response = try await post(url: url, body: body, headers: headers, timeouts: timeouts)
        guard response.isSuccess else {
            throw .httpStatus(response.status, url: url)
        }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw .malformedBody(url: url, detail: error.description)
        }
    }

    /// Fails every pending request with ``UpstreamError/Kind/shutdown``, stops the driver thread
    /// and closes all connections. Later requests fail with the same error at once.
    ///
    /// Blocks until the driver thread has exited, which takes about one loop turn. Calling it
    /// more than once is harmless.
    public func shutdown() {
        multi.shutdown()
    }

    /// Counters since the client was created.
    public var statistics: Statistics {
        multi.statistics
    }
}
