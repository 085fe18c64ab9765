import GatewayConfig
import GatewayJSON
import GraphQLSupport
import Supergraph

/// A nested create's input that cannot be written; nothing was written.
public struct WriteInputError: Error, Sendable, Equatable {
    public var message: String
    /// Where in the input (`input.authoredBooks.data[1]`).
    public var inputPath: String

    public init(_ message: String, at inputPath: String) {
        self.message = message
        self.inputPath = inputPath
    }
}

/// Turns the input of `create_T`/`create_T_many` into a ``WritePlan``.
///
/// The order comes from the mappings: where the source holds the key (`Book.author_id`), the
/// target row is written first and its key copied into the source; where the target holds it
/// (`Passport.owner_id`), the source first and its key copied into each target row; a
/// many-to-many link writes its junction row after both. A key the client also set by hand
/// must agree with the one the gateway copies. Rows are written stage by stage, one request
/// per subgraph per stage; a plan of more than one row gives every created row without an
/// `id` one chosen by the gateway, so that a failed write can always be undone exactly.
public struct WritePlanner {
    let supergraph: Supergraph
    var rows: [WriteRow] = []
    /// Per row: who set each field (``byClient`` for the client's own input).
    var setters: [[String: String]] = []
    var lookups: [LookupBuilder] = []

    static let byClient = ""

    struct LookupBuilder {
        var purpose: ConnectLookup.Purpose = .connect
        var model: ModelConfig
        var keyFields: [String]
        var readFields: [String]
        var keys: [[JSON]] = []
        var paths: [String] = []

        mutating func add(_ key: [JSON], path: String) {
            if !keys.contains(key) {
                keys.append(key)
                paths.append(path)
            }
        }
    }

    init(supergraph: Supergraph) {
        self.supergraph = supergraph
    }

    /// The plan of one nested create.
    ///
    /// - Parameters:
    ///   - root: the root field (model, client selection, reserved keys).
    ///   - value: the coerced `input` object, or `inputs` list.
    public static func plan(_ root: WriteRoot, value: JSON, supergraph: Supergraph) throws(WriteInputError) -> WritePlan {
        var planner = WritePlanner(supergraph: supergraph)
        guard let model = supergraph.configuration.model(named: root.model) else {
            throw WriteInputError("Unknown model \(root.model).", at: "")
        }
        var roots: [Int] = []
        switch (root.operation, value) {
        case (.create(many: true), .array(let items)):
            for (index, item) in items.enumerated() {
                guard case .object(let input) = item else { throw WriteInputError("inputs[\(index)] must be an object.", at: "inputs[\(index)]") }
                roots.append(try planner.addCreate(model, input: input, path: "inputs[\(index)]", provided: []))
            }
        case (.create(many: false), .object(let input)):
            roots.append(try planner.addCreate(model, input: input, path: "input", provided: []))
        default:
            throw WriteInputError("\(root.field) needs an input object.", at: "input")
        }
        try planner.checkRequiredFields()
        try planner.checkNewIDs()
        planner.generateIDs()
        return try planner.finish(root, roots: roots)
    }

    // MARK: Rows

    var configuration: GatewayConfiguration { supergraph.configuration }

    mutating func addCreate(
        _ model: ModelConfig, input: JSONObject, path: String, provided: [(field: String, value: FieldValue, by: String)]
    ) throws(WriteInputError) -> Int {
        guard let write = supergraph.writes.models[model.name], write.canCreate else {
            throw WriteInputError("\(path): the gateway cannot create \(model.typeName) rows.", at: path)
        }
        let own = Set(write.inputFields.map(\.name))
        let nested = supergraph.writes.nested[model.typeName] ?? [:]
        var fields: [WriteField] = []
        var setBy: [String: String] = [:]
        for (name, value) in input.members where own.contains(name) {
            fields.append(WriteField(name: name, value: .literal(value)))
            setBy[name] = Self.byClient
        }
        let index = rows.count
        rows.append(WriteRow(action: .create, model: model.name, typeName: model.typeName, subgraph: model.subgraph, fields: fields, path: path))
        setters.append(setBy)
        for (field, value, by) in provided { try provide(index, field, value, by: by) }
        for (name, value) in input.members where !own.contains(name) && !value.isNull {
            guard let relationship = nested[name] else {
                throw WriteInputError("\(path).\(name) is not a field of \(model.typeName)'s input.", at: path + "." + name)
            }
            try addNested(relationship, parent: index, value: value, path: path + "." + name)
        }
        return index
    }

