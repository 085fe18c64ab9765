import Foundation
import GatewayJSON
import TestSupport
import Testing

/// The Prometheus metrics of `/metrics`: durations, errors by code, the plan cache, and
/// upstream round trips and failures, against the gateway's server in this process (whose
/// subgraphs all refuse connections).
@Suite("Metrics")
struct MetricsTests {
    /// The value of one sample line (`name{labels} value`), or nil.
    static func sample(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    @Test func requestsErrorsThePlanCacheAndUpstreamFailuresAreCounted() async throws {
        try await withInProcessGateway { base in
            for query in ["{ __typename }", "{ __typename }", "{ nope }", "{ currencies }"] {
                _ = try await TestHTTP.graphql(base + "/graphql", query)
            }
            let text = try await TestHTTP.request(base + "/metrics").text
            #expect(Self.sample(text, "gateway_requests_total") == 4)
            #expect(Self.sample(text, "gateway_rejected_requests_total") == 1)
            #expect(Self.sample(text, "gateway_request_duration_seconds_count") == 4)
            #expect(Self.sample(text, #"gateway_errors_total{code="GRAPHQL_VALIDATION_FAILED"}"#) == 1)
            #expect(Self.sample(text, #"gateway_errors_total{code="SUBGRAPH_UNAVAILABLE"}"#) == 1)
            // The second `{ __typename }` reuses the first one's plan.
            #expect(Self.sample(text, "gateway_plan_cache_misses_total") == 2)
            #expect(Self.sample(text, "gateway_plan_cache_hits_total") == 1)
            // The query's request was refused, then sent once more (traffic.retries).
            #expect(Self.sample(text, #"gateway_upstream_requests_total{subgraph="prices"}"#) == 2)
            #expect(Self.sample(text, #"gateway_upstream_failures_total{subgraph="prices"}"#) == 2)
            #expect(Self.sample(text, #"gateway_upstream_request_duration_seconds_count{subgraph="prices"}"#) == 2)
            #expect(text.contains(#"gateway_request_duration_seconds_bucket{le="0.001"}"#), "\(text)")
        }
    }
}
