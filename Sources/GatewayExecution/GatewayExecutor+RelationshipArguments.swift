import GatewayJSON
import GraphQLSupport
import QueryPlanner

extension GatewayExecutor {
    // MARK: Filters on relationships

    /// A filter value with its relationship members located: what the plan's lookups apply to.
    indirect enum FilterTree: Sendable {
        case value(JSON)
        case list([FilterTree])
        case object([Member])
        /// A relationship member: the lookup that answers it and the filter on its target.
        case relationship(lookup: Int, inner: FilterTree)
        /// An aggregate member: the lookup, the filter on the aggregated rows, the condition.
        case aggregate(lookup: Int, inner: FilterTree?, condition: JSON)

        struct Member: Sendable {
            var key: String
            var tree: FilterTree
        }
    }

    /// Rewrites a coerced filter so that it names no relationship: each `{rel: {...}}` becomes
    /// a key condition on the parent's fields, from the plan's lookups (met in the same
    /// pre-order the planner listed them in). Independent lookups run concurrently.
    func rewrite(_ value: JSON, typeName: String, lookups: [FilterLookup], _ run: Run) async -> Result<JSON, FetchFailure> {
        var next = 0
        let tree = filterTree(value, typeName: typeName, next: &next)
        guard next == lookups.count else {
            return .failure(FetchFailure(
                message: "The filter's relationships do not match its plan (\(next) found, \(lookups.count) planned).",
                code: "INTERNAL_SERVER_ERROR"))
        }
        return await evaluate(tree, lookups, run)
    }

    func filterTree(_ value: JSON, typeName: String, next: inout Int) -> FilterTree {
        guard case .object(let object) = value else { return .value(value) }
        var members: [FilterTree.Member] = []
        for (key, member) in object.members {
            if member.isNull {
                members.append(.init(key: key, tree: .value(member)))
                continue
            }
            switch key {
            case "_and", "_or":
                let items = (member.arrayValue ?? []).map { filterTree($0, typeName: typeName, next: &next) }
                members.append(.init(key: key, tree: .list(items)))
            case "_not":
                members.append(.init(key: key, tree: filterTree(member, typeName: typeName, next: &next)))
            default:
                if let relationship = supergraph.aggregates.relationship(on: typeName, field: key) {
                    let lookup = next
                    next += 1
                    var inner: FilterTree?
                    if let rows = member.objectValue?["filter"], !rows.isNull {
                        inner = filterTree(rows, typeName: relationship.targetType, next: &next)
                    }
                    members.append(.init(key: key, tree: .aggregate(lookup: lookup, inner: inner, condition: member)))
                } else if let relationship = supergraph.relationship(on: typeName, field: key) {
                    let lookup = next
                    next += 1
                    let inner = filterTree(member, typeName: relationship.targetType, next: &next)
                    members.append(.init(key: key, tree: .relationship(lookup: lookup, inner: inner)))
                } else {
                    members.append(.init(key: key, tree: .value(member)))
                }
            }
        }
        return .object(members)
    }

    func evaluate(_ tree: FilterTree, _ lookups: [FilterLookup], _ run: Run) async -> Result<JSON, FetchFailure> {
        switch tree {
        case .value(let value):
            return .success(value)
        case .list(let items):
            return await evaluateAll(items, lookups, run).map(JSON.array)
        case .object(let members):
            switch await evaluateAll(members.map(\.tree), lookups, run) {
            case .failure(let failure):
                return .failure(failure)
            case .success(let values):
                var rest = JSONObject()
                var conditions: [JSON] = []
                for (member, value) in zip(members, values) {
                    switch member.tree {
                    case .relationship, .aggregate: conditions.append(value)
                    default: rest.append(member.key, value)
                    }
                }
                if conditions.isEmpty { return .success(.object(rest)) }
                return .success(["_and": .array([.object(rest)] + conditions)])
            }
        case .aggregate(let index, let inner, let condition):
            let lookup = lookups[index]
            guard let aggregate = lookup.aggregate else {
                return .failure(FetchFailure(message: "The filter's aggregates do not match its plan.", code: "INTERNAL_SERVER_ERROR"))
            }
            var rows: JSON = [:]
            if let inner {
                switch await evaluate(inner, lookups, run) {
                case .failure(let failure): return .failure(failure)
                case .success(let filter): rows = filter
                }
            }
            return await aggregateCondition(lookup, aggregate, rows: rows, condition: condition, run)
        case .relationship(let index, let inner):
            let lookup = lookups[index]
            switch await evaluate(inner, lookups, run) {
            case .failure(let failure):
                return .failure(failure)
            case .success(let filter):
                return await keys(of: lookup, filter: filter, run).map { Self.keyCondition($0, fields: lookup.sourceFields) }
            }
        }
    }

