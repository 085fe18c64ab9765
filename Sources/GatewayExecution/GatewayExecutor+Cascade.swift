import GatewayConfig
import GatewayJSON
import GraphQLSupport
import QueryPlanner
import Supergraph

extension GatewayExecutor {
    /// `delete_T` with `onDelete` rules: reads first (the rows, then every rule's related rows
    /// level by level), refuses on `restrict`, then writes from the deepest level up and
    /// deletes the rows last. A failed write undoes the earlier ones: deleted rows are created
    /// again with the fields read, nulled keys written back.
    func cascadeDelete(_ fetch: Fetch, _ root: WriteRoot, _ cascade: CascadePlan, _ run: Run) async -> FetchOutcome {
        let condition: JSON
        switch await deleteCondition(fetch, root, run) {
        case .failure(let failure): return .failed(failure)
        case .success(let value): condition = value
        }
        let aliases = cascade.aliases
        func alias(_ field: String) -> [UInt8] { Array((aliases[field] ?? field).utf8) }

        // Reads.
        let rootRows: [JSONRef]
        switch await readRows(subgraph: cascade.rootSubgraph, query: cascade.rootQuery, where: condition, label: root.field, run) {
        case .failure(let failure):
            return .failed(FetchFailure(
                message: "\(root.field): could not read the rows to delete: \(failure.message) Nothing was deleted.", code: failure.code,
                subgraph: failure.subgraph))
        case .success(let rows): rootRows = rows
        }
        if rootRows.isEmpty { return result([], root: root, many: true, run) }
        var stepRows: [Int: [JSONRef]] = [:]
        let depths = Set(cascade.steps.map(\.depth)).sorted()
        for depth in depths {
            let level = cascade.steps.filter { $0.depth == depth }
            let reads = await withTaskGroup(of: (Int, Result<[JSONRef], FetchFailure>).self) { group in
                for step in level {
                    let parents = step.parent.map { stepRows[$0] ?? [] } ?? rootRows
                    let sourceAliases = step.sourceFields.map(alias)
                    var keys: [[JSON]] = []
                    var seen: Set<[JSON]> = []
                    for parent in parents {
                        let key = sourceAliases.map { parent.member($0)?.json ?? .null }
                        if key.contains(.null) { continue }
                        if seen.insert(key).inserted { keys.append(key) }
                    }
                    group.addTask {
                        if keys.isEmpty { return (step.id, .success([])) }
                        return (step.id, await self.readRows(
                            subgraph: step.subgraph, query: step.query, where: Self.keyCondition(keys, fields: step.keyFields),
                            label: step.relationship, run))
                    }
                }
                var results: [(Int, Result<[JSONRef], FetchFailure>)] = []
                for await result in group { results.append(result) }
                return results
            }
            for (id, result) in reads {
                switch result {
                case .failure(let failure):
                    let step = cascade.steps[id]
                    return .failed(FetchFailure(
                        message: "\(root.field): could not read the rows of \(step.relationship) (onDelete: \(step.rule.rawValue)): \(failure.message) Nothing was deleted.",
                        code: failure.code, subgraph: failure.subgraph))
                case .success(let rows): stepRows[id] = rows
                }
            }
        }

        // Restrict.
        let refused = cascade.steps.filter { $0.rule == .restrict && !(stepRows[$0.id] ?? []).isEmpty }
        if !refused.isEmpty {
            let reasons = refused.map { step in
                "\(step.relationship) (onDelete: restrict) has \(stepRows[step.id]!.count) related \(step.typeName) row\(stepRows[step.id]!.count == 1 ? "" : "s")"
            }
            return .failed(FetchFailure(
                message: "\(root.field) refused: \(reasons.joined(separator: "; ")). Nothing was deleted.", code: "DELETE_RESTRICTED",
                details: [
                    "restrictedBy": .array(refused.map { step in
                        ["relationship": .string(step.relationship), "count": .int(stepRows[step.id]!.count)]
                    })
                ]))
        }

        // Which rows go: each row is deleted once, by the deepest rule that reaches it; rows
        // that go anyway are not set to null first.
        let idAlias = alias("id")
        func id(_ row: JSONRef) -> JSON { row.member(idAlias)?.json ?? .null }
        var deletedBy: [String: Int] = [:]  // "model\u{1}id" → step (-1: the root)
        for depth in depths.reversed() {
            for step in cascade.steps where step.depth == depth && step.rule == .cascade {
                for row in stepRows[step.id] ?? [] where deletedBy["\(step.model)\u{1}\(id(row))"] == nil {
                    deletedBy["\(step.model)\u{1}\(id(row))"] = step.id
                }
            }
        }
        let rootModel = root.model
        for row in rootRows { deletedBy["\(rootModel)\u{1}\(id(row))"] = -1 }

        // Writes, deepest level first.
        var undos: [[Undo]] = []
        for depth in depths.reversed() {
            let level = cascade.steps.filter { $0.depth == depth && $0.rule != .restrict }
            var planned: [(CascadeStep, [JSONRef])] = []
            for step in level {
                let rows = (stepRows[step.id] ?? []).filter { row in
                    let owner = deletedBy["\(step.model)\u{1}\(id(row))"]
                    return step.rule == .cascade ? owner == step.id : owner == nil
                }
                if !rows.isEmpty { planned.append((step, rows)) }
            }
            if planned.isEmpty { continue }
            let sent = await withTaskGroup(of: (Int, Result<JSONRef, WriteFailure>).self) { group in
                for (step, rows) in planned {
                    var variables: JSONObject = ["_gw_ids": .array(rows.map(id))]
                    if step.rule == .setNull { variables["_gw_patch"] = .object(JSONObject(step.nullFields.map { ($0, JSON.null) })) }
                    group.addTask {
                        (step.id, await self.sendOperation(subgraph: step.subgraph, query: step.writeQuery, variables: variables, run))
                    }
                }
                var results: [(Int, Result<JSONRef, WriteFailure>)] = []
                for await result in group { results.append(result) }
                return results
            }
            var stageUndos: [Undo] = []
            var failed: (CascadeStep, WriteFailure)?
            for (step, rows) in planned {
                // A step is one mutation field: refused, it wrote nothing; lost (a timeout), it
                // may have, and undoing it is safe either way.
                if case .failure(let failure)? = sent.first(where: { $0.0 == step.id })?.1 {
                    if failed == nil { failed = (step, failure) }
                    if failure.isDefinite { continue }
                }
                stageUndos.append(cascadeUndo(step, rows, alias: alias))
            }
            undos.append(stageUndos)
            if let (step, failure) = failed {
                let report = await undo(undos, run)
                return .failed(cascadeFailure(
                    "\(step.rule == .cascade ? "delete" : "set to null the keys of") the \(step.typeName) rows of \(step.relationship)",
                    failure, root, report: report))
            }
        }

        // The rows themselves, answering the client's selection.
        var variables: JSONObject = ["_gw_ids": .array(rootRows.map(id))]
        for declaration in root.selectionVariables {
            if let value = run.variables[declaration.name] { variables[declaration.name] = value }
        }
        switch await sendOperation(subgraph: cascade.rootSubgraph, query: cascade.deleteQuery, variables: variables, run) {
        case .failure(let failure):
            let report = await undo(undos, run)
            return .failed(cascadeFailure("delete the \(cascade.rootTypeName) rows", failure, root, report: report))
        case .success(let data):
            guard let rows = data.member(GatewayExecutor.rowsKey), rows.isArray else {
                return .failed(FetchFailure(message: "\(root.field): the subgraph answered no rows.", code: "SUBGRAPH_BAD_RESPONSE", subgraph: cascade.rootSubgraph))
            }
            return result(rows.items, root: root, many: true, run)
        }
    }

