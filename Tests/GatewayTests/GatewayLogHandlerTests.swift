import Foundation
import Logging
import Testing

@testable import GatewayServer

@Suite("Log lines")
struct GatewayLogHandlerTests {
    @Test func aLineHasTheStreamHandlersFormatWithAllMetadataSorted() throws {
        var handler = GatewayLogHandler(label: "gateway", metadataProvider: .init { ["trace": "t1"] })
        handler[metadataKey: "hb.request.id"] = "42"
        handler[metadataKey: "subgraph"] = "catalog"
        let line = handler.line(level: .warning, message: "slow answer", metadata: ["subgraph": "reviews"], source: "GatewayServer")
        let match = try #require(line.wholeMatch(of: /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}) (.*)\n/))
        #expect(match.2 == "warning gateway : hb.request.id=42 subgraph=reviews trace=t1 [GatewayServer] slow answer")
    }

    @Test func aLineWithoutMetadataHasNone() {
        let handler = GatewayLogHandler(label: "gateway")
        #expect(handler.line(level: .info, message: "ready", metadata: nil, source: "gateway").hasSuffix(" info gateway : [gateway] ready\n"))
    }
}