    func evaluateAll(_ trees: [FilterTree], _ lookups: [FilterLookup], _ run: Run) async -> Result<[JSON], FetchFailure> {
        if trees.count == 1 { return await evaluate(trees[0], lookups, run).map { [$0] } }
        var results: [Int: Result<JSON, FetchFailure>] = [:]
        await withTaskGroup(of: (Int, Result<JSON, FetchFailure>).self) { group in
            for (index, tree) in trees.enumerated() {
                group.addTask { (index, await self.evaluate(tree, lookups, run)) }
            }
            for await (index, result) in group { results[index] = result }
        }
        var values: [JSON] = []
        for index in trees.indices {
            switch results[index]! {
            case .failure(let failure): return .failure(failure)
            case .success(let value): values.append(value)
            }
        }
        return .success(values)
    }

    /// The keys of the parents that the related rows matching `filter` point back at, as the
    /// JSON values of each key's parts.
    func keys(of lookup: FilterLookup, filter: JSON, _ run: Run) async -> Result<[[JSON]], FetchFailure> {
        let label = "the filter on \(lookup.relationship)"
        let body = Self.body(query: lookup.query, variables: [lookup.whereVariable: filter])
        let rows: [JSONRef]
        switch await send(subgraph: lookup.subgraph, body: body, run).flatMap({ root, _ in Self.rows(root, label: label, subgraph: lookup.subgraph) }) {
        case .failure(let failure): return .failure(failure)
        case .success(let fetched): rows = fetched
        }
        let keyAliases = lookup.keyAliases.map { Array($0.utf8) }
        let keys = Self.distinctKeys(rows, aliases: keyAliases)
        guard let junction = lookup.junction, !keys.keys.isEmpty else {
            return .success(keys.rows.map { Self.values($0, keyAliases) })
        }
        switch await fetchChunked(keys.keys, subgraph: junction.subgraph, label: label, body: { keys in
            Self.keyQueryBody(query: junction.query, whereVariable: junction.whereVariable, keys: keys, fields: junction.targetFields)
        }, run) {
        case .failure(let failure): return .failure(failure)
        case .success(let junctionRows):
            let sourceAliases = junction.sourceAliases.map { Array($0.utf8) }
            return .success(Self.distinctKeys(junctionRows, aliases: sourceAliases).rows.map { Self.values($0, sourceAliases) })
        }
    }

    /// `{key: {_in: [...]}}`, or `{_or: [{_and: [{k1: {_eq: ..}}, {k2: {_eq: ..}}]}, ...]}` for a
    /// composite key; `{_or: []}` (matches nothing) when there are no keys.
    static func keyCondition(_ keys: [[JSON]], fields: [String]) -> JSON {
        if keys.isEmpty { return ["_or": []] }
        if fields.count == 1 {
            return [fields[0]: ["_in": .array(keys.map { $0[0] })]]
        }
        return ["_or": .array(keys.map { key in
            ["_and": .array(zip(fields, key).map { field, value in [field: ["_eq": value]] })]
        })]
    }

    // MARK: Orders on relationships

