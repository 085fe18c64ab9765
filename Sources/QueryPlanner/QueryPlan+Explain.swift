import GatewayJSON

extension QueryPlan {
    /// The plan as indented text: every fetch's subgraph, upstream query and dependencies.
    public var explained: String {
        var lines: [String] = ["QueryPlan {"]
        explain(node, indent: "  ", into: &lines)
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    private func explain(_ node: PlanNode, indent: String, into lines: inout [String]) {
        switch node {
        case .empty:
            lines.append(indent + "Empty")
        case .sequence(let children), .parallel(let children):
            if case .sequence = node { lines.append(indent + "Sequence {") } else { lines.append(indent + "Parallel {") }
            for child in children { explain(child, indent: indent + "  ", into: &lines) }
            lines.append(indent + "}")
        case .fetch(let id):
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
        case .root: break
        case .forward: header += ", forward"
        case .relationship(let relationship):
            header += ", relationship: \(relationship.relationship) (\(relationship.kind.rawValue))"
            header += ", after: \(relationship.parent)"
            header += ", keys: \(relationship.targetFields.joined(separator: ", "))"
        }
        lines.append(indent + header + ") {")
        lines.append(indent + "  " + fetch.query)
        lines.append(indent + "}")
    }

    /// The plan as JSON (the HTTP explain endpoint).
    public var json: JSON {
        ["operation": .string(operation.rawValue), "node": Self.json(node, fetches)]
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
        case .relationship(let relationship):
            object["type"] = "relationship"
            object["relationship"] = .string(relationship.relationship)
            object["relationshipType"] = .string(relationship.kind.rawValue)
            object["dependsOn"] = .array([.int(relationship.parent)])
            object["keys"] = .array(relationship.targetFields.map(JSON.string))
        }
        if !fetch.clientVariables.isEmpty { object["variables"] = .array(fetch.clientVariables.map(JSON.string)) }
        return .object(object)
    }
}
