extension ConfigLoader {
    // MARK: Stage: telemetry

    /// Checks `telemetry.traces:` (an `http(s)` endpoint, a known protocol) and fills in the
    /// defaults. Needs no other stage's output.
    public static func resolveTelemetry(_ raw: RawConfig) throws(ConfigErrors) -> TelemetrySettings {
        var settings = TelemetrySettings()
        guard let given = raw.telemetry else { return settings }
        var errors: [ConfigError] = []
        if let endpoint = given.endpoint {
            let lowered = endpoint.value.lowercased()
            if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
                settings.tracesEndpoint = endpoint.value
            } else {
                errors.append(ConfigError(
                    .invalidValue, "telemetry.traces.endpoint must be an http:// or https:// URL (OTLP over HTTP); got \"\(endpoint.value)\"",
                    at: endpoint.location))
            }
        }
        if let wire = given.protocol {
            if TelemetrySettings.protocols.contains(wire.value) {
                settings.tracesProtocol = wire.value
            } else {
                errors.append(ConfigError(
                    .invalidValue,
                    "telemetry.traces.protocol must be one of \(TelemetrySettings.protocols.joined(separator: ", ")); got \"\(wire.value)\"",
                    at: wire.location))
            }
        }
        if let name = given.serviceName { settings.serviceName = name.value }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return settings
    }
}
