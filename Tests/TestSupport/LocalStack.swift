import Foundation
import GatewayJSON

/// The demo stack as real processes on free loopback ports: the seven subgraphs and,
/// optionally, the gateway in front of them (configured by the repository's gateway.yaml
/// through the `*_URL` variables). Stopped by the test that started it.
public actor LocalStack {
    public static let subgraphs = ["people", "authors", "catalog", "reviews", "inventory", "shipping", "prices"]

    private var processes: [String: ManagedProcess] = [:]
    private var ports: [String: Int] = [:]
    private let scale: Int
    private let extraArguments: [String: [String]]
    private let started: [String]
    /// Variables every process of the stack gets besides the test's own.
    private let processEnvironment: [String: String]

    /// - Parameters:
    ///   - scale: the subgraphs' `--scale`.
    ///   - extraArguments: more flags for some subgraphs (e.g. `--latency-ms`).
    ///   - subgraphs: the subgraphs to start (all by default; fewer for a test whose
    ///     configuration names only some, to spare the machine).
    ///   - environment: variables for every process, subgraphs and gateway (default none).
    public init(
        scale: Int = 1, extraArguments: [String: [String]] = [:], subgraphs: [String] = LocalStack.subgraphs,
        environment: [String: String] = [:]
    ) {
        self.processEnvironment = environment
        self.scale = scale
        self.extraArguments = extraArguments
        self.started = subgraphs
    }

    /// Starts the subgraphs, and the gateway when `gateway` is true.
    /// - Parameters:
    ///   - config: the gateway configuration file; the repository's gateway.yaml by default.
    public func start(gateway: Bool = true, gatewayArguments: [String] = [], config: String? = nil) async throws {
        for subgraph in started { try startSubgraph(subgraph) }
        for subgraph in started { ports[subgraph] = try await processes[subgraph]!.waitForPort() }
        if gateway { try await startGateway(arguments: gatewayArguments, config: config) }
    }

    /// The repository's gateway.yaml.
    public static var configPath: String { BuildProducts.packageRoot.appendingPathComponent("gateway.yaml").path }

    private func startSubgraph(_ subgraph: String, port: Int = 0, extraArguments: [String]? = nil) throws {
        processes[subgraph] = try ManagedProcess(
            product: subgraph,
            arguments: ["--port", String(port), "--scale", String(scale)] + (extraArguments ?? self.extraArguments[subgraph] ?? []),
            environment: processEnvironment)
    }

    /// The environment that points gateway.yaml at this stack's subgraphs.
    public var environment: [String: String] {
        var environment: [String: String] = [:]
        for (subgraph, port) in ports where subgraph != "gateway" {
            environment[subgraph.uppercased() + "_URL"] = "http://127.0.0.1:\(port)/graphql"
        }
        return environment
    }

    /// - Parameters:
    ///   - urls: subgraph URLs to use instead of this stack's (a proxy in front of one).
    public func startGateway(arguments: [String] = [], config: String? = nil, urls: [String: String] = [:]) async throws {
        let config = config ?? Self.configPath
        var environment = environment.merging(["LOG_LEVEL": "warning"]) { $1 }.merging(processEnvironment) { $1 }
        for (subgraph, url) in urls { environment[subgraph.uppercased() + "_URL"] = url }
        let process = try ManagedProcess(
            product: "gateway", arguments: ["serve", "--config", config, "--port", "0"] + arguments, environment: environment)
        processes["gateway"] = process
        ports["gateway"] = try await process.waitForPort()
    }

    /// `http://127.0.0.1:PORT/graphql` of a subgraph or of the gateway.
    public func url(_ name: String) -> String { "http://127.0.0.1:\(ports[name]!)/graphql" }

    public func base(_ name: String) -> String { "http://127.0.0.1:\(ports[name]!)" }

    public func output(_ name: String) -> String { processes[name]?.outputText ?? "" }

    /// The process id of a process this stack started, while it runs (nil once it exited).
    public func processID(_ name: String) -> Int32? {
        guard let process = processes[name]?.process, process.isRunning else { return nil }
        return process.processIdentifier
    }

    /// Stops one process (to simulate an outage).
    public func stop(_ name: String) async {
        await processes[name]?.stop()
    }

    /// Sends a signal to one process (`SIGHUP` to make the gateway reload, `SIGTERM` to stop it
    /// without waiting).
    public func signal(_ name: String, _ signal: Int32) {
        guard let process = processes[name], process.process.isRunning else { return }
        kill(process.process.processIdentifier, signal)
    }

    /// The exit status of a process once it has exited, or nil when it still runs after `timeout`.
    public func waitForExit(_ name: String, timeout: Duration) async -> Int32? {
        guard let process = processes[name]?.process else { return nil }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Starts a stopped subgraph again on the same port (with other flags if given).
    public func restart(_ subgraph: String, extraArguments: [String]? = nil) async throws {
        try startSubgraph(subgraph, port: ports[subgraph]!, extraArguments: extraArguments)
        _ = try await processes[subgraph]!.waitForPort()
    }

    /// Starts a subgraph again on a new free port (its data seeded afresh) and returns the
    /// port it had, which gateway.yaml still points at: for a stand-in such as a fault proxy.
    public func relocate(_ subgraph: String) async throws -> Int {
        let old = ports[subgraph]!
        await processes[subgraph]?.stop()
        try startSubgraph(subgraph)
        ports[subgraph] = try await processes[subgraph]!.waitForPort()
        return old
    }

    public func stopAll() async {
        if let gateway = processes["gateway"] { await gateway.stop() }
        for (name, process) in processes where name != "gateway" { await process.stop() }
        processes = [:]
    }

    /// Sends a query to the gateway (or a subgraph) and parses the answer.
    public func query(_ query: String, variables: JSONObject? = nil, to name: String = "gateway") async throws -> JSON {
        try await TestHTTP.graphql(url(name), query, variables: variables)
    }

    /// The gateway's count of upstream requests so far, from `/metrics`.
    public func upstreamRequests() async throws -> Int {
        let metrics = try await TestHTTP.request(base("gateway") + "/metrics").text
        var total = 0
        for line in metrics.split(separator: "\n") where line.hasPrefix("gateway_upstream_requests_total{") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { total += Int(value) }
        }
        return total
    }
}
