/// Relationship fetches to one subgraph that become ready in the same stage of a plan, sent as
/// ONE upstream operation with one aliased root field each (`_f3: books(...) _f16: books(...)`):
/// the number of requests per operation falls with the number of such groups, and stays
/// independent of the data.
///
/// A member that has nothing to ask at run time (no parents, a failed filter lookup, more keys
/// than one request carries) drops out of its batch; a batch with one member left sends that
/// member's own operation.
public struct FetchBatch: Sendable, Equatable {
    public var subgraph: String
    /// In fetch id order.
    public var members: [BatchMember]

    public init(subgraph: String, members: [BatchMember]) {
        self.subgraph = subgraph
        self.members = members
    }

    /// The operation of the members at `indexes` (positions in ``members``): their renamed
    /// gateway variables, the client variables they use (declared once), their fields.
    public func query(of indexes: [Int]) -> String {
        var declarations: [String] = []
        var clientVariables: Set<String> = []
        var fields: [String] = []
        for index in indexes {
            let member = members[index]
            declarations += member.declarations
            for declaration in member.clientDeclarations where clientVariables.insert(declaration).inserted {
                declarations.append(declaration)
            }
            fields.append(member.field)
        }
        return "query(\(declarations.joined(separator: ", "))) { \(fields.joined(separator: " ")) }"
    }
}

public struct BatchMember: Sendable, Equatable {
    public var fetch: Int
    /// The member's response key in the batch's answer (`_f3`).
    public var alias: String
    /// `_f3: books(filter: $_gw_where_f3) { ... }`.
    public var field: String
    /// Its gateway variables' declarations, renamed (`$_gw_where_f3: BookFilter!`).
    public var declarations: [String]
    /// The declarations of the client variables it uses, as the client declared them.
    public var clientDeclarations: [String]
    /// The fetch's gateway variables and their names in the batch.
    public var renames: [String: String]

    public init(
        fetch: Int, alias: String, field: String, declarations: [String], clientDeclarations: [String], renames: [String: String]
    ) {
        self.fetch = fetch
        self.alias = alias
        self.field = field
        self.declarations = declarations
        self.clientDeclarations = clientDeclarations
        self.renames = renames
    }
}

extension QueryPlan {
    /// The batch a fetch belongs to and its position in it.
    public func batch(of fetch: Int) -> (batch: Int, member: Int)? {
        for (batchIndex, batch) in batches.enumerated() {
            if let member = batch.members.firstIndex(where: { $0.fetch == fetch }) { return (batchIndex, member) }
        }
        return nil
    }
}

/// A relationship fetch that is one call of a model collection, printed with given names.
struct CollectionCall {
    var collection: String
    var filterType: String
    /// Set when the client's order goes upstream.
    var orderType: String?
    /// The target key fields, when `limit` and `offset` go upstream as a per-key window.
    var partition: [String]?
    var selection: UpstreamSelection
    var clientDeclarations: [String]

    /// The names of the gateway's variables.
    struct Variables {
        var whereVariable: String
        var orderVariable: String
        var limitVariable: String
        var offsetVariable: String
    }

    /// The gateway variables the call uses, in declaration order, with their types.
    func gatewayVariables(_ names: Variables) -> [(name: String, type: String)] {
        var variables = [(names.whereVariable, "\(filterType)!")]
        if let orderType { variables.append((names.orderVariable, "[\(orderType)!]")) }
        if partition != nil { variables += [(names.limitVariable, "Int"), (names.offsetVariable, "Int")] }
        return variables
    }

    /// `alias: ts(filter: $w, order: $o, partitionBy: [...], limitPerKey: $l, offsetPerKey: $f) { ... }`.
    func field(alias: String, _ names: Variables) -> String {
        var arguments = "filter: $\(names.whereVariable)"
        if orderType != nil { arguments += ", order: $\(names.orderVariable)" }
        if let partition {
            let fields = partition.map { "\"\($0)\"" }.joined(separator: ", ")
            arguments += ", partitionBy: [\(fields)], limitPerKey: $\(names.limitVariable), offsetPerKey: $\(names.offsetVariable)"
        }
        var outer = UpstreamSelection()
        outer.add(alias: alias, name: collection, arguments: "(\(arguments))", selection: selection)
        return outer.printedFields
    }

    /// The call as an operation of its own.
    func query(alias: String, _ names: Variables) -> String {
        let declarations = gatewayVariables(names).map { "$\($0.name): \($0.type)" } + clientDeclarations
        return "query(\(declarations.joined(separator: ", "))) { \(field(alias: alias, names)) }"
    }
}

extension PlanBuilder {
    /// Groups the batchable relationship fetches by stage and subgraph; groups of two or more
    /// become batches.
    ///
    /// A fetch's stage is the length of the longest chain of fetches it waits for in the plan's
    /// sequences. Members of one batch wait for each other (the batch is sent when all have
    /// asked or dropped out); a fetch waits only for fetches of lower stages, and members
    /// share a stage, so no member can wait, however indirectly, for another.
    func batches(_ node: PlanNode) -> [FetchBatch] {
        var stages: [Int: Int] = [:]
        Self.assignStages(node, base: 0, into: &stages)
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (id, stage) in stages.sorted(by: { $0.key < $1.key }) where batchable[id] != nil {
            let key = "\(stage) \(fetches[id].subgraph)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(id)
        }
        return order.compactMap { key -> FetchBatch? in
            let ids = groups[key]!
            guard ids.count > 1 else { return nil }
            return FetchBatch(subgraph: fetches[ids[0]].subgraph, members: ids.map(batchMember))
        }
    }

    func batchMember(_ id: Int) -> BatchMember {
        let call = batchable[id]!
        guard case .relationship(let relationship) = fetches[id].kind else { preconditionFailure("batchable fetch \(id) is a relationship") }
        let original = CollectionCall.Variables(
            whereVariable: relationship.whereVariable, orderVariable: relationship.orderVariable,
            limitVariable: relationship.window?.limitVariable ?? "", offsetVariable: relationship.window?.offsetVariable ?? "")
        let rename = { (name: String) in Self.freeName("\(name)_f\(id)", avoiding: variableTypes) }
        let renamed = CollectionCall.Variables(
            whereVariable: rename(original.whereVariable), orderVariable: rename(original.orderVariable),
            limitVariable: rename(original.limitVariable), offsetVariable: rename(original.offsetVariable))
        var renames: [String: String] = [:]
        for (from, to) in zip(call.gatewayVariables(original), call.gatewayVariables(renamed)) { renames[from.name] = to.name }
        let alias = "_f\(id)"
        return BatchMember(
            fetch: id, alias: alias, field: call.field(alias: alias, renamed),
            declarations: call.gatewayVariables(renamed).map { "$\($0.name): \($0.type)" },
            clientDeclarations: call.clientDeclarations, renames: renames)
    }

    /// Each fetch's stage; returns the highest stage in `node` (`base - 1` when it has none).
    @discardableResult
    static func assignStages(_ node: PlanNode, base: Int, into stages: inout [Int: Int]) -> Int {
        switch node {
        case .empty:
            return base - 1
        case .fetch(let id), .flatten(_, let id):
            stages[id] = base
            return base
        case .parallel(let children):
            return children.map { assignStages($0, base: base, into: &stages) }.max() ?? base - 1
        case .sequence(let children):
            var next = base
            var highest = base - 1
            for child in children {
                let top = assignStages(child, base: next, into: &stages)
                highest = max(highest, top)
                next = max(next, top + 1)
            }
            return highest
        }
    }
}
