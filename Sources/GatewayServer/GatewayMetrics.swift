import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, served on `GET /metrics`.
///
/// `gateway_upstream_requests_total{subgraph="..."}` counts every request sent to a
/// subgraph: tests and benchmarks read it to show that the number of upstream requests
/// depends on the shape of a query, never on the size of the data.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let requests: Counter
    private let rejections: Counter
    private let upstream: Mutex<[String: Counter]>

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        requests = registry.makeCounter(name: "gateway_requests_total", help: "GraphQL requests received.")
        rejections = registry.makeCounter(
            name: "gateway_rejected_requests_total", help: "Requests that did not parse, validate or coerce.")
        upstream = Mutex([:])
    }

    func request() { requests.increment() }
    func rejected() { rejections.increment() }

    func upstreamRequest(subgraph: String) {
        let counter = upstream.withLock { counters in
            if let counter = counters[subgraph] { return counter }
            let counter = registry.makeCounter(
                name: "gateway_upstream_requests_total", labels: [("subgraph", subgraph)],
                help: "Requests sent to subgraphs.")
            counters[subgraph] = counter
            return counter
        }
        counter.increment()
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
