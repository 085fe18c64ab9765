import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Telemetry

/// The flags every subgraph executable takes.
public struct SubgraphOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    public var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port; the default is the subgraph's own).")
    public var port: Int?

    @Option(help: "SQLite file to keep the data in; created and seeded when new. Default: a fresh in-memory database.")
    public var database: String?

    @Option(help: "Multiplies the seed data.")
    public var scale: Int = 1

    @Option(help: "Most rows one field may return.")
    public var maxRows: Int = 1_000_000

    @Option(help: "Milliseconds added to every /graphql answer (to simulate a slow network).")
    public var latencyMs: Int = 0

    @Flag(help: "Print 'request START END' (monotonic nanoseconds) for every /graphql request.")
    public var logRequests = false

    /// Off by default: the extensions of docs/subgraph-protocol.md are served unless asked not to.
    @Flag(help: "Serve only the base model protocol, without the aggregate extension (to try a gateway's fallback).")
    public var withoutExtensions = false

    public init() {}

    public mutating func validate() throws {
        guard scale >= 1 else { throw ValidationError("--scale must be at least 1") }
        guard maxRows >= 1 else { throw ValidationError("--max-rows must be at least 1") }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms must not be negative") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
    }
}

/// The whole `main` of a subgraph executable: parse the flags, open and seed the database,
/// serve until SIGINT or SIGTERM.
public enum SubgraphMain {
    /// A subgraph that is not a model-protocol service: `makeEndpoint` builds its engine from
    /// the flags (`--scale` for its data; `--database` and `--max-rows` are the model
    /// protocol's and may be ignored).
    public static func run(
        name: String, defaultPort: Int, makeEndpoint: (SubgraphOptions) throws -> some SubgraphEndpoint
    ) async {
        let options = SubgraphOptions.parseOrExit()
        var logger = Logger(label: "subgraph.\(name)")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        do {
            let endpoint = try makeEndpoint(options)
            try await serve(endpoint, name: name, defaultPort: defaultPort, options: options, logger: logger)
        } catch {
            logger.critical("\(name) stopped: \(error)")
            exit(1)
        }
    }

    static func serve(
        _ endpoint: some SubgraphEndpoint, name: String, defaultPort: Int, options: SubgraphOptions, logger: Logger
    ) async throws {
        let host = options.host
        // Spans when the OpenTelemetry variables ask for them, continuing the gateway's trace.
        let tracing = try Telemetry.tracing(serviceName: name)
        let app = SubgraphServer.application(
            service: endpoint, host: host, port: options.port ?? defaultPort, logger: logger,
            latency: .milliseconds(options.latencyMs), logRequests: options.logRequests, tracer: tracing?.tracer
        ) { port in
            // Tests and scripts read this line to learn the port (useful with --port 0).
            FileHandle.standardOutput.write(Data("\(name) listening on \(host):\(port)\n".utf8))
        }
        guard let tracing else { return try await app.runService() }
        // The exporter first: shut down last, it sends the spans of the requests that drained.
        try await ServiceGroup(
            services: [tracing.service, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ).run()
    }

    public static func run(name: String, defaultPort: Int, models: [Model]) async {
        let options = SubgraphOptions.parseOrExit()
        var logger = Logger(label: "subgraph.\(name)")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        do {
            let started = ContinuousClock.now
            let store = try Store(path: options.database, models: models, scale: options.scale)
            let service = try SubgraphService(
                name: name, models: models, store: store, limits: .init(maxRows: options.maxRows),
                withoutExtensions: options.withoutExtensions)
            logger.info("database ready", metadata: [
                "subgraph": "\(name)", "database": "\(options.database ?? ":memory:")",
                "scale": "\(options.scale)", "extensions": "\(!options.withoutExtensions)", "took": "\(ContinuousClock.now - started)",
            ])
            try await serve(service, name: name, defaultPort: defaultPort, options: options, logger: logger)
        } catch {
            logger.critical("\(name) stopped: \(error)")
            exit(1)
        }
    }
}
