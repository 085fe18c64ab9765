import GatewayConfig
import Testing

/// `reload:` at the top level: whether the file is watched and how often the subgraphs'
/// schemas are polled.
@Suite struct ReloadSettingsTests {
    static let subgraph = "subgraphs:\n  - {name: catalog, url: \"http://c/graphql\"}\n"

    func settings(_ yaml: String) throws -> ReloadSettings {
        try ConfigLoader.resolveReload(decode(Self.subgraph + yaml))
    }

    @Test func withoutReloadTheFileIsWatchedAndSchemasAreNotPolled() throws {
        #expect(try settings("") == ReloadSettings(watchConfig: true, pollSchemas: nil))
        #expect(try settings("reload:\n") == ReloadSettings())
    }

    @Test func everyKeyIsRead() throws {
        #expect(try settings("reload: {watchConfig: false, pollSchemas: 30s}") == ReloadSettings(watchConfig: false, pollSchemas: .seconds(30)))
        #expect(try settings("reload:\n  pollSchemas: 2m\n") == ReloadSettings(watchConfig: true, pollSchemas: .seconds(120)))
    }

    @Test func zeroTurnsPollingOff() throws {
        #expect(try settings("reload: {pollSchemas: 0s}").pollSchemas == nil)
    }

    @Test func aPollingIntervalUnderOneSecondIsRefusedAtItsValue() throws {
        let raw = try decode(Self.subgraph + "reload:\n  pollSchemas: 500ms\n")
        expectError(
            errors({ () throws(ConfigErrors) in try ConfigLoader.resolveReload(raw) }), at: "4:16",
            "reload.pollSchemas must be at least 1s, or 0s for no polling; got 0.5 seconds")
    }

    @Test func wrongValuesAndKeysAreReportedWhereTheyAreWritten() {
        let found = decodeErrors(
            Self.subgraph + """
                reload:
                  watchConfig: sometimes
                  pollSchemas: soon
                  pollSchema: 30s
                """)
        expectErrors(
            found,
            [
                ("6:3", ["unknown key \"pollSchema\" in reload; did you mean \"pollSchemas\"? allowed keys: watchConfig, pollSchemas"]),
                ("4:16", ["expected true or false for \"watchConfig\" in reload, got \"sometimes\""]),
                ("5:16", ["invalid duration \"soon\" for \"pollSchemas\" in reload"]),
            ])
    }

    /// The whole resolve runs the stage too.
    @Test func resolveRunsTheReloadStage() {
        let found = resolveErrors(Self.subgraph + "reload: {pollSchemas: 100ms}\n", schemas: ["catalog": .init()])
        expectError(found, at: "3:23", "reload.pollSchemas must be at least 1s")
    }
}
