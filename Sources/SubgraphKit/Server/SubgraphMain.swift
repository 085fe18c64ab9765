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

    @Option(help: "Most rows one field may answer or change (default: SUBGRAPH_MAX_ROWS, else 10000).")
    public var maxRows: Int?

    @Option(help: "Largest answer of one operation, in bytes, checked while it is written (default: SUBGRAPH_MAX_RESPONSE_BYTES, else 16777216).")
    public var maxResponseBytes: Int?

    @Option(help: "Milliseconds added to every /graphql answer (to simulate a slow network).")
    public var latencyMs: Int = 0

    @Flag(help: "Print 'request START END' (monotonic nanoseconds) for every /graphql request.")
    public var logRequests = false

    /// Off by default: the extensions of docs/subgraph-protocol.md are served unless asked not to.
    @Flag(help: "Serve only the base model protocol, without the aggregates and per-key windows (to try a gateway's fallback).")
    public var withoutExtensions = false

    public init() {}

    /// The limits from the flags, else the environment, else the defaults of
    /// ``SubgraphService/Limits``.
    public func limits(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SubgraphService.Limits {
        var limits = SubgraphService.Limits()
        for (flag, variable, value, keyPath) in [
            ("--max-rows", "SUBGRAPH_MAX_ROWS", maxRows, \SubgraphService.Limits.maxRows),
            ("--max-response-bytes", "SUBGRAPH_MAX_RESPONSE_BYTES", maxResponseBytes, \.maxResponseBytes),
        ] {
            if let value {
                guard value >= 1 else { throw ValidationError("\(flag) must be at least 1, got \(value)") }
                limits[keyPath: keyPath] = value
            } else if let text = environment[variable] {
                guard let value = Int(text), value >= 1, value < Int.max else {
                    throw ValidationError("\(variable) must be a whole number of at least 1, got \"\(text)\"")
                }
                limits[keyPath: keyPath] = value
            }
        }
        return limits
    }

    public mutating func validate() throws {
        guard scale >= 1 else { throw ValidationError("--scale must be at least 1") }
        _ = try limits()
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms must not be negative") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
    }
}

/// The whole `main` of a subgraph executable: parse the flags, open and seed the database,
/// serve until SIGINT or SIGTERM.
public enum SubgraphMain {
    /// A subgraph that is not a model-protocol service: `makeEndpoint` builds its engine from
    /// the flags (`--scale` for its data; `--database` and `--max-rows` are the model
    /// protocol's and may be ignored). `--max-response-bytes` holds for its answers too, but
    /// is checked once an answer is built: such an engine is not written row by row.
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
            maxResponseBytes: try options.limits().maxResponseBytes,
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
                name: name, models: models, store: store, limits: try options.limits(),
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
