import Foundation
import Hummingbird
import NIOCore
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An HTTP proxy in front of a real subgraph that forwards every `POST /graphql` unless the
/// test's rule answers it instead: a subgraph that fails only some requests.
struct FaultProxy {
    let task: Task<Void, any Error>

    /// - Parameters:
    ///   - fault: for a request body, the status and body to answer instead of forwarding it, or nil.
    static func start(
        port: Int, upstream: String, fault: @escaping @Sendable (String) -> (Int, String)?
    ) async throws -> FaultProxy {
        let session = URLSession(configuration: .ephemeral)
        let router = Router()
        router.post("/graphql") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 24))
            if let (status, text) = fault(body) {
                return Response(status: .init(code: status), headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            // Its own session: the tests' shared one caps connections per host, and a request
            // waiting on the gateway must never wait for the proxy's forward to get one.
            var forward = URLRequest(url: URL(string: upstream)!)
            forward.httpMethod = "POST"
            forward.httpBody = Data(body.utf8)
            forward.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (data, response) = try await session.data(for: forward)
            return Response(
                status: .init(code: (response as? HTTPURLResponse)?.statusCode ?? 502), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
        }
        return FaultProxy(task: try await FakeSubgraph.serve(router, port: port, name: "the fault proxy"))
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
