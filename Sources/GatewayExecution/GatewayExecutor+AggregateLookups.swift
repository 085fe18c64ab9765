import GatewayJSON
import GraphQLSupport
import QueryPlanner

extension GatewayExecutor {
    /// One parent's aggregates in a lookup: its key, the key's values, and the object.
    struct ParentAggregate {
        var key: JoinKey
        var values: [JSON]
        var object: JSONRef
    }

    /// Aggregate objects per parent key for a filter or an order: the subgraph's groups, or
    /// objects computed here from rows (through the junction rows for a many-to-many
    /// relationship). `body` makes the request of the groups or rows; `keys`, when given, are
    /// sent in chunks (an order's parents), otherwise one request (a filter's rows).
    func aggregatesByParent(
        _ lookup: AggregateLookup, keyAliases: [String], subgraph: String, label: String, keys: [JoinKey]?,
        body: @escaping @Sendable (ArraySlice<JoinKey>) -> [UInt8], _ run: Run
    ) async -> Result<(parents: [ParentAggregate], empty: JSONRef), FetchFailure> {
        var empty = JSONWriter(capacity: 64)
        Self.writeAggregate([], spec: lookup.spec, variables: run.variables, into: &empty)
        guard let emptyDocument = keep(empty.bytes, run) else { return .failure(Self.unreadable(label)) }

        let rows: [JSONRef]
        if let keys {
            switch await fetchChunked(keys, subgraph: subgraph, label: label, body: body, run) {
            case .failure(let failure): return .failure(failure)
            case .success(let fetched): rows = fetched
            }
        } else {
            switch await send(subgraph: subgraph, body: body([]), run).flatMap({ root, _ in Self.rows(root, label: label, subgraph: subgraph) }) {
            case .failure(let failure): return .failure(failure)
            case .success(let fetched): rows = fetched
            }
        }
        let targetAliases = keyAliases.map { Array($0.utf8) }
        if lookup.strategy == .grouped {
            return .success((rows.compactMap { row in
                JoinKey.of(row, targetAliases).map { ParentAggregate(key: $0, values: Self.values(row, targetAliases), object: row) }
            }, emptyDocument.root))
        }

        // Rows: grouped here by parent, each parent's aggregates computed.
        var members: [(key: JoinKey, values: [JSON], rows: [JSONRef])] = []
        var byTarget = RowGroups()
        for row in rows {
            if let key = JoinKey.of(row, targetAliases) { byTarget.append(row, key: key) }
        }
        if let junction = lookup.junction {
            let targetKeys = byTarget.index.keys
            if !targetKeys.isEmpty {
                let junctionRows: [JSONRef]
                switch await fetchChunked(targetKeys, subgraph: junction.subgraph, label: label, body: { keys in
                    Self.keyQueryBody(query: junction.query, whereVariable: junction.whereVariable, keys: keys, fields: junction.targetFields)
                }, run) {
                case .failure(let failure): return .failure(failure)
                case .success(let fetched): junctionRows = fetched
                }
                let sourceSide = junction.sourceAliases.map { Array($0.utf8) }
                let targetSide = junction.targetAliases.map { Array($0.utf8) }
                var positions: [JoinKey: Int] = [:]
                var seen: [Set<JoinKey>] = []
                for row in junctionRows {
                    guard let parent = JoinKey.of(row, sourceSide), let target = JoinKey.of(row, targetSide) else { continue }
                    let position: Int
                    if let known = positions[parent] {
                        position = known
                    } else {
                        position = members.count
                        positions[parent] = position
                        members.append((parent, Self.values(row, sourceSide), []))
                        seen.append([])
                    }
                    // Each target row once per parent, even when linked twice.
                    if seen[position].insert(target).inserted { members[position].rows += byTarget.rows(for: target) ?? [] }
                }
            }
        } else {
            for (position, key) in byTarget.index.keys.enumerated() {
                let group = byTarget.groups[position]
                members.append((key, Self.values(group[0], targetAliases), group))
            }
        }
        var writer = JSONWriter(capacity: 64 * max(members.count, 1))
        writer.raw(UInt8(ascii: "["))
        for (position, member) in members.enumerated() {
            if position > 0 { writer.raw(UInt8(ascii: ",")) }
            Self.writeAggregate(member.rows, spec: lookup.spec, variables: run.variables, into: &writer)
        }
        writer.raw(UInt8(ascii: "]"))
        guard let document = keep(writer.bytes, run) else { return .failure(Self.unreadable(label)) }
        let parents = zip(members, document.root.items).map { ParentAggregate(key: $0.key, values: $0.values, object: $1) }
        return .success((parents, emptyDocument.root))
    }

