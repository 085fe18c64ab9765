import Foundation
import GatewayJSON
import GraphQLSupport
@testable import SubgraphKit
import TestSupport
import Testing

/// Forty rows of about 100 bytes each (`{"id":"12","text":"xxx..."}`).
let bulk = Model("Line", collection: "lines", fields: [.string("text"), .int("n")]) { _ in
    (1...40).map { n in [.text(String(n)), .text(String(repeating: "x", count: 90)), .int(n)] }
}

@Suite("Bounded answers: rows per field and bytes per operation")
struct BoundedAnswerTests {
    static let rowsMessage = "lines matched more than 5 rows; this subgraph answers at most 5 rows per field "
        + "(maxRows: --max-rows or SUBGRAPH_MAX_ROWS). Pass a smaller `limit` or narrow the filter."

    @Test func moreRowsThanTheLimitIsAnErrorAtTheFieldNamingTheLimit() async throws {
        try await InProcessSubgraph.with(models: [bulk], limits: .init(maxRows: 5)) { subgraph async throws in
            let reply = try await TestHTTP.post(subgraph.url, body: #"{"query": "{\n  lines(filter: {n: {_le: 6}}) { id } }"}"#)
            #expect(reply.status == 200)
            #expect(reply.text == #"{"data":null,"errors":[{"message":"\#(Self.rowsMessage)","#
                + #""locations":[{"line":2,"column":3}],"path":["lines"],"#
                + #""extensions":{"code":"TOO_MANY_ROWS","limit":"maxRows","maximum":5}}]}"#)
            // Exactly at the limit, and under it, nothing changes.
            let five = try await subgraph.query("{ lines(filter: {n: {_le: 5}}, order: [{n: ASC}]) { n } }")
            #expect(five == ["data": ["lines": [["n": 1], ["n": 2], ["n": 3], ["n": 4], ["n": 5]]]])
            let paged = try await subgraph.query("{ lines(limit: 2, offset: 30, order: [{n: ASC}]) { n } }")
            #expect(paged == ["data": ["lines": [["n": 31], ["n": 32]]]])
        }
    }

    @Test func anAnswerPastTheByteLimitStopsAtTheFieldThatCrossesIt() async throws {
        // 2,000 bytes: about 18 rows of one field, or 9 and 9 of two.
        try await InProcessSubgraph.with(models: [bulk], limits: .init(maxResponseBytes: 2_000)) { subgraph async throws in
            let answer = try await subgraph.query("{ first: lines(limit: 10) { id text } second: lines(limit: 10) { id text } }")
            #expect(answer == [
                "data": nil,
                "errors": [[
                    "message": .string("second: the answer grew past 2000 bytes; this subgraph answers at most 2000 bytes per operation "
                        + "(maxResponseBytes: --max-response-bytes or SUBGRAPH_MAX_RESPONSE_BYTES). Ask for fewer rows or fields."),
                    "locations": [["line": 1, "column": 39]], "path": ["second"],
                    "extensions": ["code": "RESPONSE_TOO_LARGE", "limit": "maxResponseBytes", "maximum": 2_000],
                ]],
            ])
            // Every row of one field, written until the limit: the answer never holds them all.
            let all = try await subgraph.query("{ lines { text } }")
            #expect(all.at("errors", 0, "path") == ["lines"])
            #expect(all.at("errors", 0, "extensions", "code") == "RESPONSE_TOO_LARGE")
            // Under the limit: the same rows, fewer fields.
            let small = try await subgraph.query("{ first: lines(limit: 10) { id text } second: lines(limit: 10) { n } }")
            #expect(small["errors"] == nil)
            #expect(small.at("data", "first")?.arrayValue?.count == 10)
            #expect(small.at("data", "second")?.arrayValue?.count == 10)
        }
    }

    @Test func aMutationOverTheRowLimitChangesNothing() async throws {
        try await InProcessSubgraph.with(models: [bulk], limits: .init(maxRows: 5)) { subgraph async throws in
            let answer = try await subgraph.query(#"mutation { update_Line(filter: {n: {_gt: 30}}, input: {text: "y"}) { id } }"#)
            #expect(answer == [
                "data": nil,
                "errors": [[
                    "message": .string("update_Line matched more than 5 rows; this subgraph answers at most 5 rows per field "
                        + "(maxRows: --max-rows or SUBGRAPH_MAX_ROWS). Narrow the filter; nothing was changed."),
                    "locations": [["line": 1, "column": 12]], "path": ["update_Line"],
                    "extensions": ["code": "TOO_MANY_ROWS", "limit": "maxRows", "maximum": 5],
                ]],
            ])
            let changed = try await subgraph.query(#"{ lines(filter: {text: {_eq: "y"}}) { id } }"#)
            #expect(changed == ["data": ["lines": []]])
            let five = try await subgraph.query(#"mutation { delete_Line(filter: {n: {_gt: 35}}) { n } }"#)
            #expect(five.at("data", "delete_Line")?.arrayValue?.count == 5)
        }
    }

    @Test func aFileDatabaseIsBoundedAlike() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await InProcessSubgraph.with(models: [bulk], database: file, limits: .init(maxRows: 5)) { subgraph async throws in
            let answer = try await subgraph.query("{ lines(filter: {n: {_le: 6}}) { id } }")
            #expect(answer.at("errors", 0, "message") == .string(Self.rowsMessage))
        }
    }

    @Test func limitsComeFromFlagsThenEnvironmentThenDefaults() throws {
        let defaults = try SubgraphOptions.parse([]).limits(environment: [:])
        #expect(defaults == .init(maxRows: 10_000, maxResponseBytes: 16 << 20))
        let environment = ["SUBGRAPH_MAX_ROWS": "50", "SUBGRAPH_MAX_RESPONSE_BYTES": "4096"]
        #expect(try SubgraphOptions.parse([]).limits(environment: environment) == .init(maxRows: 50, maxResponseBytes: 4096))
        let flags = try SubgraphOptions.parse(["--max-rows", "7", "--max-response-bytes", "9000"])
        #expect(try flags.limits(environment: environment) == .init(maxRows: 7, maxResponseBytes: 9000))
        #expect(throws: (any Error).self) { try SubgraphOptions.parse([]).limits(environment: ["SUBGRAPH_MAX_ROWS": "lots"]) }
        #expect(throws: (any Error).self) { try SubgraphOptions.parse(["--max-response-bytes", "0"]) }
    }

    @Test func aDemoSubgraphTakesItsLimitsFromTheEnvironmentAndFlags() async throws {
        let process = try ManagedProcess(
            product: "reviews", arguments: ["--port", "0", "--max-response-bytes", "3000"],
            environment: ["SUBGRAPH_MAX_ROWS": "100"])
        defer { Task { await process.stop() } }
        let url = "http://127.0.0.1:\(try await process.waitForPort())/graphql"
        let rows = try await TestHTTP.graphql(url, "{ reviews { id } }")
        #expect(rows.at("errors", 0, "extensions") == ["code": "TOO_MANY_ROWS", "limit": "maxRows", "maximum": 100])
        let bytes = try await TestHTTP.graphql(url, "{ reviews(limit: 100) { id body created_at } }")
        #expect(bytes.at("errors", 0, "extensions") == ["code": "RESPONSE_TOO_LARGE", "limit": "maxResponseBytes", "maximum": 3000])
        let fine = try await TestHTTP.graphql(url, "{ reviews(limit: 100) { id } }")
        #expect(fine.at("data", "reviews")?.arrayValue?.count == 100)
        await process.stop()
    }
}
