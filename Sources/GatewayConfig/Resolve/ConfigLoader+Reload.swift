extension ConfigLoader {
    // MARK: Stage: reload

    /// The shortest schema polling interval: introspecting every subgraph more often would
    /// load them for little gain.
    public static let minimumSchemaPollInterval = Duration.seconds(1)

    /// Checks `reload:` and fills in the defaults. Needs no other stage's output, so it can run
    /// (and report) before the subgraphs are introspected.
    public static func resolveReload(_ raw: RawConfig) throws(ConfigErrors) -> ReloadSettings {
        var settings = ReloadSettings()
        guard let given = raw.reload else { return settings }
        if let watch = given.watchConfig { settings.watchConfig = watch.value }
        if let poll = given.pollSchemas, poll.value != .zero {
            guard poll.value >= minimumSchemaPollInterval else {
                throw ConfigErrors([
                    ConfigError(
                        .invalidValue,
                        "reload.pollSchemas must be at least 1s, or 0s for no polling; got \(poll.value)",
                        at: poll.location)
                ])
            }
            settings.pollSchemas = poll.value
        }
        return settings
    }
}
