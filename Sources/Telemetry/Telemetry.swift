import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Traces, for the gateway and the subgraphs alike: OpenTelemetry spans exported over OTLP/HTTP
/// by swift-otel, W3C `traceparent` in and out. Off unless asked for.
///
/// The standard OpenTelemetry variables switch it on and steer it (swift-otel reads them):
/// `OTEL_TRACES_EXPORTER=otlp` (or `console`), or an endpoint in
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`; then
/// `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` (`http/protobuf`, the default, or `http/json`),
/// `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY` and the rest.
/// gateway.yaml's `telemetry:` (``Settings``) does the same for the gateway; the
/// environment wins where both speak.
public enum Telemetry {
    /// What turns tracing on, besides the environment.
    public struct Settings: Sendable, Equatable {
        /// Where spans go: the collector's base URL (`/v1/traces` is added unless the URL ends
        /// with it).
        public var endpoint: String?
        /// `http/protobuf` (default) or `http/json`.
        public var wireProtocol: String?
        /// The `service.name` of the spans (default the process's: `gateway`, the subgraph's name).
        public var serviceName: String?

        public init(endpoint: String? = nil, wireProtocol: String? = nil, serviceName: String? = nil) {
            self.endpoint = endpoint
            self.wireProtocol = wireProtocol
            self.serviceName = serviceName
        }
    }

    /// The variables that switch tracing on when no ``Settings`` do.
    static func enabled(by environment: [String: String]) -> Bool {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if let exporter = environment["OTEL_TRACES_EXPORTER"]?.lowercased(), !exporter.isEmpty { return exporter != "none" }
        // Set but empty (`${VAR:-}` in a compose file) counts as unset.
        return !(environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? "").isEmpty
            || !(environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "").isEmpty
    }

    /// Why tracing could not start.
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The tracer and the service that exports its spans (run it beside the server, it flushes
    /// on graceful shutdown), or nil when neither `settings` nor the environment asks for traces.
    public static func tracing(
        serviceName: String, settings: Settings? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SetupError) -> (tracer: any Tracer, service: any Service)? {
        guard settings?.endpoint != nil || enabled(by: environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings?.serviceName ?? serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.propagators = [.traceContext]
        configuration.diagnosticLogLevel = .warning
        if let endpoint = settings?.endpoint {
            configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/v1/traces") ? endpoint : endpointURL(endpoint)
        }
        switch settings?.wireProtocol {
        case nil, "http/protobuf": break
        case "http/json": configuration.traces.otlpExporter.protocol = .httpJSON
        case let other?:
            throw SetupError(description: "telemetry protocol \"\(other)\" is not one of http/protobuf, http/json")
        }
        do {
            let backend = try OTel.makeTracingBackend(configuration: configuration)
            return (backend.factory, backend.service)
        } catch {
            throw SetupError(description: "traces cannot be exported: \(error)")
        }
    }

    /// A collector's base URL with the traces path.
    static func endpointURL(_ base: String) -> String {
        base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
    }
}
