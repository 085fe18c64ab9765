import GraphQLSupport

extension SchemaModel {
    /// Object types other than the root operation types, in declaration order: the types a
    /// model or a relationship can name.
    var dataObjectTypes: [String] {
        types.filter { $0.kind == .object && !isRootType($0.name) }.map(\.name)
    }

    func isRootType(_ name: String) -> Bool {
        name == queryType || name == mutationType || name == "Subscription"
    }
}

extension TypeKind {
    /// `an input object type`, for messages saying what a type is instead of what was expected.
    var phrase: String {
        switch self {
        case .scalar: return "a scalar type"
        case .object: return "an object type"
        case .interface: return "an interface type"
        case .union: return "a union type"
        case .enumeration: return "an enum type"
        case .inputObject: return "an input object type"
        }
    }
}
