import Foundation
import GatewayJSON
import TestSupport
import Testing
import Upstream

@testable import GatewayServer

/// The file watch's decisions, without files.
@Suite struct ConfigFileWatchTests {
    /// The watch's decision at each look at the file (nil: missing), starting from content 1.
    func decisions(_ looks: [UInt64?]) -> [Bool] {
        var watch = ConfigFileWatch(loaded: 1)
        return looks.map { watch.observe($0) }
    }

    @Test func aNewContentCountsOnceSeenTwiceInARow() {
        // Seen once, the writer may not be done; once loaded, it is no change.
        #expect(decisions([1, 2, 2, 2]) == [false, false, true, false])
    }

    @Test func aContentThatKeepsChangingWaitsUntilItSettles() {
        #expect(decisions([2, 3, 4, 4]) == [false, false, false, true])
    }

    @Test func aMissingFileIsNoChange() {
        // An editor replacing the file: the content seen before the gap counts again from one.
        #expect(decisions([2, nil, 2, 2, nil, nil]) == [false, false, false, true, false, false])
    }

    @Test func aReloadThatReadTheFileMakesItsContentLoadedWhateverBecameOfIt() {
        var watch = ConfigFileWatch(loaded: 1)
        let first = watch.observe(2)
        watch.read(2)  // SIGHUP came first
        let second = watch.observe(2)
        watch.read(nil)
        #expect(!first && !second && watch.loaded == 2)
    }

    @Test func theFingerprintFollowsTheContent() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(ConfigFileWatch.fingerprint(path: path) == nil)
        try "a: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let first = ConfigFileWatch.fingerprint(path: path)
        try "a: 2\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(first != nil && ConfigFileWatch.fingerprint(path: path) != first)
        try "a: 1\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(ConfigFileWatch.fingerprint(path: path) == first)
    }
}

/// Which supergraph serves, as `/ready` and `/metrics` tell it.
@Suite struct ServingGatewayTests {
    static let client = UpstreamClient()

    func gateway() throws -> Gateway {
        Gateway(supergraph: try demoSupergraph(), client: Self.client)
    }

    @Test func versionsCountAndTheHashIsTheComposedSDLs() throws {
        let first = try gateway()
        let serving = ServingGateway(first)
        #expect(serving.snapshot.version.number == 1)
        #expect(serving.snapshot.version.hash == FNV1a.hex(Array(first.supergraph.sdl.utf8)))
        #expect(serving.snapshot.version.hash.count == 16)
        let second = try gateway()
        let version = serving.replace(with: second)
        #expect(version.number == 2 && serving.current === second)
        #expect(version.hash == serving.snapshot.version.hash, "the same schema has the same hash")
    }

    @Test func metricsNameTheServingVersionAndCountReloadsByResult() throws {
        let serving = ServingGateway(try gateway())
        let hash = serving.snapshot.version.hash
        serving.recordFailure(.init(at: Date(), trigger: "file", message: "gateway.yaml:3:5: wrong"))
        serving.keep()
        serving.replace(with: try gateway())
        let text = String(decoding: serving.metrics.exposition(), as: UTF8.self)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("gateway_supergraph_version 2.0"), "\(text)")
        #expect(lines.contains("gateway_supergraph_info{version=\"2\",hash=\"\(hash)\"} 1.0"), "\(text)")
        #expect(!text.contains("gateway_supergraph_info{version=\"1\""), "the old version's series is gone")
        #expect(lines.contains("gateway_supergraph_reloads_total{result=\"ok\"} 1"))
        #expect(lines.contains("gateway_supergraph_reloads_total{result=\"unchanged\"} 1"))
        #expect(lines.contains("gateway_supergraph_reloads_total{result=\"failed\"} 1"))
    }

    @Test func readyNamesTheVersionAndTheLastFailedReloadUntilOneSucceeds() throws {
        let serving = ServingGateway(try gateway())
        let hash = serving.snapshot.version.hash
        var body = try JSONParser.parse(GatewayServer.readyBody(serving.snapshot, problems: []))
        #expect(body.at("status") == "ready")
        #expect(body.at("supergraph", "version") == 1 && body.at("supergraph", "hash") == .string(hash))
        #expect(body.at("lastReload") == nil)

        serving.recordFailure(.init(at: Date(), trigger: "SIGHUP", message: "gateway.yaml:3:5: one\ngateway.yaml:9:1: two"))
        body = try JSONParser.parse(GatewayServer.readyBody(serving.snapshot, problems: [("catalog", "connection refused")]))
        #expect(body.at("status") == "unavailable")
        #expect(body.at("subgraphs", "catalog") == "connection refused")
        #expect(body.at("supergraph", "version") == 1)
        #expect(body.at("lastReload", "trigger") == "SIGHUP")
        #expect(body.at("lastReload", "errors") == ["gateway.yaml:3:5: one", "gateway.yaml:9:1: two"])

        serving.keep()
        #expect(try JSONParser.parse(GatewayServer.readyBody(serving.snapshot, problems: [])).at("lastReload") == nil)
    }
}
