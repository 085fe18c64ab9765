import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, served on `GET /metrics`.
///
/// `gateway_upstream_requests_total{subgraph="..."}` counts every request sent to a
/// subgraph: tests and benchmarks read it to show that the number of upstream requests
/// depends on the shape of a query, never on the size of the data;
/// `gateway_upstream_response_bytes_total{subgraph="..."}` sums the bytes they answered.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let requests: Counter
    private let rejections: Counter
    private let upstream: Mutex<[String: (requests: Counter, bytes: Counter)]>

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        requests = registry.makeCounter(descriptor: Self.counter("requests", "GraphQL requests received."))
        rejections = registry.makeCounter(
            descriptor: Self.counter("rejected_requests", "Requests that did not parse, validate or coerce."))
        upstream = Mutex([:])
    }

    func request() { requests.increment() }
    func rejected() { rejections.increment() }

    func upstreamRequest(subgraph: String, responseBytes: Int) {
        let counters = upstream.withLock { counters in
            if let existing = counters[subgraph] { return existing }
            let made = (
                requests: registry.makeCounter(
                    descriptor: Self.counter("upstream_requests", "Requests sent to subgraphs."), labels: [("subgraph", subgraph)]),
                bytes: registry.makeCounter(
                    descriptor: Self.counter("upstream_response_bytes", "Bytes of the subgraphs' answers."),
                    labels: [("subgraph", subgraph)])
            )
            counters[subgraph] = made
            return made
        }
        counters.requests.increment()
        counters.bytes.increment(by: Int64(responseBytes))
    }

    /// `gateway_<name>_total`.
    static func counter(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gateway", metricName: name, unitName: "total", helpText: help)
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
