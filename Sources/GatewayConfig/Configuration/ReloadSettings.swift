/// When a serving gateway builds a new supergraph in the background (`reload:` in gateway.yaml).
///
/// Whatever the settings, `SIGHUP` makes the gateway read gateway.yaml and introspect the
/// subgraphs again.
public struct ReloadSettings: Sendable, Hashable {
    /// Whether the gateway looks at its configuration file every second and reloads when its
    /// content changes (default true).
    public var watchConfig: Bool
    /// How often the subgraphs are introspected again; a changed schema makes a new
    /// supergraph. nil: never (default).
    public var pollSchemas: Duration?

    /// - Parameters:
    ///   - watchConfig: default true.
    ///   - pollSchemas: default nil (no polling).
    public init(watchConfig: Bool = true, pollSchemas: Duration? = nil) {
        self.watchConfig = watchConfig
        self.pollSchemas = pollSchemas
    }
}