    /// The key condition on the parents whose aggregates hold `condition`. When the empty
    /// aggregate (a parent without related rows) holds it too, the condition is "not one of
    /// the parents whose aggregates fail it", which keeps parents without rows (or a null key).
    func aggregateCondition(_ lookup: FilterLookup, _ aggregate: AggregateLookup, rows filter: JSON, condition: JSON, _ run: Run) async
        -> Result<JSON, FetchFailure>
    {
        let query = lookup.query
        let whereVariable = lookup.whereVariable
        let result = await aggregatesByParent(
            aggregate, keyAliases: lookup.keyAliases, subgraph: lookup.subgraph, label: "the filter on \(lookup.relationship)",
            keys: nil, body: { _ in Self.body(query: query, variables: [whereVariable: filter]) }, run)
        switch result {
        case .failure(let failure):
            return .failure(failure)
        case .success(let (parents, empty)):
            let test = condition.objectValue ?? [:]
            if Self.holds(test, on: empty) {
                let failing = parents.filter { !Self.holds(test, on: $0.object) }.map(\.values)
                return .success(["_not": Self.keyCondition(failing, fields: lookup.sourceFields)])
            }
            let passing = parents.filter { Self.holds(test, on: $0.object) }.map(\.values)
            return .success(Self.keyCondition(passing, fields: lookup.sourceFields))
        }
    }

    // MARK: Conditions

    /// Whether an aggregate object holds `{count: {...}, sum: {f: {...}}, ...}` (`filter`,
    /// the rows' filter, is not a condition on the object).
    static func holds(_ condition: JSONObject, on object: JSONRef) -> Bool {
        for (key, operators) in condition.members where !operators.isNull && key != "filter" {
            if key == "count" {
                guard case .object(let ops) = operators, satisfies(object.member(key)?.json ?? .null, ops) else { return false }
                continue
            }
            guard case .object(let fields) = operators else { continue }
            let function = object.member(key)
            for (field, fieldOperators) in fields.members where !fieldOperators.isNull {
                guard case .object(let ops) = fieldOperators, satisfies(function?.member(field)?.json ?? .null, ops) else { return false }
            }
        }
        return true
    }

    /// The model protocol's operators on one value: a comparison with null is false, but
    /// `_eq: null` holds exactly for null and `_ne: null` exactly for a value; strings compare
    /// by code point; `_like` matches the whole value (`%` any run, `_` one character).
    static func satisfies(_ value: JSON, _ operators: JSONObject) -> Bool {
        for (name, operand) in operators.members {
            let holds: Bool
            switch name {
            case "_eq": holds = operand.isNull ? value.isNull : !value.isNull && compare(value, operand, descending: false) == 0
            case "_ne": holds = operand.isNull ? !value.isNull : !value.isNull && compare(value, operand, descending: false) != 0
            case "_gt": holds = !value.isNull && !operand.isNull && compare(value, operand, descending: false) > 0
            case "_ge": holds = !value.isNull && !operand.isNull && compare(value, operand, descending: false) >= 0
            case "_lt": holds = !value.isNull && !operand.isNull && compare(value, operand, descending: false) < 0
            case "_le": holds = !value.isNull && !operand.isNull && compare(value, operand, descending: false) <= 0
            case "_in": holds = !value.isNull && (operand.arrayValue ?? []).contains { compare(value, $0, descending: false) == 0 }
            case "_nin": holds = !value.isNull && !(operand.arrayValue ?? []).contains { compare(value, $0, descending: false) == 0 }
            case "_like", "_nlike", "_ilike", "_nilike":
                guard case .string(let text) = value, case .string(let pattern) = operand else {
                    holds = false
                    break
                }
                let matched = LikePattern.matches(pattern, text, ignoringCase: name.contains("ilike"))
                holds = name.hasPrefix("_n") ? !matched : matched
            default:
                holds = true
            }
            if !holds { return false }
        }
        return true
    }
}
