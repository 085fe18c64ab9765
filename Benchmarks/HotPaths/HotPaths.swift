// Microbenchmarks of the gateway's and subgraphs' hot paths (ordo-one/benchmark), so that a
// change that slows them shows:  GATEWAY_BENCHMARKS=1 swift package benchmark
import Benchmark
import DemoModels
import Foundation
import GatewayConfig
import GatewayJSON
import GatewayServer
import GraphQLSupport
import SubgraphKit
import Supergraph
import Synchronization
import Upstream

/// The five demo subgraphs' engines in this process, answering the gateway without sockets.
/// Answers are recorded the first time and replayed afterwards, so that a gateway benchmark
/// measures the gateway, not the subgraphs.
final class InProcessSubgraphs: UpstreamTransport {
    let services: [String: SubgraphService]
    let replay: Bool
    private let recorded = Mutex<[[UInt8]: [UInt8]]>([:])

    init(services: [String: SubgraphService], replay: Bool) {
        self.services = services
        self.replay = replay
    }

    func post(
        url: String, body: [UInt8], headers: [(String, String)], timeouts: UpstreamClient.Timeouts?, maxResponseBytes: Int?
    ) async throws(UpstreamError) -> UpstreamResponse {
        if replay, let answer = recorded.withLock({ $0[body] }) { return UpstreamResponse(status: 200, body: answer) }
        guard let service = services[url], let json = try? JSONParser.parse(body), let request = try? GraphQLRequestBody(json: json) else {
            throw UpstreamError(kind: .connectionRefused, url: url, message: "no subgraph at \(url)")
        }
        let answer = await service.execute(request)
        if replay { recorded.withLock { $0[body] = answer } }
        return UpstreamResponse(status: 200, body: answer)
    }
}

/// The repository's gateway.yaml and the demo subgraphs at scale 1, composed in memory.
func demoGateway(replay: Bool) throws -> Gateway {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let subgraphs: [(String, [Model])] = [
        ("people", People.models), ("authors", Authors.models), ("catalog", Catalog.models), ("reviews", Reviews.models),
        ("inventory", Inventory.models),
    ]
    var services: [String: SubgraphService] = [:]
    var schemas: [String: SchemaModel] = [:]
    let raw = try ConfigLoader.load(path: root.appendingPathComponent("gateway.yaml").path, environment: [:])
    let configs = try ConfigLoader.resolveSubgraphs(raw)
    for (name, models) in subgraphs {
        let service = try SubgraphService(name: name, models: models, store: try Store(path: nil, models: models, scale: 1))
        services[configs.first { $0.name == name }!.url] = service
        schemas[name] = service.schemaModel
    }
    let configuration = try ConfigLoader.resolve(raw, schemas: schemas)
    let supergraph = try Composer.compose(
        subgraphs: configuration.subgraphs.map { ($0.name, schemas[$0.name]!) }, configuration: configuration)
    return Gateway(supergraph: supergraph, client: InProcessSubgraphs(services: services, replay: replay))
}

let deepQuery = (try? String(
    contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bench/queries/deep.graphql"), encoding: .utf8))
    ?? "{ books(limit: 12) { name author { name } reviews(limit: 3) { rating user { name } } } }"

/// 2,000 rows of six fields, as a subgraph answers them.
func rowsDocument() -> [UInt8] {
    var writer = JSONWriter(capacity: 256 * 1024)
    writer.raw("{\"data\":{\"books\":[")
    for n in 0..<2_000 {
        if n > 0 { writer.raw(UInt8(ascii: ",")) }
        writer.write([
            "id": .string(String(n)), "name": .string("The Silent Garden \(n)"), "description": n % 5 == 0 ? nil : "Une histoire d’été à Ærø",
            "genre": "Poetry", "year": .int(1950 + n % 60), "price": .double(9.99),
        ])
    }
    writer.raw("]}}")
    return writer.bytes
}

let benchmarks: @Sendable () -> Void = {
    // HOTPATHS_ITERATIONS=N runs each benchmark exactly N times (after one warm-up), for
    // CPU-time comparisons (`perf stat -e task-clock`, bench/README.md): the difference between
    // two runs' times divided by the difference in iterations is the cost of one, without the setup.
    if let iterations = ProcessInfo.processInfo.environment["HOTPATHS_ITERATIONS"].flatMap(Int.init) {
        Benchmark.defaultConfiguration = .init(
            metrics: [.wallClock], warmupIterations: 1, maxDuration: .seconds(3600), maxIterations: iterations)
    } else {
        Benchmark.defaultConfiguration = .init(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], warmupIterations: 3, maxDuration: .seconds(2))
    }

    let document = rowsDocument()
    Benchmark("JSON parse, 2,000 rows × 6 fields (\(document.count / 1024) KiB)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try JSONParser.parse(document)) }
    }

    // What the gateway does with every upstream answer: a tape of nodes over the bytes.
    Benchmark("JSON tape parse (upstream answers), 2,000 rows × 6 fields") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try JSONDocument(parsing: document)) }
    }

    let parsed = try! JSONParser.parse(document)
    Benchmark("JSON write, 2,000 rows × 6 fields") { benchmark in
        for _ in benchmark.scaledIterations {
            var writer = JSONWriter(capacity: 256 * 1024)
            writer.write(parsed)
            blackHole(writer.bytes)
        }
    }

    // The foundation issue's target: a subgraph answers 2,000 rows × 6 fields in under 10 ms.
    let catalog = try! SubgraphService(name: "catalog", models: Catalog.models, store: Store(path: nil, models: Catalog.models, scale: 10))
    let rowsRequest = GraphQLRequestBody(query: "{ books(limit: 2000) { id name description genre year price } }")
    Benchmark("Subgraph: books(limit: 2000) × 6 fields, selection to SQL to JSON") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(await catalog.execute(rowsRequest)) }
    }

    // The deep query through the gateway, with the subgraphs' answers replayed from memory:
    // parse, plan (cached), key collection, grouping and stitching; no sockets.
    let gateway = try! demoGateway(replay: true)
    let deep = GraphQLRequestBody(query: deepQuery)
    Benchmark("Gateway: deep query, upstream answers replayed") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(await gateway.execute(deep)) }
    }

    let uncached = try! demoGateway(replay: true)
    Benchmark("Gateway: plan the deep query (parse, validate, plan; no cache)") { benchmark in
        for iteration in benchmark.scaledIterations {
            // A different query text each time defeats the document and plan caches.
            blackHole(uncached.explain(GraphQLRequestBody(query: deepQuery + "\n# \(iteration)")))
        }
    }
}
