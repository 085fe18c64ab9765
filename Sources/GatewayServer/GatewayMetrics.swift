import GatewayExecution
import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, served on `GET /metrics`.
///
/// - `gateway_requests_total`, `gateway_rejected_requests_total` (refused before execution),
///   `gateway_request_duration_seconds` (a histogram of whole requests, refused ones included);
/// - `gateway_errors_total{code="..."}`: the errors of the responses, by `extensions.code`;
/// - `gateway_plan_cache_hits_total` and `gateway_plan_cache_misses_total`;
/// - `gateway_upstream_requests_total{subgraph="..."}` counts every request sent to a
///   subgraph (tests and benchmarks read it to show that the number of upstream requests
///   depends on the shape of a query, never on the size of the data),
///   `gateway_upstream_response_bytes_total{subgraph}` sums the bytes they answered,
///   `gateway_upstream_failures_total{subgraph}` counts those without an answer, and
///   `gateway_upstream_request_duration_seconds{subgraph}` is a histogram of their round trips.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let requests: Counter
    private let rejections: Counter
    private let durations: DurationHistogram
    private let planHits: Counter
    private let planMisses: Counter
    private let errorsByCode: Mutex<[String: Counter]>
    private let upstream: Mutex<[String: UpstreamMetrics]>

    struct UpstreamMetrics {
        var requests: Counter
        var bytes: Counter
        var failures: Counter
        var durations: DurationHistogram
    }

    /// Buckets from a millisecond to ten seconds.
    static let buckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000].map { Duration.milliseconds($0) }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        requests = registry.makeCounter(descriptor: Self.counter("requests", "GraphQL requests received."))
        rejections = registry.makeCounter(
            descriptor: Self.counter("rejected_requests", "Requests refused before execution (parse, validation, variables, limits, headers)."))
        durations = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "gateway", metricName: "request_duration", unitName: "seconds", helpText: "Time to answer a GraphQL request."),
            buckets: Self.buckets)
        planHits = registry.makeCounter(descriptor: Self.counter("plan_cache_hits", "Operations whose plan was cached."))
        planMisses = registry.makeCounter(descriptor: Self.counter("plan_cache_misses", "Operations planned anew."))
        errorsByCode = Mutex([:])
        upstream = Mutex([:])
    }

    func request() { requests.increment() }

    /// A request answered: its duration, and the codes of its errors.
    func answered(duration: Duration, errorCodes: [String], rejected: Bool) {
        durations.record(duration)
        if rejected { rejections.increment() }
        guard !errorCodes.isEmpty else { return }
        var counts: [String: Int64] = [:]
        for code in errorCodes { counts[code, default: 0] += 1 }
        for (code, count) in counts {
            let counter = errorsByCode.withLock { counters in
                if let existing = counters[code] { return existing }
                let made = registry.makeCounter(
                    descriptor: Self.counter("errors", "Errors in responses, by extensions.code."), labels: [("code", code)])
                counters[code] = made
                return made
            }
            counter.increment(by: count)
        }
    }

    func planCache(hit: Bool) { (hit ? planHits : planMisses).increment() }

    func upstreamRequest(_ observation: GatewayExecutor.UpstreamObservation) {
        let subgraph = observation.subgraph
        let metrics = upstream.withLock { all in
            if let existing = all[subgraph] { return existing }
            let labels = [("subgraph", subgraph)]
            let made = UpstreamMetrics(
                requests: registry.makeCounter(descriptor: Self.counter("upstream_requests", "Requests sent to subgraphs."), labels: labels),
                bytes: registry.makeCounter(
                    descriptor: Self.counter("upstream_response_bytes", "Bytes of the subgraphs' answers."), labels: labels),
                failures: registry.makeCounter(
                    descriptor: Self.counter("upstream_failures", "Requests to subgraphs that got no answer."), labels: labels),
                durations: registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(
                        namespace: "gateway", metricName: "upstream_request_duration", unitName: "seconds",
                        helpText: "Round trips of requests to subgraphs."),
                    labels: labels, buckets: Self.buckets))
            all[subgraph] = made
            return made
        }
        metrics.requests.increment()
        metrics.bytes.increment(by: Int64(observation.responseBytes))
        metrics.durations.record(observation.duration)
        if observation.failed { metrics.failures.increment() }
    }

    /// `gateway_<name>_total`.
    static func counter(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gateway", metricName: name, unitName: "total", helpText: help)
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
