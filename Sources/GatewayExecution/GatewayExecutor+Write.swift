import GatewayJSON
import GraphQLSupport
import QueryPlanner
import Supergraph

extension GatewayExecutor {
    /// A root mutation field the gateway writes itself.
    func writeFetch(_ fetch: Fetch, _ root: WriteRoot, _ run: Run) async -> FetchOutcome {
        switch root.operation {
        case .create(let many): return await create(root, many: many, run)
        case .delete(let cascade): return await cascadeDelete(fetch, root, cascade, run)
        }
    }

    /// The write plans of a plan's nested creates for these variables, by fetch id (`explain`).
    public func writePlans(for plan: QueryPlan, variables: JSONObject) -> [Int: Result<WritePlan, WriteInputError>] {
        var plans: [Int: Result<WritePlan, WriteInputError>] = [:]
        for fetch in plan.fetches {
            guard case .write(let root) = fetch.kind, case .create(let many) = root.operation else { continue }
            let name = many ? "inputs" : "input"
            guard let value = root.arguments[name]?.resolve(variables), let type = root.argumentTypes[name] else { continue }
            do {
                let coerced = try coercion.coerceJSON(value, to: type, path: name)
                plans[fetch.id] = Result { () throws(WriteInputError) in try WritePlanner.plan(root, value: coerced, supergraph: supergraph) }
            } catch {
                plans[fetch.id] = .failure(WriteInputError(error.message, at: name))
            }
        }
        return plans
    }

    /// A nested create: its write plan from the input, then the plan run.
    func create(_ root: WriteRoot, many: Bool, _ run: Run) async -> FetchOutcome {
        let name = many ? "inputs" : "input"
        guard let template = root.arguments[name], let value = template.resolve(run.variables), !value.isNull,
            let type = root.argumentTypes[name]
        else {
            return .failed(FetchFailure(message: "\(root.field) needs the argument \(name).", code: "BAD_USER_INPUT"))
        }
        let coerced: JSON
        do {
            coerced = try coercion.coerceJSON(value, to: type, path: name)
        } catch {
            return .failed(FetchFailure(message: "Argument \"\(name)\" of \(root.field): \(error.message)", code: "BAD_USER_INPUT"))
        }
        let plan: WritePlan
        do {
            plan = try WritePlanner.plan(root, value: coerced, supergraph: supergraph)
        } catch {
            return .failed(FetchFailure(
                message: "\(root.field): \(error.message) Nothing was written.", code: "BAD_USER_INPUT",
                details: ["inputPath": .string(error.inputPath)]))
        }
        return await execute(plan, root, run)
    }

    /// Runs a write plan: the `connect` lookups, then stage by stage the steps (one request
    /// per subgraph per stage); when a step fails, undoes every step that was sent, last first.
    func execute(_ plan: WritePlan, _ root: WriteRoot, _ run: Run) async -> FetchOutcome {
        // Lookups: every key `connect` names must exist; linked rows' old keys are kept for undo.
        var oldValues: [Int: JSONObject] = [:]
        switch await lookUp(plan, field: root.field, run) {
        case .failure(let failure): return .failed(failure)
        case .success(let values): oldValues = values
        }

        var generated: [Int: JSON] = [:]
        for (index, row) in plan.rows.enumerated() where row.fields.contains(where: { $0.value == .generatedID }) {
            generated[index] = .string(Self.newID())
        }
        var answers: [Int: JSONRef] = [:]
        var undos: [[Undo]] = []
        for stage in plan.stages {
            let sent = await withTaskGroup(of: (Int, Result<JSONRef, WriteFailure>).self) { group in
                for id in stage {
                    let step = plan.steps[id]
                    let variables = stepVariables(step, plan, root, answers: answers, generated: generated, run)
                    group.addTask {
                        switch variables {
                        case .failure(let failure): return (id, .failure(WriteFailure(failure: failure, alias: nil)))
                        case .success(let variables):
                            return (id, await self.sendOperation(subgraph: step.subgraph, query: step.query, variables: variables, run))
                        }
                    }
                }
                var results: [(Int, Result<JSONRef, WriteFailure>)] = []
                for await result in group { results.append(result) }
                return results.sorted { $0.0 < $1.0 }
            }
            var stageUndos: [Undo] = []
            var failed: (WriteStep, WriteFailure)?
            for (id, result) in sent {
                let step = plan.steps[id]
                switch result {
                case .success(let data):
                    for row in step.rows {
                        if let answer = data.member(plan.rows[row].alias), answer.isObject { answers[row] = answer }
                    }
                    stageUndos.append(undo(step, plan, answers: answers, generated: generated, oldValues: oldValues))
                case .failure(let failure):
                    // Fields before the failing one may have been written: undo by the ids known
                    // beforehand (unless the request never arrived, or was one refused field).
                    if !(failure.failure.undelivered || failure.isDefinite && step.rows.count == 1) {
                        stageUndos.append(undo(step, plan, answers: answers, generated: generated, oldValues: oldValues))
                    }
                    if failed == nil { failed = (step, failure) }
                }
            }
            undos.append(stageUndos)
            if let (step, failure) = failed {
                let report = await undo(undos, run)
                return .failed(writeFailure(step, failure, plan, root, report: report, firstStage: undos.count == 1))
            }
        }
        return result(plan.roots.map { answers[$0] }, root: root, many: root.operation == .create(many: true), run)
    }

