extension SchemaModel {
    /// The schema in the declaration order, and with the documentation, of `declared` where
    /// that says more: each type's fields, arguments, input fields and enum values in the order
    /// `declared` lists them (members it does not list follow, in their own order), and its
    /// descriptions and deprecation reasons where this schema has none.
    ///
    /// For a subgraph read by introspection that also serves its SDL (`_service { sdl }`):
    /// a GraphQLSwift service answers introspection sorted by name and without descriptions
    /// of fields built in code.
    public func arranged(like declared: SchemaModel) -> SchemaModel {
        var result = self
        for type in types {
            guard let other = declared[type.name], other.kind == type.kind else { continue }
            result.update(type.name) { $0.arrange(like: other) }
        }
        return result
    }
}

extension TypeDef {
    mutating func arrange(like declared: TypeDef) {
        description = description ?? declared.description
        fields = Self.arranged(fields, like: declared.fields, name: \.name) { field, other in
            field.description = field.description ?? other.description
            field.deprecationReason = field.deprecationReason ?? other.deprecationReason
            field.arguments = Self.arranged(field.arguments, like: other.arguments, name: \.name) { argument, other in
                argument.description = argument.description ?? other.description
            }
        }
        inputFields = Self.arranged(inputFields, like: declared.inputFields, name: \.name) { field, other in
            field.description = field.description ?? other.description
        }
        enumValues = Self.arranged(enumValues, like: declared.enumValues, name: \.name) { value, other in
            value.description = value.description ?? other.description
            value.deprecationReason = value.deprecationReason ?? other.deprecationReason
        }
    }

    /// `members` ordered as `declared` lists the same names (the others after them, in their
    /// order), each merged with its declared namesake.
    static func arranged<Member>(
        _ members: [Member], like declared: [Member], name: KeyPath<Member, String>, merge: (inout Member, Member) -> Void
    ) -> [Member] {
        var positions: [String: Int] = [:]
        for (position, member) in declared.enumerated() where positions[member[keyPath: name]] == nil {
            positions[member[keyPath: name]] = position
        }
        let ordered = members.enumerated().sorted { left, right in
            (positions[left.element[keyPath: name]] ?? declared.count, left.offset)
                < (positions[right.element[keyPath: name]] ?? declared.count, right.offset)
        }
        return ordered.map { _, member in
            var merged = member
            if let position = positions[member[keyPath: name]] { merge(&merged, declared[position]) }
            return merged
        }
    }
}
