import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A Hummingbird server on a free loopback port with the routes the upstream tests call.
///
/// - `POST /echo`: answers the request body, as JSON content.
/// - `POST /slow?ms=N`: waits N milliseconds, then answers `{}`.
/// - `POST /status/N`: answers status N with a JSON body.
/// - `POST /garbage`: answers 200 with a body that is not JSON.
/// - `POST /big?bytes=N`: answers N bytes with a Content-Length.
/// - `POST /bigstream?bytes=N`: answers N bytes chunked, without a Content-Length.
/// - `POST /inspect`: answers `bytes=… expect=… content-type=… x-request-id=…` about the request.
struct TestServer {
    let port: Int

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Runs `body` with a started server and stops the server afterwards, whatever happens.
    static func with<T: Sendable>(_ body: (TestServer) async throws -> T) async throws -> T {
        var logger = Logger(label: "upstream-test-server")
        logger.logLevel = .critical  // stopping the server logs a cancellation at error level
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port != 0 else {
            server.cancel()
            throw TestFailure("test server did not start")
        }
        do {
            let result = try await body(TestServer(port: port))
            server.cancel()
            _ = await server.result
            return result
        } catch {
            server.cancel()
            _ = await server.result
            throw error
        }
    }

    private static func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("echo") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 16 << 20)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        router.post("slow") { request, _ -> Response in
            let ms = request.uri.queryParameters.get("ms", as: Int.self) ?? 0
            try await Task.sleep(for: .milliseconds(ms))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        router.post("status/:code") { _, context -> Response in
            let code = context.parameters.get("code", as: Int.self) ?? 500
            return Response(
                status: .init(code: code), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"errors":[{"message":"failed"}]}"#)))
        }
        router.post("garbage") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<html>not json</html>")))
        }
        router.post("big") { request, _ -> Response in
            let count = request.uri.queryParameters.get("bytes", as: Int.self) ?? 0
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: count)))
        }
        router.post("bigstream") { request, _ -> Response in
            let count = request.uri.queryParameters.get("bytes", as: Int.self) ?? 0
            let chunk = 4096
            let buffers = stride(from: 0, to: count, by: chunk).map {
                ByteBuffer(repeating: UInt8(ascii: "y"), count: min(chunk, count - $0))
            }
            // No contentLength: Hummingbird sends the body chunked.
            return Response(status: .ok, body: .init(contentLength: nil) { writer in
                for buffer in buffers { try await writer.write(buffer) }
                try await writer.finish(nil)
            })
        }
        router.post("inspect") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let expect = request.headers[.expect] ?? "none"
            let contentType = request.headers[.contentType] ?? "none"
            let requestID = HTTPField.Name("x-request-id").flatMap { request.headers[$0] } ?? "none"
            let text = "bytes=\(buffer.readableBytes) expect=\(expect) content-type=\(contentType) x-request-id=\(requestID)"
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
