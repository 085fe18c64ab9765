import Foundation
import GatewayJSON
import GraphQLSupport
import TestSupport
import Testing

/// Automatic persisted queries (Apollo's protocol) and the allow-list, against the gateway's
/// HTTP server in this process.
@Suite("Persisted queries")
struct PersistedQueryTests {
    static func post(_ base: String, _ body: JSON) async throws -> TestHTTP.Reply {
        try await TestHTTP.request(
            base + "/graphql", method: "POST", body: Array(body.description.utf8), headers: ["Accept": "application/json"])
    }

    static func persisted(_ hash: String, query: String? = nil, version: JSON = 1) -> JSON {
        var body: JSONObject = ["extensions": ["persistedQuery": ["version": version, "sha256Hash": .string(hash)]]]
        if let query { body["query"] = .string(query) }
        return .object(body)
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // 56 bytes: the padding spills into a second block.
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func aQueryIsRegisteredByItsHashThenSentByTheHashAlone() async throws {
        try await withInProcessGateway { base in
            let query = "{ registered: __typename }"
            let hash = SHA256.hex(query)
            let unknown = try await Self.post(base, Self.persisted(hash))
            #expect(unknown.status == 200)
            #expect(try unknown.json() == ["errors": [["message": "PersistedQueryNotFound", "extensions": ["code": "PERSISTED_QUERY_NOT_FOUND"]]]])

            let registered = try await Self.post(base, Self.persisted(hash, query: query))
            #expect(try registered.json() == ["data": ["registered": "Query"]])
            let byHash = try await Self.post(base, Self.persisted(hash))
            #expect(try byHash.json() == ["data": ["registered": "Query"]])

            // GET with the hash alone (what a CDN can cache).
            let extensions = #"{"persistedQuery":{"version":1,"sha256Hash":"\#(hash)"}}"#
            let get = try await TestHTTP.request(
                base + "/graphql?extensions=" + (extensions.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                headers: ["Accept": "application/json"])
            #expect(try get.json() == ["data": ["registered": "Query"]])
        }
    }

    @Test func aWrongHashOrVersionIsRefusedAndNothingIsKept() async throws {
        try await withInProcessGateway { base in
            let query = "{ __typename }"
            let wrong = try await Self.post(base, Self.persisted(String(repeating: "0", count: 64), query: query))
            #expect(try wrong.json() == ["errors": [["message": "provided sha does not match query", "extensions": ["code": "PERSISTED_QUERY_HASH_MISMATCH"]]]])
            let still = try await Self.post(base, Self.persisted(String(repeating: "0", count: 64)))
            #expect(try still.json().at("errors", 0, "extensions", "code") == "PERSISTED_QUERY_NOT_FOUND")
            let version = try await Self.post(base, Self.persisted(SHA256.hex(query), query: query, version: 2))
            #expect(try version.json().at("errors", 0, "extensions", "code") == "PERSISTED_QUERY_VERSION_NOT_SUPPORTED")
            // Under application/graphql-response+json a refused persisted query is not executed: 400.
            let strict = try await TestHTTP.request(
                base + "/graphql", method: "POST", body: Array(Self.persisted(String(repeating: "1", count: 64)).description.utf8),
                headers: ["Accept": "application/graphql-response+json"])
            #expect(strict.status == 400)
        }
    }

    @Test func theCacheKeepsTheMostRecentlyUsedQueries() async throws {
        try await withInProcessGateway(configText: "persistedQueries:\n  cacheSize: 2\n") { base in
            let queries = ["{ a: __typename }", "{ b: __typename }", "{ c: __typename }"]
            for query in queries.prefix(2) { _ = try await Self.post(base, Self.persisted(SHA256.hex(query), query: query)) }
            // Using a makes b the least recently used; registering c drops b.
            #expect(try await Self.post(base, Self.persisted(SHA256.hex(queries[0]))).json() == ["data": ["a": "Query"]])
            _ = try await Self.post(base, Self.persisted(SHA256.hex(queries[2]), query: queries[2]))
            #expect(try await Self.post(base, Self.persisted(SHA256.hex(queries[1]))).json().at("errors", 0, "message") == "PersistedQueryNotFound")
            #expect(try await Self.post(base, Self.persisted(SHA256.hex(queries[0]))).json() == ["data": ["a": "Query"]])
            #expect(try await Self.post(base, Self.persisted(SHA256.hex(queries[2]))).json() == ["data": ["c": "Query"]])
        }
    }

    @Test func cacheSizeZeroTurnsAutomaticPersistedQueriesOff() async throws {
        try await withInProcessGateway(configText: "persistedQueries:\n  cacheSize: 0\n") { base in
            let reply = try await Self.post(base, Self.persisted(SHA256.hex("{ __typename }"), query: "{ __typename }"))
            #expect(try reply.json() == ["errors": [["message": "PersistedQueryNotSupported", "extensions": ["code": "PERSISTED_QUERY_NOT_SUPPORTED"]]]])
            #expect(try await Self.post(base, ["query": "{ __typename }"]).json() == ["data": ["__typename": "Query"]])
        }
    }

    @Test func anAllowListServesOnlyItsOperationsHoweverTheyAreWritten() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("allow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let list = directory.appendingPathComponent("operations.graphql").path
        try """
            # The operations clients may run.
            query Name { __typename }
            query WithFragment { ...F }
            fragment F on Query { t: __typename }
            """.write(toFile: list, atomically: true, encoding: .utf8)
        try await withInProcessGateway(configText: "persistedQueries:\n  allowList: \(list)\n") { base in
            // Whitespace, commas and comments do not matter; the operation and its fragments do.
            #expect(try await Self.post(base, ["query": "query Name {\n  __typename,\n} # mine"]).json() == ["data": ["__typename": "Query"]])
            #expect(try await Self.post(base, ["query": "fragment F on Query { t: __typename } query WithFragment { ...F }"]).json() == ["data": ["t": "Query"]])
            let other = try await Self.post(base, ["query": "{ __typename }"])
            #expect(try other.json() == ["errors": [[
                "message": "This gateway serves only the operations registered in its allow-list (persistedQueries.allowList in gateway.yaml); this one is not.",
                "extensions": ["code": "OPERATION_NOT_ALLOWED"],
            ]]])
            let changed = try await Self.post(base, ["query": "query Name { __typename currencies }"])
            #expect(try changed.json().at("errors", 0, "extensions", "code") == "OPERATION_NOT_ALLOWED")
            // Registered operations also run by hash once sent with their text.
            let query = "query Name { __typename }"
            _ = try await Self.post(base, Self.persisted(SHA256.hex(query), query: query))
            #expect(try await Self.post(base, Self.persisted(SHA256.hex(query))).json() == ["data": ["__typename": "Query"]])
        }
    }
}