    /// The failure of a nested create: which row, why, and what was undone.
    func writeFailure(
        _ step: WriteStep, _ failure: WriteFailure, _ plan: WritePlan, _ root: WriteRoot, report: UndoReport, firstStage: Bool
    ) -> FetchFailure {
        let rows = failure.alias.flatMap { alias in step.rows.first { plan.rows[$0].alias == alias } }.map { [$0] } ?? step.rows
        let described = rows.map { index -> String in
            let row = plan.rows[index]
            switch row.action {
            case .create: return "create \(row.typeName) at \(row.path)"
            case .link: return "link \(row.typeName) at \(row.path)"
            }
        }
        let what = described.count == 1 ? described[0] : described.joined(separator: ", ")
        var details = report.details
        details["inputPath"] = .string(rows.count == 1 ? plan.rows[rows[0]].path : rows.map { plan.rows[$0].path }.joined(separator: ", "))
        return FetchFailure(
            message: "\(root.field): could not \(what): \(failure.failure.message) \(report.summary(nothingWritten: firstStage))",
            code: failure.failure.code, subgraph: failure.failure.subgraph, details: details)
    }

    /// The field's value: the root row (or rows) as the steps answered them.
    func result(_ rows: [JSONRef?], root: WriteRoot, many: Bool, _ run: Run) -> FetchOutcome {
        var writer = JSONWriter(capacity: 256)
        writer.raw(UInt8(ascii: "{"))
        writer.key(root.responseKey)
        if many { writer.raw(UInt8(ascii: "[")) }
        for (index, row) in rows.enumerated() {
            if index > 0 { writer.raw(UInt8(ascii: ",")) }
            if let row { writer.raw(row) } else { writer.null() }
        }
        if many { writer.raw(UInt8(ascii: "]")) }
        if rows.isEmpty && !many { writer.null() }
        writer.raw(UInt8(ascii: "}"))
        do {
            let document = try JSONDocument(parsing: writer.bytes)
            run.answers.keep(document)
            return .data(document.root, ordered: [:], errors: [])
        } catch {
            return .failed(FetchFailure(message: "The written rows could not be read back: \(error).", code: "INTERNAL_SERVER_ERROR"))
        }
    }

    // MARK: Lookups

