import GatewayEdge
import GatewayExecution
import GatewayJSON
import GraphQLSupport
import Hummingbird
import Logging
import NIOCore
import Telemetry
import Upstream

/// Serves a ``Gateway`` over HTTP.
///
/// - `POST /graphql`, `GET /graphql`: GraphQL over HTTP (``GraphQLHTTP``): JSON body
///   `{query, operationName, variables, extensions}` or a batch of them; GET for queries.
/// - `POST /explain`: the same body; answers the query plan instead of running it.
/// - `GET /health`: 200 while the process serves.
/// - `GET /ready`: 200 when every subgraph answers, 503 with the reasons otherwise; both name
///   the serving supergraph (``readyBody(_:problems:)``).
/// - `GET /metrics`: Prometheus metrics.
///
/// Each request takes the serving gateway once, when it starts (``ServingGateway``): a reload
/// that swaps it does not change the gateway of a request in flight.
public enum GatewayServer {
    /// `/graphql` answers carry a `Server-Timing` header (``serverTiming(upstream:total:)``) when
    /// the gateway's executor times upstream requests (`GatewayExecutor.Configuration.timesUpstream`).
    public static func application(
        serving: ServingGateway, client: UpstreamClient, host: String = "127.0.0.1", port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let serverTiming = serving.current.executor.configuration.timesUpstream
        let router = Router()
        router.get("/health") { _, _ -> Response in
            json(.ok, Array(#"{"status":"ok"}"#.utf8))
        }
        router.get("/ready") { _, _ -> Response in
            let snapshot = serving.snapshot
            let problems = await readiness(snapshot.gateway, client: client)
            return json(problems.isEmpty ? .ok : .serviceUnavailable, readyBody(snapshot, problems: problems))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: serving.metrics.exposition())))
        }
        // GatewayApplication answers POST /graphql before the router; the route stays for the
        // paths the router takes as the same (`/graphql/`).
        router.post("/graphql") { request, _ -> Response in
            await graphQLPost(request, serving: serving, serverTiming: serverTiming)
        }
        router.get("/graphql") { request, _ -> Response in
            let gateway = serving.current
            let received = serverTiming ? ContinuousClock.now : nil
            guard let type = GraphQLHTTP.negotiate(request.headers[.accept]) else { return notAcceptable() }
            let body: GraphQLRequestBody
            do throws(ResponseError) {
                body = try GraphQLHTTP.getRequest(GraphQLHTTP.formParameters(request.uri.query))
            } catch {
                return GraphQLHTTP.response(.badRequest, errorResponseBody([error]), type)
            }
            if gateway.operationType(of: body) == .mutation {
                let refusal = ResponseError("Mutations are not allowed over GET; send them with POST.", code: "METHOD_NOT_ALLOWED")
                return GraphQLHTTP.response(.methodNotAllowed, errorResponseBody([refusal]), type, allow: "POST")
            }
            return await answer(body, raw: nil, request, gateway, type, received: received)
        }
        for method in [HTTPRequest.Method.put, .delete, .patch] {
            router.on("/graphql", method: method) { request, _ -> Response in
                // Read what the client sends first: answering before its body is in would
                // close the connection under a client still writing it.
                _ = try? await request.body.collect(upTo: serving.current.limits.maxRequestBytes)
                let refusal = ResponseError("/graphql takes GET (queries) and POST.", code: "METHOD_NOT_ALLOWED")
                return GraphQLHTTP.response(.methodNotAllowed, errorResponseBody([refusal]), .json, allow: "GET, POST")
            }
        }
        router.post("/explain") { request, _ -> Response in
            let gateway = serving.current
            switch await decode(request, maxBytes: gateway.limits.maxRequestBytes) {
            case .rejected(let response): return response
            case .body(let body, _): return json(.ok, gateway.explain(body))
            }
        }
        return GatewayApplication(
            router: router.buildResponder(),
            graphQLPost: { request in await graphQLPost(request, serving: serving, serverTiming: serverTiming) },
            configuration: .init(address: .hostname(host, port: port), serverName: "gateway"),
            serverConfiguration: .init(address: .hostname(host, port: port), serverName: "gateway"),
            logger: logger, onRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
    }

