import Foundation
import GatewayJSON
import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain HTTP client for tests, independent of the gateway's own libcurl client so that
/// the two never hide each other's faults.
///
/// It is HTTP/1.1 over SwiftNIO, one connection per request (`Connection: close`), with no
/// pool, no cache and no retries: Foundation's URLSession on Linux hung and mixed up answers
/// when many tests ran at once, and a test must see exactly the answer to its own request.
public enum TestHTTP {
    public struct Reply: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// Header fields by lowercased name.
        public var headers: [String: String] = [:]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func json() throws -> JSON { try JSONParser.parse(body) }
    }

    /// How long one request may take, connecting included.
    public static let timeout: Duration = .seconds(60)

    public static func request(
        _ url: String, method: String = "GET", body: [UInt8]? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        guard let parsed = URL(string: url), parsed.scheme == "http", let host = parsed.host else {
            throw TestProcessError("TestHTTP speaks plain http only: \(url)")
        }
        let port = parsed.port ?? 80
        let path = parsed.path.isEmpty ? "/" : parsed.path
        let target = parsed.query.map { path + "?" + $0 } ?? path
        return try await withThrowingTaskGroup(of: Reply?.self) { group in
            group.addTask {
                try await exchange(host: host, port: port, method: method, target: target, body: body, headers: headers)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let reply = try await group.next() ?? nil else {
                throw TestProcessError("\(method) \(url) got no answer within \(timeout)")
            }
            return reply
        }
    }

    /// One request on a new connection, the answer read until the server closes it.
    static func exchange(
        host: String, port: Int, method: String, target: String, body: [UInt8]?, headers: [String: String]
    ) async throws -> Reply {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(30))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
            head.headers.add(name: "Host", value: "\(host):\(port)")
            head.headers.add(name: "Connection", value: "close")
            if let body {
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: String(body.count))
            }
            for (name, value) in headers { head.headers.replaceOrAdd(name: name, value: value) }
            // The whole request in one write: a server that has read the body may answer and
            // close (`Connection: close`) before a separate write of the end would happen,
            // which then fails with "I/O on closed channel" on a loaded machine.
            var parts: [HTTPClientRequestPart] = [.head(head)]
            if let body { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            parts.append(.end(nil))
            try await outbound.write(contentsOf: parts)

            var reply = Reply(status: 0, body: [])
            for try await part in inbound {
                switch part {
                case .head(let response):
                    reply.status = Int(response.status.code)
                    for (name, value) in response.headers { reply.headers[name.lowercased()] = value }
                case .body(var buffer):
                    reply.body += buffer.readBytes(length: buffer.readableBytes) ?? []
                case .end:
                    return reply
                }
            }
            throw TestProcessError("the connection to \(host):\(port) closed before the answer ended")
        }
    }

    public static func post(_ url: String, body: String) async throws -> Reply {
        try await request(url, method: "POST", body: Array(body.utf8))
    }

    /// POSTs a GraphQL request and parses the JSON answer.
    public static func graphql(
        _ url: String, _ query: String, variables: JSONObject? = nil, operationName: String? = nil
    ) async throws -> JSON {
        var body: JSONObject = ["query": .string(query)]
        if let variables { body["variables"] = .object(variables) }
        if let operationName { body["operationName"] = .string(operationName) }
        let reply = try await request(url, method: "POST", body: Array(JSON.object(body).description.utf8))
        return try reply.json()
    }
}

extension JSON {
    /// Follows a path of keys and indexes: `json.at("data", "books", 0, "id")`.
    public func at(_ path: any PathComponent...) -> JSON? {
        var current: JSON? = self
        for component in path {
            if let key = component as? String {
                current = current?[key]
            } else if let index = component as? Int {
                current = current?[index]
            }
        }
        return current
    }
}

public protocol PathComponent {}
extension String: PathComponent {}
extension Int: PathComponent {}
