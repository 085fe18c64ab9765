import GatewayJSON
import GraphQL
import GraphQLSupport

/// What the operation limits measure of one operation, found in one walk over its validated
/// document; the gateway keeps it with the document, by query text and operation name.
///
/// - **depth**: the most fields on one path from the root to a leaf (`{ books { name } }` is 2),
///   through fragments; introspection fields count like any other.
/// - **aliases**: the fields whose response key differs from their name, each counted where it
///   is used (a fragment with one alias spread three times counts three).
/// - **root fields**: the distinct response keys on the root type, through fragments.
/// - **list nesting**: the most fields of a list-of-objects type on one path from the root
///   (introspection's lists, such as `types` and `fields`, included).
/// - **cost**: the estimated number of field values, `Σ fields × rows`: every field counts once
///   per object it is selected on; a root field has one (the root); a list field multiplies
///   the objects below it by its `limit` argument (a literal, or a variable's value), or by
///   the default list size without one. Introspection fields cost nothing: they are answered
///   from the gateway's own schema, not by the subgraphs.
///
/// `@skip` and `@include` are ignored: the limits hold whatever the variables say. Fragments
/// are measured once each, so a document that spreads fragments into one another many times
/// costs its size to measure, not the size of its expansion.
public struct OperationAnalysis: Sendable, Equatable {
    public var depth: Int
    public var aliases: Int
    public var rootFields: Int
    public var listNesting: Int
    /// `__schema` and `__type` if the operation uses them, in the order first met.
    public var introspectionFields: [String]
    /// The cost formula, from ``costRoot``; evaluated with the request's variables by ``cost(variables:)``.
    let costNodes: [CostNode]
    let costRoot: Int
    /// The cost when no list size depends on a variable (then ``cost(variables:)`` returns it).
    let constantCost: Int?

    /// The estimated cost with the request's coerced variables (they can set `limit` arguments).
    public func cost(variables: JSONObject) -> Int {
        if let constantCost { return constantCost }
        return Self.evaluate(costNodes, from: costRoot, variables: variables)
    }

    /// How many rows a list field is assumed to return.
    enum ListSize: Sendable, Equatable {
        case constant(Int)
        /// The variable's value, or the default list size when it is null or not given.
        case variable(String, default: Int)
    }

    /// The cost of one selection set per object it is selected on: its own fields, plus each
    /// child selection set's cost times its multiplier (1 for an object field or a fragment).
    struct CostNode: Sendable, Equatable {
        var fields: Int = 0
        var children: [(size: ListSize?, node: Int)] = []

        static func == (left: CostNode, right: CostNode) -> Bool {
            left.fields == right.fields && left.children.elementsEqual(right.children) { $0.size == $1.size && $0.node == $1.node }
        }
    }

    /// The cost of node `root` (the operation's selection set) with these variables. A node
    /// points only at nodes made before it (its fields' selection sets, fragments), so there
    /// are no cycles; each node is evaluated once, however often it is reached.
    static func evaluate(_ nodes: [CostNode], from root: Int, variables: JSONObject) -> Int {
        guard nodes.indices.contains(root) else { return 0 }
        var memo = [Int?](repeating: nil, count: nodes.count)
        func cost(_ index: Int) -> Int {
            if let known = memo[index] { return known }
            let node = nodes[index]
            var total = node.fields
            for child in node.children {
                let rows: Int
                switch child.size {
                case nil: rows = 1
                case .constant(let size)?: rows = size
                case .variable(let name, let fallback)?:
                    if case .int(let size)? = variables[name] { rows = max(0, size) } else { rows = fallback }
                }
                total = Saturating.add(total, Saturating.multiply(rows, cost(child.node)))
            }
            memo[index] = total
            return total
        }
        return cost(root)
    }
}

/// Arithmetic that stops at a ceiling instead of trapping: a cost can multiply past `Int.max`
/// (lists of lists of a million rows), and any value at the ceiling is over every limit.
enum Saturating {
    static let ceiling = Int.max / 2

