import GatewayConfig
import Testing

/// `telemetry.traces:` at the top level: where the gateway's spans go.
@Suite struct TelemetrySettingsTests {
    static let subgraph = "subgraphs:\n  - {name: catalog, url: \"http://c/graphql\"}\n"

    func settings(_ yaml: String) throws -> TelemetrySettings {
        try ConfigLoader.resolveTelemetry(decode(Self.subgraph + yaml))
    }

    @Test func withoutTelemetryTracesAreOff() throws {
        #expect(try settings("") == TelemetrySettings(tracesEndpoint: nil, tracesProtocol: "http/protobuf", serviceName: "gateway"))
        #expect(try settings("telemetry:\n").tracesEndpoint == nil)
    }

    @Test func everyKeyIsRead() throws {
        let yaml = "telemetry:\n  traces: {endpoint: \"http://collector:4318\", protocol: http/json, serviceName: edge}\n"
        #expect(try settings(yaml) == TelemetrySettings(tracesEndpoint: "http://collector:4318", tracesProtocol: "http/json", serviceName: "edge"))
    }

    @Test func aWrongProtocolAndEndpointAreRefusedAtTheirValues() throws {
        let raw = try decode(Self.subgraph + "telemetry:\n  traces:\n    endpoint: collector:4317\n    protocol: grpc\n")
        expectErrors(
            errors({ () throws(ConfigErrors) in try ConfigLoader.resolveTelemetry(raw) }),
            [
                ("5:15", ["telemetry.traces.endpoint must be an http:// or https:// URL (OTLP over HTTP); got \"collector:4317\""]),
                ("6:15", ["telemetry.traces.protocol must be one of http/protobuf, http/json; got \"grpc\""]),
            ])
    }

    @Test func unknownKeysAndAMissingEndpointAreReportedWhereTheyAreWritten() {
        let found = decodeErrors(Self.subgraph + "telemetry:\n  traces:\n    protocol: http/json\n    servicename: edge\n")
        expectErrors(
            found,
            [
                ("6:5", ["unknown key \"servicename\" in telemetry.traces; did you mean \"serviceName\"? allowed keys: endpoint, protocol, serviceName"]),
                ("5:5", ["missing required key \"endpoint\" in telemetry.traces; required keys: endpoint"]),
            ])
    }

    /// The whole resolve runs the stage too, and keeps what it read.
    @Test func resolveRunsTheTelemetryStage() throws {
        let found = resolveErrors(Self.subgraph + "telemetry: {traces: {endpoint: \"http://c:4318\", protocol: json}}\n", schemas: ["catalog": .init()])
        expectError(found, at: "3:59", "telemetry.traces.protocol must be one of")
    }
}
