import Foundation
import GatewayJSON
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

    @Test func aJSONLineHoldsEveryPartAndTheMetadataAsAnObject() throws {
        var handler = GatewayLogHandler(label: "gateway", metadataProvider: .init { ["trace": "t1"] })
        handler[metadataKey: "subgraph"] = "catalog"
        let line = handler.jsonLine(
            level: .error, message: "subgraph \"reviews\" failed", metadata: ["subgraph": "reviews", "keys": ["1", "2"]],
            source: "GatewayServer")
        #expect(line.hasSuffix("}\n") && !line.dropLast().contains("\n"))
        let json = try JSONParser.parse(Array(line.utf8))
        #expect(json["level"] == "error" && json["logger"] == "gateway" && json["source"] == "GatewayServer")
        #expect(json["message"] == "subgraph \"reviews\" failed")
        #expect(json["metadata"] == ["keys": ["1", "2"], "subgraph": "reviews", "trace": "t1"])
        #expect(json["time"]?.stringValue?.count == 24)
    }
}