    /// Sorts rows as the plan says: related values looked up (one request per lookup, those
    /// of one depth concurrently), then the model protocol's order: nulls first ascending and
    /// last descending, ties broken by the next key and finally by `id` ascending.
    func sort(_ rows: [JSONRef], plan: OrderPlan, _ run: Run) async -> Result<[JSONRef], FetchFailure> {
        var related: [[JoinKey: JSONRef]] = Array(repeating: [:], count: plan.lookups.count)
        // Each lookup's rows in the order they came, for the lookups that depend on it.
        var fetched: [[JSONRef]] = Array(repeating: [], count: plan.lookups.count)
        let sourceAliases = plan.lookups.map { $0.sourceAliases.map { Array($0.utf8) } }
        let targetAliases = plan.lookups.map { $0.targetAliases.map { Array($0.utf8) } }
        /// A lookup's rows, and for an aggregate lookup the parent key of each (its objects do
        /// not carry the key when the gateway computed them).
        typealias Answer = (index: Int, rows: Result<[JSONRef], FetchFailure>, keys: [JoinKey]?)
        var remaining = Array(plan.lookups.indices)
        while !remaining.isEmpty {
            // Lookups whose parent is resolved run now, together.
            let ready = remaining.filter { index in plan.lookups[index].parent.map { !remaining.contains($0) } ?? true }
            remaining.removeAll { ready.contains($0) }
            var results: [Int: Answer] = [:]
            let snapshot = fetched
            await withTaskGroup(of: Answer.self) { group in
                for index in ready {
                    let lookup = plan.lookups[index]
                    let parents: [JSONRef] = lookup.parent.map { snapshot[$0] } ?? rows
                    let keys = Self.distinctKeys(parents, aliases: sourceAliases[index]).keys
                    if let aggregate = lookup.aggregate {
                        group.addTask {
                            if keys.isEmpty { return (index, .success([]), []) }
                            // A many-to-many aggregate counts over all target rows (the junction
                            // rows lead back to the parents); others ask by the parents' keys.
                            let byKeys = aggregate.junction == nil
                            let result = await self.aggregatesByParent(
                                aggregate, keyAliases: lookup.targetAliases, subgraph: lookup.subgraph,
                                label: "the order by \(lookup.relationship)", keys: byKeys ? keys : nil,
                                body: { keys in
                                    byKeys
                                        ? Self.keyQueryBody(query: lookup.query, whereVariable: lookup.whereVariable, keys: keys, fields: lookup.targetFields)
                                        : Self.body(query: lookup.query, variables: [lookup.whereVariable: [:]])
                                }, run)
                            switch result {
                            case .failure(let failure): return (index, .failure(failure), nil)
                            case .success(let (parents, _)): return (index, .success(parents.map(\.object)), parents.map(\.key))
                            }
                        }
                        continue
                    }
                    group.addTask {
                        if keys.isEmpty { return (index, .success([]), nil) }
                        return (index, await self.fetchChunked(
                            keys, subgraph: lookup.subgraph, label: "the order by \(lookup.relationship)", body: { keys in
                                Self.keyQueryBody(query: lookup.query, whereVariable: lookup.whereVariable, keys: keys, fields: lookup.targetFields)
                            }, run), nil)
                    }
                }
                for await answer in group { results[answer.index] = answer }
            }
            for index in ready {
                let answer = results[index]!
                switch answer.rows {
                case .failure(let failure): return .failure(failure)
                case .success(let lookupRows):
                    fetched[index] = lookupRows
                    if let keys = answer.keys {
                        for (key, object) in zip(keys, lookupRows) { related[index][key] = object }
                        continue
                    }
                    // An Object relationship takes the first row by id: upstream order.
                    for row in lookupRows {
                        guard let key = JoinKey.of(row, targetAliases[index]) else { continue }
                        if related[index][key] == nil { related[index][key] = row }
                    }
                }
            }
        }

        let sortAliases = plan.keys.map { Array($0.alias.utf8) }
        let idAlias = plan.idAlias.map { Array($0.utf8) }
        let keyed: [(values: [JSON], id: JSON, row: JSONRef)] = rows.map { row in
            let values = plan.keys.indices.map { position -> JSON in
                let sortKey = plan.keys[position]
                var current: JSONRef? = row
                for (step, index) in sortKey.chain.enumerated() {
                    guard let holder = current else { break }
                    current = JoinKey.of(holder, sourceAliases[index]).flatMap { related[index][$0] }
                    // A parent without related rows has the empty aggregate (count 0).
                    if current == nil, step == sortKey.chain.count - 1, plan.lookups[index].aggregate != nil { return sortKey.missing }
                }
                var value = current?.member(sortAliases[position])
                if let subfield = sortKey.subfield { value = value?.member(subfield) }
                return value?.json ?? .null
            }
            return (values, idAlias.flatMap { row.member($0)?.json } ?? .null, row)
        }
        let sorted = keyed.sorted { left, right in
            for (index, sortKey) in plan.keys.enumerated() {
                let order = Self.compare(left.values[index], right.values[index], descending: sortKey.descending)
                if order != 0 { return order < 0 }
            }
            return Self.compare(left.id, right.id, descending: false) < 0
        }
        return .success(sorted.map(\.row))
    }

    /// -1, 0 or 1 as the model protocol orders two values of one field: null before every
    /// value ascending and after every value descending, strings by code point.
    static func compare(_ left: JSON, _ right: JSON, descending: Bool) -> Int {
        switch (left.isNull, right.isNull) {
        case (true, true): return 0
        case (true, false): return descending ? 1 : -1
        case (false, true): return descending ? -1 : 1
        default: break
        }
        let ascending: Int
        switch (left, right) {
        case (.string(let a), .string(let b)):
            ascending = a == b ? 0 : (a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1)
        case (.bool(let a), .bool(let b)):
            ascending = a == b ? 0 : (!a ? -1 : 1)
        case (.int(let a), .int(let b)):
            ascending = a == b ? 0 : (a < b ? -1 : 1)
        default:
            let a = left.doubleValue ?? 0
            let b = right.doubleValue ?? 0
            ascending = a == b ? 0 : (a < b ? -1 : 1)
        }
        return descending ? -ascending : ascending
    }
}
