import Foundation
import GatewayConfig
import Testing

/// `limits:` at the top level: every key optional, ranges checked, defaults filled in.
@Suite struct LimitsTests {
    func limits(_ yaml: String, environment: [String: String] = [:]) throws -> OperationLimits {
        try ConfigLoader.resolveLimits(decode("subgraphs:\n  - {name: catalog, url: \"http://c/graphql\"}\n" + yaml, environment: environment))
    }

    /// The errors of the limits stage; the limits start on line 3.
    func stageErrors(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [ConfigError] {
        guard let raw = try? decode("subgraphs:\n  - {name: catalog, url: \"http://c/graphql\"}\n" + yaml) else {
            Issue.record("the YAML should decode", sourceLocation: sourceLocation)
            return []
        }
        return errors({ () throws(ConfigErrors) in try ConfigLoader.resolveLimits(raw) }, sourceLocation: sourceLocation)
    }

    @Test func withoutLimitsEveryDefaultHolds() throws {
        #expect(try limits("") == OperationLimits())
        #expect(try limits("limits:\n") == OperationLimits())
        let defaults = OperationLimits()
        #expect(defaults.maxDepth == 15 && defaults.maxAliases == 30 && defaults.maxRootFields == 20)
        #expect(defaults.maxListNesting == 5 && defaults.maxCost == 5_000_000 && defaults.defaultListSize == 100)
        #expect(defaults.maxRequestBytes == 16 << 20 && defaults.maxResponseBytes == 16 << 20 && defaults.introspection)
    }

    @Test func everyKeyIsRead() throws {
        let read = try limits(
            """
            limits:
              maxDepth: 10
              maxAliases: 5
              maxRootFields: 3
              maxListNesting: 2
              maxCost: 5000
              defaultListSize: 20
              maxRequestBytes: 1MiB
              maxResponseBytes: 512KB
              introspection: false
            """)
        #expect(
            read
                == OperationLimits(
                    maxDepth: 10, maxAliases: 5, maxRootFields: 3, maxListNesting: 2, maxCost: 5000, defaultListSize: 20,
                    maxRequestBytes: 1 << 20, maxResponseBytes: 512_000, introspection: false))
    }

    @Test func keysLeftOutKeepTheirDefaultsAndValuesMayComeFromTheEnvironment() throws {
        var expected = OperationLimits()
        expected.maxDepth = 12
        expected.maxResponseBytes = 2 << 30
        #expect(try limits("limits: {maxDepth: \"${MAX_DEPTH:-12}\", maxResponseBytes: 2GiB}") == expected)
        expected.maxDepth = 7
        #expect(try limits("limits: {maxDepth: \"${MAX_DEPTH:-12}\", maxResponseBytes: 2GiB}", environment: ["MAX_DEPTH": "7"]) == expected)
    }

    @Test func sizesTakeUnits() throws {
        let sizes = [("1000", 1000), ("100B", 100), ("64KiB", 65536), ("16 MiB", 16 << 20), ("1GiB", 1 << 30), ("2KB", 2000), ("3MB", 3_000_000), ("1GB", 1_000_000_000)]
        for (text, bytes) in sizes {
            #expect(try limits("limits: {maxRequestBytes: \(text)}").maxRequestBytes == bytes, "\(text)")
        }
    }

    @Test func wrongTypesAreReportedAtTheValue() {
        let found = decodeErrors(
            """
            subgraphs:
              - {name: catalog, url: "http://c/graphql"}
            limits:
              maxDepth: ten
              maxAliases: 1.5
              maxRootFields: [3]
              maxCost: {value: 3}
              maxRequestBytes: 16 potatoes
              maxResponseBytes: 1.5MiB
              introspection: maybe
              maxDepht: 3
            """)
        expectErrors(
            found,
            [
                ("11:3", ["unknown key \"maxDepht\" in limits; did you mean \"maxDepth\"? allowed keys: maxDepth, maxAliases, maxRootFields, maxListNesting, maxCost, defaultListSize, maxRequestBytes, maxResponseBytes, introspection"]),
                ("4:13", ["expected a whole number for \"maxDepth\" in limits, got \"ten\""]),
                ("5:15", ["expected a whole number for \"maxAliases\" in limits, got \"1.5\""]),
                ("6:18", ["expected a whole number for \"maxRootFields\" in limits, got a list"]),
                ("7:12", ["expected a whole number for \"maxCost\" in limits, got a mapping"]),
                ("8:20", ["invalid size \"16 potatoes\" for \"maxRequestBytes\" in limits; write a whole number of bytes, optionally followed by KiB, MiB or GiB (or KB, MB, GB), like 16MiB"]),
                ("9:21", ["invalid size \"1.5MiB\" for \"maxResponseBytes\" in limits"]),
                ("10:18", ["expected true or false for \"introspection\" in limits, got \"maybe\""]),
            ])
        expectError(
            decodeErrors("subgraphs:\n  - {name: catalog, url: \"http://c/graphql\"}\nlimits: [maxDepth]\n"), at: "3:9",
            "expected limits (a mapping with the keys maxDepth, maxAliases, maxRootFields, maxListNesting, maxCost, defaultListSize, maxRequestBytes, maxResponseBytes, introspection, maxBatch), got a list")
    }

