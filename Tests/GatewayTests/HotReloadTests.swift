import Foundation
import GatewayJSON
import Synchronization
import TestSupport
import Testing

/// Hot reload and graceful shutdown with real processes: the gateway watches its
/// configuration file, reloads on SIGHUP, polls the subgraphs' schemas, swaps the supergraph
/// without failing a request, and drains requests in flight on SIGTERM.
@Suite("Hot reload and graceful shutdown end to end", .serialized)
struct HotReloadTests {
    // MARK: Configurations

    /// Two subgraphs, two models, the relationships given (none: no `relationships:` list).
    static func config(relationships: [String] = [], reload: String = "") -> String {
        var yaml = """
            subgraphs:
              - name: catalog
                url: ${CATALOG_URL}
              - name: authors
                url: ${AUTHORS_URL}
            models:
              - {name: Books, subgraph: catalog, type: Book, collection: books}
              - {name: Authors, subgraph: authors, type: Author, collection: authors}

            """
        if !relationships.isEmpty { yaml += "relationships:\n" + relationships.joined() }
        if !reload.isEmpty { yaml += "reload:\n" + reload }
        return yaml
    }

    /// `Book.author`; `targetField` is Author's field the book's `author_id` maps to.
    static func bookAuthor(targetField: String = "id") -> String {
        """
          - kind: Relationship
            version: v1
            definition:
              source: Book
              name: author
              target:
                model:
                  name: Authors
                  relationshipType: Object
              mapping:
                - source:
                    fieldPath: [{fieldName: author_id}]
                  target:
                    modelField: [{fieldName: \(targetField)}]

        """
    }

    /// `Author.authoredBooks`.
    static let authoredBooks = """
          - kind: Relationship
            version: v1
            definition:
              source: Author
              name: authoredBooks
              target:
                model:
                  name: Books
                  relationshipType: Array
              mapping:
                - source:
                    fieldPath: [{fieldName: id}]
                  target:
                    modelField: [{fieldName: author_id}]

        """

    /// The stack with the two subgraphs ``config(relationships:reload:)`` names and the gateway.
    static func withSmallStack<T: Sendable>(
        extraArguments: [String: [String]] = [:], gatewayArguments: [String] = [], config: String,
        _ body: (LocalStack) async throws -> T
    ) async throws -> T {
        try await withStack(
            extraArguments: extraArguments, gatewayArguments: gatewayArguments, config: config,
            subgraphs: ["catalog", "authors"], body)
    }

