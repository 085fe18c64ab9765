import Hummingbird
import NIOCore
import TestSupport

/// An HTTP proxy in front of a real subgraph that forwards every `POST /graphql` unless the
/// test's rule answers it instead: a subgraph that fails only some requests.
struct FaultProxy {
    let task: Task<Void, any Error>

    /// - Parameters:
    ///   - fault: for a request body, the status and body to answer instead of forwarding it, or nil.
    static func start(
        port: Int, upstream: String, fault: @escaping @Sendable (String) -> (Int, String)?
    ) async throws -> FaultProxy {
        let router = Router()
        router.post("/graphql") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 24))
            if let (status, text) = fault(body) {
                return Response(status: .init(code: status), headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            let reply = try await TestHTTP.post(upstream, body: body)
            return Response(
                status: .init(code: reply.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        return FaultProxy(task: try await FakeSubgraph.serve(router, port: port, name: "the fault proxy"))
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
