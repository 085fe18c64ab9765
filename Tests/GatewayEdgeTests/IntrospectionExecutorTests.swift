import GatewayJSON
import GraphQL
import GraphQLSupport
import Testing

@Suite("Introspection answers")
struct IntrospectionExecutorTests {
    static let sdl = """
        "A book."
        type Book {
          "The title."
          title: String!
          id: ID!
          old: String @deprecated(reason: "Use title.")
          gone: Int @deprecated
          related(
            "How many."
            first: Int = 10
            order: Sort = DESC
          ): [Book!]!
        }

        enum Sort {
          "Newest first."
          DESC
          ASC
          LEGACY @deprecated(reason: "Same as ASC.")
        }

        input BookFilter {
          title: String
          id: ID = "1"
          _and: [BookFilter!]
        }

        type Query {
          books(filter: BookFilter): [Book!]!
        }
        """

    /// Runs `query` (validated first, as the gateway does) through ``IntrospectionExecutor``.
    static func introspect(_ query: String, sdl: String = sdl, variables: JSONObject = [:]) async throws -> JSON {
        try await IntrospectionExecutor(schema: try GraphQL.buildSchema(source: sdl)).execute(document: query, variables: variables)
    }

    @Test func fieldsArgumentsAndEnumValuesComeInDeclarationOrderWithTheirDescriptions() async throws {
        let answer = try await Self.introspect("""
            {
              __type(name: "Book") {
                name description
                fields { name description args { name description defaultValue type { kind name } } }
              }
              sort: __type(name: "Sort") { enumValues { name description } }
            }
            """)
        let expected: JSON = [
            "__type": [
                "name": "Book", "description": "A book.",
                "fields": [
                    ["name": "title", "description": "The title.", "args": []],
                    ["name": "id", "description": nil, "args": []],
                    [
                        "name": "related", "description": nil,
                        "args": [
                            ["name": "first", "description": "How many.", "defaultValue": "10", "type": ["kind": "SCALAR", "name": "Int"]],
                            ["name": "order", "description": nil, "defaultValue": "DESC", "type": ["kind": "ENUM", "name": "Sort"]],
                        ],
                    ],
                ],
            ],
            "sort": ["enumValues": [["name": "DESC", "description": "Newest first."], ["name": "ASC", "description": nil]]],
        ]
        #expect(answer == expected)
    }

    @Test func deprecatedFieldsAndValuesAppearOnlyWithIncludeDeprecated() async throws {
        let query = """
            query ($all: Boolean) {
              __type(name: "Book") { fields(includeDeprecated: $all) { name isDeprecated deprecationReason } }
              sort: __type(name: "Sort") { enumValues(includeDeprecated: $all) { name isDeprecated deprecationReason } }
            }
            """
        let current: JSON = [
            "__type": ["fields": [
                ["name": "title", "isDeprecated": false, "deprecationReason": nil],
                ["name": "id", "isDeprecated": false, "deprecationReason": nil],
                ["name": "related", "isDeprecated": false, "deprecationReason": nil],
            ]],
            "sort": ["enumValues": [
                ["name": "DESC", "isDeprecated": false, "deprecationReason": nil],
                ["name": "ASC", "isDeprecated": false, "deprecationReason": nil],
            ]],
        ]
        #expect(try await Self.introspect(query) == current)
        #expect(try await Self.introspect(query, variables: ["all": false]) == current)
        let all: JSON = [
            "__type": ["fields": [
                ["name": "title", "isDeprecated": false, "deprecationReason": nil],
                ["name": "id", "isDeprecated": false, "deprecationReason": nil],
                ["name": "old", "isDeprecated": true, "deprecationReason": "Use title."],
                ["name": "gone", "isDeprecated": true, "deprecationReason": "No longer supported"],
                ["name": "related", "isDeprecated": false, "deprecationReason": nil],
            ]],
            "sort": ["enumValues": [
                ["name": "DESC", "isDeprecated": false, "deprecationReason": nil],
                ["name": "ASC", "isDeprecated": false, "deprecationReason": nil],
                ["name": "LEGACY", "isDeprecated": true, "deprecationReason": "Same as ASC."],
            ]],
        ]
        #expect(try await Self.introspect(query, variables: ["all": true]) == all)
    }

    @Test func inputFieldsKeepTheirOrderAndDefaultValues() async throws {
        let answer = try await Self.introspect("""
            { __type(name: "BookFilter") { kind inputFields { name defaultValue type { kind ofType { kind ofType { name } } } } } }
            """)
        let expected: JSON = [
            "__type": [
                "kind": "INPUT_OBJECT",
                "inputFields": [
                    ["name": "title", "defaultValue": nil, "type": ["kind": "SCALAR", "ofType": nil]],
                    ["name": "id", "defaultValue": #""1""#, "type": ["kind": "SCALAR", "ofType": nil]],
                    ["name": "_and", "defaultValue": nil, "type": ["kind": "LIST", "ofType": ["kind": "NON_NULL", "ofType": ["name": "BookFilter"]]]],
                ],
            ]
        ]
        #expect(answer == expected)
    }

    @Test func fragmentsAliasesAndTypenameWork() async throws {
        let answer = try await Self.introspect("""
            query { __schema { queryType { ...Named } m: mutationType { name } } unknown: __type(name: "Nope") { name } }
            fragment Named on __Type { __typename n: name ... on __Type { kind } }
            """)
        #expect(answer == ["__schema": ["queryType": ["__typename": "__Type", "n": "Query", "kind": "OBJECT"], "m": nil], "unknown": nil])
    }

    /// GraphQLSwift's own introspection, which sorts by name, says the same once sorted:
    /// the whole standard query, built-in types and directives included.
    @Test func theStandardQueryAnswersWhatGraphQLSwiftAnswersUpToOrder() async throws {
        // Input fields without defaults: GraphQLSwift reports no default value for input fields.
        let sdl = Self.sdl.replacingOccurrences(of: #"id: ID = "1""#, with: "id: ID")
        let ours = try await Self.introspect(SchemaModel.introspectionQuery, sdl: sdl)
        let schema = try GraphQL.buildSchema(source: sdl)
        let theirs = try await GraphQL.graphql(schema: schema, request: SchemaModel.introspectionQuery)
        #expect(theirs.errors.isEmpty)
        let expected = JSON(theirs.data ?? .null)
        #expect(Self.sortedByName(ours) == Self.sortedByName(expected))
        #expect(ours != expected, "GraphQLSwift sorts; ours must not")
    }

    /// Lists of objects with a name, sorted by it, all the way down.
    static func sortedByName(_ json: JSON) -> JSON {
        switch json {
        case .array(let items):
            let sorted = items.map(sortedByName)
            guard sorted.allSatisfy({ $0["name"]?.stringValue != nil }) else { return .array(sorted) }
            return .array(sorted.sorted { $0["name"]!.stringValue! < $1["name"]!.stringValue! })
        case .object(let object):
            return .object(JSONObject(object.members.map { ($0.0, sortedByName($0.1)) }))
        default:
            return json
        }
    }
}
