import Foundation
import GatewayJSON
import GatewayServer
import Hummingbird
import Logging
import Supergraph
import TestSupport
import Upstream

/// The gateway's HTTP server in this process, over the demo supergraph composed from SDL, on a
/// free loopback port; every subgraph URL points at a closed port, so only what the gateway
/// answers itself (`__typename`, refusals) or a subgraph failure is ever seen. Stopped when
/// `body` returns.
func withInProcessGateway<T: Sendable>(
    configText extra: String = "", _ body: (_ base: String) async throws -> T
) async throws -> T {
    var config: String?
    if !extra.isEmpty {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8)
        let path = directory.appendingPathComponent("gateway.yaml").path
        try (yaml + "\n" + extra).write(toFile: path, atomically: true, encoding: .utf8)
        config = path
    }
    defer { if let config { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: config).deletingLastPathComponent().path) } }
    var environment: [String: String] = [:]
    for subgraph in LocalStack.subgraphs { environment[subgraph.uppercased() + "_URL"] = "http://127.0.0.1:1/graphql" }
    let supergraph = try demoSupergraph(config: config, environment: environment)
    var logger = Logger(label: "in-process-gateway")
    logger.logLevel = .critical
    let client = UpstreamClient()
    defer { client.shutdown() }
    let gateway = Gateway(supergraph: supergraph, client: client, logger: logger)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = GatewayServer.application(
        serving: ServingGateway(gateway), client: client, port: 0, logger: logger, onRunning: { port in continuation.yield(port) })
    let server = Task { try await app.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        server.cancel()
        throw TestProcessError("the in-process gateway did not start")
    }
    do {
        let result = try await body("http://127.0.0.1:\(port)")
        server.cancel()
        _ = await server.result
        return result
    } catch {
        server.cancel()
        _ = await server.result
        throw error
    }
}
