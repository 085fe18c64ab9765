import GatewayJSON

extension QueryPlan {
    /// A write fetch: a nested create's write plan (when the input is known), or a delete's cascade.
    func explainWrite(
        _ fetch: Fetch, _ root: WriteRoot, plan: Result<WritePlan, WriteInputError>?, indent: String, into lines: inout [String]
    ) {
        lines.append(indent + "Write(\(fetch.id), subgraph: \"\(fetch.subgraph)\", field: \(root.field), model: \(root.model)) {")
        let inner = indent + "  "
        switch root.operation {
        case .delete(let cascade):
            lines += cascade.explainedLines(indent: inner)
        case .create:
            switch plan {
            case .success(let plan)?: lines += plan.explainedLines(indent: inner)
            case .failure(let error)?: lines.append(inner + "Invalid input at \(error.inputPath): \(error.message)")
            case nil: lines.append(inner + "WritePlan made from the input when the request runs")
            }
        }
        lines.append(indent + "}")
    }
}

extension FieldValue {
    /// `"x"`, `row0.id`, `<new id>`.
    func explained(_ rows: [WriteRow]) -> String {
        switch self {
        case .literal(let json): return json.description
        case .copy(let row, let field): return "\(rows[row].alias).\(field)"
        case .generatedID: return "<new id>"
        }
    }
}

extension WritePlan {
    /// The plan as indented lines: lookups, then stage by stage each step's rows (where each
    /// field comes from) and request, then how a failure is undone.
    public func explainedLines(indent: String) -> [String] {
        var lines = [indent + "WritePlan {"]
        let inner = indent + "  "
        for (index, lookup) in lookups.enumerated() {
            let keys = lookup.keys.map { key in key.count == 1 ? key[0].description : "(" + key.map(\.description).joined(separator: ", ") + ")" }
            let check = lookup.purpose == .newIDs ? "free" : "exist"
            lines.append(inner + "Lookup(\(index), subgraph: \"\(lookup.subgraph)\", model: \(lookup.model), \(lookup.keyFields.joined(separator: ", ")) in [\(keys.joined(separator: ", "))] must \(check)) {")
            lines.append(inner + "  " + lookup.query)
            lines.append(inner + "}")
        }
        for (stage, stepIDs) in stages.enumerated() {
            lines.append(inner + "Stage(\(stage)\(stepIDs.count > 1 ? ", parallel" : "")) {")
            for id in stepIDs {
                let step = steps[id]
                lines.append(inner + "  Step(\(id), subgraph: \"\(step.subgraph)\") {")
                for row in step.rows { lines.append(inner + "    " + describe(row)) }
                lines.append(inner + "    " + step.query)
                lines.append(inner + "  }")
            }
            lines.append(inner + "}")
        }
        if steps.count > 1 || !lookups.isEmpty {
            lines.append(inner + "OnFailure(undo the finished steps, last first) {")
            for step in steps.reversed() {
                lines.append(inner + "  Step(\(step.id)): " + step.rows.map { undo($0) }.joined(separator: "; "))
            }
            lines.append(inner + "}")
        }
        lines.append(indent + "}")
        return lines
    }

    public func describe(_ index: Int) -> String {
        let row = rows[index]
        let fields = row.fields.map { "\($0.name): \($0.value.explained(rows))" }.joined(separator: ", ")
        switch row.action {
        case .create:
            return "\(row.alias): create \(row.typeName) at \(row.path) {\(fields)}"
        case .link(let id, let lookup):
            return "\(row.alias): link \(row.typeName) \(id) (lookup \(lookup)) at \(row.path) {\(fields)}"
        }
    }

    func undo(_ index: Int) -> String {
        let row = rows[index]
        switch row.action {
        case .create: return "delete \(row.typeName) \(row.alias)"
        case .link(let id, _): return "restore \(row.fields.map(\.name).joined(separator: ", ")) of \(row.typeName) \(id)"
        }
    }

