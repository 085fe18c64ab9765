import GatewayJSON
import GraphQLSupport
import Supergraph

/// What one finished (or failed) write request did that can be undone, for one subgraph.
struct Undo: Sendable {
    enum Action: Sendable {
        /// Rows a write created: deleted again.
        case delete(model: String, ids: [JSON])
        /// Rows a cascade deleted: created again with all their fields.
        case recreate(model: String, rows: [JSONObject])
        /// A row whose key fields a write changed: the old values written back.
        case restore(model: String, id: JSON, values: JSONObject)
    }

    var subgraph: String
    var actions: [Action]

    var isEmpty: Bool { actions.isEmpty }
}

/// The rows an undo put back, and the rows it could not.
struct UndoReport: Sendable {
    var undone: [JSON] = []
    var remaining: [JSON] = []
    var failures: [String] = []

    mutating func merge(_ other: UndoReport) {
        undone += other.undone
        remaining += other.remaining
        failures += other.failures
    }

    /// `{subgraph, model, id, action}` / `{subgraph, model, id, state}`.
    static func entry(_ subgraph: String, _ model: String, _ id: JSON, _ key: String, _ value: String) -> JSON {
        .object(["subgraph": .string(subgraph), "model": .string(model), "id": id, key: .string(value)])
    }

    /// One sentence for the error message; the lists go in `extensions`.
    func summary(nothingWritten: Bool) -> String {
        if remaining.isEmpty {
            if undone.isEmpty { return nothingWritten ? "Nothing was written." : "Nothing it wrote remains." }
            return "Everything this mutation wrote was rolled back (\(Self.describe(undone)))."
        }
        var text = "Rolling back failed (\(failures.joined(separator: "; "))); these rows remain: \(Self.describe(remaining))."
        if !undone.isEmpty { text += " Rolled back: \(Self.describe(undone))." }
        return text
    }

    /// `Author "a1" (authors) deleted, ...`, at most 20 listed.
    static func describe(_ entries: [JSON]) -> String {
        var parts = entries.prefix(20).map { entry -> String in
            let what = entry["action"]?.stringValue ?? entry["state"]?.stringValue ?? ""
            return "\(entry["model"]?.stringValue ?? "") \(entry["id"]?.description ?? "") in \(entry["subgraph"]?.stringValue ?? "") \(what)"
        }
        if entries.count > 20 { parts.append("and \(entries.count - 20) more") }
        return parts.joined(separator: ", ")
    }

    var details: JSONObject {
        var object: JSONObject = ["rolledBack": .array(undone)]
        if !remaining.isEmpty { object["remaining"] = .array(remaining) }
        return object
    }
}

extension GatewayExecutor {
    /// Sends a write (or a read) that is not a relationship fetch, and returns its `data`, or
    /// the failure with the first upstream error's path (which names the aliased field).
    func sendOperation(
        subgraph: String, query: String, variables: JSONObject, _ run: Run
    ) async -> Result<JSONRef, WriteFailure> {
        switch await send(subgraph: subgraph, body: Self.body(query: query, variables: variables), run) {
        case .failure(let failure):
            return .failure(WriteFailure(failure: failure, alias: nil))
        case .success(let (root, _)):
            let errors = Self.upstreamErrors(root, subgraph: subgraph)
            if let error = errors.first {
                var alias: String?
                if case .key(let key)? = error.path?.first { alias = key }
                let code = error.extensions?["code"]?.stringValue ?? "SUBGRAPH_ERROR"
                return .failure(WriteFailure(
                    failure: FetchFailure(message: error.message, code: code, subgraph: subgraph), alias: alias, answered: true))
            }
            guard let data = root.member(Self.dataKey), data.isObject else {
                return .failure(WriteFailure(
                    failure: FetchFailure(message: "Subgraph \(subgraph) answered no data.", code: "SUBGRAPH_BAD_RESPONSE", subgraph: subgraph),
                    alias: nil))
            }
            return .success(data)
        }
    }

    /// Rows of `_r` from a read with `$_gw_where`.
    func readRows(subgraph: String, query: String, where condition: JSON, label: String, _ run: Run) async -> Result<[JSONRef], FetchFailure> {
        let variables: JSONObject = [QueryPlannerNames.whereVariable: condition]
        switch await send(subgraph: subgraph, body: Self.body(query: query, variables: variables), run) {
        case .failure(let failure): return .failure(failure)
        case .success(let (root, _)): return Self.rows(root, label: label, subgraph: subgraph)
        }
    }

    // MARK: Undo

    /// Runs undos stage by stage, the last stage first, those of one stage concurrently.
    func undo(_ stages: [[Undo]], _ run: Run) async -> UndoReport {
        var report = UndoReport()
        for stage in stages.reversed() {
            let undos = stage.filter { !$0.isEmpty }
            if undos.isEmpty { continue }
            await withTaskGroup(of: UndoReport.self) { group in
                for undo in undos {
                    group.addTask { await self.perform(undo, run) }
                }
                for await one in group { report.merge(one) }
            }
        }
        return report
    }