    @Test func numbersBelowOneAreRefusedWithTheDefault() {
        let found = stageErrors(
            """
            limits:
              maxDepth: 0
              maxAliases: -1
              maxRootFields: -20
              maxListNesting: 0
              maxCost: -5
              defaultListSize: 0
              maxRequestBytes: -1KiB
              maxResponseBytes: 0
            """)
        expectErrors(
            found,
            [
                ("4:13", ["limits.maxDepth must be at least 1, got 0; leave it out for the default, 15"]),
                ("5:15", ["limits.maxAliases must be at least 1, got -1; leave it out for the default, 30"]),
                ("6:18", ["limits.maxRootFields must be at least 1, got -20; leave it out for the default, 20"]),
                ("7:19", ["limits.maxListNesting must be at least 1, got 0; leave it out for the default, 5"]),
                ("8:12", ["limits.maxCost must be at least 1, got -5; leave it out for the default, 5000000"]),
                ("9:20", ["limits.defaultListSize must be at least 1, got 0; leave it out for the default, 100"]),
                ("10:20", ["limits.maxRequestBytes must be at least 1 byte, got -1024; leave it out for the default, 16777216 bytes (16 MiB)"]),
                ("11:21", ["limits.maxResponseBytes must be at least 1 byte, got 0; leave it out for the default, 16777216 bytes (16 MiB)"]),
            ])
    }

    /// The whole resolve reports limit mistakes too (and `gateway serve` reports them before
    /// waiting for any subgraph, with the subgraph stage's).
    @Test func resolveRunsTheLimitsStage() throws {
        let found = resolveErrors(
            """
            subgraphs:
              - {name: catalog, url: "http://c/graphql"}
            limits: {maxDepth: 0}
            """, schemas: ["catalog": .init()])
        expectError(found, at: "3:20", "limits.maxDepth must be at least 1, got 0")
    }
}

@Suite("persistedQueries in gateway.yaml")
struct PersistedQueriesConfigTests {
    @Test func theAllowListIsReadRelativeToTheFileAndItsProblemsAreLocated() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "query A { __typename }".write(to: directory.appendingPathComponent("ops.graphql"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("gateway.yaml").path
        let good = try ConfigLoader.decode(
            yaml: "subgraphs:\n  - {name: catalog, url: \"http://c/graphql\"}\npersistedQueries:\n  cacheSize: 5\n  allowList: ops.graphql\n", file: file, environment: [:])
        let config = try ConfigLoader.resolvePersistedQueries(good)
        #expect(config.cacheSize == 5)
        #expect(config.allowList?.text == "query A { __typename }")
        #expect(config.allowList?.path == directory.appendingPathComponent("ops.graphql").path)

        let bad = try ConfigLoader.decode(
            yaml: "subgraphs:\n  - {name: catalog, url: \"http://c/graphql\"}\npersistedQueries:\n  cacheSize: -1\n  allowList: missing.graphql\n", file: file, environment: [:])
        #expect(throws: ConfigErrors.self) { try ConfigLoader.resolvePersistedQueries(bad) }
        do {
            _ = try ConfigLoader.resolvePersistedQueries(bad)
        } catch {
            let located = error.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
            #expect(located.count == 2)
            #expect(located.first?.hasPrefix("4:14 persistedQueries.cacheSize must be at least 0") == true, "\(located)")
            #expect(located.last?.hasPrefix("5:14 persistedQueries.allowList: cannot read ") == true, "\(located)")
        }
    }
}
