import Hummingbird
import Logging
import NIOCore
import TestSupport

/// An HTTP server that answers every `POST /graphql` as the test says: a stand-in for a
/// subgraph that misbehaves.
struct FakeSubgraph {
    let task: Task<Void, any Error>

    static func start(port: Int, answer: @escaping @Sendable (ByteBuffer) -> (Int, String)) async throws -> FakeSubgraph {
        let router = Router()
        router.post("/graphql") { request, _ -> Response in
            var request = request
            let (status, body) = answer(try await request.collectBody(upTo: 1 << 20))
            return Response(status: .init(code: status), headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return FakeSubgraph(task: try await serve(router, port: port, name: "the fake subgraph"))
    }

    /// Runs a test server on a loopback port until its task is cancelled; returns once it listens.
    static func serve(_ router: Router<BasicRequestContext>, port: Int, name: String) async throws -> Task<Void, any Error> {
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let (started, continuation) = AsyncStream.makeStream(of: Void.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { _ in continuation.yield() }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = started.makeAsyncIterator()
        guard await iterator.next() != nil else { throw TestProcessError("\(name) did not start") }
        return task
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
