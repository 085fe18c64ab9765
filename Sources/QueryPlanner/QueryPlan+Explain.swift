import GatewayJSON

extension QueryPlan {
    /// The plan as indented text: every fetch's subgraph, upstream query and dependencies.
    public var explained: String { explained(writePlans: [:]) }

    /// The plan as text, with the write plans of its nested creates (by fetch id), which
    /// depend on the request's input and so are made with it.
    public func explained(writePlans: [Int: Result<WritePlan, WriteInputError>]) -> String {
        var lines: [String] = ["QueryPlan {"]
        explain(node, indent: "  ", writePlans: writePlans, into: &lines)
        for (index, batch) in batches.enumerated() {
            let ids = batch.members.map { String($0.fetch) }.joined(separator: ", ")
            lines.append("  Batch(\(index), subgraph: \"\(batch.subgraph)\", fetches: \(ids)) {")
            lines.append("    " + batch.query(of: Array(batch.members.indices)))
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    private func explain(
        _ node: PlanNode, indent: String, writePlans: [Int: Result<WritePlan, WriteInputError>], into lines: inout [String]
    ) {
        switch node {
        case .empty:
            lines.append(indent + "Empty")
        case .sequence(let children), .parallel(let children):
            if case .sequence = node { lines.append(indent + "Sequence {") } else { lines.append(indent + "Parallel {") }
            for child in children { explain(child, indent: indent + "  ", writePlans: writePlans, into: &lines) }
            lines.append(indent + "}")
        case .fetch(let id):
            if case .write(let root) = fetches[id].kind {
                explainWrite(fetches[id], root, plan: writePlans[id], indent: indent, into: &lines)
                return
            }
            explainFetch(fetches[id], indent: indent, into: &lines)
        case .flatten(let path, let id):
            lines.append(indent + "Flatten(path: \"\(path)\") {")
            explainFetch(fetches[id], indent: indent + "  ", into: &lines)
            lines.append(indent + "}")
        }
    }

    private func explainFetch(_ fetch: Fetch, indent: String, into lines: inout [String]) {
        var header = "Fetch(\(fetch.id), subgraph: \"\(fetch.subgraph)\""
        switch fetch.kind {
        case .root, .write: break
        case .forward: header += ", forward"
        case .aggregate(let aggregate):
            header += ", aggregate: \(aggregate.label)"
            if let parent = aggregate.parent { header += ", after: \(parent)" }
            switch aggregate.strategy {
            case .grouped:
                header += aggregate.targetFields.isEmpty ? ", grouped by the subgraph" : ", grouped by the subgraph by \(aggregate.targetFields.joined(separator: ", "))"
            case .rows:
                header += aggregate.junction != nil
                    ? ", computed by the gateway (many-to-many: the target rows do not know their parents)"
                    : ", computed by the gateway from rows (the subgraph serves no grouped aggregates)"
            }
        case .relationship(let relationship):
            header += ", relationship: \(relationship.relationship) (\(relationship.kind.rawValue))"
            header += ", after: \(relationship.parent)"
            header += ", keys: \(relationship.targetFields.joined(separator: ", "))"
            if let (batch, _) = self.batch(of: fetch.id) { header += ", batch: \(batch)" }
            if let lookup = relationship.lookup {
                header += lookup.isList
                    ? ", lookup: \(lookup.field)(\(lookup.argument): [keys])"
                    : ", lookup: \(lookup.field)(\(lookup.argument):) aliased once per key"
            }
            if let entity = relationship.entity {
                header += ", entities: _entities with one representation per key"
                if !entity.requiredFields.isEmpty { header += ", requires: \(entity.requiredFields.joined(separator: ", "))" }
            }
        }
        lines.append(indent + header + ") {")
        for rewrite in fetch.argumentRewrites {
            explainLookups(rewrite.lookups, what: "$\(rewrite.variable)", indent: indent + "  ", into: &lines)
        }
        if case .aggregate(let aggregate) = fetch.kind {
            explainLookups(aggregate.filterLookups, what: "filter", indent: indent + "  ", into: &lines)
            if let junction = aggregate.junction {
                lines.append(indent + "  Junction(subgraph: \"\(junction.subgraph)\", keys: \(junction.sourceFields.joined(separator: ", "))) {")
                lines.append(indent + "    " + junction.query)
                lines.append(indent + "  }")
            }
        }
        if case .relationship(let relationship) = fetch.kind {
            explainLookups(relationship.filterLookups, what: "filter", indent: indent + "  ", into: &lines)
            if let junction = relationship.junction {
                lines.append(indent + "  Junction(subgraph: \"\(junction.subgraph)\", keys: \(junction.sourceFields.joined(separator: ", "))) {")
                lines.append(indent + "    " + junction.query)
                lines.append(indent + "  }")
            }
        }
        lines.append(indent + "  " + fetch.query)
        for (key, plan) in fetch.orderedFields.sorted(by: { $0.key < $1.key }) {
            explainOrder(plan, what: key, indent: indent + "  ", into: &lines)
        }
        if case .relationship(let relationship) = fetch.kind, let plan = relationship.orderPlan {
            explainOrder(plan, what: "rows", indent: indent + "  ", into: &lines)
        }
        lines.append(indent + "}")
    }

    /// Filter lookups run before the fetch, innermost first.
    private func explainLookups(_ lookups: [FilterLookup], what: String, indent: String, into lines: inout [String]) {
        for (index, lookup) in lookups.enumerated() {
            var header = "FilterLookup(\(index), for: \(what), relationship: \(lookup.relationship), subgraph: \"\(lookup.subgraph)\""
            if !lookup.children.isEmpty { header += ", after: \(lookup.children.map(String.init).joined(separator: ", "))" }
            lines.append(indent + header + ") {")
            lines.append(indent + "  " + lookup.query)
            if let junction = lookup.junction {
                lines.append(indent + "  then subgraph \"\(junction.subgraph)\": " + junction.query)
            }
            lines.append(indent + "}")
        }
    }

    /// Order lookups run after the fetch, then the gateway sorts (and pages).
    private func explainOrder(_ plan: OrderPlan, what: String, indent: String, into lines: inout [String]) {
        let keys = plan.keys.map { key in
            (key.chain.map { plan.lookups[$0].relationship.split(separator: ".").last.map(String.init) ?? "" } + [key.field])
                .joined(separator: ".") + (key.descending ? " DESC" : " ASC")
        }
        lines.append(indent + "Sort(\(what), by: \(keys.joined(separator: ", "))\(plan.idAlias == nil ? "" : ", id ASC")) {")
        for (index, lookup) in plan.lookups.enumerated() {
            var header = "OrderLookup(\(index), relationship: \(lookup.relationship), subgraph: \"\(lookup.subgraph)\""
            if let parent = lookup.parent { header += ", after: \(parent)" }
            lines.append(indent + "  " + header + ") {")
            lines.append(indent + "    " + lookup.query)
            lines.append(indent + "  }")
        }
        lines.append(indent + "}")
    }

    /// The plan as JSON (the HTTP explain endpoint).
    public var json: JSON { json(writePlans: [:]) }

    /// The plan as JSON, each nested create's fetch with its write plan (`writePlan`) or why
    /// its input cannot be written (`writeError`).
    public func json(writePlans: [Int: Result<WritePlan, WriteInputError>]) -> JSON {
        let tree = Self.json(node, fetches)
        var object: JSONObject = [
            "operation": .string(operation.rawValue), "node": writePlans.isEmpty ? tree : Self.attach(writePlans, to: tree),
        ]
        if !batches.isEmpty {
            object["batches"] = .array(batches.map { batch in
                [
                    "subgraph": .string(batch.subgraph), "fetches": .array(batch.members.map { .int($0.fetch) }),
                    "query": .string(batch.query(of: Array(batch.members.indices))),
                ]
            })
        }
        return .object(object)
    }

    /// Adds each write plan to the JSON of its fetch.
    private static func attach(_ writePlans: [Int: Result<WritePlan, WriteInputError>], to node: JSON) -> JSON {
        guard case .object(var object) = node else { return node }
        if object["kind"] == "Fetch", case .int(let id)? = object["id"], let result = writePlans[id] {
            switch result {
            case .success(let plan): object["writePlan"] = plan.json
            case .failure(let error): object["writeError"] = ["message": .string(error.message), "inputPath": .string(error.inputPath)]
            }
        }
        if case .array(let nodes)? = object["nodes"] { object["nodes"] = .array(nodes.map { attach(writePlans, to: $0) }) }
        if let inner = object["node"] { object["node"] = attach(writePlans, to: inner) }
        return .object(object)
    }

    private static func json(_ node: PlanNode, _ fetches: [Fetch]) -> JSON {
        switch node {
        case .empty: return ["kind": "Empty"]
        case .sequence(let children): return ["kind": "Sequence", "nodes": .array(children.map { json($0, fetches) })]
        case .parallel(let children): return ["kind": "Parallel", "nodes": .array(children.map { json($0, fetches) })]
        case .fetch(let id): return json(fetches[id])
        case .flatten(let path, let id): return ["kind": "Flatten", "path": .string(path), "node": json(fetches[id])]
        }
    }

    private static func json(_ fetch: Fetch) -> JSON {
        var object: JSONObject = [
            "kind": "Fetch", "id": .int(fetch.id), "subgraph": .string(fetch.subgraph), "query": .string(fetch.query),
        ]
        switch fetch.kind {
        case .root: object["type"] = "root"
        case .forward: object["type"] = "forward"
        case .aggregate(let aggregate):
            object["type"] = "aggregate"
            object["aggregate"] = .string(aggregate.label)
            object["strategy"] = .string(aggregate.strategy == .grouped ? "grouped" : "rows")
            if let parent = aggregate.parent { object["dependsOn"] = .array([.int(parent)]) }
            if !aggregate.targetFields.isEmpty { object["keys"] = .array(aggregate.targetFields.map(JSON.string)) }
        case .write(let root):
            object["type"] = "write"
            object["field"] = .string(root.field)
            object["model"] = .string(root.model)
            if case .delete(let cascade) = root.operation { object["cascade"] = cascade.json }
        case .relationship(let relationship):
            object["type"] = "relationship"
            object["relationship"] = .string(relationship.relationship)
            object["relationshipType"] = .string(relationship.kind.rawValue)
            object["dependsOn"] = .array([.int(relationship.parent)])
            object["keys"] = .array(relationship.targetFields.map(JSON.string))
        }
        if !fetch.clientVariables.isEmpty { object["variables"] = .array(fetch.clientVariables.map(JSON.string)) }
        var lookups: [FilterLookup] = fetch.argumentRewrites.flatMap(\.lookups)
        var orders: [OrderPlan] = fetch.orderedFields.sorted(by: { $0.key < $1.key }).map(\.value)
        if case .relationship(let relationship) = fetch.kind {
            lookups += relationship.filterLookups
            if let plan = relationship.orderPlan { orders.append(plan) }
            if let junction = relationship.junction {
                object["junction"] = ["subgraph": .string(junction.subgraph), "query": .string(junction.query)]
            }
        }
        if !lookups.isEmpty {
            object["filterLookups"] = .array(lookups.map { lookup in
                var entry: JSONObject = [
                    "relationship": .string(lookup.relationship), "subgraph": .string(lookup.subgraph), "query": .string(lookup.query),
                ]
                if let junction = lookup.junction {
                    entry["junction"] = ["subgraph": .string(junction.subgraph), "query": .string(junction.query)]
                }
                return .object(entry)
            })
        }
        let orderLookups = orders.flatMap(\.lookups)
        if !orderLookups.isEmpty {
            object["orderLookups"] = .array(orderLookups.map {
                ["relationship": .string($0.relationship), "subgraph": .string($0.subgraph), "query": .string($0.query)]
            })
        }
        return .object(object)
    }
}
