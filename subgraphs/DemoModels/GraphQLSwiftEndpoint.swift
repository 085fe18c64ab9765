import GatewayJSON
import GraphQL
import GraphQLSupport

/// Answers a request with GraphQLSwift's executor, for the demo subgraphs that are not model
/// protocol services (prices, shipping). The document goes through ``DocumentCache`` first, as
/// in every other process here: it refuses text nested deeper than GraphQLSwift's recursive
/// parser and validator survive (10,000 levels of `{_not: {_not: ...}}` overflowed the stack
/// and ended the process), and keeps parsed and validated documents.
func executeWithGraphQLSwift(_ request: GraphQLRequestBody, schema: GraphQLSchema, documents: DocumentCache) async -> [UInt8] {
    do {
        _ = try documents.prepare(request.query)
    } catch {
        return errorResponseBody(error.errors)
    }
    do {
        let result = try await graphql(
            schema: schema, request: request.query,
            variableValues: request.variables.storage.reduce(into: [:]) { $0[$1.key] = Map($1.value) },
            operationName: request.operationName)
        return PricesService.responseBody(result)
    } catch {
        return errorResponseBody([ResponseError("\(error)", code: "BAD_REQUEST")])
    }
}
