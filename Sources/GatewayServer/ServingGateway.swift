import Foundation
import Prometheus
import Synchronization

/// Which supergraph a gateway serves.
public struct SupergraphVersion: Sendable, Hashable {
    /// Counts the supergraphs this process has served: 1 for the one it started with, one more
    /// for each reload that replaced it.
    public var number: Int
    /// A short hash of the composed SDL (16 hex digits of its FNV-1a 64-bit hash): the same
    /// schema has the same hash in every process that serves it, so replicas can be compared.
    public var hash: String
    /// When this supergraph started to serve.
    public var since: Date

    public init(number: Int, sdl: String, since: Date = Date()) {
        self.number = number
        self.hash = FNV1a.hex(Array(sdl.utf8))
        self.since = since
    }
}

/// The ``Gateway`` that serves now, replaced atomically when a reload composes a new supergraph.
///
/// Each request takes ``current`` once, when it starts, and keeps that gateway to its end: a
/// request in flight during a swap finishes on the gateway it began with, and the old gateway
/// goes away with the last such request.
///
/// Its metrics, in the gateway's registry: `gateway_supergraph_version` (the serving version's
/// number), `gateway_supergraph_info{version, hash}` (always 1, for the serving version) and
/// `gateway_supergraph_reloads_total{result="ok|unchanged|failed"}`.
public final class ServingGateway: Sendable {
    /// The serving gateway and what is known of its reloads, read together.
    public struct Snapshot: Sendable {
        public let gateway: Gateway
        public let version: SupergraphVersion
        /// The last reload, when it failed and nothing has loaded since.
        public let lastFailure: ReloadFailure?
    }

    /// A reload that left the serving supergraph in place.
    public struct ReloadFailure: Sendable {
        public var at: Date
        /// What started it: `file`, `SIGHUP`, `poll`.
        public var trigger: String
        /// The errors, one a line, configuration errors with their `file:line:column`.
        public var message: String
    }

    /// How a reload ended, for `gateway_supergraph_reloads_total{result}`.
    enum ReloadResult: String, CaseIterable {
        case ok, unchanged, failed
    }

    private let state: Mutex<Snapshot>
    /// Shared by every gateway this one serves.
    public let metrics: GatewayMetrics
    private let versionGauge: Gauge
    private let info: Mutex<Gauge>
    private let reloads: [ReloadResult: Counter]

    /// Serves `gateway` as version 1.
    public init(_ gateway: Gateway) {
        let version = SupergraphVersion(number: 1, sdl: gateway.supergraph.sdl)
        state = Mutex(Snapshot(gateway: gateway, version: version, lastFailure: nil))
        metrics = gateway.metrics
        let registry = metrics.registry
        versionGauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "gateway", metricName: "supergraph_version", unitName: "",
                helpText: "The number of the supergraph that serves (1 at start, one more for each reload that replaced it)."))
        versionGauge.set(Int64(version.number))
        info = Mutex(Self.infoGauge(registry, version))
        var reloads: [ReloadResult: Counter] = [:]
        for result in ReloadResult.allCases {
            reloads[result] = registry.makeCounter(
                descriptor: GatewayMetrics.counter(
                    "supergraph_reloads", "Reloads of gateway.yaml and the subgraphs' schemas, by how they ended."),
                labels: [("result", result.rawValue)])
        }
        self.reloads = reloads
    }

    /// The gateway new requests get.
    public var current: Gateway { state.withLock { $0.gateway } }

    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Serves `gateway` from now on, as the next version.
    @discardableResult
    func replace(with gateway: Gateway) -> SupergraphVersion {
        let version = state.withLock { state in
            let version = SupergraphVersion(number: state.version.number + 1, sdl: gateway.supergraph.sdl)
            state = Snapshot(gateway: gateway, version: version, lastFailure: nil)
            return version
        }
        versionGauge.set(Int64(version.number))
        let registry = metrics.registry
        info.withLock { gauge in
            registry.unregisterGauge(gauge)
            gauge = Self.infoGauge(registry, version)
        }
        reloads[.ok]?.increment()
        return version
    }

    /// A reload composed the supergraph that serves already.
    func keep() {
        state.withLock { state in
            state = Snapshot(gateway: state.gateway, version: state.version, lastFailure: nil)
        }
        reloads[.unchanged]?.increment()
    }

    /// A reload failed; the serving gateway stays.
    func recordFailure(_ failure: ReloadFailure) {
        state.withLock { state in
            state = Snapshot(gateway: state.gateway, version: state.version, lastFailure: failure)
        }
        reloads[.failed]?.increment()
    }

    private static func infoGauge(_ registry: PrometheusCollectorRegistry, _ version: SupergraphVersion) -> Gauge {
        let gauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "gateway", metricName: "supergraph_info", unitName: "",
                helpText: "Always 1; its labels name the serving supergraph: version and hash of the composed SDL."),
            labels: [("version", String(version.number)), ("hash", version.hash)])
        gauge.set(Int64(1))
        return gauge
    }
}

/// FNV-1a, 64 bits: a fast, stable hash for telling texts apart (not for security).
enum FNV1a {
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The hash as 16 lowercase hex digits.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let text = String(hash(bytes), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