    /// One subgraph's undo as one request of aliased mutation fields; when it fails, a read
    /// tells which rows are still as the failed write left them.
    func perform(_ undo: Undo, _ run: Run) async -> UndoReport {
        var declarations: [String] = []
        var fields: [String] = []
        var variables = JSONObject()
        for (index, action) in undo.actions.enumerated() {
            let alias = "u\(index)"
            switch action {
            case .delete(let model, let ids):
                guard let write = supergraph.writes.models[model], let field = write.deleteField else { continue }
                declarations.append("$\(alias): [ID!]")
                fields.append("\(alias): \(field)(filter: {id: {_in: $\(alias)}}) { id }")
                variables[alias] = .array(ids)
            case .recreate(let model, let rows):
                guard let write = supergraph.writes.models[model], let field = write.createField, let input = write.inputType else { continue }
                for (position, row) in rows.enumerated() {
                    let rowAlias = "\(alias)_\(position)"
                    declarations.append("$\(rowAlias): \(input)!")
                    fields.append("\(rowAlias): \(field)(input: $\(rowAlias)) { id }")
                    variables[rowAlias] = .object(row)
                }
            case .restore(let model, let id, let values):
                guard let write = supergraph.writes.models[model], let field = write.updateField, let patch = write.patchType else { continue }
                declarations.append("$\(alias)_id: ID!")
                declarations.append("$\(alias): \(patch)!")
                fields.append("\(alias): \(field)(id: $\(alias)_id, input: $\(alias)) { id }")
                variables[alias + "_id"] = id
                variables[alias] = .object(values)
            }
        }
        var report = UndoReport()
        guard !fields.isEmpty else { return report }
        let query = "mutation(\(declarations.joined(separator: ", "))) { \(fields.joined(separator: " ")) }"
        switch await sendOperation(subgraph: undo.subgraph, query: query, variables: variables, run) {
        case .success(let data):
            for (index, action) in undo.actions.enumerated() {
                let alias = "u\(index)"
                switch action {
                case .delete(let model, _):
                    // What the delete answers is what existed: rows the failed write never made are not listed.
                    for row in data.member(alias)?.items ?? [] {
                        if let id = row.member("id")?.json {
                            report.undone.append(UndoReport.entry(undo.subgraph, model, id, "action", "deleted"))
                        }
                    }
                case .recreate(let model, let rows):
                    for row in rows {
                        report.undone.append(UndoReport.entry(undo.subgraph, model, row["id"] ?? .null, "action", "recreated"))
                    }
                case .restore(let model, let id, _):
                    report.undone.append(UndoReport.entry(undo.subgraph, model, id, "action", "restored"))
                }
            }
        case .failure(let failure):
            report.failures.append(failure.failure.message)
            report.merge(await verify(undo, run))
        }
        return report
    }

    /// After an undo request failed: reads the rows it was about, to say exactly which are
    /// undone and which remain; when the read fails too, every row is listed as remaining.
    func verify(_ undo: Undo, _ run: Run) async -> UndoReport {
        var report = UndoReport()
        var queries: [String] = []
        var declarations: [String] = []
        var variables = JSONObject()
        for (index, action) in undo.actions.enumerated() {
            let (model, ids, fields): (String, [JSON], [String])
            switch action {
            case .delete(let name, let list): (model, ids, fields) = (name, list, [])
            case .recreate(let name, let rows): (model, ids, fields) = (name, rows.map { $0["id"] ?? .null }, [])
            case .restore(let name, let id, let values): (model, ids, fields) = (name, [id], values.keys)
            }
            guard let config = supergraph.configuration.model(named: model) else { continue }
            declarations.append("$v\(index): [ID!]")
            queries.append("v\(index): \(config.collection)(filter: {id: {_in: $v\(index)}}) { id \(fields.joined(separator: " ")) }")
            variables["v\(index)"] = .array(ids)
        }
        let read = queries.isEmpty
            ? nil : await sendOperation(
                subgraph: undo.subgraph, query: "query(\(declarations.joined(separator: ", "))) { \(queries.joined(separator: " ")) }",
                variables: variables, run)
        for (index, action) in undo.actions.enumerated() {
            var found: [JSON: JSONObject]?
            if case .success(let data)? = read, let rows = data.member("v\(index)"), rows.isArray {
                var byID: [JSON: JSONObject] = [:]
                for row in rows.items { if let object = row.json.objectValue, let id = object["id"] { byID[id] = object } }
                found = byID
            }
            switch action {
            case .delete(let model, let ids):
                for id in ids {
                    if let found, found[id] == nil { continue }  // never created, or deleted: nothing remains
                    report.remaining.append(UndoReport.entry(undo.subgraph, model, id, "state", found == nil ? "created (unverified)" : "created"))
                }
            case .recreate(let model, let rows):
                for row in rows {
                    let id = row["id"] ?? .null
                    if let found, found[id] != nil {
                        report.undone.append(UndoReport.entry(undo.subgraph, model, id, "action", "recreated"))
                    } else {
                        report.remaining.append(UndoReport.entry(undo.subgraph, model, id, "state", found == nil ? "deleted (unverified)" : "deleted"))
                    }
                }
            case .restore(let model, let id, let values):
                if let found, let row = found[id], values.members.allSatisfy({ row[$0.0] == $0.1 }) {
                    report.undone.append(UndoReport.entry(undo.subgraph, model, id, "action", "restored"))
                } else {
                    report.remaining.append(UndoReport.entry(undo.subgraph, model, id, "state", found == nil ? "changed (unverified)" : "changed"))
                }
            }
        }
        return report
    }
}

/// A write request that failed, with the aliased field the first upstream error names.
struct WriteFailure: Error, Sendable {
    var failure: FetchFailure
    var alias: String?
    /// The subgraph answered with GraphQL errors.
    var answered = false

    /// The subgraph answered with errors (a field it refused wrote nothing), or never got the
    /// request; otherwise (a timeout, a broken answer) what it wrote is unknown.
    var isDefinite: Bool { answered || failure.undelivered }
}

/// The upstream variable names the planner's read queries use.
enum QueryPlannerNames {
    static let whereVariable = "_gw_where"
}
