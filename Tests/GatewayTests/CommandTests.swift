import Foundation
import GatewayJSON
import TestSupport
import Testing

/// Runs `gateway ARGS` to completion and returns its exit status and output.
func runGateway(_ arguments: [String], environment: [String: String]) async throws -> (Int32, String) {
    let process = try ManagedProcess(product: "gateway", arguments: arguments, environment: environment)
    guard let status = await process.waitForExit(timeout: .seconds(60)) else {
        await process.stop()
        throw TestProcessError("gateway \(arguments.joined(separator: " ")) did not exit within 60 s:\n\(process.outputText)")
    }
    return (status, process.outputText)
}

@Suite("The gateway command")
struct CommandTests {
    static var configPath: String { BuildProducts.packageRoot.appendingPathComponent("gateway.yaml").path }

    @Test func checkPassesAgainstTheDemoStackAndComposePrintsTheGoldenSupergraph() async throws {
        try await withStack { stack in
            let environment = await stack.environment
            let (status, output) = try await runGateway(["check", "--config", Self.configPath, "--wait", "5"], environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains("is valid: 7 subgraphs, 13 models, 30 relationships"))

            let (composeStatus, sdl) = try await runGateway(["compose", "--config", Self.configPath, "--wait", "5"], environment: environment)
            #expect(composeStatus == 0)
            let golden = try String(
                contentsOf: BuildProducts.packageRoot.appendingPathComponent("Tests/GatewayTests/Golden/demo-supergraph.graphql"),
                encoding: .utf8)
            #expect(sdl == golden, "regenerate with: .build/debug/gateway compose > Tests/GatewayTests/Golden/demo-supergraph.graphql")
        }
    }

    @Test func checkFailsWithLocatedMessagesOnABrokenCopy() async throws {
        try await withStack { stack in
            var yaml = try String(contentsOfFile: Self.configPath, encoding: .utf8)
            // Break one relationship's target field and one model's collection.
            yaml = yaml.replacingOccurrences(of: "collection: passports", with: "collection: pasports")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml").path
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let line = yaml.components(separatedBy: "\n").firstIndex { $0.contains("collection: pasports") }! + 1
            let column = yaml.components(separatedBy: "\n")[line - 1].range(of: "pasports")!.lowerBound.utf16Offset(in: yaml.components(separatedBy: "\n")[line - 1]) + 1
            let (status, output) = try await runGateway(["check", "--config", path, "--wait", "5"], environment: await stack.environment)
            #expect(status == 1)
            #expect(output.contains("\(path):\(line):\(column):"), "\(output)")
            #expect(output.contains("pasports"))
        }
    }

    @Test func explainPrintsThePlan() async throws {
        try await withStack { stack in
            let (status, output) = try await runGateway(
                ["explain", "--config", Self.configPath, "--wait", "5", "--query", "{ loans(limit: 1) { stock { copies } } }"],
                environment: await stack.environment)
            #expect(status == 0)
            #expect(output.contains("""
                  Sequence {
                    Fetch(0, subgraph: "inventory") {
                      query { loans(limit: 1) { _k0: library_id _k1: book_id } }
                    }
                    Flatten(path: "loans.@.stock") {
                      Fetch(1, subgraph: "inventory", relationship: Loan.stock (Object), after: 0, keys: library_id, book_id) {
                        query($_gw_where: StockFilter!) { _r: stocks(filter: $_gw_where) { copies _k0: library_id _k1: book_id } }
                      }
                    }
                  }
                """), "\(output)")
        }
    }

    @Test func serveFailsClearlyWhenASubgraphNeverAnswers() async throws {
        let (status, output) = try await runGateway(
            ["serve", "--config", Self.configPath, "--wait", "0.3", "--port", "0"],
            environment: ["PEOPLE_URL": "http://127.0.0.1:9/graphql"])
        #expect(status == 1)
        #expect(output.contains("Subgraph people at http://127.0.0.1:9/graphql could not be introspected"), "\(output)")
    }
}
