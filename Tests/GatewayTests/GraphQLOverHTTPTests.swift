import Foundation
import GatewayJSON
@testable import GatewayServer
import TestSupport
import Testing

/// The GraphQL-over-HTTP specification (graphql/graphql-over-http, the current draft), one
/// test per MUST and SHOULD it states for servers, named by its clause (with the audit id of
/// graphql-http where it has one), against the gateway's HTTP server in this process.
@Suite("GraphQL over HTTP")
struct GraphQLOverHTTPTests {
    /// One clause: a request and what the answer must show.
    struct Clause: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "POST"
        /// The query string of a GET (already encoded), or nil.
        var get: [(String, String)]? = nil
        var body: String? = #"{"query": "{ __typename }"}"#
        var headers: [String: String] = [:]
        var status: Int
        /// The response's media type (before `;`), or nil when not checked.
        var mediaType: String? = nil
        /// The whole JSON answer, when checked.
        var json: JSON? = nil
        /// Whether the answer has a `data` entry (nil: not checked).
        var hasData: Bool? = nil
        var allow: String? = nil

        var testDescription: String { name }
    }

    static let grj = "application/graphql-response+json"
    static let typename: JSON = ["data": ["__typename": "Query"]]

    static let clauses: [Clause] = [
        // Request: POST and JSON
        Clause(name: "2C94 MUST accept POST requests", status: 200, json: typename),
        Clause(name: "03D4 MUST accept application/json POST requests", headers: ["Accept": "application/json"], status: 200, mediaType: "application/json", json: typename),
        Clause(name: "BF61 MUST accept utf-8 encoded request", body: #"{"query": "{ __typename } # café ☕"}"#, headers: ["Content-Type": "application/json; charset=utf-8"], status: 200, json: typename),
        Clause(name: "78D5 MUST assume utf-8 in request if encoding is unspecified", body: #"{"query": "{ __typename } # Ärø"}"#, status: 200, json: typename),
        Clause(name: "9ABE SHOULD respond with 4xx if content-type is not supplied on POST", headers: ["Content-Type": ""], status: 415),
        Clause(name: "POST of another media type is refused with 415", headers: ["Content-Type": "text/plain"], status: 415),
        Clause(name: "POST in an encoding other than UTF-8 is refused with 415", headers: ["Content-Type": "application/json; charset=utf-16"], status: 415),
        Clause(name: "7267 MUST require a request body on POST", body: "", status: 400, hasData: false),
        Clause(name: "Other properties are reserved: the request still runs", body: #"{"query": "{ __typename }", "future": 1}"#, status: 200, json: typename),

        // Accept and the response's media type
        Clause(name: "4655 MUST accept application/json and match the content-type", headers: ["Accept": "application/json"], status: 200, mediaType: "application/json"),
        Clause(name: "22EB SHOULD accept application/graphql-response+json and match the content-type", headers: ["Accept": grj], status: 200, mediaType: grj),
        Clause(name: "47DE SHOULD accept */* and use application/json for the content-type", headers: ["Accept": "*/*"], status: 200, mediaType: "application/json"),
        Clause(name: "Without Accept SHOULD answer as if it were application/graphql-response+json (since 2025-01-01)", status: 200, mediaType: grj),
        Clause(name: "MUST encode in the highest priority media type listed: quality first", headers: ["Accept": "application/json;q=0.5, \(grj)"], status: 200, mediaType: grj),
        Clause(name: "MUST encode in the highest priority media type listed: order at equal quality", headers: ["Accept": "application/json, \(grj)"], status: 200, mediaType: "application/json"),
        Clause(name: "Recommended client Accept (both with charset) gets application/graphql-response+json", headers: ["Accept": "\(grj); charset=utf-8, application/json; charset=utf-8"], status: 200, mediaType: grj),
        Clause(name: "Nothing acceptable in Accept: 406 Not Acceptable (RECOMMENDED)", headers: ["Accept": "text/html"], status: 406),
        Clause(name: "82A3 MUST use utf-8 encoding when responding", body: #"{"query": "query($s: Boolean!) { __typename @skip(if: $s) }", "variables": {"s": "Ærø"}}"#, headers: ["Accept": "application/json"], status: 200, mediaType: "application/json",
               json: ["errors": [["message": "Variable \"$s\" got invalid value \"Ærø\": Boolean cannot represent a string value: \"Ærø\".", "locations": [["line": 1, "column": 7]], "extensions": ["code": "BAD_USER_INPUT"]]]]),

        // GET
        Clause(name: "5A70 MAY accept application/x-www-form-urlencoded formatted GET requests", method: "GET", get: [("query", "{ __typename }")], body: nil, status: 200, json: typename),
        Clause(name: "6A70 variables in GETs as a URL-encoded JSON string", method: "GET", get: [("query", "query($s: Boolean!) { __typename @skip(if: $s) }"), ("variables", #"{"s": true}"#)], body: nil, status: 200, json: ["data": [:]]),
        Clause(name: "GET: an empty operationName is the same as none", method: "GET", get: [("query", "query A { __typename }"), ("operationName", "")], body: nil, status: 200, json: typename),
        Clause(name: "GET: operationName selects the operation", method: "GET", get: [("query", "query A { a: __typename } query B { b: __typename }"), ("operationName", "B")], body: nil, status: 200, json: ["data": ["b": "Query"]]),
        Clause(name: "9C48 GET MUST NOT execute mutations: 405 with Allow", method: "GET", get: [("query", #"mutation { setPrice(book_id: "1", amount: 1) { amount } }"#)], body: nil, status: 405, hasData: false, allow: "POST"),
        Clause(name: "GET: variables that are not JSON are not a well-formed request", method: "GET", get: [("query", "{ __typename }"), ("variables", "{")], body: nil, status: 400, hasData: false),
        Clause(name: "Other methods are refused with 405 and Allow", method: "PUT", status: 405, allow: "GET, POST"),

        // Parameters
        Clause(name: "13EE MUST allow string {query} parameter", headers: ["Accept": "application/json"], status: 200, json: typename),
        Clause(name: "34A2 SHOULD allow string {query} parameter when accepting application/graphql-response+json", headers: ["Accept": grj], status: 200, json: typename),
        Clause(name: "6610 missing {query}: not well-formed, 400", body: #"{"qeury": "{ __typename }"}"#, status: 400, hasData: false),
        Clause(name: "4F50 object {query}: 400", body: #"{"query": {}}"#, status: 400, hasData: false),
        Clause(name: "4F51 number {query}: 400", body: #"{"query": 1}"#, status: 400, hasData: false),
        Clause(name: "4F52 boolean {query}: 400", body: #"{"query": true}"#, status: 400, hasData: false),
        Clause(name: "4F53 array {query}: 400", body: #"{"query": ["{ __typename }"]}"#, status: 400, hasData: false),
        Clause(name: "B8B3 MUST allow string {operationName} parameter", body: #"{"query": "query A { __typename }", "operationName": "A"}"#, status: 200, json: typename),
        Clause(name: "E3E0 object {operationName}: 400", body: #"{"query": "{ __typename }", "operationName": {}}"#, status: 400, hasData: false),
        Clause(name: "E3E1 number {operationName}: 400", body: #"{"query": "{ __typename }", "operationName": 1}"#, status: 400, hasData: false),
        Clause(name: "0220 MUST allow null {variables} parameter", body: #"{"query": "{ __typename }", "variables": null}"#, status: 200, json: typename),
        Clause(name: "0221 MUST allow null {operationName} parameter", body: #"{"query": "{ __typename }", "operationName": null}"#, status: 200, json: typename),
        Clause(name: "0222 MUST allow null {extensions} parameter", body: #"{"query": "{ __typename }", "extensions": null}"#, status: 200, json: typename),
        Clause(name: "28B9 MUST allow map {variables} parameter", body: #"{"query": "query($s: Boolean!) { __typename @include(if: $s) }", "variables": {"s": true}}"#, status: 200, json: typename),
        Clause(name: "1B7A MUST allow map {extensions} parameter", body: #"{"query": "{ __typename }", "extensions": {"some": "thing"}}"#, status: 200, json: typename),
        Clause(name: "69B0 string {variables}: 400", body: #"{"query": "{ __typename }", "variables": "{}"}"#, status: 400, hasData: false),
        Clause(name: "69B3 array {variables}: 400", body: #"{"query": "{ __typename }", "variables": [7]}"#, status: 400, hasData: false),
        Clause(name: "9040 string {extensions}: 400", body: #"{"query": "{ __typename }", "extensions": "x"}"#, status: 400, hasData: false),

        // Status codes
        Clause(name: "JSON parsing failure SHOULD be 400 (application/json)", body: #"{"query":"#, headers: ["Accept": "application/json"], status: 400, hasData: false),
        Clause(name: "2163 JSON parsing failure SHOULD be 400 (application/graphql-response+json)", body: "NONSENSE", headers: ["Accept": grj], status: 400, hasData: false),
        Clause(name: "572B document parsing failure SHOULD be 200 with errors (application/json)", body: #"{"query": "{"}"#, headers: ["Accept": "application/json"], status: 200, hasData: false),
        Clause(name: "556A D586 document parsing failure SHOULD be 400 without data (application/graphql-response+json)", body: #"{"query": "{"}"#, headers: ["Accept": grj], status: 400, hasData: false),
        Clause(name: "FDE2 validation failure SHOULD be 200 with errors (application/json)", body: #"{"query": "{ nope }"}"#, headers: ["Accept": "application/json"], status: 200, hasData: false),
        Clause(name: "74FF 5E5B validation failure SHOULD be 400 without data (application/graphql-response+json)", body: #"{"query": "{ nope }"}"#, headers: ["Accept": grj], status: 400, hasData: false),
        Clause(name: "Operation that cannot be determined SHOULD be 200 (application/json)", body: #"{"query": "query A { __typename } query B { __typename }"}"#, headers: ["Accept": "application/json"], status: 200, hasData: false),
        Clause(name: "Operation that cannot be determined SHOULD be 400 (application/graphql-response+json)", body: #"{"query": "query A { __typename } query B { __typename }"}"#, headers: ["Accept": grj], status: 400, hasData: false),
        Clause(name: "Variable coercion failure SHOULD be 200 (application/json)", body: #"{"query": "query($s: Boolean!) { __typename @skip(if: $s) }", "variables": {"s": "no"}}"#, headers: ["Accept": "application/json"], status: 200, hasData: false),
        Clause(name: "86EE variable coercion failure SHOULD be 400 (application/graphql-response+json)", body: #"{"query": "query($s: Boolean!) { __typename @skip(if: $s) }", "variables": {"s": "no"}}"#, headers: ["Accept": grj], status: 400, hasData: false),
        Clause(name: "Field errors during execution: 200 with data (application/graphql-response+json)", body: #"{"query": "{ __typename currencies }"}"#, headers: ["Accept": grj], status: 200, hasData: true),
        Clause(name: "Field errors during execution: 200 with data (application/json)", body: #"{"query": "{ __typename currencies }"}"#, headers: ["Accept": "application/json"], status: 200, hasData: true),

        // Batches (a gateway extension: a JSON array of requests)
        Clause(name: "A batch is answered in order", body: #"[{"query": "{ a: __typename }"}, {"query": "{ nope }"}, {"query": "{ b: __typename }"}]"#, status: 200,
               json: [["data": ["a": "Query"]], ["errors": [["message": "Cannot query field \"nope\" on type \"Query\".", "locations": [["line": 1, "column": 3]], "extensions": ["code": "GRAPHQL_VALIDATION_FAILED"]]]], ["data": ["b": "Query"]]]),
        Clause(name: "A batch over limits.maxBatch is refused", body: "[" + Array(repeating: #"{"query": "{ __typename }"}"#, count: 11).joined(separator: ",") + "]", status: 400,
               json: ["errors": [["message": "The batch holds 11 operations; the limit is 10 (limits.maxBatch in gateway.yaml).", "extensions": ["code": "BATCH_LIMIT", "limit": "maxBatch", "maximum": 10]]]]),
        Clause(name: "An empty batch is refused", body: "[]", status: 400, hasData: false),
    ]

    static func send(_ clause: Clause, base: String) async throws -> TestHTTP.Reply {
        var url = base + "/graphql"
        if let parameters = clause.get {
            let allowed = CharacterSet.alphanumerics
            url += "?" + parameters.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        }
        return try await TestHTTP.request(url, method: clause.method, body: clause.body.map { Array($0.utf8) }, headers: clause.headers)
    }

    @Test(arguments: clauses)
    func clause(_ clause: Clause) async throws {
        try await withInProcessGateway { base in
            let reply = try await Self.send(clause, base: base)
            #expect(reply.status == clause.status, "\(String(decoding: reply.body, as: UTF8.self))")
            let contentType = reply.headers["content-type"] ?? ""
            if let mediaType = clause.mediaType {
                #expect(contentType == mediaType + "; charset=utf-8")
            }
            if let allow = clause.allow { #expect(reply.headers["allow"] == allow) }
            let json = try reply.json()
            if let expected = clause.json { #expect(json == expected) }
            if let hasData = clause.hasData {
                #expect((json["data"] != nil) == hasData, "\(json)")
                #expect(json["errors"]?.arrayValue?.isEmpty == false, "\(json)")
            }
        }
    }
}

/// `POST /graphql` is answered ahead of the router (GatewayApplication); the answer still has
/// what every answer of the server has, and the router still serves the rest.
@Suite("The GraphQL endpoint's own path")
struct GraphQLEndpointPathTests {
    @Test func postAnswersCarryDateAndServerAndOtherRoutesStillWork() async throws {
        try await withInProcessGateway { base in
            for url in [base + "/graphql", base + "/graphql?x=1", base + "/graphql/"] {
                let reply = try await TestHTTP.request(
                    url, method: "POST", body: Array(#"{"query": "{ __typename }"}"#.utf8), headers: ["content-type": "application/json"])
                #expect(reply.status == 200, "\(url)")
                #expect(try reply.json() == ["data": ["__typename": "Query"]], "\(url)")
                #expect(reply.headers["server"] == "gateway", "\(url)")
                let date = reply.headers["date"] ?? ""
                let parser = DateFormatter()
                parser.locale = Locale(identifier: "en_US_POSIX")
                parser.timeZone = TimeZone(identifier: "GMT")
                parser.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
                let parsed = try #require(parser.date(from: date), "Date: \(date)")
                // The current time (a loaded machine can take seconds to answer), not a stale or made-up one.
                #expect(abs(parsed.timeIntervalSinceNow) < 60, "Date: \(date)")
            }
            #expect(try await TestHTTP.request(base + "/health").status == 200)
            #expect(try await TestHTTP.request(base + "/nope").status == 404)
            let get = try await TestHTTP.request(base + "/graphql?query=%7B__typename%7D")
            #expect(try get.json() == ["data": ["__typename": "Query"]])
        }
    }

    @Test func theDateIsIMFFixdate() {
        #expect(HTTPDateCache.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateCache.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateCache.format(1_796_282_400) == "Thu, 03 Dec 2026 07:20:00 GMT")
    }
}
