import Foundation
import GatewayJSON
import GraphQLSupport
import Synchronization
import TestSupport
import Testing

/// The fuzzer: the demo stack (seven subgraph processes and the gateway) answers queries built
/// from the schemas and hostile requests. Every answer must be well-formed, no process may
/// die, RSS must stay bounded, and valid queries must answer the same the second time.
///
/// `FUZZ_COUNT` inputs (default 300, what CI runs), `FUZZ_SEED` (default: random, printed) to
/// reproduce a run, `FUZZ_REPORT` a file for the JSON report. `bench/fuzz` runs 10,000.
@Suite("Fuzzing the gateway and the subgraphs", .serialized)
struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let count = environment["FUZZ_COUNT"].flatMap(Int.init) ?? 300
    /// The number of the first input (to replay a part of a run with its seed).
    static let start = environment["FUZZ_START"].flatMap(Int.init) ?? 0
    static let seed = environment["FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64(UInt32.max))

    /// Where each subgraph keeps a list of rows, and a String field of them, for hostile inputs.
    static let collections: [String: (String, String)] = [
        "gateway": ("books", "name"), "people": ("users", "name"), "authors": ("authors", "name"),
        "catalog": ("books", "name"), "reviews": ("reviews", "body"), "inventory": ("loans", "due"),
        "shipping": ("shipments", "carrier"), "prices": ("currencies", "code"),
    ]

    /// What the workers share: the next input's number and the outcomes so far.
    final class Shared: Sendable {
        let next = Atomic<Int>(0)
        let outcomes = Mutex<[Outcome]>([])
    }

    struct Outcome: Sendable {
        var input: FuzzInput
        var index: Int
        var target: String
        var status: Int
        var body: [UInt8]
        var problem: String?
    }

    @Test func everyInputGetsAWellFormedAnswerAndNoProcessDies() async throws {
        let stack = LocalStack(scale: 1)
        do {
            try await stack.start()
            try await fuzz(stack)
            await stack.stopAll()
        } catch {
            await stack.stopAll()
            throw error
        }
    }

    func fuzz(_ stack: LocalStack) async throws {
        let targets = ["gateway"] + LocalStack.subgraphs
        var schemas: [String: SchemaModel] = [:]
        var urls: [String: String] = [:]
        for target in targets {
            urls[target] = await stack.url(target)
            schemas[target] = try SchemaModel(introspection: try await stack.query(SchemaModel.introspectionQuery, to: target))
        }
        // Warm up (plans, statement caches, allocator pools) before the first RSS reading.
        for target in targets { _ = try await stack.query("{ __typename }", to: target) }
        let rssBefore = await rss(stack, targets)
        print("fuzz: seed \(Self.seed), \(Self.count) inputs; RSS before (KiB): \(rssBefore)")
        let started = ContinuousClock.now

        let shared = Shared()
        let schemasCopy = schemas
        let urlsCopy = urls
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while true {
                        let index = Self.start + shared.next.add(1, ordering: .relaxed).oldValue
                        guard index < Self.start + Self.count else { return }
                        let (target, input) = Self.input(index, schemas: schemasCopy)
                        let outcome = await Self.send(input, index: index, target: target, url: urlsCopy[target]!)
                        shared.outcomes.withLock { $0.append(outcome) }
                    }
                }
            }
            try await group.waitForAll()
        }
        var all = shared.outcomes.withLock { $0 }.sorted { $0.index < $1.index }

        // Determinism: valid queries again, in the reverse order, must answer the same bytes.
        var differing: [String] = []
        let valid = all.filter { $0.input.deterministic && $0.problem == nil && $0.status == 200 }
        for outcome in valid.reversed().prefix(2_000) {
            let again = await Self.send(outcome.input, index: outcome.index, target: outcome.target, url: urls[outcome.target]!)
            if again.body != outcome.body {
                differing.append("#\(outcome.index) \(outcome.target): \(Self.describe(outcome.input)) gave \(outcome.text) then \(again.text)")
            }
        }
        let wall = ContinuousClock.now - started

        // Every process alive and healthy.
        var dead: [String] = []
        for target in targets {
            let alive = await stack.processID(target) != nil
            let health = try? await TestHTTP.request(await stack.base(target) + "/health")
            if !alive || health?.status != 200 {
                dead.append(target)
                // The crash report's head (what failed, the crashed thread) and the output's end.
                let output = await stack.output(target)
                let head = output.range(of: "crashed").map { String(output[$0.lowerBound...].prefix(12_000)) } ?? ""
                if let path = ProcessInfo.processInfo.environment["FUZZ_DEAD_OUTPUT"] {
                    try? output.write(toFile: "\(path).\(target)", atomically: true, encoding: .utf8)
                }
                print("fuzz: \(target) died; its crash report:\n\(head)\n...its last output:\n\(String(output.suffix(4_000)))")
            }
        }
        let rssAfter = await rss(stack, targets)
        let malformed = all.filter { $0.problem != nil }
        var byKind: [String: Int] = [:]
        for outcome in all { byKind[outcome.input.kind, default: 0] += 1 }
        var byStatus: [String: Int] = [:]
        for outcome in all { byStatus[String(outcome.status), default: 0] += 1 }
        all.removeAll()

        let report: JSON = [
            "seed": .int(Int(Self.seed)), "inputs": .int(Self.count), "crashed": .array(dead.map(JSON.string)),
            "malformed": .int(malformed.count), "nondeterministic": .int(differing.count),
            "deterministic_checked": .int(min(valid.count, 2_000)), "wall_seconds": .double(Double(wall.components.seconds)),
            "rss_kib_before": .object(JSONObject(rssBefore.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "rss_kib_after": .object(JSONObject(rssAfter.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "inputs_by_kind": .object(JSONObject(byKind.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "answers_by_status": .object(JSONObject(byStatus.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "malformed_examples": .array(malformed.prefix(20).map { .string("#\($0.index) \($0.target) \(Self.describe($0.input)): \($0.problem!)") }),
            "nondeterministic_examples": .array(differing.prefix(10).map(JSON.string)),
        ]
        print("fuzz report: \(report)")
        if let path = Self.environment["FUZZ_REPORT"] {
            try Data(report.description.utf8).write(to: URL(fileURLWithPath: path))
        }

        #expect(dead.isEmpty, "processes that died or stopped answering /health: \(dead)")
        for outcome in malformed.prefix(20) {
            Issue.record("#\(outcome.index) \(outcome.target) \(Self.describe(outcome.input)): \(outcome.problem!)")
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
        // Bounded growth: caches fill up to their bounds, not with the number of inputs.
        for (target, before) in rssBefore {
            let after = rssAfter[target] ?? 0
            #expect(after < max(before * 3, before + 300 * 1024), "\(target): RSS \(before) KiB before, \(after) KiB after")
        }
    }

    /// Input number `index` of this seed: a third of them hostile, the rest generated queries;
    /// one in four goes straight to a subgraph.
    static func input(_ index: Int, schemas: [String: SchemaModel]) -> (String, FuzzInput) {
        var rng = SplitMix(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let target = rng.chance(0.25) ? rng.pick(LocalStack.subgraphs) : "gateway"
        if rng.chance(0.35) {
            let (collection, field) = collections[target]!
            return (target, HostileInputs.make(&rng, collection: collection, filterField: field))
        }
        var generator = QueryGenerator(schema: schemas[target]!, rng: rng)
        let (query, variables) = generator.operation()
        var input = FuzzInput(kind: "generated query", body: HostileInputs.body(query, variables: .object(variables)))
        input.deterministic = true
        return (target, input)
    }

    static func send(_ input: FuzzInput, index: Int, target: String, url: String) async -> Outcome {
        var outcome = Outcome(input: input, index: index, target: target, status: 0, body: [])
        do {
            let reply = try await TestHTTP.request(url + input.query, method: input.method, body: input.body, headers: input.headers)
            outcome.status = reply.status
            outcome.body = reply.body
            outcome.problem = check(reply)
        } catch where input.kind == "huge body" && "\(error)".contains("closed") {
            // Refused by its size before it was read (413): the server may close while the
            // client still writes. Not an answer to check, not a failure.
            outcome.status = 413
        } catch {
            outcome.problem = "no answer: \(error)"
        }
        return outcome
    }

    /// Why an answer is not a well-formed GraphQL answer, or nil. Checked with Foundation's
    /// parser, not the project's own.
    static func check(_ reply: TestHTTP.Reply) -> String? {
        guard [200, 400, 405, 406, 413, 415].contains(reply.status) else { return "HTTP \(reply.status): \(reply.text.prefix(300))" }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(reply.body), options: [.fragmentsAllowed]) else {
            return "HTTP \(reply.status), not JSON: \(reply.text.prefix(300))"
        }
        let responses = (parsed as? [Any]) ?? [parsed]
        for response in responses {
            guard let object = response as? [String: Any] else { return "not an object: \(reply.text.prefix(300))" }
            guard object["data"] != nil || object["errors"] != nil else { return "neither data nor errors: \(reply.text.prefix(300))" }
            if let errors = object["errors"] {
                guard let list = errors as? [[String: Any]], !list.isEmpty, list.allSatisfy({ $0["message"] is String }) else {
                    return "errors without messages: \(reply.text.prefix(300))"
                }
            }
            if reply.status != 200, object["data"] != nil, !(object["data"] is NSNull) {
                return "HTTP \(reply.status) with data: \(reply.text.prefix(300))"
            }
        }
        return nil
    }

    static func describe(_ input: FuzzInput) -> String {
        let body = input.body.map { String(decoding: $0.prefix(200), as: UTF8.self) } ?? ""
        return "[\(input.kind)] \(input.method) \(input.query) \(body)\(input.body.map { $0.count > 200 ? "... (\($0.count) bytes)" : "" } ?? "")"
    }

    /// VmRSS of each process, in KiB.
    func rss(_ stack: LocalStack, _ names: [String]) async -> [String: Int] {
        var result: [String: Int] = [:]
        for name in names {
            guard let pid = await stack.processID(name),
                let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
            else { continue }
            result[name] = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return result
    }
}

extension FuzzTests.Outcome {
    var text: String { String(decoding: body.prefix(300), as: UTF8.self) }
}