    mutating func addNested(_ nested: NestedRelationshipInput, parent: Int, value: JSON, path: String) throws(WriteInputError) {
        let relationship = nested.relationship
        guard case .object(let object) = value else { throw WriteInputError("\(path) must be an object.", at: path) }
        let data = object["data"].flatMap { $0.isNull ? nil : $0 }
        let connect = object["connect"].flatMap { $0.isNull ? nil : $0 }
        if relationship.kind == .object {
            if data != nil && connect != nil {
                throw WriteInputError("\(path): give data or connect, not both.", at: path)
            }
            if data == nil && connect == nil {
                throw WriteInputError("\(path): give data (a row to create) or connect (an existing row's key).", at: path)
            }
        }
        guard let target = configuration.model(named: relationship.targetModel) else {
            throw WriteInputError("Unknown model \(relationship.targetModel).", at: path)
        }
        let parentRow = rows[parent]
        let dataItems = Self.items(data, many: relationship.kind == .array, path: path + ".data")
        let connectItems = Self.items(connect, many: relationship.kind == .array, path: path + ".connect")

        switch relationship.keyHolder {
        case .source:
            // The target first; its key goes into the source.
            for (item, itemPath) in dataItems {
                guard case .object(let input) = item else { throw WriteInputError("\(itemPath) must be an object.", at: itemPath) }
                let created = try addCreate(target, input: input, path: itemPath, provided: [])
                for pair in relationship.mapping {
                    try provide(parent, pair.sourceField, .copy(row: created, field: pair.targetField), by: itemPath)
                }
            }
            for (item, itemPath) in connectItems {
                let key = try connectKey(item, fields: nested.connectFields, path: itemPath)
                addLookup(target, keyFields: nested.connectFields, readFields: [], key: key, path: itemPath)
                for (pair, value) in zip(relationship.mapping, key) {
                    try provide(parent, pair.sourceField, .literal(value), by: itemPath)
                }
            }
        case .target:
            // The source first; its key goes into each target row.
            let by = "the parent \(parentRow.typeName) at \(parentRow.path) (\(relationship.name))"
            let provided = relationship.mapping.map { pair in
                (field: pair.targetField, value: FieldValue.copy(row: parent, field: pair.sourceField), by: by)
            }
            for (item, itemPath) in dataItems {
                guard case .object(let input) = item else { throw WriteInputError("\(itemPath) must be an object.", at: itemPath) }
                _ = try addCreate(target, input: input, path: itemPath, provided: provided)
            }
            for (item, itemPath) in connectItems {
                let key = try connectKey(item, fields: ["id"], path: itemPath)
                let lookup = addLookup(
                    target, keyFields: ["id"], readFields: relationship.mapping.map(\.targetField), key: key, path: itemPath)
                rows.append(WriteRow(
                    action: .link(id: key[0], lookup: lookup), model: target.name, typeName: target.typeName,
                    subgraph: target.subgraph,
                    fields: provided.map { WriteField(name: $0.field, value: $0.value) }, path: itemPath))
                setters.append(Dictionary(uniqueKeysWithValues: provided.map { ($0.field, by) }))
            }
        case .junction:
            guard let through = relationship.through, let junction = configuration.model(named: through.model) else {
                throw WriteInputError("Unknown junction model of \(relationship.sourceType).\(relationship.name).", at: path)
            }
            let sourceSide = relationship.mapping.map { pair in
                WriteField(name: pair.targetField, value: .copy(row: parent, field: pair.sourceField))
            }
            for (item, itemPath) in dataItems {
                guard case .object(let input) = item else { throw WriteInputError("\(itemPath) must be an object.", at: itemPath) }
                let created = try addCreate(target, input: input, path: itemPath, provided: [])
                let targetSide = through.mapping.map { WriteField(name: $0.sourceField, value: .copy(row: created, field: $0.targetField)) }
                addJunctionRow(junction, fields: sourceSide + targetSide, path: itemPath)
            }
            for (item, itemPath) in connectItems {
                let key = try connectKey(item, fields: nested.connectFields, path: itemPath)
                addLookup(target, keyFields: nested.connectFields, readFields: [], key: key, path: itemPath)
                let targetSide = zip(through.mapping, key).map { WriteField(name: $0.sourceField, value: .literal($1)) }
                addJunctionRow(junction, fields: sourceSide + targetSide, path: itemPath)
            }
        }
    }