    static func add(_ a: Int, _ b: Int) -> Int { min(ceiling, a + b) }

    static func multiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ceiling : min(ceiling, product)
    }
}

/// Measures operations against one schema (``OperationAnalysis``).
public struct OperationAnalyzer: Sendable {
    public let schema: SchemaModel
    /// The rows assumed for a list field without a `limit` argument.
    public let defaultListSize: Int

    public init(schema: SchemaModel, defaultListSize: Int) {
        self.schema = schema
        self.defaultListSize = defaultListSize
    }

    /// Measures one operation of a validated document.
    public func analyze(_ operation: OperationDefinition, in document: PreparedDocument) -> OperationAnalysis {
        var walk = Walk(analyzer: self, fragments: document.fragments)
        let rootType = operation.operation == .mutation ? (schema.mutationType ?? "Mutation") : schema.queryType
        let root = walk.measure(operation.selectionSet.selections, on: rootType)
        var rootKeys: Set<String> = []
        var introspection: [String] = []
        walk.rootFields(operation.selectionSet.selections, keys: &rootKeys, introspection: &introspection, visited: [])
        let nodes = walk.costNodes
        let variable = nodes.contains { $0.children.contains { if case .variable? = $0.size { true } else { false } } }
        return OperationAnalysis(
            depth: root.depth, aliases: root.aliases, rootFields: rootKeys.count, listNesting: root.listNesting,
            introspectionFields: introspection, costNodes: nodes, costRoot: root.costNode,
            constantCost: variable ? nil : OperationAnalysis.evaluate(nodes, from: root.costNode, variables: [:]))
    }

    /// What one selection set measures, per object it is selected on.
    struct Measure {
        var depth = 0
        var aliases = 0
        var listNesting = 0
        /// Its node in ``Walk/costNodes``.
        var costNode = 0
    }

    struct Walk {
        let analyzer: OperationAnalyzer
        let fragments: [String: FragmentDefinition]
        var costNodes: [OperationAnalysis.CostNode] = []
        /// Each fragment measured once, by name.
        var measuredFragments: [String: Measure] = [:]

        /// Measures a selection set on `typeName`, fragments expanded.
        mutating func measure(_ selections: [any Selection], on typeName: String, costs: Bool = true) -> Measure {
            var measure = Measure()
            var node = OperationAnalysis.CostNode()
            for selection in selections {
                switch selection {
                case let field as Field:
                    let name = field.name.value
                    if let alias = field.alias?.value, alias != name { measure.aliases = Saturating.add(measure.aliases, 1) }
                    let isIntrospection = name == "__schema" || name == "__type"
                    // Below an introspection field nothing costs: the gateway's own schema answers it.
                    let fieldCosts = costs && !isIntrospection
                    if fieldCosts { node.fields = Saturating.add(node.fields, 1) }
                    let type = analyzer.fieldType(name, on: typeName)
                    guard let subselections = field.selectionSet?.selections, let type else {
                        measure.depth = max(measure.depth, 1)
                        continue
                    }
                    let child = self.measure(subselections, on: type.namedType, costs: fieldCosts)
                    let isList = type.isList
                    measure.depth = max(measure.depth, child.depth + 1)
                    measure.aliases = Saturating.add(measure.aliases, child.aliases)
                    measure.listNesting = max(measure.listNesting, child.listNesting + (isList ? 1 : 0))
                    if fieldCosts { node.children.append((isList ? listSize(field) : nil, child.costNode)) }
                case let spread as FragmentSpread:
                    guard let fragment = measureFragment(spread.name.value) else { continue }
                    measure.depth = max(measure.depth, fragment.depth)
                    measure.aliases = Saturating.add(measure.aliases, fragment.aliases)
                    measure.listNesting = max(measure.listNesting, fragment.listNesting)
                    if costs { node.children.append((nil, fragment.costNode)) }
                case let inline as InlineFragment:
                    let condition = inline.typeCondition?.name.value ?? typeName
                    let inner = self.measure(inline.selectionSet.selections, on: condition, costs: costs)
                    measure.depth = max(measure.depth, inner.depth)
                    measure.aliases = Saturating.add(measure.aliases, inner.aliases)
                    measure.listNesting = max(measure.listNesting, inner.listNesting)
                    if costs { node.children.append((nil, inner.costNode)) }
                default:
                    continue
                }
            }
            measure.costNode = costNodes.count
            costNodes.append(node)
            return measure
        }