    public var json: JSON {
        var object: JSONObject = [:]
        object["lookups"] = .array(lookups.map { lookup in
            [
                "purpose": .string(lookup.purpose.rawValue), "subgraph": .string(lookup.subgraph), "model": .string(lookup.model),
                "keyFields": .array(lookup.keyFields.map(JSON.string)), "keys": .array(lookup.keys.map(JSON.array)),
                "query": .string(lookup.query),
            ]
        })
        object["stages"] = .array(stages.map { stepIDs in
            .array(stepIDs.map { id in
                let step = steps[id]
                return [
                    "step": .int(id), "subgraph": .string(step.subgraph), "query": .string(step.query),
                    "rows": .array(step.rows.map { index in
                        let row = rows[index]
                        var entry: JSONObject = [
                            "row": .string(row.alias), "model": .string(row.model), "path": .string(row.path),
                            "fields": .object(JSONObject(row.fields.map { ($0.name, .string($0.value.explained(rows))) })),
                        ]
                        switch row.action {
                        case .create: entry["action"] = "create"
                        case .link(let id, _):
                            entry["action"] = "link"
                            entry["id"] = id
                        }
                        return .object(entry)
                    }),
                ]
            })
        })
        object["compensation"] = .array(steps.reversed().map { step in
            ["step": .int(step.id), "undo": .array(step.rows.map { .string(undo($0)) })]
        })
        return .object(object)
    }
}

extension CascadePlan {
    /// The cascade as indented lines: the reads (root, then every rule level by level), the
    /// writes from the deepest level up, the delete itself, and the undo.
    public func explainedLines(indent: String) -> [String] {
        var lines = [indent + "Cascade {"]
        let inner = indent + "  "
        lines.append(inner + "Read(subgraph: \"\(rootSubgraph)\", \(rootTypeName)) {")
        lines.append(inner + "  " + rootQuery)
        lines.append(inner + "}")
        let depths = Set(steps.map(\.depth)).sorted()
        for depth in depths {
            let level = steps.filter { $0.depth == depth }
            lines.append(inner + "Level(\(depth)\(level.count > 1 ? ", parallel" : "")) {")
            for step in level {
                var header = "Rule(\(step.id), \(step.relationship) \(step.rule.rawValue), subgraph: \"\(step.subgraph)\", \(step.typeName) by \(step.keyFields.joined(separator: ", "))"
                if let parent = step.parent { header += ", after: \(parent)" }
                lines.append(inner + "  " + header + ") {")
                lines.append(inner + "    read: " + step.query)
                switch step.rule {
                case .restrict: lines.append(inner + "    refuse the delete if any row is found")
                case .cascade, .setNull: lines.append(inner + "    write: " + step.writeQuery)
                }
                lines.append(inner + "  }")
            }
            lines.append(inner + "}")
        }
        if !steps.isEmpty {
            lines.append(inner + "Writes(deepest level first: \(depths.reversed().map { "level \($0)" }.joined(separator: ", ")), then the delete)")
        }
        lines.append(inner + "Delete(subgraph: \"\(rootSubgraph)\") {")
        lines.append(inner + "  " + deleteQuery)
        lines.append(inner + "}")
        if !steps.isEmpty {
            lines.append(inner + "OnFailure(re-create the deleted rows with their ids and restore the nulled keys, last write first)")
        }
        lines.append(indent + "}")
        return lines
    }

    public var json: JSON {
        [
            "read": ["subgraph": .string(rootSubgraph), "query": .string(rootQuery)],
            "rules": .array(steps.map { step in
                var entry: JSONObject = [
                    "id": .int(step.id), "relationship": .string(step.relationship), "rule": .string(step.rule.rawValue),
                    "depth": .int(step.depth), "subgraph": .string(step.subgraph), "read": .string(step.query),
                ]
                if let parent = step.parent { entry["after"] = .int(parent) }
                if !step.writeQuery.isEmpty { entry["write"] = .string(step.writeQuery) }
                return .object(entry)
            }),
            "delete": ["subgraph": .string(rootSubgraph), "query": .string(deleteQuery)],
        ]
    }
}
