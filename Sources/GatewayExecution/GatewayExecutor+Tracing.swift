import GatewayJSON
import QueryPlanner
import Tracing

extension GatewayExecutor {
    /// Runs one fetch of the plan in a span of its own when the request is traced: named
    /// `fetch SUBGRAPH`, with the subgraph, the relationship (when it resolves one) and the
    /// rows it brought; the fetch's upstream requests carry the span in `traceparent`, so the
    /// subgraph's spans are its children. Untraced, it only runs the fetch.
    func traced(_ fetch: Fetch, _ run: Run, _ body: () async -> FetchOutcome) async -> FetchOutcome {
        guard let trace = run.context.trace else { return await body() }
        var span = trace.tracer.startSpan("fetch \(fetch.subgraph)", context: trace.parent, ofKind: .client)
        span.attributes["gateway.subgraph"] = fetch.subgraph
        span.attributes["gateway.fetch.id"] = fetch.id
        switch fetch.kind {
        case .relationship(let relationship): span.attributes["gateway.relationship"] = relationship.relationship
        case .aggregate(let aggregate): span.attributes["gateway.relationship"] = aggregate.label
        case .write: span.attributes["gateway.fetch.kind"] = "write"
        case .forward: span.attributes["gateway.fetch.kind"] = "forward"
        case .root: span.attributes["gateway.fetch.kind"] = "root"
        }
        let outcome = await ServiceContext.withValue(span.context) { await body() }
        if let rows = outcome.rowCount { span.attributes["gateway.rows"] = rows }
        if case .failed(let failure) = outcome {
            span.attributes["gateway.error.code"] = failure.code
            span.setStatus(SpanStatus(code: .error, message: failure.message))
        }
        span.end()
        return outcome
    }

    /// `traceparent` (and `tracestate`) for an upstream request sent inside a fetch's span.
    func traceHeaders(_ run: Run) -> [(String, String)] {
        guard let trace = run.context.trace else { return [] }
        var headers: [(String, String)] = []
        trace.tracer.inject(ServiceContext.current ?? trace.parent, into: &headers, using: HeaderListInjector())
        return headers
    }
}

/// Writes trace context into an upstream request's header list.
struct HeaderListInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.append((key, value))
    }
}

extension FetchOutcome {
    /// The rows a fetch brought, for its span: a relationship's related rows, a root fetch's
    /// rows across its root fields (a list counts its items, an object one); nil when it is
    /// not counted (forwarded, failed, skipped).
    var rowCount: Int? {
        switch self {
        case .rows(let groups), .aggregates(let groups, _):
            return groups.groups.reduce(0) { $0 + $1.count }
        case .data(let data?, let ordered, _):
            var count = 0
            for (key, value) in data.members {
                if let rows = ordered[key] {
                    count += rows.count
                } else if value.isArray {
                    count += value.items.count
                } else if value.isObject {
                    count += 1
                }
            }
            return count
        case .data(nil, _, _), .forwarded, .failed, .skipped:
            return nil
        }
    }
}
