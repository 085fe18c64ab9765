import GatewayConfig
import GatewayJSON
import GraphQLSupport

extension OperationLimits {
    /// The errors for each limit an operation breaks (introspection, depth, aliases, root
    /// fields, list nesting, cost, in that order); none when it keeps them all.
    ///
    /// - Parameters:
    ///   - variables: the request's coerced variables, which can set `limit` arguments.
    public func violations(of analysis: OperationAnalysis, variables: JSONObject) -> [ResponseError] {
        var errors: [ResponseError] = []
        if !introspection, let field = analysis.introspectionFields.first {
            errors.append(ResponseError(
                "Introspection is disabled for clients: \(field) is not allowed (limits.introspection in gateway.yaml). __typename still works.",
                extensions: ["code": "OPERATION_LIMIT", "limit": "introspection", "field": .string(field)]))
        }
        func check(_ actual: Int, _ maximum: Int, _ limit: String, _ what: String, advice: String = "") {
            guard actual > maximum else { return }
            errors.append(ResponseError(
                "\(what); the limit is \(maximum) (limits.\(limit) in gateway.yaml).\(advice)",
                extensions: ["code": "OPERATION_LIMIT", "limit": .string(limit), "maximum": .int(maximum), "actual": .int(actual)]))
        }
        check(analysis.depth, maxDepth, "maxDepth", "The operation is \(analysis.depth) fields deep")
        check(analysis.aliases, maxAliases, "maxAliases", "The operation uses \(analysis.aliases) aliases")
        check(analysis.rootFields, maxRootFields, "maxRootFields", "The operation selects \(analysis.rootFields) root fields")
        check(analysis.listNesting, maxListNesting, "maxListNesting", "The operation nests lists \(analysis.listNesting) deep")
        let cost = analysis.cost(variables: variables)
        check(
            cost, maxCost, "maxCost", "The operation's estimated cost is \(cost)",
            advice: """
                 Every field counts once per object it is selected on, and a list field multiplies the objects below it \
                by its limit argument, or by \(defaultListSize) without one: give lists a smaller limit.
                """)
        return errors
    }
}
