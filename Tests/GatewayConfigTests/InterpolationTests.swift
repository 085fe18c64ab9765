import GatewayConfig
import Testing

/// `${NAME}`, `${NAME:-default}` and `$$` in string values, from an injected environment.
@Suite struct InterpolationTests {
    static let yaml = """
        subgraphs:
          - name: ${SUBGRAPH:-catalog}
            url: ${CATALOG_URL:-http://127.0.0.1:4003/graphql}
            headers:
              authorization: Bearer ${TOKEN:-dev}
              x-price: $$5
              x-template: $${NOT_A_VAR}
        """

    @Test func defaultsAreUsedWhenVariablesAreUnset() throws {
        let subgraph = try #require(try decode(Self.yaml).subgraphs.first)
        #expect(subgraph.name.value == "catalog")
        #expect(subgraph.url.value == "http://127.0.0.1:4003/graphql")
        #expect(subgraph.headers.map(\.value.value) == ["Bearer dev", "$5", "${NOT_A_VAR}"])
    }

    @Test func setVariablesOverrideDefaults() throws {
        let environment = ["CATALOG_URL": "http://catalog:4003/graphql", "TOKEN": "s3cret", "SUBGRAPH": "books"]
        let subgraph = try #require(try decode(Self.yaml, environment: environment).subgraphs.first)
        #expect(subgraph.name.value == "books")
        #expect(subgraph.url.value == "http://catalog:4003/graphql")
        #expect(subgraph.headers.first?.value.value == "Bearer s3cret")
    }

    @Test func anEmptyVariableTakesTheDefault() throws {
        let subgraph = try #require(try decode(Self.yaml, environment: ["CATALOG_URL": ""]).subgraphs.first)
        #expect(subgraph.url.value == "http://127.0.0.1:4003/graphql")
    }

    @Test func anUnsetVariableWithoutDefaultIsAnErrorAtItsValue() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: ${CATALOG_URL}
              - name: reviews
                url: "http://${REVIEWS_HOST}:4004/graphql"
            """)
        expectErrors(
            found,
            [
                ("3:10", ["environment variable CATALOG_URL is not set (used in \"url\"); set it, or give a default with ${CATALOG_URL:-value}"]),
                ("5:10", ["environment variable REVIEWS_HOST is not set"]),
            ])
        let raw = try? decode(
            "subgraphs:\n  - {name: catalog, url: \"${CATALOG_URL}\"}\n", environment: ["CATALOG_URL": "http://c/graphql"])
        #expect(raw?.subgraphs.first?.url.value == "http://c/graphql")
    }

    @Test func aLoneDollarAndAnUnterminatedReferenceAreErrors() {
        let found = decodeErrors(
            """
            subgraphs:
              - name: catalog
                url: http://x/graphql
                headers:
                  x-price: 5$
                  x-user: $USER
                  x-open: ${OPEN
                  x-bad: ${1X}
            """)
        expectErrors(
            found,
            [
                ("5:16", ["a lone \"$\" in \"5$\"; write ${NAME} or ${NAME:-default} for an environment variable, or $$ for a literal $"]),
                ("6:15", ["a lone \"$\" in \"$USER\""]),
                ("7:15", ["unterminated \"${\" in \"${OPEN\""]),
                ("8:14", ["invalid environment variable name \"1X\" in \"${1X}\""]),
            ])
    }

    @Test func keysAreNotInterpolated() {
        expectError(
            decodeErrors("subgraphs: []\n${EXTRA}: 1\n", environment: ["EXTRA": "models"]), at: "2:1",
            "unknown key \"${EXTRA}\" at the top level")
    }
}