    /// `{id: {_eq: id}}`, the filter (its relationships resolved), or both; one is required,
    /// as the model protocol's `delete_T` requires.
    func deleteCondition(_ fetch: Fetch, _ root: WriteRoot, _ run: Run) async -> Result<JSON, FetchFailure> {
        var conditions: [JSON] = []
        if let id = root.arguments["id"]?.resolve(run.variables), !id.isNull {
            conditions.append(["id": ["_eq": id]])
        }
        if let filter = root.arguments["filter"]?.resolve(run.variables), !filter.isNull, let type = root.argumentTypes["filter"] {
            var coerced: JSON
            do {
                coerced = try coercion.coerceJSON(filter, to: type, path: "filter")
            } catch {
                return .failure(FetchFailure(message: "Argument \"filter\" of \(root.field): \(error.message)", code: "BAD_USER_INPUT"))
            }
            if let rewrite = fetch.argumentRewrites.first {
                switch await self.rewrite(coerced, typeName: supergraph.filterTypes[rewrite.type] ?? "", lookups: rewrite.lookups, run) {
                case .failure(let failure): return .failure(failure)
                case .success(let rewritten): coerced = rewritten
                }
            }
            conditions.append(coerced)
        }
        guard !conditions.isEmpty else {
            return .failure(FetchFailure(
                message: "\(root.field) needs an `id` or a `filter` (pass `filter: {}` to select every row).", code: "BAD_USER_INPUT"))
        }
        return .success(conditions.count == 1 ? conditions[0] : ["_and": .array(conditions)])
    }

    /// Undoing a cascade step: its deleted rows created again, its nulled keys written back.
    func cascadeUndo(_ step: CascadeStep, _ rows: [JSONRef], alias: (String) -> [UInt8]) -> Undo {
        switch step.rule {
        case .cascade:
            let fields = supergraph.writes.models[step.model]?.restorableFields ?? []
            let restored = rows.map { row in JSONObject(fields.map { ($0, row.member(alias($0))?.json ?? .null) }) }
            return Undo(subgraph: step.subgraph, actions: [.recreate(model: step.model, rows: restored)])
        case .setNull:
            return Undo(subgraph: step.subgraph, actions: rows.map { row in
                .restore(
                    model: step.model, id: row.member(alias("id"))?.json ?? .null,
                    values: JSONObject(step.nullFields.map { ($0, row.member(alias($0))?.json ?? .null) }))
            })
        case .restrict:
            return Undo(subgraph: step.subgraph, actions: [])
        }
    }

    func cascadeFailure(_ what: String, _ failure: WriteFailure, _ root: WriteRoot, report: UndoReport) -> FetchFailure {
        FetchFailure(
            message: "\(root.field): could not \(what): \(failure.failure.message) \(report.summary(nothingWritten: report.undone.isEmpty && report.remaining.isEmpty))",
            code: failure.failure.code, subgraph: failure.failure.subgraph, details: report.details)
    }
}