    mutating func addJunctionRow(_ junction: ModelConfig, fields: [WriteField], path: String) {
        rows.append(WriteRow(
            action: .create, model: junction.name, typeName: junction.typeName, subgraph: junction.subgraph, fields: fields,
            path: path + " (its \(junction.typeName) link)"))
        setters.append(Dictionary(uniqueKeysWithValues: fields.map { ($0.name, "the gateway") }))
    }

    /// The items of `data` or `connect` with their paths: a list's elements, or the one object.
    static func items(_ value: JSON?, many: Bool, path: String) -> [(JSON, String)] {
        guard let value else { return [] }
        if many, case .array(let items) = value {
            return items.enumerated().map { ($1, "\(path)[\($0)]") }
        }
        return [(value, path)]
    }

    /// A `connect` key's values, in the order of `fields`.
    func connectKey(_ item: JSON, fields: [String], path: String) throws(WriteInputError) -> [JSON] {
        guard case .object(let object) = item else { throw WriteInputError("\(path) must be an object.", at: path) }
        var key: [JSON] = []
        for field in fields {
            guard let value = object[field], !value.isNull else {
                throw WriteInputError("\(path) needs \(fields.joined(separator: ", ")).", at: path)
            }
            key.append(value)
        }
        return key
    }

    @discardableResult
    mutating func addLookup(_ model: ModelConfig, keyFields: [String], readFields: [String], key: [JSON], path: String) -> Int {
        let index: Int
        if let existing = lookups.firstIndex(where: { $0.purpose == .connect && $0.model.name == model.name && $0.keyFields == keyFields }) {
            index = existing
            for field in readFields where !lookups[index].readFields.contains(field) { lookups[index].readFields.append(field) }
        } else {
            index = lookups.count
            lookups.append(LookupBuilder(model: model, keyFields: keyFields, readFields: readFields))
        }
        lookups[index].add(key, path: path)
        return index
    }

    /// Sets a field of a row from a relationship; a value set by hand must agree with it.
    mutating func provide(_ row: Int, _ field: String, _ value: FieldValue, by: String) throws(WriteInputError) {
        let path = rows[row].path
        guard let position = rows[row].fields.firstIndex(where: { $0.name == field }) else {
            rows[row].fields.append(WriteField(name: field, value: value))
            setters[row][field] = by
            return
        }
        let setter = setters[row][field] ?? Self.byClient
        guard setter == Self.byClient else {
            throw WriteInputError(
                "\(path).\(field) is set both by \(setter) and by \(by); give only one of them.", at: path + "." + field)
        }
        if case .literal(let given) = rows[row].fields[position].value, !given.isNull, staticValue(value) != given {
            throw WriteInputError(
                "\(path).\(field) is \(given) but \(by) sets it to \(describe(value)); leave \(field) out or make them agree.",
                at: path + "." + field)
        }
        rows[row].fields[position].value = value
        setters[row][field] = by
    }

    /// A value known before anything is written, if it is.
    func staticValue(_ value: FieldValue, depth: Int = 0) -> JSON? {
        switch value {
        case .literal(let json): return json
        case .generatedID: return nil
        case .copy(let row, let field):
            guard depth < rows.count, let source = rows[row].value(of: field) else { return nil }
            return staticValue(source, depth: depth + 1)
        }
    }

