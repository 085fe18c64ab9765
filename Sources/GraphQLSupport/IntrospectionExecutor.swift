import GatewayJSON
import GraphQL
import OrderedCollections

/// Answers the introspection root fields (`__schema`, `__type`) of an operation with
/// GraphQLSwift's executor.
///
/// Data fields never go through that executor (its cost grows with rows). When an operation
/// mixes both, only the introspection fields are printed into a document of their own, with
/// the operation's variable definitions and every fragment, and executed without the data.
public struct IntrospectionExecutor: Sendable {
    public let schema: GraphQLSchema

    public init(schema: GraphQLSchema) {
        self.schema = schema
    }

    public static func isIntrospectionRoot(_ name: String) -> Bool {
        name == "__schema" || name == "__type"
    }

    /// Executes the given root fields, all of them `__schema` or `__type`.
    ///
    /// - Returns: the value of each field by response key, and any errors.
    public func execute(
        fields: [CollectedField], operation: OperationDefinition, document: PreparedDocument, variables: JSONObject
    ) async -> (values: JSONObject, errors: [ResponseError]) {
        var text = "query"
        if !operation.variableDefinitions.isEmpty {
            text += "(" + operation.variableDefinitions.map { GraphQL.print(ast: $0) }.joined(separator: ", ") + ")"
        }
        text += " {\n"
        for field in fields {
            for node in field.nodes { text += GraphQL.print(ast: node) + "\n" }
        }
        text += "}\n"
        for fragment in document.fragments.values { text += GraphQL.print(ast: fragment) + "\n" }
        do {
            let ast = try GraphQL.parse(source: Source(body: text, name: "introspection"))
            let result = try await GraphQL.execute(
                schema: schema, documentAST: ast, rootValue: (), context: (),
                variableValues: variables.members.reduce(into: [:]) { $0[$1.0] = Map($1.1) })
            var values = JSONObject()
            if case .dictionary(let data)? = result.data {
                for field in fields {
                    values.append(field.responseKey, JSON(data[field.responseKey] ?? .null))
                }
            }
            return (values, result.errors.map { ResponseError($0) })
        } catch let error as GraphQLError {
            return ([:], [ResponseError(error)])
        } catch {
            return ([:], [ResponseError("Introspection failed: \(error)")])
        }
    }
}
