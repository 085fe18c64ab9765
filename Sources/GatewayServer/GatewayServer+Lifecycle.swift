import Foundation
import GatewayJSON
import Hummingbird
import Logging
import ServiceLifecycle
import Upstream

extension GatewayServer {
    /// Serves one gateway that is never replaced.
    public static func application(
        gateway: Gateway, client: UpstreamClient, host: String = "127.0.0.1", port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        application(
            serving: ServingGateway(gateway), client: client, host: host, port: port, logger: logger, onRunning: onRunning)
    }

    /// Runs the server, and the reloader when given, until SIGTERM or SIGINT; then shuts down
    /// gracefully and returns: the server stops accepting connections, closes idle ones, and
    /// lets the requests in flight finish, for at most `shutdownGrace`, after which they are
    /// cancelled (their clients get the connection closed).
    ///
    /// - Parameter telemetry: exports the spans (``Telemetry``); shut down last, so that it
    ///   sends those of the requests that drained.
    public static func run(
        _ application: some ApplicationProtocol, reloader: SupergraphReloader?, shutdownGrace: Duration,
        telemetry: (any Service)? = nil, logger: Logger
    ) async throws {
        // Shut down in reverse order: the notice first, then the reloader (no swap happens
        // while draining), then the server, then the span exporter.
        var services: [any Service] = telemetry.map { [$0] } ?? []
        services.append(application)
        if let reloader { services.append(reloader) }
        services.append(ShutdownNotice(grace: shutdownGrace, logger: logger))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownGrace
        try await ServiceGroup(configuration: configuration).run()
    }

    /// `/ready`'s body: `status` (`ready` or `unavailable`), `supergraph` (the serving
    /// version's `version`, `hash` and `since`), `subgraphs` (those that did not answer, with
    /// the reason) and `lastReload` (the last reload, when it failed and nothing has loaded
    /// since: `at`, `trigger`, `errors`).
    static func readyBody(_ snapshot: ServingGateway.Snapshot, problems: [(String, String)]) -> [UInt8] {
        var body: JSONObject = [
            "status": .string(problems.isEmpty ? "ready" : "unavailable"),
            "supergraph": [
                "version": .int(snapshot.version.number), "hash": .string(snapshot.version.hash),
                "since": .string(timestamp(snapshot.version.since)),
            ],
        ]
        if !problems.isEmpty {
            body["subgraphs"] = .object(JSONObject(problems.map { ($0.0, .string($0.1)) }))
        }
        if let failure = snapshot.lastFailure {
            body["lastReload"] = [
                "result": "failed", "at": .string(timestamp(failure.at)), "trigger": .string(failure.trigger),
                "errors": .array(failure.message.split(separator: "\n").map { .string(String($0)) }),
            ]
        }
        return Array(JSON.object(body).description.utf8)
    }

    /// ISO 8601 in UTC, to the second.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// Says in the log when graceful shutdown starts, and how long requests in flight have.
struct ShutdownNotice: Service {
    let grace: Duration
    let logger: Logger

    func run() async throws {
        // Cancelled (not shut down gracefully): nothing to say.
        guard (try? await gracefulShutdown()) != nil else { return }
        logger.info("shutting down: no new connections; requests in flight have \(grace) to finish")
    }
}