    func describe(_ value: FieldValue) -> String {
        switch value {
        case .literal(let json): return json.description
        case .generatedID: return "a new id"
        case .copy(let row, let field):
            if let known = staticValue(value) { return known.description }
            return "the \(field) of the new \(rows[row].typeName) at \(rows[row].path)"
        }
    }

    // MARK: Checks and ids

    /// Every field the subgraph requires is given or filled, so no write starts that must fail.
    func checkRequiredFields() throws(WriteInputError) {
        for row in rows where row.action == .create {
            guard let write = supergraph.writes.models[row.model] else { continue }
            for field in write.requiredFields {
                if let value = row.value(of: field), value != .literal(.null) { continue }
                let fillers = (supergraph.writes.nested[row.typeName] ?? [:]).values
                    .filter { $0.relationship.keyHolder == .source && $0.relationship.mapping.contains { $0.sourceField == field } }
                    .map(\.relationship.name).sorted()
                let advice = fillers.isEmpty ? "give \(field)" : "give \(field) or \(fillers.joined(separator: " or "))"
                throw WriteInputError("\(row.path): \(row.typeName).\(field) is required; \(advice).", at: row.path)
            }
        }
    }

    /// The ids the client gives new rows: each once per model, and (by a lookup) not taken.
    mutating func checkNewIDs() throws(WriteInputError) {
        var seen: [String: String] = [:]
        for row in rows where row.action == .create {
            guard case .literal(let id)? = row.value(of: "id"), !id.isNull else { continue }
            let key = row.model + "\u{1}" + id.description
            if let first = seen[key] {
                throw WriteInputError(
                    "\(row.path): the id \(id) is given to two new \(row.typeName) rows (the other at \(first)).", at: row.path)
            }
            seen[key] = row.path
            guard let model = configuration.model(named: row.model) else { continue }
            let index: Int
            if let existing = lookups.firstIndex(where: { $0.purpose == .newIDs && $0.model.name == model.name }) {
                index = existing
            } else {
                index = lookups.count
                lookups.append(LookupBuilder(purpose: .newIDs, model: model, keyFields: ["id"], readFields: []))
            }
            lookups[index].add([id], path: row.path)
        }
    }

    /// With more than one row, every created row gets a known id before anything is written.
    mutating func generateIDs() {
        guard rows.count > 1 else { return }
        for index in rows.indices where rows[index].action == .create {
            if let value = rows[index].value(of: "id"), value != .literal(.null) { continue }
            guard supergraph.writes.models[rows[index].model]?.inputFields.contains(where: { $0.name == "id" }) == true else { continue }
            rows[index].fields.removeAll { $0.name == "id" }
            rows[index].fields.insert(WriteField(name: "id", value: .generatedID), at: 0)
        }
    }

    // MARK: Stages, steps and queries

