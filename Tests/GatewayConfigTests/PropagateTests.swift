import GatewayConfig
import Testing

/// `propagate:` of a subgraph: which client headers it gets, decoded and checked.
@Suite struct PropagateTests {
    func subgraphErrors(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [ConfigError] {
        guard let raw = try? decode(yaml) else {
            Issue.record("the YAML should decode", sourceLocation: sourceLocation)
            return []
        }
        return errors({ () throws(ConfigErrors) in try ConfigLoader.resolveSubgraphs(raw) }, sourceLocation: sourceLocation)
    }

    @Test func namesAndMappingsDecodeWithTheirLocationsAndResolve() throws {
        let raw = try decode(
            """
            subgraphs:
              - name: catalog
                url: http://c/graphql
                headers: {x-api-key: secret}
                propagate:
                  - authorization
                  - {name: X-Tenant-ID, rename: x-upstream-tenant, default: acme, required: true}
                  - name: x-trace
                    required: false
                  - name: x-user
                    required: true
            """)
        let propagate = try #require(raw.subgraphs.first?.propagate)
        #expect(propagate.map(\.name.value) == ["authorization", "X-Tenant-ID", "x-trace", "x-user"])
        #expect(propagate.map(\.location.description) == ["gateway.yaml:6:9", "gateway.yaml:7:9", "gateway.yaml:8:9", "gateway.yaml:10:9"])
        #expect(propagate[1].rename?.value == "x-upstream-tenant")
        #expect(propagate[1].rename?.location.description == "gateway.yaml:7:37")
        #expect(propagate[1].defaultValue?.value == "acme")
        #expect(propagate[1].required?.value == true)
        #expect(propagate[2].required?.value == false)

        let subgraph = try #require(try ConfigLoader.resolveSubgraphs(raw).first)
        #expect(subgraph.headers == [.init(name: "x-api-key", value: "secret")])
        #expect(
            subgraph.propagate == [
                .init(name: "authorization"),
                .init(name: "X-Tenant-ID", upstreamName: "x-upstream-tenant", defaultValue: "acme", required: true),
                .init(name: "x-trace"),
                .init(name: "x-user", required: true),
            ])
        #expect(subgraph.propagate.map(\.refusesWhenMissing) == [false, false, false, true])
    }