    /// `POST /graphql`: GraphQL over HTTP (``GraphQLHTTP``), one operation or a batch.
    static func graphQLPost(_ request: Request, serving: ServingGateway, serverTiming: Bool) async -> Response {
        let gateway = serving.current
        let received = serverTiming ? ContinuousClock.now : nil
        guard let type = GraphQLHTTP.negotiate(request.headers[.accept]) else { return notAcceptable() }
        if let problem = GraphQLHTTP.contentTypeProblem(request.headers[.contentType]) {
            return GraphQLHTTP.response(
                .unsupportedMediaType, errorResponseBody([ResponseError(problem, code: "UNSUPPORTED_MEDIA_TYPE")]), type)
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: gateway.limits.maxRequestBytes)
        } catch {
            return GraphQLHTTP.response(.contentTooLarge, tooLargeBody(gateway.limits.maxRequestBytes), type)
        }
        let raw = Array(buffer.readableBytesView)
        let json: JSON
        do {
            json = try JSONParser.parse(raw)
        } catch {
            // Not a well-formed GraphQL-over-HTTP request: 400 whatever the media type.
            let failure = ResponseError("The request body is not valid JSON: \(error)", code: "BAD_REQUEST")
            return GraphQLHTTP.response(.badRequest, errorResponseBody([failure]), type)
        }
        if case .array(let items) = json {
            let headers = clientHeaders(request, gateway)
            let traceParent = gateway.tracer?.context(of: request.headers)
            return await batch(items, gateway: gateway, type: type) { body in
                await gateway.execute(body, headers: headers, traceParent: traceParent)
            }
        }
        let body: GraphQLRequestBody
        do throws(ResponseError) {
            body = try GraphQLRequestBody(json: json)
        } catch {
            return GraphQLHTTP.response(.badRequest, errorResponseBody([error]), type)
        }
        return await answer(body, raw: raw, request, gateway, type, received: received)
    }

    /// Only the header fields some subgraph of `gateway` gets; `canonicalName` is lowercased.
    static func clientHeaders(_ request: Request, _ gateway: Gateway) -> [(name: String, value: String)] {
        let propagated = gateway.propagation.clientHeaderNames
        guard !propagated.isEmpty else { return [] }
        var headers: [(name: String, value: String)] = []
        for field in request.headers where propagated.contains(field.name.canonicalName) {
            headers.append((field.name.canonicalName, field.value))
        }
        return headers
    }

    static func answer(
        _ body: GraphQLRequestBody, raw: [UInt8]?, _ request: Request, _ gateway: Gateway, _ type: GraphQLHTTP.MediaType,
        received: ContinuousClock.Instant?
    ) async -> Response {
        let execution = await gateway.execute(
            body, rawBody: raw, headers: clientHeaders(request, gateway), traceParent: gateway.tracer?.context(of: request.headers))
        var response = GraphQLHTTP.response(GraphQLHTTP.status(requestError: execution.isRequestError, type), execution.body, type)
        if let received {
            response.headers[serverTimingField] = Self.serverTiming(upstream: execution.upstreamTime, total: received.duration(to: .now))
        }
        return response
    }

    /// A batch: each operation answered in order (concurrently), at most `limits.maxBatch`.
    static func batch(
        _ items: [JSON], gateway: Gateway, type: GraphQLHTTP.MediaType,
        execute: @escaping @Sendable (GraphQLRequestBody) async -> GatewayExecutor.Execution
    ) async -> Response {
        guard !items.isEmpty, items.count <= gateway.limits.maxBatch else {
            let message = items.isEmpty
                ? "The batch is empty."
                : "The batch holds \(items.count) operations; the limit is \(gateway.limits.maxBatch) (limits.maxBatch in gateway.yaml)."
            let error = ResponseError(
                message, extensions: ["code": "BATCH_LIMIT", "limit": "maxBatch", "maximum": .int(gateway.limits.maxBatch)])
            return GraphQLHTTP.response(.badRequest, errorResponseBody([error]), type)
        }
        let bodies = await withTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, item) in items.enumerated() {
                group.addTask {
                    switch Result(catching: { () throws(ResponseError) in try GraphQLRequestBody(json: item) }) {
                    case .success(let body): return (index, await execute(body).body)
                    case .failure(let error): return (index, errorResponseBody([error]))
                    }
                }
            }
            var bodies = [[UInt8]](repeating: [], count: items.count)
            for await (index, body) in group { bodies[index] = body }
            return bodies
        }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, body) in bodies.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += body
        }
        out.append(UInt8(ascii: "]"))
        return GraphQLHTTP.response(.ok, out, type)
    }

    static func notAcceptable() -> Response {
        let error = ResponseError(
            "The Accept header names no media type the gateway answers with: application/graphql-response+json or application/json.",
            code: "NOT_ACCEPTABLE")
        return GraphQLHTTP.response(.notAcceptable, errorResponseBody([error]), .json)
    }

    static func tooLargeBody(_ maxBytes: Int) -> [UInt8] {
        errorResponseBody([
            ResponseError(
                "The request body is larger than \(maxBytes) bytes, the limit (limits.maxRequestBytes in gateway.yaml).",
                extensions: ["code": "PAYLOAD_TOO_LARGE", "limit": "maxRequestBytes", "maximum": .int(maxBytes)])
        ])
    }

    enum Decoded {
        case body(GraphQLRequestBody, raw: [UInt8])
        case rejected(Response)
    }

    /// The request's GraphQL body, or the 4xx response that explains why there is none: 413
    /// with a GraphQL error body for one larger than `maxBytes` (`limits.maxRequestBytes`).
    static func decode(_ request: Request, maxBytes: Int) async -> Decoded {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBytes)
        } catch {
            return .rejected(json(.contentTooLarge, tooLargeBody(maxBytes)))
        }
        let decoded = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(ResponseError) in try GraphQLRequestBody(bytes: bytes) }
        }
        switch decoded {
        case .success(let body): return .body(body, raw: Array(buffer.readableBytesView))
        case .failure(let error): return .rejected(json(.badRequest, errorResponseBody([error])))
        }
    }

    /// Subgraphs that do not answer `{ __typename }` within a second, with the reason.
    static func readiness(_ gateway: Gateway, client: UpstreamClient) async -> [(String, String)] {
        let subgraphs = gateway.supergraph.configuration.subgraphs
        let body = Array(#"{"query":"{ __typename }"}"#.utf8)
        let problems = await withTaskGroup(of: (String, String?).self) { group in
            for subgraph in subgraphs {
                group.addTask {
                    do throws(UpstreamError) {
                        let answer = try await client.postJSON(
                            url: subgraph.url, body: body, headers: subgraph.upstreamHeaders,
                            timeouts: .init(connect: .seconds(1), request: .seconds(1)))
                        return (subgraph.name, answer["data"] == nil ? "no data in its answer" : nil)
                    } catch {
                        return (subgraph.name, error.message)
                    }
                }
            }
            var problems: [String: String] = [:]
            for await (name, problem) in group { if let problem { problems[name] = problem } }
            return problems
        }
        return subgraphs.compactMap { subgraph in problems[subgraph.name].map { (subgraph.name, $0) } }
    }

    static let serverTimingField = HTTPFields.Element.Name("Server-Timing")!

    /// The `Server-Timing` header of a `/graphql` answer (W3C Server Timing, milliseconds):
    /// `upstream` is how long at least one upstream request was in flight (for sequential
    /// stages, the sum of their round trips, timed by the upstream client); `total` runs from
    /// the request's head to the response body being ready. Their difference is the
    /// gateway's own time on the request's path: reading the body, planning, handing
    /// requests to and answers from the upstream client, stitching.
    public static func serverTiming(upstream: Duration, total: Duration) -> String {
        "upstream;dur=\(milliseconds(upstream));desc=\"upstream round trips\", total;dur=\(milliseconds(total))"
    }

    /// A duration in milliseconds with three decimals: `12.045`.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func json(_ status: HTTPResponse.Status, _ body: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
