import Foundation
import Hummingbird
import NIOCore
import Synchronization
import TestSupport

/// An HTTP proxy in front of a real subgraph that forwards every `POST /graphql` and keeps
/// what arrived: the headers as the subgraph would see them, and the body.
struct RecordingProxy {
    struct Received: Sendable {
        /// Header fields in arrival order, names lowercased.
        var headers: [(name: String, value: String)]
        var body: String
    }

    final class Log: Sendable {
        let entries = Mutex<[Received]>([])
        var all: [Received] { entries.withLock { $0 } }
        func clear() { entries.withLock { $0.removeAll() } }
    }

    let task: Task<Void, any Error>
    let log: Log

    static func start(port: Int, upstream: String) async throws -> RecordingProxy {
        let log = Log()
        let router = Router()
        router.post("/graphql") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 24))
            let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
            log.entries.withLock { $0.append(Received(headers: headers, body: body)) }
            let reply = try await TestHTTP.post(upstream, body: body)
            return Response(
                status: .init(code: reply.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        return RecordingProxy(task: try await FakeSubgraph.serve(router, port: port, name: "the recording proxy"), log: log)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Writes a copy of the repository's gateway.yaml with `replacements` applied (each `from`
/// must occur) and returns its path; the test removes it.
func configVariant(_ name: String, _ replacements: [(from: String, to: String)]) throws -> String {
    var yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8)
    for (from, to) in replacements {
        guard yaml.contains(from) else { throw TestProcessError("gateway.yaml no longer has \(from)") }
        yaml = yaml.replacingOccurrences(of: from, with: to)
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).yaml").path
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
