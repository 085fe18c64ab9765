import Foundation
import GraphQLSupport
import Hummingbird
import Logging
import NIOCore
import Telemetry
import Tracing

/// What answers a subgraph's GraphQL requests: the model protocol's ``SubgraphService``, or
/// any other GraphQL engine (a demo subgraph that does not speak the model protocol).
public protocol SubgraphEndpoint: Sendable {
    /// The subgraph's name, for logs and the server header.
    var name: String { get }
    /// Largest request body accepted.
    var maxBodyBytes: Int { get }
    /// The answer to one request, as JSON bytes.
    func execute(_ request: GraphQLRequestBody) async -> [UInt8]
}

extension SubgraphService: SubgraphEndpoint {
    public var maxBodyBytes: Int { limits.maxBodyBytes }
}

/// Serves a ``SubgraphEndpoint`` over HTTP: `POST /graphql` and `GET /health`.
public enum SubgraphServer {
    /// Builds the Hummingbird application.
    ///
    /// - Parameters:
    ///   - service: the engine that answers operations.
    ///   - host: the address to bind (default 127.0.0.1).
    ///   - port: the port; 0 picks a free one.
    ///   - onRunning: called with the bound port once the server listens.
    ///   - latency: added to every `/graphql` answer, to make a slow network visible (demos,
    ///     and tests that show the gateway fetches concurrently).
    ///   - maxResponseBytes: the largest answer sent; a larger one is replaced by a
    ///     `RESPONSE_TOO_LARGE` error. ``SubgraphService`` stops writing before it gets there;
    ///     for other engines this is the check (default 16 MiB).
    ///   - logRequests: print `request START END` per `/graphql` request, in nanoseconds of
    ///     the system-wide monotonic clock, so other processes' times compare with them.
    ///   - tracer: when given, each `/graphql` request gets a server span, `subgraph NAME`,
    ///     continuing the trace of its `traceparent` (the gateway's fetch span).
    public static func application(
        service: some SubgraphEndpoint, host: String = "127.0.0.1", port: Int, logger: Logger,
        maxResponseBytes: Int = SubgraphService.Limits.defaultMaxResponseBytes, latency: Duration = .zero,
        logRequests: Bool = false, tracer: (any Tracer)? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/health") { _, _ -> Response in
            Self.json(status: .ok, #"{"status":"ok"}"#.utf8)
        }
        let maxBody = service.maxBodyBytes
        router.post("/graphql") { request, _ -> Response in
            let start = logRequests ? monotonicNanoseconds() : 0
            defer {
                if logRequests {
                    FileHandle.standardOutput.write(Data("request \(start) \(monotonicNanoseconds())\n".utf8))
                }
            }
            if latency > .zero { try? await Task.sleep(for: latency) }
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: maxBody)
            } catch {
                return Self.json(
                    status: .contentTooLarge,
                    #"{"errors":[{"message":"The request body is larger than \#(maxBody) bytes.","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}"#.utf8)
            }
            let decoded = buffer.withUnsafeReadableBytes { bytes in
                Result { () throws(ResponseError) in try GraphQLRequestBody(bytes: bytes) }
            }
            switch decoded {
            case .failure(let error):
                return Self.json(status: .badRequest, errorResponseBody([error]))
            case .success(let graphQLRequest):
                let span = tracer.map { tracer in
                    tracer.startSpan("subgraph \(service.name)", context: tracer.context(of: request.headers), ofKind: .server)
                }
                defer { span?.end() }
                span?.attributes["gateway.subgraph"] = service.name
                if let operationName = graphQLRequest.operationName { span?.attributes["graphql.operation.name"] = operationName }
                let answer = await service.execute(graphQLRequest)
                span?.attributes["http.response.body.size"] = answer.count
                guard answer.count <= maxResponseBytes else {
                    return Self.json(status: .ok, responseTooLarge(maxResponseBytes))
                }
                return Self.json(status: .ok, answer)
            }
        }
        // Another method on /graphql is a GraphQL answer too (it used to be an empty 404).
        for method in [HTTPRequest.Method.get, .put, .patch, .delete] {
            router.on("/graphql", method: method) { request, _ -> Response in
                // Read what the client sends first: answering before its body is in would
                // close the connection under a client still writing it.
                _ = try? await request.body.collect(upTo: maxBody)
                var response = Self.json(
                    status: .methodNotAllowed,
                    #"{"errors":[{"message":"A subgraph answers GraphQL requests by POST only.","extensions":{"code":"METHOD_NOT_ALLOWED"}}]}"#.utf8)
                response.headers[.allow] = "POST"
                return response
            }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "subgraph-\(service.name)"),
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? port)
            },
            logger: logger)
    }

    /// The answer that replaces one past `maxResponseBytes`, for engines that cannot stop
    /// at a field: no data, no path.
    static func responseTooLarge(_ maximum: Int) -> [UInt8] {
        errorResponseBody([ResponseError(
            "The answer is larger than \(maximum) bytes; this subgraph answers at most \(maximum) bytes per operation "
                + "(maxResponseBytes: --max-response-bytes or SUBGRAPH_MAX_RESPONSE_BYTES). Ask for fewer rows or fields.",
            extensions: ["code": "RESPONSE_TOO_LARGE", "limit": "maxResponseBytes", "maximum": .int(maximum)])])
    }

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func json(status: HTTPResponse.Status, _ body: some Collection<UInt8>) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

