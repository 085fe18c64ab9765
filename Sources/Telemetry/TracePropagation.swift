import HTTPTypes
import Tracing

/// Reads W3C trace context (`traceparent`, `tracestate`) from an HTTP request's fields.
public struct HTTPFieldsExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}

extension Tracer {
    /// The context a request's `traceparent` continues (a new trace when it has none).
    public func context(of fields: HTTPFields) -> ServiceContext {
        var context = ServiceContext.topLevel
        extract(fields, into: &context, using: HTTPFieldsExtractor())
        return context
    }
}
