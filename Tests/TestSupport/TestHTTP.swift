import Foundation
import GatewayJSON

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A plain HTTP client for tests, independent of the gateway's own libcurl client so that
/// the two never hide each other's faults.
public enum TestHTTP {
    public struct Reply: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// Header fields by lowercased name.
        public var headers: [String: String] = [:]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func json() throws -> JSON { try JSONParser.parse(body) }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        // Every server of every test is on 127.0.0.1: the cap counts them all together.
        configuration.httpMaximumConnectionsPerHost = 64
        // A test compares reads before and after a write: never an answer from a cache.
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }()

    public static func request(
        _ url: String, method: String = "GET", body: [UInt8]? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        var headers: [String: String] = [:]
        for (name, value) in (response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
            headers["\(name)".lowercased()] = "\(value)"
        }
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: Array(data), headers: headers)
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
