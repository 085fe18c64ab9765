import Foundation
import GatewayConfig
import Logging
import ServiceLifecycle
import Supergraph
import Synchronization
import UnixSignals
import Upstream

/// Builds new supergraphs in the background and swaps the serving gateway (``serving``) when
/// one differs from the serving one.
///
/// A reload reads gateway.yaml, introspects every subgraph and composes, as at start-up
/// (``SupergraphLoader``). It starts when the file's content changes (`reload.watchConfig`,
/// looked at every ``Configuration/watchInterval``), on `SIGHUP`, and every
/// `reload.pollSchemas` (to pick up a changed subgraph schema). Reloads run one at a time;
/// what triggers one while another runs makes one more afterwards. A reload that fails
/// (a configuration error, a subgraph that does not answer, a composition error) is logged
/// with its errors, configuration errors at their `file:line:column`, and the serving gateway
/// stays; the same failure again from a poll is logged at debug level only.
public final class SupergraphReloader: Service, Sendable {
    public struct Configuration: Sendable {
        /// gateway.yaml.
        public var configPath: String
        /// For `${VAR}` interpolation.
        public var environment: [String: String]
        /// How long a reload waits for a subgraph that does not answer yet.
        public var wait: Duration
        /// How often the file is looked at; a new content counts once seen twice in a row.
        public var watchInterval: Duration

        /// - Parameters:
        ///   - environment: default the process's.
        ///   - wait: default 5 s.
        ///   - watchInterval: default 500 ms (a change is picked up within a second).
        public init(
            configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment,
            wait: Duration = .seconds(5), watchInterval: Duration = .milliseconds(500)
        ) {
            self.configPath = configPath
            self.environment = environment
            self.wait = wait
            self.watchInterval = watchInterval
        }
    }

    /// What started a reload.
    public enum Trigger: String, Sendable {
        case file
        case hangup = "SIGHUP"
        case poll
    }

    /// How a reload ended.
    public enum Outcome: Sendable {
        /// A new supergraph serves.
        case replaced(SupergraphVersion)
        /// The new supergraph is the serving one (same SDL, configuration and subgraph schemas).
        case unchanged(SupergraphVersion)
        case failed(LoadError)
    }

    public let serving: ServingGateway
    let configuration: Configuration
    let client: UpstreamClient
    let logger: Logger
    let makeGateway: @Sendable (Supergraph) -> Gateway
    let fileWatch: Mutex<ConfigFileWatch>
    let hangups: UnixSignalsSequence
    let triggers: AsyncStream<Trigger>
    let triggered: AsyncStream<Trigger>.Continuation

    /// Loads the first supergraph, waiting up to `wait` for the subgraphs, and returns a
    /// reloader that serves it. `SIGHUP` is handled from here on (it would end the process).
    ///
    /// - Parameters:
    ///   - makeGateway: the gateway of a supergraph, for the first one and each reload.
    public static func start(
        configuration: Configuration, client: UpstreamClient, wait: Duration, logger: Logger,
        makeGateway: @escaping @Sendable (Supergraph) -> Gateway
    ) async throws(LoadError) -> SupergraphReloader {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // Read before the load: a change while it runs is then seen as one by the watch.
        let fingerprint = ConfigFileWatch.fingerprint(path: configuration.configPath)
        let supergraph = try await SupergraphLoader.load(
            path: configuration.configPath, environment: configuration.environment, client: client, wait: wait,
            logger: logger)
        let serving = ServingGateway(makeGateway(supergraph))
        logger.info("serving supergraph", metadata: Self.metadata(serving.snapshot.version))
        return SupergraphReloader(
            serving: serving, configuration: configuration, client: client, logger: logger, makeGateway: makeGateway,
            loaded: fingerprint, hangups: hangups)
    }

