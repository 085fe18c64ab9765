import GatewayExecution
import GraphQL
import GraphQLSupport
import Synchronization
import Tracing

/// The spans of one traced operation: `graphql.operation` (named `query Name` once the
/// operation is known) with the children `graphql.parse`, `graphql.validate` (or
/// `graphql.document` when the document came from the cache), `graphql.plan` and
/// `graphql.execute`; the executor hangs one `fetch SUBGRAPH` span per fetch under
/// `graphql.execute`.
///
/// Parsing, validation and planning are timed while they run and written as spans after
/// (they run on the request's thread, between other work); the operation and execution spans
/// are open while they last.
final class OperationTrace: Sendable {
    let tracer: any Tracer
    let root: any Span
    /// A moment read on both clocks, to place monotonic instants on the tracer's wall clock.
    let reference: (continuous: ContinuousClock.Instant, wall: DefaultTracerClock.Instant)
    let execution = Mutex<(any Span)?>(nil)

    init(tracer: any Tracer, parent: ServiceContext?) {
        self.tracer = tracer
        reference = (ContinuousClock.now, DefaultTracerClock.now)
        root = tracer.startSpan("graphql.operation", context: parent ?? .topLevel, ofKind: .server)
    }

    /// The tracer's instant for a monotonic one.
    func wallClock(_ instant: ContinuousClock.Instant) -> DefaultTracerClock.Instant {
        let offset = reference.continuous.duration(to: instant).components
        let nanoseconds = Int64(offset.seconds) * 1_000_000_000 + offset.attoseconds / 1_000_000_000
        let wall = Int64(reference.wall.nanosecondsSinceEpoch) + nanoseconds
        return DefaultTracerClock.Instant(nanosecondsSinceEpoch: UInt64(max(0, wall)))
    }

    /// A child span of the operation that has already run.
    func record(_ name: String, _ range: Range<ContinuousClock.Instant>, attributes: SpanAttributes = [:]) {
        let span = tracer.startSpan(name, context: root.context, ofKind: .internal, at: wallClock(range.lowerBound))
        span.attributes = attributes
        span.end(at: wallClock(range.upperBound))
    }

    /// For ``DocumentCache/prepare(_:observe:)``.
    func document(_ phase: DocumentCache.Phase, _ range: Range<ContinuousClock.Instant>) {
        switch phase {
        case .parse: record("graphql.parse", range)
        case .validate: record("graphql.validate", range)
        case .cached: record("graphql.document", range, attributes: ["gateway.cached": true])
        }
    }

    /// Names the operation span after the operation, as OpenTelemetry's GraphQL conventions do.
    func named(_ operation: OperationDefinition) {
        let type = operation.operation.rawValue
        root.operationName = operation.name.map { "\(type) \($0.value)" } ?? type
        root.attributes["graphql.operation.type"] = type
        if let name = operation.name?.value { root.attributes["graphql.operation.name"] = name }
    }

    /// Opens `graphql.execute`; the executor's fetch spans go under it.
    func executing() -> RequestContext.Trace {
        let span = tracer.startSpan("graphql.execute", context: root.context, ofKind: .internal)
        execution.withLock { $0 = span }
        return RequestContext.Trace(tracer: tracer, parent: span.context)
    }

    /// Ends the spans, the operation's with the response's error codes.
    func finish(_ outcome: GatewayExecutor.Execution) {
        execution.withLock { $0?.end() }
        if !outcome.errorCodes.isEmpty {
            root.attributes["graphql.errors"] = outcome.errorCodes.count
            root.attributes["gateway.error.codes"] = outcome.errorCodes.joined(separator: ",")
            root.setStatus(SpanStatus(code: .error, message: outcome.errorCodes.first))
        }
        root.end()
    }
}
