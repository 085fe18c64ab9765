import Foundation
import GatewayJSON
import TestSupport
import Testing

/// `traffic:` over the real stack: retries of queries whose connection failed, the circuit
/// breaker, and the per-operation deadline.
@Suite("Traffic: retries, circuit breaking, deadlines", .serialized)
struct TrafficTests {
    /// gateway.yaml with a `traffic:` section.
    static func config(_ traffic: String) throws -> String {
        let yaml = try String(contentsOfFile: LocalStack.configPath, encoding: .utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("traffic-\(UUID().uuidString).yaml").path
        try (yaml + "\ntraffic:\n" + traffic).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aQueryIsRetriedOnceWhenTheConnectionIsRefusedAMutationNever() async throws {
        try await withStack { stack in
            await stack.stop("prices")
            var before = try await stack.upstreamRequests()
            let query = try await stack.query("{ currencies }")
            #expect(try await stack.upstreamRequests() - before == 2)
            #expect(query.at("data", "currencies") == .null)
            #expect(query.at("errors", 0, "extensions", "code") == "SUBGRAPH_UNAVAILABLE")
            before = try await stack.upstreamRequests()
            let mutation = try await stack.query(#"mutation { setPrice(book_id: "1", amount: 3) { amount } }"#)
            #expect(try await stack.upstreamRequests() - before == 1)
            #expect(mutation.at("errors", 0, "extensions", "code") == "SUBGRAPH_UNAVAILABLE")
        }
    }

    @Test func theCircuitOpensAfterConsecutiveFailuresAndAProbeClosesIt() async throws {
        let config = try Self.config("  retries: 0\n  breakerFailures: 2\n  breakerOpenFor: 5s\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withStack(config: config) { stack in
            let healthy = try await stack.query("{ currencies }")
            #expect(healthy.at("data", "currencies")?.arrayValue?.count == 4)
            await stack.stop("prices")
            for _ in 0..<2 {
                let failed = try await stack.query("{ currencies }")
                #expect(failed.at("errors", 0, "extensions", "code") == "SUBGRAPH_UNAVAILABLE")
            }
            // Open: refused without a request, the rest of the operation served.
            let before = try await stack.upstreamRequests()
            let refused = try await stack.query("{ currencies books(limit: 1) { id } }")
            #expect(try await stack.upstreamRequests() - before == 1)  // only the catalog
            #expect(refused.at("data", "books") == [["id": "1"]])
            #expect(refused.at("errors", 0, "extensions", "code") == "SUBGRAPH_CIRCUIT_OPEN")
            #expect(refused.at("errors", 0, "message")
                == "Subgraph prices failed: its last 2 requests failed, so the gateway sends it none for now (traffic.breakerOpenFor in gateway.yaml).")
            // Back up, and after the open time one probe closes the circuit again.
            try await stack.restart("prices")
            try await Task.sleep(for: .milliseconds(5_100))
            let probe = try await stack.query("{ currencies }")
            #expect(probe == ["data": ["currencies": healthy.at("data", "currencies") ?? .null]])
            #expect(try await stack.query("{ currencies }") == probe)
        }
    }

    @Test func theOperationDeadlineCutsASlowFetch() async throws {
        let config = try Self.config("  operationTimeout: 300ms\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withStack(extraArguments: ["prices": ["--latency-ms", "3000"]], config: config) { stack in
            let started = ContinuousClock.now
            let answer = try await stack.query("{ currencies books(limit: 1) { id } }")
            let elapsed = started.duration(to: .now)
            #expect(answer.at("data", "books") == [["id": "1"]])
            #expect(answer.at("data", "currencies") == .null)
            #expect(answer.at("errors", 0, "extensions", "code") == "SUBGRAPH_TIMEOUT")
            #expect(answer.at("errors", 0, "message") == "Subgraph prices failed: the operation's time ran out (traffic.operationTimeout in gateway.yaml, 0.3 seconds).")
            // Far less than the subgraph's 3 s: the request was cut at the deadline.
            #expect(elapsed < .milliseconds(2_500), "\(elapsed)")
        }
    }

    @Test func anAnswerPastTheSubgraphsMaxResponseBytesFailsOnlyItsFields() async throws {
        let config = try configVariant("max-response", [
            (
                "  - name: reviews\n    url: ${REVIEWS_URL:-http://127.0.0.1:4004/graphql}\n",
                "  - name: reviews\n    url: ${REVIEWS_URL:-http://127.0.0.1:4004/graphql}\n    maxResponseBytes: 1KiB\n"
            )
        ])
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await withStack(config: config) { stack in
            let answer = try await stack.query("{ reviews(limit: 100) { id rating } books(limit: 1) { id } }")
            #expect(answer.at("data", "books") == [["id": "1"]])
            #expect(answer.at("data", "reviews") == .null)
            #expect(answer.at("errors", 0, "extensions", "code") == "SUBGRAPH_BAD_RESPONSE")
            #expect(answer.at("errors", 0, "path") == ["reviews"])
            #expect(answer.at("errors", 0, "message") == "Subgraph reviews failed: its answer is larger than 1024 bytes (maxResponseBytes of the subgraph in gateway.yaml).")
            // Small answers pass.
            #expect(try await stack.query("{ reviews(limit: 1) { id } }") == ["data": ["reviews": [["id": "1"]]]])
        }
    }
}