    @Test func unknownKeysSuggestTheRightOne() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: http://c/graphql
                propagate:
                  - {name: authorization, renam: x-auth}
                  - {name: x-tenant, requried: true}
                  - {name: x-user, color: blue}
                propogate: [x-trace]
            """)
        expectErrors(
            found,
            [
                ("8:5", ["unknown key \"propogate\" in subgraph \"catalog\"; did you mean \"propagate\"? allowed keys: name, url, timeouts, headers, propagate"]),
                ("5:31", ["unknown key \"renam\" in propagate entry 1 of subgraph \"catalog\"; did you mean \"rename\"? allowed keys: name, rename, default, required"]),
                ("6:26", ["unknown key \"requried\" in propagate entry 2 of subgraph \"catalog\"; did you mean \"required\"? allowed keys: name, rename, default, required"]),
                ("7:24", ["unknown key \"color\" in propagate entry 3 of subgraph \"catalog\"; allowed keys: name, rename, default, required"]),
            ])
    }

    @Test func wrongShapesAreReportedWhereTheyAre() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: http://c/graphql
                propagate: authorization
              - name: people
                url: http://p/graphql
                propagate:
                  - [authorization]
                  - {rename: x-auth}
                  - {name: x-user, required: yes}
                  - {name: [x-user]}
                  -
            """)
        expectErrors(
            found,
            [
                ("4:16", ["expected a list of client headers for \"propagate\" in subgraph \"catalog\" (like [authorization, x-tenant-id]), got the value \"authorization\""]),
                ("8:9", ["expected a header name or a mapping with the keys name, rename, default, required for propagate entry 1 of subgraph \"people\", got a list"]),
                ("9:9", ["missing required key \"name\" in propagate entry 2 of subgraph \"people\"; required keys: name"]),
                ("10:34", ["expected true or false for \"required\" in propagate entry 3 of subgraph \"people\", got \"yes\""]),
                ("11:16", ["expected a string for \"name\" in propagate entry 4 of subgraph \"people\", got a list"]),
                ("12:8", ["expected a header name for \"propagate\" in subgraph \"people\", got an empty value"]),
            ])
    }

    @Test func hopByHopAndTransportHeadersAreRefusedWithTheReason() {
        let found = subgraphErrors(
            """
            subgraphs:
              - name: catalog
                url: http://c/graphql
                propagate: [Connection, keep-alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization, proxy-authenticate, trailers]
              - name: people
                url: http://p/graphql
                propagate:
                  - Host
                  - content-length
                  - Content-Type
                  - accept-encoding
                  - {name: authorization, rename: host}
            """)
        let hopByHop =
            "it is a hop-by-hop header, which describes the client's connection to the gateway, not the gateway's requests to the subgraph"
        expectErrors(
            found,
            [
                ("4:17", ["header \"Connection\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:29", ["header \"keep-alive\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:41", ["header \"TE\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:45", ["header \"Trailer\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:54", ["header \"Transfer-Encoding\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:73", ["header \"Upgrade\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:82", ["header \"Proxy-Authorization\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:103", ["header \"proxy-authenticate\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("4:123", ["header \"trailers\" cannot be propagated to subgraph \"catalog\": \(hopByHop)"]),
                ("8:9", ["header \"Host\" cannot be propagated to subgraph \"people\": the gateway sends the host of the subgraph's url"]),
                ("9:9", ["header \"content-length\" cannot be propagated to subgraph \"people\": the gateway sets it for the body it sends upstream"]),
                ("10:9", ["header \"Content-Type\" cannot be propagated to subgraph \"people\": the gateway sets it for the body it sends upstream"]),
                ("11:9", ["header \"accept-encoding\" cannot be propagated to subgraph \"people\": the gateway chooses the encodings it can read from the subgraph itself"]),
                ("12:39", ["header \"authorization\" cannot be sent to subgraph \"people\" as \"host\": the gateway sends the host of the subgraph's url"]),
            ])
    }

    @Test func namesIgnoreCaseWhenTheyCollide() {
        let found = subgraphErrors(
            """
            subgraphs:
              - name: catalog
                url: http://c/graphql
                headers: {X-Api-Key: secret}
                propagate:
                  - authorization
                  - Authorization
                  - x-api-key
                  - {name: x-a, rename: x-upstream}
                  - {name: x-b, rename: X-UPSTREAM}
                  - bad header
                  - {name: x-c, rename: "bad:name"}
                  - {name: x-d, default: "one\\ntwo"}
            """)
        expectErrors(
            found,
            [
                ("7:9", ["header \"Authorization\" is propagated to subgraph \"catalog\" twice (first as \"authorization\" at gateway.yaml:6:9; header names ignore case)"]),
                ("8:9", ["header \"x-api-key\" is both propagated to subgraph \"catalog\" and set under its headers (as \"X-Api-Key\"); keep one"]),
                ("10:29", ["two propagated headers reach subgraph \"catalog\" as \"X-UPSTREAM\" (the first at gateway.yaml:9:29); rename one"]),
                ("11:9", ["invalid header name \"bad header\" in propagate of subgraph \"catalog\"; use letters, digits and !#$%&'*+-.^_`|~"]),
                ("12:29", ["invalid header name \"bad:name\" for rename of \"x-c\" in propagate of subgraph \"catalog\""]),
                ("13:30", ["the default of propagated header \"x-d\" for subgraph \"catalog\" contains a line break"]),
            ])
    }

    /// "\r\n" is one Swift character: the check looks at scalars, so CRLF is caught too.
    @Test func aCarriageReturnAndLineFeedTogetherAreALineBreak() {
        let found = subgraphErrors(
            """
            subgraphs:
              - name: catalog
                url: http://c/graphql
                headers: {x-static: "a\\r\\nx-injected: 1"}
                propagate:
                  - {name: x-d, default: "a\\r\\nx-injected: 1"}
            """)
        expectErrors(
            found,
            [
                ("4:25", ["the value of header \"x-static\" for subgraph \"catalog\" contains a line break"]),
                ("6:30", ["the default of propagated header \"x-d\" for subgraph \"catalog\" contains a line break"]),
            ])
    }
}