    mutating func finish(_ root: WriteRoot, roots: [Int]) throws(WriteInputError) -> WritePlan {
        // Stage: one after the latest row a row copies from.
        var stages = [Int?](repeating: nil, count: rows.count)
        func stage(_ row: Int, _ visiting: inout Set<Int>) throws(WriteInputError) -> Int {
            if let known = stages[row] { return known }
            guard visiting.insert(row).inserted else {
                throw WriteInputError("\(rows[row].path): the nested rows depend on each other in a cycle.", at: rows[row].path)
            }
            var result = 0
            for field in rows[row].fields {
                if case .copy(let source, _) = field.value { result = max(result, try stage(source, &visiting) + 1) }
            }
            stages[row] = result
            return result
        }
        var visiting: Set<Int> = []
        for row in rows.indices { _ = try stage(row, &visiting) }

        // Aliases for the fields read back: `id` always, and every field a later row copies.
        var aliases = InternalAliasNames(reserved: Set(root.reservedKeys))
        var copied = [[String]](repeating: ["id"], count: rows.count)
        for row in rows {
            for field in row.fields {
                if case .copy(let source, let name) = field.value, !copied[source].contains(name) { copied[source].append(name) }
            }
        }
        _ = aliases.alias("id")
        for fields in copied { for field in fields { _ = aliases.alias(field) } }

        // Steps: the rows of one subgraph in one stage.
        var steps: [WriteStep] = []
        var stepOf: [String: Int] = [:]
        let order = rows.indices.sorted { (stages[$0]!, $0) < (stages[$1]!, $1) }
        for row in order {
            let key = "\(stages[row]!)\u{1}\(rows[row].subgraph)"
            let step: Int
            if let existing = stepOf[key] {
                step = existing
            } else {
                step = steps.count
                stepOf[key] = step
                steps.append(WriteStep(id: step, stage: stages[row]!, subgraph: rows[row].subgraph, rows: [], query: ""))
            }
            steps[step].rows.append(row)
            rows[row].step = step
            rows[row].alias = "row\(row)"
        }
        let rootSet = Set(roots)
        for index in steps.indices {
            var declarations: [String] = []
            var fields: [String] = []
            var usesSelection = false
            for row in steps[index].rows {
                let write = rows[row]
                guard let model = supergraph.writes.models[write.model] else { continue }
                var selection = copied[row].map { "\(aliases.alias($0)): \($0)" }
                if rootSet.contains(row) {
                    usesSelection = true
                    if !root.selection.isEmpty { selection.insert(root.selection, at: 0) }
                }
                let returned = "{ " + selection.joined(separator: " ") + " }"
                switch write.action {
                case .create:
                    declarations.append("$\(write.alias): \(model.inputType ?? "")!")
                    fields.append("\(write.alias): \(model.createField ?? "")(input: $\(write.alias)) \(returned)")
                case .link:
                    declarations.append("$\(write.alias)_id: ID!")
                    declarations.append("$\(write.alias): \(model.patchType ?? "")!")
                    fields.append("\(write.alias): \(model.updateField ?? "")(id: $\(write.alias)_id, input: $\(write.alias)) \(returned)")
                }
            }
            if usesSelection { declarations += root.selectionVariables.map { "$\($0.name): \($0.type)" } }
            steps[index].query = "mutation(\(declarations.joined(separator: ", "))) { \(fields.joined(separator: " ")) }"
        }
        var stageList: [[Int]] = []
        for step in steps {
            if step.stage == stageList.count { stageList.append([]) }
            stageList[step.stage].append(step.id)
        }

        let builtLookups = lookups.map { lookup -> ConnectLookup in
            let read = lookup.keyFields + lookup.readFields.filter { !lookup.keyFields.contains($0) }
            let selection = (read.contains("id") ? read : ["id"] + read).map { "\(aliases.alias($0)): \($0)" }
            return ConnectLookup(
                purpose: lookup.purpose, model: lookup.model.name, typeName: lookup.model.typeName, subgraph: lookup.model.subgraph, keyFields: lookup.keyFields,
                query: "query($\(QueryPlanner.whereVariable): \(lookup.model.filterType)!) { _r: \(lookup.model.collection)(filter: $\(QueryPlanner.whereVariable)) { \(selection.joined(separator: " ")) } }",
                keys: lookup.keys, paths: lookup.paths, readFields: read)
        }
        return WritePlan(rows: rows, lookups: builtLookups, steps: steps, stages: stageList, roots: roots, aliases: aliases.assigned)
    }
}

/// Internal aliases `_w0`, `_w1`, ... for fields, skipping the client's response keys.
struct InternalAliasNames {
    let reserved: Set<String>
    private(set) var assigned: [String: String] = [:]
    private var next = 0

    init(reserved: Set<String>) {
        self.reserved = reserved
    }

    mutating func alias(_ field: String) -> String {
        if let existing = assigned[field] { return existing }
        var candidate = "_w\(next)"
        while reserved.contains(candidate) {
            next += 1
            candidate = "_w\(next)"
        }
        next += 1
        assigned[field] = candidate
        return candidate
    }
}