    /// Runs the lookups concurrently; every key must be found. Returns, per link row, the
    /// values of its key fields before the write.
    func lookUp(_ plan: WritePlan, field: String, _ run: Run) async -> Result<[Int: JSONObject], FetchFailure> {
        guard !plan.lookups.isEmpty else { return .success([:]) }
        let results = await withTaskGroup(of: (Int, Result<[JSONRef], FetchFailure>).self) { group in
            for (index, lookup) in plan.lookups.enumerated() {
                group.addTask {
                    let condition = Self.keyCondition(lookup.keys, fields: lookup.keyFields)
                    return (index, await self.readRows(
                        subgraph: lookup.subgraph, query: lookup.query, where: condition, label: "the rows to connect", run))
                }
            }
            var results: [Int: Result<[JSONRef], FetchFailure>] = [:]
            for await (index, result) in group { results[index] = result }
            return results
        }
        var found: [Int: [[JSON]: JSONObject]] = [:]
        for (index, lookup) in plan.lookups.enumerated() {
            switch results[index]! {
            case .failure(let failure):
                return .failure(FetchFailure(
                    message: "\(field): could not check the rows to connect or the ids to use: \(failure.message) Nothing was written.", code: failure.code,
                    subgraph: failure.subgraph))
            case .success(let rows):
                var byKey: [[JSON]: JSONObject] = [:]
                for row in rows {
                    var values = JSONObject()
                    for field in lookup.readFields { values[field] = row.member(plan.aliases[field] ?? field)?.json ?? .null }
                    let key = lookup.keyFields.map { values[$0] ?? .null }
                    if byKey[key] == nil { byKey[key] = values }
                }
                if lookup.purpose == .newIDs {
                    for (key, path) in zip(lookup.keys, lookup.paths) where byKey[key] != nil {
                        return .failure(FetchFailure(
                            message: "\(field): \(path): a \(lookup.typeName) with id \(key[0]) already exists. Nothing was written.",
                            code: "CONFLICT", subgraph: lookup.subgraph, details: ["inputPath": .string(path)]))
                    }
                    continue
                }
                for (key, path) in zip(lookup.keys, lookup.paths) where byKey[key] == nil {
                    let described = zip(lookup.keyFields, key).map { "\($0) \($1)" }.joined(separator: ", ")
                    return .failure(FetchFailure(
                        message: "\(field): \(path): no \(lookup.typeName) with \(described) exists to connect. Nothing was written.",
                        code: "BAD_USER_INPUT", subgraph: lookup.subgraph, details: ["inputPath": .string(path)]))
                }
                found[index] = byKey
            }
        }
        var oldValues: [Int: JSONObject] = [:]
        for (index, row) in plan.rows.enumerated() {
            guard case .link(let id, let lookup) = row.action, let values = found[lookup]?[[id]] else { continue }
            oldValues[index] = JSONObject(row.fields.map { ($0.name, values[$0.name] ?? .null) })
        }
        return .success(oldValues)
    }

    // MARK: Steps

    /// A step's variables: each row's input with copied and generated values filled in.
    func stepVariables(
        _ step: WriteStep, _ plan: WritePlan, _ root: WriteRoot, answers: [Int: JSONRef], generated: [Int: JSON], _ run: Run
    ) -> Result<JSONObject, FetchFailure> {
        var variables = JSONObject()
        var hasRoot = false
        for index in step.rows {
            let row = plan.rows[index]
            var input = JSONObject(minimumCapacity: row.fields.count)
            for field in row.fields {
                switch field.value {
                case .literal(let value):
                    input.append(field.name, value)
                case .generatedID:
                    input.append(field.name, generated[index] ?? .null)
                case .copy(let source, let name):
                    guard let answer = answers[source], let value = answer.member(plan.aliases[name] ?? name) else {
                        return .failure(FetchFailure(
                            message: "\(row.path): the \(name) of \(plan.rows[source].path) was not returned by its subgraph.",
                            code: "SUBGRAPH_BAD_RESPONSE", subgraph: plan.rows[source].subgraph))
                    }
                    input.append(field.name, value.json)
                }
            }
            if case .link(let id, _) = row.action { variables[row.alias + "_id"] = id }
            variables[row.alias] = .object(input)
            if plan.roots.contains(index) { hasRoot = true }
        }
        if hasRoot {
            for declaration in root.selectionVariables {
                if let value = run.variables[declaration.name] { variables[declaration.name] = value }
            }
        }
        return .success(variables)
    }

    /// How to undo a step: delete the rows it created (by the ids the answer gave or the ids
    /// known before sending), write back the keys of the rows it linked.
    func undo(_ step: WriteStep, _ plan: WritePlan, answers: [Int: JSONRef], generated: [Int: JSON], oldValues: [Int: JSONObject]) -> Undo {
        var deletes: [String: [JSON]] = [:]
        var models: [String] = []
        var actions: [Undo.Action] = []
        for index in step.rows {
            let row = plan.rows[index]
            switch row.action {
            case .create:
                var id: JSON?
                if let answered = answers[index]?.member(plan.aliases["id"] ?? "id")?.json { id = answered }
                if id == nil {
                    switch row.value(of: "id") {
                    case .literal(let given)? where !given.isNull: id = given
                    case .generatedID?: id = generated[index]
                    default: break
                    }
                }
                guard let id else { continue }
                if deletes[row.model] == nil { models.append(row.model) }
                deletes[row.model, default: []].append(id)
            case .link(let id, _):
                if let values = oldValues[index] { actions.append(.restore(model: row.model, id: id, values: values)) }
            }
        }
        // Rows created last go first: a step's rows do not depend on each other, so any order.
        return Undo(subgraph: step.subgraph, actions: models.map { .delete(model: $0, ids: deletes[$0]!) } + actions)
    }

    /// A random (version 4) UUID, lowercase: the id of a row a nested create makes without one.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { byte -> String in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
