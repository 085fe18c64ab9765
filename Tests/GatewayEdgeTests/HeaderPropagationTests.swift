import GatewayConfig
import GatewayEdge
import GatewayExecution
import GatewayJSON
import GraphQLSupport
import QueryPlanner
import TestSupport
import Testing

/// Which client headers reach which subgraph, and which requests are refused, without HTTP.
@Suite("Header propagation")
struct HeaderPropagationTests {
    let propagation = HeaderPropagation(subgraphs: [
        SubgraphConfig(
            name: "catalog", url: "http://c/graphql", headers: [.init(name: "x-api-key", value: "secret")],
            propagate: [
                .init(name: "Authorization", required: true),
                .init(name: "x-tenant-id", upstreamName: "x-upstream-tenant", defaultValue: "acme", required: true),
            ]),
        SubgraphConfig(name: "people", url: "http://p/graphql", propagate: [.init(name: "authorization", required: true), .init(name: "x-trace")]),
        SubgraphConfig(name: "reviews", url: "http://r/graphql"),
    ])

    func headers(_ context: RequestContext, _ subgraph: String) -> [String] {
        (context.headers[subgraph] ?? []).map { "\($0.0): \($0.1)" }
    }

    @Test func theServerReadsOnlyTheHeadersSomeSubgraphGets() {
        #expect(propagation.clientHeaderNames == ["authorization", "x-tenant-id", "x-trace"])
        #expect(propagation.refusesMissing)
        #expect(HeaderPropagation(subgraphs: [SubgraphConfig(name: "reviews", url: "http://r/graphql")]).isEmpty)
    }

    @Test func headersAreRenamedDefaultedAndMatchedIgnoringCase() {
        let client = HeaderPropagation.ClientHeaders([("AUTHORIZATION", "Bearer a"), ("X-Trace", "t1"), ("x-trace", "t2")])
        let context = propagation.context(for: client)
        #expect(headers(context, "catalog") == ["Authorization: Bearer a", "x-upstream-tenant: acme"])
        #expect(headers(context, "people") == ["authorization: Bearer a", "x-trace: t1", "x-trace: t2"])
        #expect(context.headers["reviews"] == nil)
        let tenant = propagation.context(for: HeaderPropagation.ClientHeaders([("x-tenant-id", "globex")]))
        #expect(headers(tenant, "catalog") == ["x-upstream-tenant: globex"])
    }

    @Test func aValueWithALineBreakCountsAsNotSent() {
        let client = HeaderPropagation.ClientHeaders([("x-trace", "a\r\nx-injected: 1")])
        #expect(propagation.context(for: client).headers["people"] == nil)
    }

    @Test func aMissingRequiredHeaderNamesItAndTheSubgraphsThatNeedIt() {
        let none = HeaderPropagation.ClientHeaders([])
        #expect(propagation.missing(in: none, subgraphs: ["catalog"]).map(\.json) == [
            [
                "message": "Missing required header \"Authorization\": subgraph \"catalog\" needs it for this operation.",
                "extensions": ["code": "UNAUTHENTICATED", "header": "Authorization", "subgraphs": ["catalog"]],
            ]
        ])
        #expect(propagation.missing(in: none, subgraphs: ["catalog", "people", "reviews"]).map(\.message) == [
            "Missing required header \"Authorization\": subgraphs \"catalog\" and \"people\" need it for this operation."
        ])
        // Only the subgraphs the operation touches matter; a default satisfies `required`.
        #expect(propagation.missing(in: none, subgraphs: ["reviews"]).isEmpty)
        #expect(propagation.missing(in: HeaderPropagation.ClientHeaders([("authorization", "")]), subgraphs: ["catalog", "people"]).isEmpty)
    }
}

/// Which subgraphs a plan can send requests to (the subgraphs whose required headers count).
@Suite("Plan subgraphs")
struct PlanSubgraphTests {
    let supergraph = try! demoSupergraph()

    func subgraphs(_ query: String, variables: JSONObject = [:]) throws -> Set<String> {
        let document = try DocumentCache(schema: supergraph.schema).prepare(query)
        let plan = try QueryPlanner(supergraph: supergraph).plan(document: document, operation: try document.operation(named: nil), variables: variables)
        return plan.subgraphs
    }

    @Test func rootRelationshipAndLookupFetchesCount() throws {
        #expect(try subgraphs("{ books(limit: 1) { name } }") == ["catalog"])
        #expect(try subgraphs("{ __typename }") == [])
        #expect(try subgraphs("{ books(limit: 1) { author { name } reviews { user { name } } } }") == ["catalog", "authors", "reviews", "people"])
        // A filter on a relationship looks up authors before asking catalog.
        #expect(try subgraphs("{ books(filter: {author: {country: {_eq: \"Japan\"}}}) { name } }") == ["catalog", "authors"])
        // An order by a relationship, and a many-to-many relationship's junction.
        #expect(try subgraphs("{ reviews(order: [{user: {name: ASC}}], limit: 2) { rating } }") == ["reviews", "people"])
        #expect(try subgraphs("{ genres { books { name } } }") == ["catalog"])
    }

    @Test func aCascadingDeleteCountsEverySubgraphItsRulesReach() throws {
        // Author.passport cascades (authors), Author.authoredBooks sets null (catalog).
        #expect(try subgraphs("mutation { delete_Author(id: \"1\") { id } }") == ["authors", "catalog"])
    }
}