    init(
        serving: ServingGateway, configuration: Configuration, client: UpstreamClient, logger: Logger,
        makeGateway: @escaping @Sendable (Supergraph) -> Gateway, loaded: UInt64?, hangups: UnixSignalsSequence
    ) {
        self.serving = serving
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.makeGateway = makeGateway
        self.fileWatch = Mutex(ConfigFileWatch(loaded: loaded))
        self.hangups = hangups
        // One reload waiting is enough: it reads everything afresh.
        (triggers, triggered) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The serving supergraph's `reload:` settings.
    var settings: ReloadSettings { serving.current.supergraph.configuration.reload }

    /// Watches and reloads until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { for await trigger in self.triggers { await self.reload(trigger) } }
                group.addTask { await self.watchFile() }
                group.addTask { await self.pollSchemas() }
                group.addTask { for await _ in self.hangups { self.trigger(.hangup) } }
            }
        }
        triggered.finish()
    }

    /// Asks for a reload (one runs at a time; this one after the current one).
    public func trigger(_ trigger: Trigger) {
        triggered.yield(trigger)
    }

    // MARK: Triggers

    func watchFile() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.watchInterval)
            guard settings.watchConfig else { continue }
            let fingerprint = ConfigFileWatch.fingerprint(path: configuration.configPath)
            if fileWatch.withLock({ $0.observe(fingerprint) }) { trigger(.file) }
        }
    }

    func pollSchemas() async {
        while !Task.isCancelled {
            guard let interval = settings.pollSchemas else {
                // Polling may be turned on by a reload.
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            try? await Task.sleep(for: interval)
            if !Task.isCancelled && settings.pollSchemas != nil { trigger(.poll) }
        }
    }

    // MARK: Reload

    /// Loads gateway.yaml and the subgraphs' schemas, composes, and serves the result when it
    /// differs from the serving supergraph.
    @discardableResult
    func reload(_ trigger: Trigger) async -> Outcome {
        let started = ContinuousClock.now
        let fingerprint = ConfigFileWatch.fingerprint(path: configuration.configPath)
        fileWatch.withLock { $0.read(fingerprint) }
        let before = serving.snapshot
        // The loader's per-subgraph progress lines are for start-up; a reload logs its outcome.
        var loaderLogger = logger
        if loaderLogger.logLevel == .info { loaderLogger.logLevel = .notice }
        let supergraph: Supergraph
        do {
            supergraph = try await SupergraphLoader.load(
                path: configuration.configPath, environment: configuration.environment, client: client,
                wait: configuration.wait, logger: loaderLogger)
        } catch {
            // Shutting down: the introspection was cut short, not a failure to report.
            if Task.isCancelled { return .failed(error) }
            let message = error.description
            let repeated = trigger == .poll && before.lastFailure?.message == message
            serving.recordFailure(.init(at: Date(), trigger: trigger.rawValue, message: message))
            logger.log(
                level: repeated ? .debug : .error, "reload failed; the serving supergraph stays:\n\(message)",
                metadata: Self.metadata(before.version, trigger: trigger))
            return .failed(error)
        }
        let old = before.gateway.supergraph
        if old.sdl == supergraph.sdl && old.configuration == supergraph.configuration
            && old.subgraphSchemas == supergraph.subgraphSchemas
        {
            serving.keep()
            logger.log(
                level: trigger == .poll ? .debug : .info, "reloaded: nothing changed",
                metadata: Self.metadata(before.version, trigger: trigger))
            return .unchanged(before.version)
        }
        let version = serving.replace(with: makeGateway(supergraph))
        var metadata = Self.metadata(version, trigger: trigger)
        metadata["previous"] = "\(before.version.number)"
        metadata["took"] = "\(ContinuousClock.now - started)"
        logger.info("serving a new supergraph", metadata: metadata)
        return .replaced(version)
    }

    static func metadata(_ version: SupergraphVersion, trigger: Trigger? = nil) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["supergraph.version": "\(version.number)", "supergraph.hash": "\(version.hash)"]
        if let trigger { metadata["trigger"] = "\(trigger.rawValue)" }
        return metadata
    }
}
