import GatewayJSON
import GraphQLSupport
import QueryPlanner

extension GatewayExecutor {
    /// Aggregates at the root or per parent: grouped by the subgraph, or computed here from
    /// rows carrying only the key and the aggregated fields.
    func aggregateFetch(_ fetch: Fetch, _ aggregate: AggregateFetch, _ run: Run) async -> FetchOutcome {
        // The client's filter on the aggregated rows, its relationships resolved.
        var filter: JSON?
        if let template = aggregate.filter, let value = template.resolve(run.variables), !value.isNull {
            do {
                filter = try coercion.coerceJSON(value, to: .named(aggregate.filterType), path: "")
            } catch {
                return .failed(FetchFailure(message: "Argument \"filter\" of \(aggregate.label): \(error.message)", code: "BAD_USER_INPUT"))
            }
            if let value = filter, !aggregate.filterLookups.isEmpty {
                switch await rewrite(
                    value, typeName: supergraph.filterTypes[aggregate.filterType] ?? "", lookups: aggregate.filterLookups, run)
                {
                case .success(let rewritten): filter = rewritten
                case .failure(let failure): return .failed(failure)
                }
            }
        }
        let label = aggregate.label
        let subgraph = fetch.subgraph

        guard let parent = aggregate.parent else {
            // A collection's aggregates: one group over the rows the filter selects.
            let variables = clientVariables(fetch, run).merging([aggregate.whereVariable: filter ?? [:]])
            switch await send(subgraph: subgraph, body: Self.body(query: aggregate.query, variables: variables), run)
                .flatMap({ root, _ in Self.rows(root, label: label, subgraph: subgraph) })
            {
            case .failure(let failure):
                return .failed(failure)
            case .success(let rows):
                var writer = JSONWriter(capacity: 256)
                writer.raw(UInt8(ascii: "{"))
                writer.key(aggregate.responseKey)
                switch aggregate.strategy {
                case .grouped:
                    guard let group = rows.first, group.isObject else {
                        return .failed(FetchFailure(message: "Subgraph \(subgraph) answered no group for \(label).", code: "SUBGRAPH_BAD_RESPONSE", subgraph: subgraph))
                    }
                    writer.raw(group)
                case .rows:
                    Self.writeAggregate(rows, spec: aggregate.spec, variables: run.variables, into: &writer)
                }
                writer.raw(UInt8(ascii: "}"))
                guard let document = keep(writer.bytes, run) else { return .failed(Self.unreadable(label)) }
                return .data(document.root, ordered: [:], errors: [])
            }
        }

        // Per parent: the parents' distinct keys, then one request (chunked past the limit).
        var empty = JSONWriter(capacity: 128)
        Self.writeAggregate([], spec: aggregate.spec, variables: run.variables, into: &empty)
        guard let fallback = keep(empty.bytes, run) else { return .failed(Self.unreadable(label)) }
        guard let parentOutcome = run.results[parent] else { return .skipped }
        let parentKeys = Self.collectKeys(parentOutcome, parentPath: aggregate.parentPath, sourceKeys: aggregate.sourceKeys)
        if parentKeys.isEmpty { return .aggregates(.empty, fallback: fallback.root) }
        let targetAliases = aggregate.targetKeys.map { Array($0.utf8) }
        let clientVariables = clientVariables(fetch, run)

        // Many-to-many: the junction rows say which target rows each parent has.
        var targetKeys = parentKeys
        var junctionRows: [JSONRef] = []
        if let junction = aggregate.junction {
            switch await fetchChunked(parentKeys, subgraph: junction.subgraph, label: label, body: { keys in
                Self.keyQueryBody(query: junction.query, whereVariable: junction.whereVariable, keys: keys, fields: junction.sourceFields)
            }, run) {
            case .failure(let failure): return .failed(failure)
            case .success(let rows): junctionRows = rows
            }
            targetKeys = Self.distinctKeys(junctionRows, aliases: junction.targetAliases.map { Array($0.utf8) }).keys
            if targetKeys.isEmpty { return .aggregates(.empty, fallback: fallback.root) }
        }

        let rows: [JSONRef]
        switch await fetchChunked(targetKeys, subgraph: subgraph, label: label, body: { [filter] keys in
            Self.keyQueryBody(
                query: aggregate.query, variables: clientVariables, whereVariable: aggregate.whereVariable, keys: keys,
                fields: aggregate.targetFields, and: filter)
        }, run) {
        case .failure(let failure): return .failed(failure)
        case .success(let fetched): rows = fetched
        }

        var groups = RowGroups()
        switch aggregate.strategy {
        case .grouped:
            for row in rows {
                guard let key = JoinKey.of(row, targetAliases) else { continue }
                groups.append(row, key: key)
            }
        case .rows:
            // The rows of each parent, then one object per parent, all in one document.
            var members: [(JoinKey, [JSONRef])] = []
            if let junction = aggregate.junction {
                var byTarget = RowGroups()
                for row in rows {
                    if let key = JoinKey.of(row, targetAliases) { byTarget.append(row, key: key) }
                }
                var targetsOf: [JoinKey: [JoinKey]] = [:]
                var parents: [JoinKey] = []
                let sourceSide = junction.sourceAliases.map { Array($0.utf8) }
                let targetSide = junction.targetAliases.map { Array($0.utf8) }
                for row in junctionRows {
                    guard let parentKey = JoinKey.of(row, sourceSide), let target = JoinKey.of(row, targetSide) else { continue }
                    if targetsOf[parentKey] == nil { parents.append(parentKey) }
                    // Each target once per parent, even when linked twice.
                    if !(targetsOf[parentKey]?.contains(target) ?? false) { targetsOf[parentKey, default: []].append(target) }
                }
                for parentKey in parents {
                    members.append((parentKey, targetsOf[parentKey]!.flatMap { byTarget.rows(for: $0) ?? [] }))
                }
            } else {
                var byKey = RowGroups()
                for row in rows {
                    if let key = JoinKey.of(row, targetAliases) { byKey.append(row, key: key) }
                }
                for (position, key) in byKey.index.keys.enumerated() { members.append((key, byKey.groups[position])) }
            }
            var writer = JSONWriter(capacity: 64 * max(members.count, 1))
            writer.raw(UInt8(ascii: "["))
            for (position, member) in members.enumerated() {
                if position > 0 { writer.raw(UInt8(ascii: ",")) }
                Self.writeAggregate(member.1, spec: aggregate.spec, variables: run.variables, into: &writer)
            }
            writer.raw(UInt8(ascii: "]"))
            guard let document = keep(writer.bytes, run) else { return .failed(Self.unreadable(label)) }
            for (member, object) in zip(members, document.root.items) { groups.append(object, key: member.0) }
        }
        return .aggregates(groups, fallback: fallback.root)
    }

