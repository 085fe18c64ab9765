import Foundation
import GatewayJSON
import Hummingbird
import NIOCore
import Synchronization
import TestSupport
import Testing

/// A test OTLP collector: receives OTLP/HTTP JSON exports at `POST /v1/traces` and keeps the
/// spans, with the `service.name` of the process that sent them.
struct TestCollector {
    struct Span: Sendable, CustomStringConvertible {
        var service: String
        var name: String
        var traceID: String
        var spanID: String
        /// Empty for a root span.
        var parentID: String
        var kind: Int
        var attributes: [String: JSON]

        var description: String { "\(service): \(name) \(spanID) ← \(parentID.isEmpty ? "-" : parentID)" }
    }

    final class Store: Sendable {
        let spans = Mutex<[Span]>([])
        var all: [Span] { spans.withLock { $0 } }
    }

    let task: Task<Void, any Error>
    let store: Store
    let port: Int

    static func start() async throws -> TestCollector {
        let store = Store()
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 24)
            let spans = try Self.spans(in: JSONParser.parse(Array(body.readableBytesView)))
            store.spans.withLock { $0 += spans }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let port = try ReplicaTests.freePort()
        return TestCollector(task: try await FakeSubgraph.serve(router, port: port, name: "the OTLP collector"), store: store, port: port)
    }

    /// The spans of an `ExportTraceServiceRequest` in its JSON form.
    static func spans(in request: JSON) throws -> [Span] {
        var spans: [Span] = []
        for resourceSpans in request["resourceSpans"]?.arrayValue ?? [] {
            let service = attributes(resourceSpans["resource"]?["attributes"])["service.name"]?.stringValue ?? ""
            for scope in resourceSpans["scopeSpans"]?.arrayValue ?? [] {
                for span in scope["spans"]?.arrayValue ?? [] {
                    spans.append(Span(
                        service: service, name: span["name"]?.stringValue ?? "",
                        traceID: hex(span["traceId"]), spanID: hex(span["spanId"]), parentID: hex(span["parentSpanId"]),
                        kind: span["kind"]?.intValue ?? 0, attributes: attributes(span["attributes"])))
                }
            }
        }
        return spans
    }

    /// OTLP attributes as key → value (`{"stringValue": …}`, `{"intValue": "3"}` as an Int, …).
    static func attributes(_ list: JSON?) -> [String: JSON] {
        var result: [String: JSON] = [:]
        for attribute in list?.arrayValue ?? [] {
            guard let key = attribute["key"]?.stringValue, let (type, value) = attribute["value"]?.objectValue?.members.first else {
                continue
            }
            if type == "intValue", let text = value.stringValue, let number = Int(text) {
                result[key] = .int(number)
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// A trace or span id in lowercase hex, whether the exporter wrote hex (the OTLP JSON rule)
    /// or base64 (protobuf's JSON mapping of bytes).
    static func hex(_ value: JSON?) -> String {
        guard let text = value?.stringValue, !text.isEmpty else { return "" }
        if text.count == 32 || text.count == 16, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let data = Data(base64Encoded: text) else { return text }
        return data.map { String(format: "%02x", $0) }.joined()
    }

    /// Waits until `done` holds for the spans received, or fails after `timeout`.
    func waitFor(
        _ what: String, timeout: Duration = .seconds(30), _ done: ([Span]) -> Bool
    ) async throws -> [Span] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let spans = store.all
            if done(spans) { return spans }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestProcessError("the collector did not receive \(what) within \(timeout): \(store.all)")
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Traces through the real gateway and subgraphs, exported over OTLP/HTTP (JSON) to a test
/// collector: the operation's span continues the client's `traceparent`, its stages and fetches
/// are its children, and each subgraph's span is the child of the fetch that asked it.
@Suite("OpenTelemetry traces", .serialized)
struct TracingTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let clientSpan = "00f067aa0ba902b7"

    static func environment(collector: TestCollector) -> [String: String] {
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collector.port)",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
            // Export every 100 ms rather than every 5 s.
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        ]
    }

    /// Runs `body` with a collector and the stack exporting to it; stops both.
    ///
    /// - Parameters:
    ///   - variables: the processes' variables (default: ``environment(collector:)``'s).
    ///   - config: writes the gateway's configuration file (default the repository's), removed after.
    static func withTracedStack(
        variables: (TestCollector) -> [String: String] = { environment(collector: $0) },
        config: ((TestCollector) throws -> String)? = nil,
        _ body: (LocalStack, TestCollector) async throws -> Void
    ) async throws {
        let collector = try await TestCollector.start()
        let stack = LocalStack(environment: variables(collector))
        var configPath: String?
        do {
            configPath = try config?(collector)
            try await stack.start(config: configPath)
            try await body(stack, collector)
        } catch {
            await stack.stopAll()
            await collector.stop()
            if let configPath { try? FileManager.default.removeItem(atPath: configPath) }
            throw error
        }
        await stack.stopAll()
        await collector.stop()
        if let configPath { try? FileManager.default.removeItem(atPath: configPath) }
    }

    @Test("one operation: client → gateway stages → fetches → subgraph spans, one trace")
    func operationTrace() async throws {
        try await Self.withTracedStack { stack, collector in
            let query = "query Traced { authors(limit: 2) { name authoredBooks(limit: 1) { name } } }"
            let body = Array(JSON.object(["query": .string(query)]).description.utf8)
            let reply = try await TestHTTP.request(
                await stack.url("gateway"), method: "POST", body: body,
                headers: ["traceparent": "00-\(Self.traceID)-\(Self.clientSpan)-01"])
            #expect(reply.status == 200)
            let answer = try reply.json()
            #expect(answer["errors"] == nil, "\(answer)")
            #expect(answer.at("data", "authors")?.arrayValue?.count == 2, "\(answer)")

            let spans = try await collector.waitFor("the gateway's and both subgraphs' spans") { spans in
                let trace = spans.filter { $0.traceID == Self.traceID }
                return trace.contains { $0.service == "authors" } && trace.contains { $0.service == "catalog" }
                    && trace.contains { $0.name == "query Traced" }
            }
            let trace = spans.filter { $0.traceID == Self.traceID }
            func one(_ service: String, _ name: String) throws -> TestCollector.Span {
                let matching = trace.filter { $0.service == service && $0.name == name }
                try #require(matching.count == 1, "\(service) \(name) in \(trace)")
                return matching[0]
            }
            let operation = try one("gateway", "query Traced")
            #expect(operation.parentID == Self.clientSpan, "the client's span is the operation's parent")
            #expect(operation.kind == 2, "a server span")
            #expect(operation.attributes["graphql.operation.name"] == "Traced")
            #expect(operation.attributes["graphql.operation.type"] == "query")
            for stage in ["graphql.parse", "graphql.validate", "graphql.plan", "graphql.execute"] {
                #expect(try one("gateway", stage).parentID == operation.spanID, "\(stage) is the operation's child")
            }
            let execute = try one("gateway", "graphql.execute")
            let authorsFetch = try one("gateway", "fetch authors")
            let catalogFetch = try one("gateway", "fetch catalog")
            #expect(authorsFetch.parentID == execute.spanID)
            #expect(catalogFetch.parentID == execute.spanID)
            #expect(authorsFetch.attributes["gateway.subgraph"] == "authors")
            #expect(authorsFetch.attributes["gateway.rows"] == 2)
            #expect(catalogFetch.attributes["gateway.relationship"] == "Author.authoredBooks")
            #expect(catalogFetch.attributes["gateway.rows"]?.intValue.map { $0 >= 1 } == true, "\(catalogFetch.attributes)")
            // The subgraphs continue the trace under the fetch that asked them.
            #expect(try one("authors", "subgraph authors").parentID == authorsFetch.spanID)
            #expect(try one("catalog", "subgraph catalog").parentID == catalogFetch.spanID)
            #expect(trace.count == 9, "the whole trace: \(trace)")

            // The same operation again: document and plan from the caches, said on the spans.
            collector.store.spans.withLock { $0.removeAll() }
            _ = try await TestHTTP.request(
                await stack.url("gateway"), method: "POST", body: body,
                headers: ["traceparent": "00-\(Self.traceID)-\(Self.clientSpan)-01"])
            let again = try await collector.waitFor("the second operation's spans") { spans in
                spans.contains { $0.name == "query Traced" } && spans.contains { $0.name == "subgraph catalog" }
            }.filter { $0.service == "gateway" }
            #expect(Set(again.map(\.name)) == ["query Traced", "graphql.document", "graphql.plan", "graphql.execute", "fetch authors", "fetch catalog"])
            #expect(again.first { $0.name == "graphql.document" }?.attributes["gateway.cached"] == true)
            #expect(again.first { $0.name == "graphql.plan" }?.attributes["gateway.cached"] == true)
        }
    }

    @Test("telemetry.traces in gateway.yaml turns the gateway's traces on, without the variables")
    func configuredTraces() async throws {
        // Export every 100 ms (the variable tunes the exporter; it does not turn tracing on).
        try await Self.withTracedStack(variables: { _ in ["OTEL_BSP_SCHEDULE_DELAY": "100"] }, config: { collector in
            try configVariant("telemetry", [
                ("\nsubgraphs:\n", "\ntelemetry:\n  traces: {endpoint: \"http://127.0.0.1:\(collector.port)\", protocol: http/json, serviceName: edge}\nsubgraphs:\n")
            ])
        }) { stack, collector in
            _ = try await stack.query("query Configured { books(limit: 1) { name } }")
            let spans = try await collector.waitFor("the gateway's spans") { spans in spans.contains { $0.name == "query Configured" } }
            #expect(spans.allSatisfy { $0.service == "edge" }, "only the gateway traces, under its configured name: \(spans)")
            #expect(spans.contains { $0.name == "fetch catalog" })
        }
    }

    @Test("a refused operation's span says why; a request without traceparent starts a trace")
    func refusedOperation() async throws {
        try await Self.withTracedStack { stack, collector in
            let reply = try await TestHTTP.request(
                await stack.url("gateway"), method: "POST", body: Array(#"{"query":"{ authors { nope } }"}"#.utf8))
            #expect(reply.status == 400, "refused before execution")
            let spans = try await collector.waitFor("the refused operation's span") { spans in
                spans.contains { $0.service == "gateway" && $0.name == "graphql.operation" }
            }.filter { $0.service == "gateway" }
            let operation = try #require(spans.first { $0.name == "graphql.operation" })
            #expect(operation.parentID.isEmpty, "a new trace")
            #expect(operation.attributes["gateway.error.codes"] == "GRAPHQL_VALIDATION_FAILED")
            #expect(spans.first { $0.name == "graphql.validate" }?.parentID == operation.spanID)
            #expect(!spans.contains { $0.name == "graphql.execute" || $0.name.hasPrefix("fetch ") }, "\(spans)")
        }
    }
}