    /// A configuration file of its own, removed by `body`'s end.
    static func withConfigFile<T>(_ yaml: String, _ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    // MARK: Helpers

    /// `/ready`'s body.
    static func ready(_ stack: LocalStack) async throws -> JSON {
        try await TestHTTP.request(await stack.base("gateway") + "/ready").json()
    }

    /// Waits until `/ready` names supergraph `version` (or fails after `timeout`).
    static func waitForVersion(_ version: Int, _ stack: LocalStack, timeout: Duration = .seconds(30)) async throws -> JSON {
        let deadline = ContinuousClock.now + timeout
        var last: JSON = .null
        while ContinuousClock.now < deadline {
            last = try await ready(stack)
            if last.at("supergraph", "version") == .int(version) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestProcessError("supergraph version \(version) did not serve within \(timeout); /ready: \(last)")
    }

    /// Whether the answer is the validation error of a field the schema does not have (yet).
    static func isUnknownField(_ answer: JSON, _ field: String) -> Bool {
        answer["data"] == nil
            && answer.at("errors", 0, "message")?.stringValue?.hasPrefix("Cannot query field \"\(field)\"") == true
    }

    // MARK: Reloads

    /// Tells the client loops to stop.
    final class StopFlag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .relaxed) }
        func set() { value.store(true, ordering: .relaxed) }
        /// Requests the loops have had answered so far.
        let answered = Atomic<Int>(0)
    }

    /// What one client loop saw.
    struct LoopRecord: Sendable {
        var requests = 0
        /// Requests that failed: a transport error, or an answer without the data expected.
        var failures: [String] = []
        /// For each new field, whether the schema had it, request after request.
        var had: [String: [Bool]] = [:]
    }

    @Test func theConfigChangesTwiceUnderLoadWithoutAFailedRequestAndAnswersSwitchToTheNewSchema() async throws {
        // 50 ms per catalog answer: requests are in flight at every swap.
        try await Self.withConfigFile(Self.config()) { path in
            try await Self.withSmallStack(extraArguments: ["catalog": ["--latency-ms", "50"]], config: path) { stack in
                let url = await stack.url("gateway")
                let stop = StopFlag()
                let probes = [
                    // A query every version answers.
                    (field: "", query: "{ books(limit: 2) { id author_id } }"),
                    (field: "author", query: "{ books(limit: 2) { id author { name } } }"),
                    (field: "authoredBooks", query: "{ authors(limit: 2) { id authoredBooks { id } } }"),
                ]
                // A few loops with a short pause: continuous load without starving the other
                // tests that run at the same time on a small machine.
                let loops = (0..<4).map { index in
                    Task { () -> LoopRecord in
                        var record = LoopRecord()
                        var turn = index
                        // Once stopped, one more round of every probe: each loop asks each one
                        // at least once of the last version, however slow a loaded machine
                        // makes the requests.
                        var lastRound = probes.count
                        while true {
                            if stop.isSet {
                                if lastRound == 0 { break }
                                lastRound -= 1
                            }
                            let probe = probes[turn % probes.count]
                            turn += 1
                            record.requests += 1
                            do {
                                let answer = try await TestHTTP.graphql(url, probe.query)
                                let rows = answer.at("data", probe.field == "authoredBooks" ? "authors" : "books")?.arrayValue
                                if let rows, rows.count == 2, answer["errors"] == nil {
                                    if !probe.field.isEmpty { record.had[probe.field, default: []].append(true) }
                                } else if !probe.field.isEmpty && Self.isUnknownField(answer, probe.field) {
                                    record.had[probe.field, default: []].append(false)
                                } else {
                                    record.failures.append("\(probe.query): \(answer)")
                                }
                            } catch {
                                record.failures.append("\(probe.query): \(error)")
                            }
                            stop.answered.add(1, ordering: .relaxed)
                            try? await Task.sleep(for: .milliseconds(10))
                        }
                        return record
                    }
                }
                // Every loop asks every probe of the first version before the first reload
                // (a loaded machine can take longer than a second for that).
                let firstRound = ContinuousClock.now + .seconds(30)
                try await Task.sleep(for: .seconds(1))
                while stop.answered.load(ordering: .relaxed) < loops.count * (probes.count + 1), ContinuousClock.now < firstRound {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try Self.config(relationships: [Self.bookAuthor()]).write(toFile: path, atomically: true, encoding: .utf8)
                let second = try await Self.waitForVersion(2, stack)
                try await Task.sleep(for: .seconds(1))
                // Written in place this time, as some editors do.
                try Self.config(relationships: [Self.bookAuthor(), Self.authoredBooks]).write(
                    toFile: path, atomically: false, encoding: .utf8)
                let third = try await Self.waitForVersion(3, stack)
                try await Task.sleep(for: .seconds(1))
                stop.set()
                var records: [LoopRecord] = []
                for loop in loops { records.append(await loop.value) }

                let failures = records.flatMap(\.failures)
                #expect(failures.isEmpty, "\(failures.count) failed requests, the first: \(failures.prefix(3))")
                #expect(records.allSatisfy { $0.requests >= probes.count }, "requests per loop: \(records.map(\.requests))")
                for field in ["author", "authoredBooks"] {
                    let seen = records.compactMap { $0.had[field] }
                    // Each loop sees the field missing, then present, and never missing again.
                    for answers in seen {
                        let firstPresent = answers.firstIndex(of: true) ?? answers.count
                        #expect(!answers[firstPresent...].contains(false), "\(field): \(answers)")
                    }
                    #expect(seen.contains { $0.first == false }, "\(field) was missing before its reload")
                    #expect(seen.allSatisfy { $0.last == true }, "\(field) serves after its reload")
                }
                #expect(second.at("supergraph", "hash") != third.at("supergraph", "hash"))
                #expect(third.at("status") == "ready" && third.at("lastReload") == nil)
                let metrics = try await TestHTTP.request(await stack.base("gateway") + "/metrics").text
                #expect(metrics.contains("gateway_supergraph_version 3.0"), "\(metrics)")
                #expect(metrics.contains("gateway_supergraph_reloads_total{result=\"ok\"} 2"), "\(metrics)")
                #expect(metrics.contains("gateway_supergraph_reloads_total{result=\"failed\"} 0"), "\(metrics)")
            }
        }
    }

    @Test func aBrokenConfigIsLoggedAtItsLineAndColumnAndTheOldSupergraphKeepsServing() async throws {
        try await Self.withConfigFile(Self.config(relationships: [Self.bookAuthor()])) { path in
            try await Self.withSmallStack(config: path) { stack in
                let query = "{ books(limit: 1) { id author { id } } }"
                let before = try await stack.query(query)
                #expect(before.at("data", "books", 0, "author", "id") != nil, "\(before)")
                let version = try await Self.ready(stack).at("supergraph")

                let broken = Self.config(relationships: [Self.bookAuthor(targetField: "idd")])
                try broken.write(toFile: path, atomically: true, encoding: .utf8)
                let lines = broken.components(separatedBy: "\n")
                let line = lines.firstIndex { $0.contains("fieldName: idd") }! + 1
                let column = lines[line - 1].distance(from: lines[line - 1].startIndex, to: lines[line - 1].range(of: "idd")!.lowerBound) + 1
                let location = "\(path):\(line):\(column): unknown target field \"idd\" on type Author"

                var ready = try await Self.ready(stack)
                let deadline = ContinuousClock.now + .seconds(30)
                while ready.at("lastReload") == nil && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    ready = try await Self.ready(stack)
                }
                #expect(ready.at("lastReload", "result") == "failed", "\(ready)")
                #expect(ready.at("lastReload", "trigger") == "file")
                #expect(ready.at("lastReload", "errors", 0)?.stringValue?.hasPrefix(location) == true, "\(ready)")
                #expect(ready.at("supergraph") == version, "the old supergraph still serves")
                #expect(ready.at("status") == "ready")
                let output = await stack.output("gateway")
                #expect(output.contains("reload failed; the serving supergraph stays:\n\(location)"), "\(output)")
                #expect(try await stack.query(query) == before)
                let metrics = try await TestHTTP.request(await stack.base("gateway") + "/metrics").text
                #expect(metrics.contains("gateway_supergraph_reloads_total{result=\"failed\"} 1"), "\(metrics)")
                #expect(metrics.contains("gateway_supergraph_version 1.0"), "\(metrics)")

                // Mended, it loads.
                try Self.config(relationships: [Self.bookAuthor(), Self.authoredBooks]).write(
                    toFile: path, atomically: true, encoding: .utf8)
                let mended = try await Self.waitForVersion(2, stack)
                #expect(mended.at("lastReload") == nil)
                let answer = try await stack.query("{ authors(limit: 1) { authoredBooks { id } } }")
                #expect(answer.at("data", "authors", 0, "authoredBooks") != nil, "\(answer)")
            }
        }
    }

    @Test func sighupReloadsWhenTheFileIsNotWatched() async throws {
        let reload = "  watchConfig: false\n"
        try await Self.withConfigFile(Self.config(reload: reload)) { path in
            try await Self.withSmallStack(config: path) { stack in
                let query = "{ books(limit: 1) { author { id } } }"
                try Self.config(relationships: [Self.bookAuthor()], reload: reload).write(
                    toFile: path, atomically: true, encoding: .utf8)
                try await Task.sleep(for: .seconds(2))
                #expect(try await Self.ready(stack).at("supergraph", "version") == 1, "the file is not watched")
                #expect(Self.isUnknownField(try await stack.query(query), "author"))

                await stack.signal("gateway", SIGHUP)
                _ = try await Self.waitForVersion(2, stack)
                let answer = try await stack.query(query)
                #expect(answer.at("data", "books", 0, "author", "id") != nil, "\(answer)")

                // Nothing changed: the same version serves.
                await stack.signal("gateway", SIGHUP)
                let metrics = "gateway_supergraph_reloads_total{result=\"unchanged\"} 1"
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline,
                    !(try await TestHTTP.request(await stack.base("gateway") + "/metrics").text.contains(metrics))
                {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(try await TestHTTP.request(await stack.base("gateway") + "/metrics").text.contains(metrics))
                #expect(try await Self.ready(stack).at("supergraph", "version") == 2)
            }
        }
    }

    @Test func aSubgraphSchemaChangeIsPickedUpByPolling() async throws {
        try await Self.withConfigFile(Self.config(reload: "  pollSchemas: 1s\n")) { path in
            try await Self.withSmallStack(config: path) { stack in
                // The authors subgraph's aggregate extension serves passports_aggregate.
                let query = "{ passports_aggregate { count } }"
                let before = try await stack.query(query)
                #expect(before.at("data", "passports_aggregate", 0, "count") != nil, "\(before)")
                let first = try await Self.ready(stack)

                await stack.stop("authors")
                try await stack.restart("authors", extraArguments: ["--without-extensions"])
                let second = try await Self.waitForVersion(2, stack)
                #expect(second.at("supergraph", "hash") != first.at("supergraph", "hash"))
                #expect(Self.isUnknownField(try await stack.query(query), "passports_aggregate"))
                let authors = try await stack.query("{ authors(limit: 1) { id } }")
                #expect(authors.at("data", "authors", 0, "id") != nil, "\(authors)")

                // The schema stays as it is: polls find nothing new.
                try await Task.sleep(for: .seconds(2.5))
                #expect(try await Self.ready(stack).at("supergraph", "version") == 2)
            }
        }
    }

    // MARK: Graceful shutdown

    @Test func sigtermLetsARequestInFlightFinishRefusesNewConnectionsAndExitsZero() async throws {
        try await Self.withConfigFile(Self.config()) { path in
            try await Self.withSmallStack(extraArguments: ["catalog": ["--latency-ms", "2000"]], config: path) { stack in
                let slow = Task { try await stack.query("{ books(limit: 1) { id } }") }
                try await Task.sleep(for: .milliseconds(500))
                let signalled = ContinuousClock.now
                await stack.signal("gateway", SIGTERM)
                try await Task.sleep(for: .milliseconds(300))
                await #expect(throws: (any Error).self, "no new connections") {
                    try await TestHTTP.request(await stack.base("gateway") + "/health")
                }
                let answer = try await slow.value
                #expect(answer.at("data", "books", 0, "id") == "1", "\(answer)")
                let status = await stack.waitForExit("gateway", timeout: .seconds(10))
                #expect(status == 0)
                #expect(ContinuousClock.now - signalled < .seconds(5))
            }
        }
    }

    @Test func requestsThatOutlastTheShutdownGraceAreCutAndTheGatewayStillExitsZero() async throws {
        try await Self.withConfigFile(Self.config()) { path in
            try await Self.withSmallStack(
                extraArguments: ["catalog": ["--latency-ms", "4000"]], gatewayArguments: ["--shutdown-grace", "0.5"], config: path
            ) { stack in
                let slow = Task { try await stack.query("{ books(limit: 1) { id } }") }
                try await Task.sleep(for: .milliseconds(500))
                let signalled = ContinuousClock.now
                await stack.signal("gateway", SIGTERM)
                let status = await stack.waitForExit("gateway", timeout: .seconds(10))
                let took = ContinuousClock.now - signalled
                #expect(status == 0)
                #expect(took < .seconds(3), "the grace bounds the drain: \(took)")
                await #expect(throws: (any Error).self) { try await slow.value }
            }
        }
    }
}
