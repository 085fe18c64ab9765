import GatewayJSON
import GraphQLSupport

/// SplitMix64: a small, fast, seedable generator, so that an input is rebuilt from
/// `FUZZ_SEED` and its number alone.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

/// Strings that look like SQL, LIKE patterns, or trouble for a JSON or GraphQL printer.
let hostileStrings: [String] = [
    "x' OR '1'='1", "'; DROP TABLE books; --", ") OR 1=1 --", "1); DELETE FROM reviews; --", "%' OR '%'='",
    "%", "_", "%%", "\\", "\\%", "O'Brien", "\"", "\u{0}", "\u{1F600}", "ærø", "", " ", "a\nb", "%a_b%",
    "' UNION SELECT name FROM sqlite_master --", "\"; SELECT * FROM users; --", "*/ --", "/*", "$1", "?", ":name",
]

/// Random GraphQL operations over a schema: mostly valid (the root fields, their arguments
/// with values of the right type, selections a few levels deep with aliases, fragments and
/// variables), sometimes with a value of the wrong type, so that validation answers too.
struct QueryGenerator {
    let schema: SchemaModel
    var rng: SplitMix
    private var variables: [(name: String, type: String, value: JSON)] = []
    private var fragments: [String] = []

    init(schema: SchemaModel, rng: SplitMix) {
        self.schema = schema
        self.rng = rng
    }

    /// A query operation and its variables.
    mutating func operation() -> (query: String, variables: JSONObject) {
        variables = []
        fragments = []
        guard let query = schema.query else { return ("{ __typename }", [:]) }
        let roots = query.fields.filter { !$0.name.hasPrefix("__") && !$0.name.hasPrefix("_") }
        var selections: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !roots.isEmpty else { break }
            selections.append(field(rng.pick(roots), depth: 0))
        }
        if rng.chance(0.1) { selections.append("__typename") }
        let definitions = variables.map { "$\($0.name): \($0.type)" }
        let header = definitions.isEmpty ? "" : "query Fuzz(\(definitions.joined(separator: ", "))) "
        let text = header + "{ " + selections.joined(separator: " ") + " }" + fragments.map { " " + $0 }.joined()
        return (text, JSONObject(variables.map { ($0.name, $0.value) }))
    }

    mutating func field(_ definition: FieldDef, depth: Int) -> String {
        var text = rng.chance(0.2) ? "a\(rng.next() % 1000): \(definition.name)" : definition.name
        let arguments = definition.arguments.compactMap { argument -> String? in
            guard argument.type.isNonNull || rng.chance(argument.name == "limit" ? 0.8 : 0.4) else { return nil }
            if rng.chance(0.15), let value = jsonValue(argument.type) {
                let name = "v\(variables.count)"
                variables.append((name, argument.type.description, value))
                return "\(argument.name): $\(name)"
            }
            return "\(argument.name): \(literal(argument.type, depth: 0))"
        }
        if !arguments.isEmpty { text += "(" + arguments.joined(separator: ", ") + ")" }
        let typeName = definition.type.namedType
        if schema.kind(of: typeName) == .object {
            text += " " + selectionSet(typeName, depth: depth + 1)
        }
        return text
    }

    mutating func selectionSet(_ typeName: String, depth: Int) -> String {
        guard let type = schema[typeName] else { return "{ __typename }" }
        let leaves = type.fields.filter { schema.kind(of: $0.type.namedType) != .object }
        let objects = type.fields.filter { schema.kind(of: $0.type.namedType) == .object }
        var selections: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !leaves.isEmpty {
            selections.append(field(rng.pick(leaves), depth: depth))
        }
        if depth < 3, !objects.isEmpty, rng.chance(0.5) {
            selections.append(field(rng.pick(objects), depth: depth))
        }
        if rng.chance(0.1) { selections.append("__typename") }
        if selections.isEmpty { selections.append("__typename") }
        if rng.chance(0.1) {
            return "{ ... on \(typeName) { " + selections.joined(separator: " ") + " } }"
        }
        if rng.chance(0.1) {
            let name = "F\(fragments.count)"
            fragments.append("fragment \(name) on \(typeName) { " + selections.joined(separator: " ") + " }")
            return "{ ...\(name) }"
        }
        return "{ " + selections.joined(separator: " ") + " }"
    }

    /// A GraphQL literal of the type; now and then one of another type.
    mutating func literal(_ type: TypeRef, depth: Int) -> String {
        if rng.chance(0.03) { return rng.pick(["\"wrong\"", "1.5", "true", "[1]", "{a: 1}", "null", "WRONG_ENUM"]) }
        switch type {
        case .nonNull(let inner): return literal(inner, depth: depth)
        case .list(let inner):
            let count = depth > 2 ? 0 : Int.random(in: 0...3, using: &rng)
            return "[" + (0..<count).map { _ in literal(inner, depth: depth + 1) }.joined(separator: ", ") + "]"
        case .named(let name):
            switch name {
            case "Int": return String(rng.pick([0, 1, 2, 3, 5, 10, 20, 100, -1, 2_147_483_647]))
            case "Float": return rng.pick(["0", "1.5", "-2.25", "1e10", "9.5"])
            case "Boolean": return rng.chance(0.5) ? "true" : "false"
            case "ID": return JSON.string(rng.chance(0.7) ? String(Int.random(in: 0...40, using: &rng)) : rng.pick(hostileStrings)).description
            case "String": return JSON.string(rng.pick(hostileStrings + ["Japan", "Gulistan", "%a%", "A%"])).description
            default: break
            }
            guard let definition = schema[name] else { return "null" }
            switch definition.kind {
            case .enumeration:
                return definition.enumValues.isEmpty ? "null" : rng.pick(definition.enumValues).name
            case .inputObject:
                guard depth < 3, !definition.inputFields.isEmpty else { return "{}" }
                var members: [String] = []
                var used: Set<String> = []
                for input in definition.inputFields where input.type.isNonNull {
                    members.append("\(input.name): \(literal(input.type, depth: depth + 1))")
                    used.insert(input.name)
                }
                for _ in 0..<Int.random(in: 0...2, using: &rng) {
                    let input = rng.pick(definition.inputFields)
                    guard used.insert(input.name).inserted else { continue }
                    members.append("\(input.name): \(literal(input.type, depth: depth + 1))")
                }
                return "{" + members.joined(separator: ", ") + "}"
            default:
                return "null"
            }
        }
    }

    /// A variable value for the simple types, or nil (the argument stays a literal).
    mutating func jsonValue(_ type: TypeRef) -> JSON? {
        if rng.chance(0.1) { return rng.pick(["x", 1.5, true, [1, 2], ["a": 1], 1e300, -99_999_999_999]) }
        switch type.nullable {
        case .named("Int"): return .int(rng.pick([0, 1, 3, 10, 50]))
        case .named("String"): return .string(rng.pick(hostileStrings))
        case .named("ID"): return .string(String(Int.random(in: 0...40, using: &rng)))
        case .list(.nonNull(.named("ID"))), .list(.named("ID")):
            return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in .string(String(Int.random(in: 0...40, using: &rng))) })
        default: return nil
        }
    }
}
