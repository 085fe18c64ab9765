import Foundation
import GatewayJSON
import TestSupport
import Testing

/// A subgraph's own limits (`--max-rows`, `--max-response-bytes`) seen through the gateway:
/// the fields that subgraph serves are null with an error at their path, the rest stands.
@Suite("Subgraph limits through the gateway", .serialized)
struct SubgraphLimitTests {
    @Test func aSubgraphOverItsLimitCostsOnlyItsFieldsWithAnErrorAtTheirPath() async throws {
        try await withStack(extraArguments: ["reviews": ["--max-rows", "3"]]) { stack in
            let answer = try await stack.query(
                #"{ books(limit: 2, order: [{id: ASC}]) { name reviews { rating } } reviews(filter: {book_id: {_eq: "1"}}) { id } }"#)
            #expect(answer.at("data", "books", 0, "name") == "Gulistan")
            #expect(answer.at("data", "books", 0, "reviews") == .null)
            #expect(answer.at("data", "reviews") == .null)
            #expect(answer.at("errors", 2) == [
                "message": .string("Subgraph reviews failed: reviews matched more than 3 rows; this subgraph answers at most 3 rows per field "
                    + "(maxRows: --max-rows or SUBGRAPH_MAX_ROWS). Pass a smaller `limit` or narrow the filter."),
                "path": ["reviews"], "extensions": ["code": "SUBGRAPH_ERROR", "subgraph": "reviews"],
            ])
            let errors = answer["errors"]?.arrayValue ?? []
            let paths = errors.compactMap { $0["path"] }
            #expect(paths.contains(["reviews"]))
            #expect(paths.contains(["books", 0, "reviews"]))
            for error in errors {
                #expect(error.at("extensions", "subgraph") == "reviews")
                #expect(error["message"]?.stringValue?.contains("this subgraph answers at most 3 rows per field (maxRows: --max-rows or SUBGRAPH_MAX_ROWS)") == true, "\(error)")
            }
            // Under the limit nothing changes.
            let small = try await stack.query(#"{ books(limit: 1) { name } reviews(limit: 3) { rating } }"#)
            #expect(small["errors"] == nil, "\(small)")
            #expect(small.at("data", "reviews")?.arrayValue?.count == 3)
        }
    }
}