        /// A fragment's measure, made the first time it is spread. A fragment inside an
        /// introspection field costs nothing there, but costing it anyway is harmless: its
        /// node is reached only from where it is spread outside introspection.
        mutating func measureFragment(_ name: String) -> Measure? {
            if let known = measuredFragments[name] { return known }
            guard let fragment = fragments[name] else { return nil }
            let measure = self.measure(fragment.selectionSet.selections, on: fragment.typeCondition.name.value)
            measuredFragments[name] = measure
            return measure
        }

        /// How many rows a list field is assumed to return: its `limit` argument, or the default.
        func listSize(_ field: Field) -> OperationAnalysis.ListSize {
            let fallback = analyzer.defaultListSize
            guard let argument = field.arguments.first(where: { $0.name.value == "limit" }) else { return .constant(fallback) }
            switch argument.value {
            case let int as IntValue: return .constant(Int(int.value).map { max(0, $0) } ?? Saturating.ceiling)
            case let variable as Variable: return .variable(variable.name.value, default: fallback)
            default: return .constant(fallback)
            }
        }

        /// The distinct response keys of the root selection set, and the introspection fields among them.
        func rootFields(
            _ selections: [any Selection], keys: inout Set<String>, introspection: inout [String], visited: Set<String>
        ) {
            for selection in selections {
                switch selection {
                case let field as Field:
                    let name = field.name.value
                    keys.insert(field.alias?.value ?? name)
                    if (name == "__schema" || name == "__type"), !introspection.contains(name) { introspection.append(name) }
                case let spread as FragmentSpread:
                    let name = spread.name.value
                    guard !visited.contains(name), let fragment = fragments[name] else { continue }
                    rootFields(fragment.selectionSet.selections, keys: &keys, introspection: &introspection, visited: visited.union([name]))
                case let inline as InlineFragment:
                    rootFields(inline.selectionSet.selections, keys: &keys, introspection: &introspection, visited: visited)
                default:
                    continue
                }
            }
        }
    }

    /// The type of a field: from the schema, `__typename`, or the introspection types.
    func fieldType(_ name: String, on typeName: String) -> TypeRef? {
        switch name {
        case "__typename": return .nonNull(.named("String"))
        // Validation allows these on the query root only.
        case "__schema": return .nonNull(.named("__Schema"))
        case "__type": return .named("__Type")
        default: break
        }
        if let type = schema[typeName]?.field(name)?.type { return type }
        return Self.introspectionTypes[typeName]?[name]
    }

    /// The introspection types' fields whose type has fields, by type and field name (the
    /// rest are leaves): the supergraph's schema model leaves the introspection types out.
    static let introspectionTypes: [String: [String: TypeRef]] = {
        func list(_ name: String) -> TypeRef { .list(.nonNull(.named(name))) }
        let type = TypeRef.named("__Type")
        return [
            "__Schema": [
                "types": .nonNull(list("__Type")), "queryType": .nonNull(type), "mutationType": type, "subscriptionType": type,
                "directives": .nonNull(list("__Directive")),
            ],
            "__Type": [
                "fields": list("__Field"), "interfaces": list("__Type"), "possibleTypes": list("__Type"),
                "enumValues": list("__EnumValue"), "inputFields": list("__InputValue"), "ofType": type,
            ],
            "__Field": ["args": .nonNull(list("__InputValue")), "type": .nonNull(type)],
            "__InputValue": ["type": .nonNull(type)],
            "__Directive": ["args": .nonNull(list("__InputValue"))],
        ]
    }()
}
