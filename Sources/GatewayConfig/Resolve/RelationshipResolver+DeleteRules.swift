import GraphQLSupport

extension RelationshipResolver {
    // MARK: onDelete

    /// One applicable `onDelete: cascade` rule as an edge of the cascade graph: deleting rows of
    /// `from` deletes rows of `to` (the target type, or the junction type with `through`).
    struct CascadeEdge {
        /// `Author.passport`, for messages.
        var relationship: String
        var from: String
        var to: String
        /// Where `onDelete: cascade` is written.
        var location: SourceLocation
    }

    /// Checks an `onDelete` rule against the rows it acts on. Those rows must hold the key
    /// (otherwise no row refers to a deleted source row); `setNull` needs their key fields to be
    /// nullable; and their subgraph must serve the mutation the rule sends: `delete_T` for
    /// cascade, `update_T` for setNull. restrict only reads, through the collection the
    /// relationship already fetches from.
    ///
    /// - Parameters:
    ///   - relationship: the relationship, resolved without mistakes.
    ///   - target, junction: its target model and, with `through`, its junction model.
    mutating func checkDeleteRule(
        _ rule: Located<DeleteRule>, of relationship: RelationshipConfig, target: ModelConfig, junction: ModelConfig?
    ) {
        let source = relationship.sourceType
        let label = "relationship \(source).\(relationship.name)"
        let ruleText = "onDelete: \(rule.value.rawValue)"
        // The model whose rows hold the key, and so the rows the rule acts on.
        let held: ModelConfig
        switch relationship.keyHolder {
        case .source:
            let target = relationship.targetType
            let key = relationship.mapping.map { "\(source).\($0.sourceField) -> \(target).\($0.targetField)" }
            let reverse = relationship.mapping.map { "\($0.targetField) -> \($0.sourceField)" }
            fail(
                .deleteRuleNotApplicable,
                "\(ruleText) does not apply to \(label): its source rows hold the key (\(key.joined(separator: ", "))), so no rows refer to deleted \(source) rows through it; onDelete applies where the related rows hold the key (Array relationships, Object relationships from the source's id such as Author.passport, many-to-many ones): remove it, or declare it on a relationship from \(target) mapping \(reverse.joined(separator: ", "))",
                at: rule.location)
            return
        case .target:
            held = target
        case .junction:
            guard let junction else { return }
            held = junction
        }
        // The models stage has checked that the model's subgraph has a schema with its type.
        guard let schema = schemas[held.subgraph] else { return }
        let rows = "the \(held.typeName) rows referring to deleted \(source) rows"

        switch rule.value {
        case .restrict:
            return
        case .cascade:
            cascades.append(
                CascadeEdge(
                    relationship: "\(source).\(relationship.name)", from: source, to: held.typeName,
                    location: rule.location))
            requireMutation(
                "delete_\(held.typeName)", arguments: ["filter"], of: held.subgraph, in: schema,
                for: "\(ruleText) on \(label)", purpose: "to delete \(rows)", at: rule.location)
        case .setNull:
            // With `through`, the mapping's target fields are the junction type's: the fields
            // holding the source's key.
            let keyFields = relationship.mapping.map(\.targetField)
            let nonNull = keyFields.compactMap { name -> String? in
                guard let field = schema[held.typeName]?.field(name), field.type.isNonNull else { return nil }
                return "\(held.typeName).\(name) is \(field.type)"
            }
            if !nonNull.isEmpty {
                fail(
                    .nonNullableKey,
                    "\(ruleText) on \(label) sets the key of \(rows) to null, but \(nonNull.joined(separator: " and ")); make \(nonNull.count == 1 ? "it" : "them") nullable in subgraph \(held.subgraph), or choose cascade or restrict",
                    at: rule.location)
            }
            requireMutation(
                "update_\(held.typeName)", arguments: ["filter", "input"], of: held.subgraph, in: schema,
                for: "\(ruleText) on \(label)", purpose: "to set the key of \(rows) to null", at: rule.location)
        }
    }

    /// Reports when `subgraph`'s Mutation type lacks the field `name` or any of its `arguments`,
    /// as the model protocol names them (`delete_Book(id:, filter:)`, `update_Book(id:, filter:, input:)`).
    ///
    /// - Parameters:
    ///   - rule: `onDelete: cascade on relationship Author.passport`, for the message.
    ///   - purpose: `to delete the Passport rows ...`, what the gateway would send it for.
    mutating func requireMutation(
        _ name: String, arguments: [String], of subgraph: String, in schema: SchemaModel, for rule: String,
        purpose: String, at location: SourceLocation
    ) {
        let problem: String
        if let mutation = schema.mutation {
            if let field = mutation.field(name) {
                let missing = arguments.filter { field.argument($0) == nil }
                guard !missing.isEmpty else { return }
                let noun = missing.count == 1 ? "argument" : "arguments"
                problem = "its \(name) has no \(noun) \(missing.joined(separator: ", "))"
            } else {
                problem = "its Mutation type has no field \(name)"
            }
        } else {
            problem = "it has no Mutation type"
        }
        let signature = "\(name)(\(arguments.map { "\($0): ..." }.joined(separator: ", ")))"
        fail(
            .missingMutation,
            "\(rule) needs the mutation \(signature) of subgraph \(subgraph) \(purpose), but \(problem); serve it as the subgraph protocol describes, or choose restrict",
            at: location)
    }

    /// Reports every cycle of the cascade rules, once, at the `onDelete` of its relationship
    /// declared first: a delete follows the cascade rules from the deleted type, and a cycle
    /// would lead it back to where it started, without end. restrict and setNull rules delete
    /// nothing further and are not edges.
    ///
    /// Each elementary cycle is found from its first-declared edge, extended only through later
    /// edges in file order, so what is reported, and in which order, depends on the file alone.
    mutating func checkCascadeCycles() {
        let edges = cascades
        var cycles: [[Int]] = []
        /// Extends `path` (indices of `edges`, starting at the cycle's first-declared edge) from
        /// `type`, never through a type it already passed.
        func extend(_ path: [Int], at type: String, passed: Set<String>) {
            if type == edges[path[0]].from {
                cycles.append(path)
                return
            }
            guard !passed.contains(type) else { return }
            for index in edges.indices where index > path[0] && edges[index].from == type {
                extend(path + [index], at: edges[index].to, passed: passed.union([type]))
            }
        }
        for index in edges.indices {
            extend([index], at: edges[index].to, passed: [edges[index].from])
        }
        for cycle in cycles {
            let first = edges[cycle[0]]
            let steps = cycle.map { "\(edges[$0].relationship) (cascade)" } + [first.from]
            fail(
                .cascadeCycle,
                "onDelete: cascade rules form a cycle: \(steps.joined(separator: " -> ")); deleting \(first.from) rows would cascade back to \(first.from) rows without end; make one of these rules restrict or setNull, or remove it",
                at: first.location)
        }
    }
}
