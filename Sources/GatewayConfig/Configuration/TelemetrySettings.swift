/// Where the gateway sends its spans (`telemetry.traces:` in gateway.yaml); tracing is off
/// without it, unless the OpenTelemetry variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, ...) turn it on.
///
/// Read when the gateway starts; a reload does not change it.
public struct TelemetrySettings: Sendable, Hashable {
    /// The OTLP/HTTP collector's URL (`/v1/traces` is added unless it ends with it); nil: off.
    public var tracesEndpoint: String?
    /// `http/protobuf` (default) or `http/json`.
    public var tracesProtocol: String
    /// The spans' `service.name` (default `gateway`).
    public var serviceName: String

    public static let protocols = ["http/protobuf", "http/json"]

    public init(tracesEndpoint: String? = nil, tracesProtocol: String = "http/protobuf", serviceName: String = "gateway") {
        self.tracesEndpoint = tracesEndpoint
        self.tracesProtocol = tracesProtocol
        self.serviceName = serviceName
    }
}
