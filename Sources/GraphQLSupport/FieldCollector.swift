import GatewayJSON
import GraphQL

/// The fields of one response key: the spec merges every field node with the same
/// response key in one selection set (they were validated to be mergeable).
public struct CollectedField: Sendable {
    public var responseKey: String
    public var name: String
    public var nodes: [Field]

    public var arguments: [Argument] { nodes[0].arguments }
    public var location: ResponseError.Location? { ResponseError.Location(nodes[0].loc) }
    public var locations: [ResponseError.Location] { location.map { [$0] } ?? [] }

    /// The selections of all merged nodes, in document order.
    public var subSelections: [any Selection] {
        nodes.flatMap { $0.selectionSet?.selections ?? [] }
    }
}

/// CollectFields from the GraphQL spec: fragments expanded when their type condition
/// applies, `@skip` and `@include` honoured, fields grouped by response key in order.
public struct FieldCollector: Sendable {
    public let schema: SchemaModel
    public let fragments: [String: FragmentDefinition]
    public let variables: JSONObject

    public init(schema: SchemaModel, fragments: [String: FragmentDefinition], variables: JSONObject) {
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
    }

    public func collect(_ selections: [any Selection], on typeName: String) -> [CollectedField] {
        var fields: [CollectedField] = []
        var positions: [String: Int] = [:]
        var visitedFragments: Set<String> = []
        collect(selections, on: typeName, into: &fields, positions: &positions, visited: &visitedFragments)
        return fields
    }

    public func collect(subfieldsOf field: CollectedField, on typeName: String) -> [CollectedField] {
        collect(field.subSelections, on: typeName)
    }

    private func collect(
        _ selections: [any Selection], on typeName: String, into fields: inout [CollectedField],
        positions: inout [String: Int], visited: inout Set<String>
    ) {
        for selection in selections {
            switch selection {
            case let field as Field:
                guard isIncluded(field.directives) else { continue }
                let key = field.alias?.value ?? field.name.value
                if let position = positions[key] {
                    fields[position].nodes.append(field)
                } else {
                    positions[key] = fields.count
                    fields.append(CollectedField(responseKey: key, name: field.name.value, nodes: [field]))
                }
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard isIncluded(spread.directives), !visited.contains(name), let fragment = fragments[name] else { continue }
                visited.insert(name)
                guard applies(fragment.typeCondition.name.value, to: typeName) else { continue }
                collect(fragment.selectionSet.selections, on: typeName, into: &fields, positions: &positions, visited: &visited)
            case let inline as InlineFragment:
                guard isIncluded(inline.directives) else { continue }
                if let condition = inline.typeCondition?.name.value, !applies(condition, to: typeName) { continue }
                collect(inline.selectionSet.selections, on: typeName, into: &fields, positions: &positions, visited: &visited)
            default:
                continue
            }
        }
    }

    /// Whether a fragment on `condition` applies to an object of type `typeName`.
    public func applies(_ condition: String, to typeName: String) -> Bool {
        if condition == typeName { return true }
        guard let conditionType = schema[condition] else { return false }
        switch conditionType.kind {
        case .union: return conditionType.possibleTypes.contains(typeName)
        case .interface: return schema[typeName]?.interfaces.contains(condition) ?? false
        default: return false
        }
    }

    /// `@skip(if:)` and `@include(if:)`.
    public func isIncluded(_ directives: [Directive]) -> Bool {
        for directive in directives {
            let name = directive.name.value
            guard name == "skip" || name == "include" else { continue }
            guard let argument = directive.arguments.first(where: { $0.name.value == "if" }) else { continue }
            let condition: Bool
            switch argument.value {
            case let bool as BooleanValue: condition = bool.value
            case let variable as Variable: condition = variables[variable.name.value]?.boolValue ?? false
            default: condition = false
            }
            if name == "skip" && condition { return false }
            if name == "include" && !condition { return false }
        }
        return true
    }
}
