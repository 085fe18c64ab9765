import ArgumentParser
import Foundation
import GatewayConfig
import GatewayJSON
import GatewayServer
import GraphQLSupport
import Hummingbird
import Logging
import ServiceLifecycle
import Supergraph
import Synchronization
import Telemetry
import Tracing
import Upstream

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "A federated GraphQL gateway: one endpoint in front of several GraphQL subgraphs.",
        subcommands: [Serve.self, Compose.self, Check.self, Explain.self],
        defaultSubcommand: Serve.self)
}

/// Options every subcommand that composes takes.
struct LoadOptions: ParsableArguments {
    @Option(help: "The gateway configuration file.")
    var config: String = "gateway.yaml"

    @Option(help: "Seconds to wait for subgraphs that do not answer yet.")
    var wait: Double = 60

    func logger(_ label: String, level: Logger.Level = .info) -> Logger {
        GatewayLogHandler.bootstrap()
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
        return logger
    }

    var waitDuration: Duration { .milliseconds(Int(wait * 1000)) }

    /// Loads and composes, or prints the errors and exits non-zero.
    func supergraph(client: UpstreamClient, logger: Logger) async throws -> Supergraph {
        try await orExit(client: client) { () throws(LoadError) in
            try await SupergraphLoader.load(path: config, client: client, wait: waitDuration, logger: logger)
        }
    }

    /// `load`'s value, or its errors printed and exit status 1.
    func orExit<T>(client: UpstreamClient, _ load: () async throws(LoadError) -> T) async throws -> T {
        do {
            return try await load()
        } catch {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            client.shutdown()
            throw ExitCode(1)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Compose the supergraph and serve it over HTTP.")

    @OptionGroup var load: LoadOptions

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port).")
    var port: Int = 4000

    @Option(help: "Most join keys in one relationship request; more are split into concurrent requests.")
    var maxKeysPerFetch: Int = 10_000

    @Option(help: "Most operations executing at once; more wait their turn (bounds memory).")
    var maxConcurrentOperations: Int = 32

    @Flag(help: "Answer /graphql with a Server-Timing header: upstream round trips and total time, in ms.")
    var serverTiming = false

    @Option(help: "On SIGTERM or SIGINT, seconds to let requests in flight finish before they are cancelled.")
    var shutdownGrace: Double = 25

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxKeysPerFetch >= 1 else { throw ValidationError("--max-keys-per-fetch must be at least 1") }
        guard maxConcurrentOperations >= 1 else { throw ValidationError("--max-concurrent-operations must be at least 1") }
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace must not be negative") }
    }

    func run() async throws {
        let logger = load.logger("gateway")
        let client = UpstreamClient()
        // Shared by the gateway of every supergraph this process serves.
        let metrics = GatewayMetrics()
        let limiter = ConcurrencyLimiter(limit: maxConcurrentOperations)
        let (maxKeysPerFetch, serverTiming) = (maxKeysPerFetch, serverTiming)
        let tracing = ProcessTracing(logger: logger)
        let reloader = try await load.orExit(client: client) { () throws(LoadError) in
            try await SupergraphReloader.start(
                configuration: .init(configPath: load.config), client: client, wait: load.waitDuration, logger: logger
            ) { supergraph in
                Gateway(
                    supergraph: supergraph, client: client, metrics: metrics,
                    configuration: .init(maxKeysPerFetch: maxKeysPerFetch, timesUpstream: serverTiming), limiter: limiter,
                    tracer: tracing.tracer(supergraph.configuration.telemetry), logger: logger)
            }
        }
        let host = host
        let app = GatewayServer.application(serving: reloader.serving, client: client, host: host, port: port, logger: logger) { port in
            // Tests and scripts read this line to learn the port (useful with --port 0).
            FileHandle.standardOutput.write(Data("gateway listening on \(host):\(port)\n".utf8))
        }
        do {
            try await GatewayServer.run(
                app, reloader: reloader, shutdownGrace: .milliseconds(Int(shutdownGrace * 1000)), telemetry: tracing.service,
                logger: logger)
        } catch {
            client.shutdown()
            throw error
        }
        client.shutdown()
    }
}

struct Compose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the supergraph's SDL.")

    @OptionGroup var load: LoadOptions

    func run() async throws {
        let client = UpstreamClient()
        let supergraph = try await load.supergraph(client: client, logger: load.logger("gateway", level: .warning))
        print(supergraph.sdl, terminator: "")
        client.shutdown()
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that gateway.yaml and the running subgraphs agree (exit 0), or print the located errors (exit 1).")

    @OptionGroup var load: LoadOptions

    func run() async throws {
        let client = UpstreamClient()
        let supergraph = try await load.supergraph(client: client, logger: load.logger("gateway", level: .warning))
        let configuration = supergraph.configuration
        print("""
            \(load.config) is valid: \(configuration.subgraphs.count) subgraphs, \(configuration.models.count) models, \
            \(configuration.relationships.count) relationships; the supergraph has \(supergraph.schemaModel.types.count) types.
            """)
        client.shutdown()
    }
}

struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the query plan of an operation without running it.")

    @OptionGroup var load: LoadOptions

    @Option(help: "The GraphQL operation.")
    var query: String

    @Option(help: "The operation to plan, when the document has several.")
    var operationName: String?

    @Option(help: "Variables as a JSON object (they decide @skip and @include).")
    var variables: String?

    func run() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let supergraph = try await load.supergraph(client: client, logger: load.logger("gateway", level: .warning))
        var parsedVariables: JSONObject = [:]
        if let variables {
            guard case .object(let object)? = try? JSONParser.parse(variables) else {
                throw ValidationError("--variables must be a JSON object")
            }
            parsedVariables = object
        }
        let gateway = Gateway(supergraph: supergraph, client: client)
        do {
            let prepared = try gateway.prepare(GraphQLRequestBody(query: query, operationName: operationName, variables: parsedVariables))
            print(prepared.plan.explained(writePlans: gateway.executor.writePlans(for: prepared.plan, variables: prepared.variables)))
        } catch {
            for problem in error.errors { FileHandle.standardError.write(Data("\(problem.message)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}

/// The process's tracer: made once, from the first supergraph's `telemetry:` and the
/// OpenTelemetry variables (which win); reloads keep it.
final class ProcessTracing: Sendable {
    let logger: Logger
    let state = Mutex<(made: Bool, tracing: (tracer: any Tracer, service: any Service)?)>((false, nil))

    init(logger: Logger) {
        self.logger = logger
    }

    func tracer(_ settings: TelemetrySettings) -> (any Tracer)? {
        state.withLock { state in
            if !state.made {
                state.made = true
                do {
                    state.tracing = try Telemetry.tracing(
                        serviceName: settings.serviceName,
                        settings: settings.tracesEndpoint.map {
                            Telemetry.Settings(endpoint: $0, wireProtocol: settings.tracesProtocol, serviceName: settings.serviceName)
                        })
                    if state.tracing != nil { logger.info("tracing on: spans go to the OTLP endpoint") }
                } catch {
                    logger.error("tracing stays off: \(error)")
                }
            }
            return state.tracing?.tracer
        }
    }

    /// What exports the spans, once ``tracer(_:)`` has made a tracer.
    var service: (any Service)? { state.withLock { $0.tracing?.service } }
}
