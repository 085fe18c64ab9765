import Foundation
import GatewayJSON
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two gateway replicas behind nginx on loopback, configured by scripts/nginx-conf as
/// `REPLICAS=2 scripts/demo` does (docker-compose.yml does the same with deploy/nginx.conf):
/// both serve, and a replica that stops costs no request.
@Suite("Gateway replicas behind nginx", .serialized)
struct ReplicaTests {
    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestProcessError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw TestProcessError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static var nginx: String {
        ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/nginx"
    }

    /// How many GraphQL requests a gateway has received.
    static func requests(_ base: String) async throws -> Int {
        let text = try await TestHTTP.request(base + "/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("gateway_requests_total ") }
        return line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? -1) } ?? -1
    }

    @Test func bothReplicasServeAndAStoppedOneCostsNoRequest() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replicas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stack = LocalStack()
        var processes: [ManagedProcess] = []
        do {
            try await stack.start(gateway: false)
            let environment = await stack.environment.merging(["LOG_LEVEL": "warning"]) { $1 }
            var ports: [Int] = []
            for _ in 0..<2 {
                let replica = try ManagedProcess(
                    product: "gateway", arguments: ["serve", "--config", LocalStack.configPath, "--port", "0"], environment: environment)
                processes.append(replica)
                ports.append(try await replica.waitForPort())
            }
            let listen = try Self.freePort()
            let script = BuildProducts.packageRoot.appendingPathComponent("scripts/nginx-conf").path
            let generate = Process()
            generate.executableURL = URL(fileURLWithPath: "/bin/bash")
            generate.arguments = [script, String(listen), directory.path] + ports.map(String.init)
            let output = Pipe()
            generate.standardOutput = output
            try generate.run()
            let config = output.fileHandleForReading.readDataToEndOfFile()
            generate.waitUntilExit()
            try config.write(to: directory.appendingPathComponent("nginx.conf"))
            let nginx = try ManagedProcess(
                Self.nginx,
                arguments: ["-e", directory.appendingPathComponent("startup.log").path, "-p", directory.path, "-c",
                            directory.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"],
                name: "nginx")
            processes.append(nginx)
            let base = "http://127.0.0.1:\(listen)"
            var healthy = false
            for _ in 0..<100 where !healthy {
                healthy = (try? await TestHTTP.request(base + "/health").status) == 200
                if !healthy { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(healthy, "nginx did not answer: \(nginx.outputText)")

            let query = "{ books(limit: 2, order: [{id: ASC}]) { id author { name } } }"
            let expected = try await TestHTTP.graphql("http://127.0.0.1:\(ports[0])/graphql", query)
            #expect(expected.at("data", "books", 0, "id") == "1")
            let before = [try await Self.requests("http://127.0.0.1:\(ports[0])"), try await Self.requests("http://127.0.0.1:\(ports[1])")]
            var answers: [JSON] = []
            for _ in 0..<20 { answers.append(try await TestHTTP.graphql(base + "/graphql", query)) }
            #expect(answers.allSatisfy { $0 == expected })
            let after = [try await Self.requests("http://127.0.0.1:\(ports[0])"), try await Self.requests("http://127.0.0.1:\(ports[1])")]
            let served = [after[0] - before[0], after[1] - before[1]]
            // Round robin: both replicas take requests, all twenty in all.
            #expect(served[0] > 0 && served[1] > 0, "\(served)")
            #expect(served[0] + served[1] == 20, "\(served)")

            // One replica stops: nginx skips it, and every request is still answered in full.
            await processes[0].stop()
            var failures = 0
            for _ in 0..<20 {
                let reply = try await TestHTTP.request(
                    base + "/graphql", method: "POST", body: Array(JSON.object(["query": .string(query)]).description.utf8))
                if reply.status != 200 || (try? reply.json()) != expected { failures += 1 }
            }
            #expect(failures == 0)
        } catch {
            for process in processes.reversed() { await process.stop() }
            await stack.stopAll()
            throw error
        }
        for process in processes.reversed() { await process.stop() }
        await stack.stopAll()
    }
}
