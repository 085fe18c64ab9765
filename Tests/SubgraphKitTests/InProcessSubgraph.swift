import Foundation
import GatewayJSON
import Hummingbird
import Logging
import SubgraphKit
import TestSupport

/// A subgraph served over real HTTP on a loopback port from inside the test process, with
/// models and rows the test declares.
struct InProcessSubgraph {
    let url: String
    let service: SubgraphService

    func query(_ text: String, variables: JSONObject? = nil) async throws -> JSON {
        try await TestHTTP.graphql(url, text, variables: variables)
    }

    /// The `id`s a collection query answers, in order.
    func ids(_ text: String, variables: JSONObject? = nil, field: String = "items") async throws -> [String] {
        let answer = try await query(text, variables: variables)
        guard let rows = answer.at("data", field)?.arrayValue else {
            throw TestProcessError("no rows in \(answer)")
        }
        return rows.compactMap { $0["id"]?.stringValue }
    }

    /// Serves `models` for the duration of `body`, then stops the server.
    static func with<T: Sendable>(
        name: String = "test", models: [Model], database: String? = nil, limits: SubgraphService.Limits = .init(),
        withoutExtensions: Bool = false, _ body: (InProcessSubgraph) async throws -> T
    ) async throws -> T {
        let store = try Store(path: database, models: models, scale: 1)
        let service = try SubgraphService(
            name: name, models: models, store: store, limits: limits, withoutExtensions: withoutExtensions)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = SubgraphServer.application(
            service: service, port: 0, logger: logger, maxResponseBytes: limits.maxResponseBytes
        ) { port in
            continuation.yield(port)
        }
        let server = Task { try await app.run() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestProcessError("server did not start") }
        let subgraph = InProcessSubgraph(url: "http://127.0.0.1:\(port)/graphql", service: service)
        do {
            let result = try await body(subgraph)
            server.cancel()
            _ = await server.result
            return result
        } catch {
            server.cancel()
            _ = await server.result
            throw error
        }
    }
}