    /// Parses bytes the gateway wrote and keeps the document for the response.
    func keep(_ bytes: [UInt8], _ run: Run) -> JSONDocument? {
        guard let document = try? JSONDocument(parsing: bytes) else { return nil }
        run.answers.keep(document)
        return document
    }

    static func unreadable(_ label: String) -> FetchFailure {
        FetchFailure(message: "The aggregates of \(label) could not be read back.", code: "INTERNAL_SERVER_ERROR")
    }

    // MARK: Computing

    /// One aggregate object over `rows`, in the client's selection order, with SQL's rules:
    /// `count` counts rows, every other aggregate skips nulls; `sum`, `avg`, `min` and `max`
    /// of no value are null; `min` and `max` follow the model protocol's order.
    static func writeAggregate(_ rows: [JSONRef], spec: AggregateSpec, variables: JSONObject, into out: inout JSONWriter) {
        func values(_ field: String) -> [JSON] {
            guard let alias = spec.rowAliases[field] else { return [] }
            let key = Array(alias.utf8)
            return rows.compactMap { row in
                guard let value = row.member(key), !value.isNull else { return nil }
                return value.json
            }
        }
        out.raw(UInt8(ascii: "{"))
        for (position, item) in spec.items.enumerated() {
            if position > 0 { out.raw(UInt8(ascii: ",")) }
            switch item {
            case .typename(let key, let typeName):
                out.key(key)
                out.string(typeName)
            case .count(let key, let distinct):
                out.key(key)
                if case .string(let field)? = distinct?.resolve(variables) {
                    out.int(Set(values(field)).count)
                } else {
                    out.int(rows.count)
                }
            case .function(let key, let function, let typeName, let fields):
                out.key(key)
                out.raw(UInt8(ascii: "{"))
                for (index, field) in fields.enumerated() {
                    if index > 0 { out.raw(UInt8(ascii: ",")) }
                    out.key(field.key)
                    if field.field == "__typename" {
                        out.string(typeName)
                        continue
                    }
                    out.write(aggregate(function, values(field.field), scalar: field.scalar))
                }
                out.raw(UInt8(ascii: "}"))
            }
        }
        out.raw(UInt8(ascii: "}"))
    }

    /// One aggregate of the non-null values of a field.
    static func aggregate(_ function: String, _ values: [JSON], scalar: String) -> JSON {
        guard !values.isEmpty else { return .null }
        switch function {
        case "sum":
            if scalar == "Int" {
                var total = 0
                for value in values {
                    let (sum, overflow) = total.addingReportingOverflow(value.intValue ?? 0)
                    // A sum past 64 bits has no exact answer here: null rather than a wrong number.
                    if overflow { return .null }
                    total = sum
                }
                return .int(total)
            }
            return .double(values.reduce(0) { $0 + ($1.doubleValue ?? 0) })
        case "avg":
            return .double(values.reduce(0) { $0 + ($1.doubleValue ?? 0) } / Double(values.count))
        case "min":
            return values.dropFirst().reduce(values[0]) { compare($1, $0, descending: false) < 0 ? $1 : $0 }
        case "max":
            return values.dropFirst().reduce(values[0]) { compare($1, $0, descending: false) > 0 ? $1 : $0 }
        default:
            return .null
        }
    }
}

extension JSONObject {
    /// The object with these members added (or replaced).
    func merging(_ other: JSONObject) -> JSONObject {
        var merged = self
        for (key, value) in other.members { merged[key] = value }
        return merged
    }
}
