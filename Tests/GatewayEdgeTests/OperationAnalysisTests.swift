import GatewayConfig
import GatewayEdge
import GatewayJSON
import GraphQLSupport
import TestSupport
import Testing

/// The measures the operation limits compare, on validated documents of the demo supergraph.
@Suite("Operation analysis")
struct OperationAnalysisTests {
    let analyzer: OperationAnalyzer
    let documents: DocumentCache

    init() throws {
        let supergraph = try demoSupergraph()
        analyzer = OperationAnalyzer(schema: supergraph.schemaModel, defaultListSize: 100)
        documents = DocumentCache(schema: supergraph.schema)
    }

    func analysis(_ query: String, operationName: String? = nil) throws -> OperationAnalysis {
        let document = try documents.prepare(query)
        return analyzer.analyze(try document.operation(named: operationName), in: document)
    }

    // MARK: Depth

    @Test func depthCountsTheFieldsOnTheLongestPath() throws {
        #expect(try analysis("{ __typename }").depth == 1)
        #expect(try analysis("{ books { name } }").depth == 2)
        #expect(try analysis("{ books { name author { name } } users { name } }").depth == 3)
        // An aggregate is an object like any other.
        #expect(try analysis("{ authors { authoredBooks_aggregate { avg { price } } } }").depth == 4)
    }

    @Test func depthGoesThroughFragmentsAndInlineFragments() throws {
        let query = """
            { books { ...B } }
            fragment B on Book { name author { ...A } }
            fragment A on Author { ... on Author { passport { passport_number } } }
            """
        #expect(try analysis(query).depth == 4)
    }

    @Test func introspectionFieldsCountForDepth() throws {
        #expect(try analysis("{ __schema { types { name } } }").depth == 3)
        #expect(try analysis(Self.standardIntrospectionQuery).depth == 13)
    }

    // MARK: Aliases

    @Test func aliasesCountWhereTheKeyDiffersFromTheName() throws {
        #expect(try analysis("{ books { name } }").aliases == 0)
        #expect(try analysis("{ books: books { name: name } }").aliases == 0)
        #expect(try analysis("{ a: books { n: name name } b: books { id } }").aliases == 3)
    }

    @Test func aFragmentsAliasesCountEachTimeItIsSpread() throws {
        let query = """
            { books(limit: 1) { ...F author { authoredBooks { ...F } } } users { reviews { book { ...F } } } }
            fragment F on Book { title: name year }
            """
        #expect(try analysis(query).aliases == 3)
    }

    /// Fragments spread into one another twice per level: 2^30 uses of the innermost alias,
    /// measured in the time of 31 fragments, not of their expansion.
    @Test func nestedFragmentsAreMeasuredOnceEach() throws {
        var query = "{ books(limit: 1) { ...F0 } }\n"
        for level in 0..<30 { query += "fragment F\(level) on Book { ...F\(level + 1) ...F\(level + 1) }\n" }
        query += "fragment F30 on Book { title: name }\n"
        let measured = try analysis(query)
        #expect(measured.aliases == 1 << 30)
        #expect(measured.depth == 2)
        #expect(measured.cost(variables: [:]) == 1 + (1 << 30))
    }

    // MARK: Root fields

    @Test func rootFieldsAreTheDistinctResponseKeysOfTheRoot() throws {
        let query = """
            { a: books { id } b: books { id } books { id } books { name } ...Q ... on Query { __typename } }
            fragment Q on Query { users { id } books { id } }
            """
        #expect(try analysis(query).rootFields == 5)
        #expect(try analysis("mutation { a: delete_Book(id: \"x\") { id } b: delete_Book(id: \"y\") { id } }").rootFields == 2)
    }

    // MARK: List nesting

    @Test func listNestingCountsListsOfObjectsOnOnePath() throws {
        #expect(try analysis("{ __typename }").listNesting == 0)
        #expect(try analysis("{ books { name } }").listNesting == 1)
        // author is an object, authoredBooks and reviews lists; the aggregate is an object.
        #expect(try analysis("{ books { author { authoredBooks { reviews { rating } } } } }").listNesting == 3)
        #expect(try analysis("{ authors { authoredBooks_aggregate { count } } }").listNesting == 1)
        let fragments = "{ users { ...U } }\nfragment U on User { loans { book { genres { name } } } }"
        #expect(try analysis(fragments).listNesting == 3)
    }

