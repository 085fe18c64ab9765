import GatewayConfig
import Testing

/// Stage 2: subgraph names, URLs, timeouts and headers.
@Suite struct SubgraphStageTests {
    func subgraphErrors(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [ConfigError] {
        guard let raw = try? decode(yaml) else {
            Issue.record("the YAML should decode", sourceLocation: sourceLocation)
            return []
        }
        return errors({ () throws(ConfigErrors) in try ConfigLoader.resolveSubgraphs(raw) }, sourceLocation: sourceLocation)
    }

    @Test func resolvesWithDefaultsAndOrderedHeaders() throws {
        let subgraphs = try ConfigLoader.resolveSubgraphs(
            decode(
                """
                subgraphs:
                  - name: catalog
                    url: HTTPS://catalog.example.com/graphql
                    timeouts: {request: 5s}
                    headers:
                      x-b: second
                      x-a: first
                  - name: people
                    url: http://127.0.0.1:4001/graphql
                """))
        #expect(
            subgraphs == [
                SubgraphConfig(
                    name: "catalog", url: "HTTPS://catalog.example.com/graphql", connectTimeout: .seconds(2),
                    requestTimeout: .seconds(5),
                    headers: [.init(name: "x-b", value: "second"), .init(name: "x-a", value: "first")],
                    location: SourceLocation(file: "gateway.yaml", line: 2, column: 5)),
                SubgraphConfig(
                    name: "people", url: "http://127.0.0.1:4001/graphql",
                    location: SourceLocation(file: "gateway.yaml", line: 8, column: 5)),
            ])
    }

    @Test func duplicateNamesBadURLsAndZeroTimeoutsAreAllReported() {
        let found = subgraphErrors(
            """
            subgraphs:
              - name: catalog
                url: http://127.0.0.1:4003/graphql
              - name: catalog
                url: ftp://127.0.0.1/graphql
              - name: reviews
                url: 127.0.0.1:4004/graphql
                timeouts: {connect: 0s, request: 5s}
              - name: inventory
                url: http:///graphql
              - name: people
                url: ${PEOPLE_URL:-}
            """)
        expectErrors(
            found,
            [
                ("4:11", ["duplicate subgraph name \"catalog\"; it is first declared at gateway.yaml:2:11"]),
                ("5:10", ["invalid url \"ftp://127.0.0.1/graphql\" for subgraph \"catalog\": the scheme is ftp, not http or https; write an http or https URL like http://127.0.0.1:4003/graphql"]),
                ("7:10", ["invalid url \"127.0.0.1:4004/graphql\" for subgraph \"reviews\": it does not start with http:// or https://"]),
                ("8:25", ["timeouts.connect of subgraph \"reviews\" must be greater than zero"]),
                ("10:10", ["invalid url \"http:///graphql\" for subgraph \"inventory\": it has no host"]),
                ("12:10", ["invalid url \"\" for subgraph \"people\": it is empty"]),
            ])
    }

    @Test func maxResponseBytesIsReadAndBounded() throws {
        let subgraphs = try ConfigLoader.resolveSubgraphs(
            decode("subgraphs:\n  - {name: catalog, url: \"http://c/graphql\", maxResponseBytes: 2MiB}\n  - {name: people, url: \"http://p/graphql\"}\n"))
        #expect(subgraphs.map(\.maxResponseBytes) == [2 * 1024 * 1024, 16 * 1024 * 1024])
        expectErrors(
            subgraphErrors("subgraphs:\n  - {name: catalog, url: \"http://c/graphql\", maxResponseBytes: 100}\n"),
            [("2:64", ["maxResponseBytes of subgraph \"catalog\" must be at least 1KiB (1024 bytes); got 100"])])
    }

    @Test func invalidAndDuplicateHeaders() {
        let found = subgraphErrors(
            """
            subgraphs:
              - name: catalog
                url: http://c/graphql
                headers:
                  x-gateway: demo
                  X-Gateway: again
                  bad header: x
            """)
        expectErrors(
            found,
            [
                ("6:7", ["duplicate header \"X-Gateway\" for subgraph \"catalog\" (already given as \"x-gateway\"; header names ignore case)"]),
                ("7:7", ["invalid header name \"bad header\" for subgraph \"catalog\""]),
            ])
    }

    @Test func invalidSubgraphNameAndNoSubgraphs() {
        expectError(
            subgraphErrors("subgraphs:\n  - {name: my catalog, url: \"http://c/graphql\"}\n"), at: "2:12",
            "invalid subgraph name \"my catalog\"; use letters, digits, _ and -")
        expectError(subgraphErrors("subgraphs: []\n"), at: "1:12", "no subgraphs are declared")
    }
}