    @Test func introspectionListsCount() throws {
        #expect(try analysis("{ __schema { types { fields { args { name } } } } }").listNesting == 3)
        #expect(try analysis("{ __type(name: \"Book\") { fields { type { fields { name } } } } }").listNesting == 2)
        #expect(try analysis(Self.standardIntrospectionQuery).listNesting == 3)
    }

    // MARK: Cost

    @Test func costCountsEveryFieldOncePerObject() throws {
        // 1 for books, 20 books × 2 fields.
        #expect(try analysis("{ books(limit: 20) { id name } }").cost(variables: [:]) == 41)
        // Without a limit, the default list size.
        #expect(try analysis("{ books { id } }").cost(variables: [:]) == 101)
        // An object relationship does not multiply: 1 + 10 × (author + name).
        #expect(try analysis("{ books(limit: 10) { author { name } } }").cost(variables: [:]) == 21)
        // 1 + 2 authors × 1 + 6 books × 1 + 600 reviews × 1.
        #expect(try analysis("{ authors(limit: 2) { authoredBooks(limit: 3) { reviews { rating } } } }").cost(variables: [:]) == 609)
        #expect(try analysis("{ __typename }").cost(variables: [:]) == 1)
    }

    /// The README's examples.
    @Test func theDocumentedExamplesCostWhatTheReadmeSays() throws {
        #expect(try analysis("{ books(limit: 20) { id author { name } } }").cost(variables: [:]) == 61)
        #expect(try analysis("{ books { reviews { rating } } }").cost(variables: [:]) == 10_101)
        let heavy = try analysis("{ authors { authoredBooks { reviews { id rating body created_at book_id } } } }")
        #expect(heavy.cost(variables: [:]) == 5_010_101)
        #expect(OperationLimits().violations(of: heavy, variables: [:]).map(\.message) == [
            "The operation's estimated cost is 5010101; the limit is 5000000 (limits.maxCost in gateway.yaml). Every field counts once per object it is selected on, and a list field multiplies the objects below it by its limit argument, or by 100 without one: give lists a smaller limit."
        ])
    }

    @Test func costFollowsFragmentsWhereTheyAreSpread() throws {
        let query = """
            { books(limit: 2) { ...F } users(limit: 3) { reviews(limit: 1) { book { ...F } } } }
            fragment F on Book { id name }
            """
        // books: 1 + 2 × 2; users: 1 + 3 × reviews + 3 × book + 3 × 2.
        #expect(try analysis(query).cost(variables: [:]) == 5 + 13)
    }

    @Test func variablesSetTheLimitsOfTheCost() throws {
        let measured = try analysis("query($n: Int, $m: Int = 5) { books(limit: $n) { id name reviews(limit: $m) { rating } } }")
        // 1 + n × (3 + m × 1)
        #expect(measured.cost(variables: ["n": 10, "m": 5]) == 81)
        #expect(measured.cost(variables: ["n": 2, "m": 0]) == 7)
        #expect(measured.cost(variables: ["n": .null, "m": 1]) == 401)
        #expect(measured.cost(variables: ["m": 1]) == 401)
    }

    @Test func introspectionCostsNothing() throws {
        #expect(try analysis("{ __schema { types { fields { name } } } }").cost(variables: [:]) == 0)
        #expect(try analysis(Self.standardIntrospectionQuery).cost(variables: [:]) == 0)
        #expect(try analysis("{ __type(name: \"Book\") { name } books(limit: 1) { id } }").cost(variables: [:]) == 2)
    }

    @Test func costsPastIntMaxAreCapped() throws {
        let query = "{ books(limit: 2000000000) { reviews(limit: 2000000000) { book { reviews(limit: 2000000000) { rating } } } } }"
        #expect(try analysis(query).cost(variables: [:]) == Int.max / 2)
    }

    // MARK: Introspection

    @Test func introspectionFieldsOfTheRootAreListed() throws {
        #expect(try analysis("{ __typename books(limit: 1) { __typename } }").introspectionFields == [])
        #expect(try analysis("{ __type(name: \"Book\") { name } __schema { queryType { name } } }").introspectionFields == ["__type", "__schema"])
        #expect(try analysis("{ ...Q }\nfragment Q on Query { __schema { types { name } } }").introspectionFields == ["__schema"])
    }

    // MARK: Limits

    @Test func eachBrokenLimitIsOneErrorNamingItsValueAndWhereToChangeIt() throws {
        let limits = OperationLimits(maxDepth: 2, maxAliases: 1, maxRootFields: 1, maxListNesting: 1, maxCost: 10, introspection: false)
        let query = "{ a: books(limit: 5) { b: name author { name } } __schema { queryType { name } } }"
        let errors = limits.violations(of: try analysis(query), variables: [:])
        #expect(errors.map(\.json) == [
            [
                "message": "Introspection is disabled for clients: __schema is not allowed (limits.introspection in gateway.yaml). __typename still works.",
                "extensions": ["code": "OPERATION_LIMIT", "limit": "introspection", "field": "__schema"],
            ],
            [
                "message": "The operation is 3 fields deep; the limit is 2 (limits.maxDepth in gateway.yaml).",
                "extensions": ["code": "OPERATION_LIMIT", "limit": "maxDepth", "maximum": 2, "actual": 3],
            ],
            [
                "message": "The operation uses 2 aliases; the limit is 1 (limits.maxAliases in gateway.yaml).",
                "extensions": ["code": "OPERATION_LIMIT", "limit": "maxAliases", "maximum": 1, "actual": 2],
            ],
            [
                "message": "The operation selects 2 root fields; the limit is 1 (limits.maxRootFields in gateway.yaml).",
                "extensions": ["code": "OPERATION_LIMIT", "limit": "maxRootFields", "maximum": 1, "actual": 2],
            ],
            [
                "message": "The operation's estimated cost is 16; the limit is 10 (limits.maxCost in gateway.yaml). Every field counts once per object it is selected on, and a list field multiplies the objects below it by its limit argument, or by 100 without one: give lists a smaller limit.",
                "extensions": ["code": "OPERATION_LIMIT", "limit": "maxCost", "maximum": 10, "actual": 16],
            ],
        ])
    }

    @Test func anOperationAtEveryLimitPasses() throws {
        let query = "{ a: books(limit: 3) { name author { name } } }"
        let measured = try analysis(query)
        let limits = OperationLimits(
            maxDepth: measured.depth, maxAliases: measured.aliases, maxRootFields: measured.rootFields,
            maxListNesting: measured.listNesting, maxCost: measured.cost(variables: [:]), introspection: false)
        #expect(limits.violations(of: measured, variables: [:]).isEmpty)
        #expect((measured.depth, measured.aliases, measured.rootFields, measured.listNesting, measured.cost(variables: [:])) == (3, 1, 1, 1, 10))
        let nested = try analysis("{ books { reviews { rating } } }")
        #expect(OperationLimits(maxListNesting: 1).violations(of: nested, variables: [:]).map(\.message) == [
            "The operation nests lists 2 deep; the limit is 1 (limits.maxListNesting in gateway.yaml)."
        ])
    }

    /// The defaults let the standard introspection query of GraphQL tools through.
    @Test func theDefaultsAllowTheStandardIntrospectionQuery() throws {
        #expect(OperationLimits().violations(of: try analysis(Self.standardIntrospectionQuery), variables: [:]).isEmpty)
    }

    /// graphql-js's `getIntrospectionQuery()` (v16), as GraphiQL and code generators send it.
    static let standardIntrospectionQuery = """
        query IntrospectionQuery {
          __schema {
            queryType { name }
            mutationType { name }
            subscriptionType { name }
            types { ...FullType }
            directives { name description locations args { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name
            ofType { kind name ofType { kind name ofType { kind name } } } } } } }
        }
        """
}
