import GatewayJSON
import QueryPlanner
import Synchronization

/// The batches of one execution: where the members of each ``FetchBatch`` meet.
///
/// Each member either asks (``BatchState/ask(_:_:)``: its variables, then it waits) or drops
/// out (``BatchState/dropOut(_:)``: it has nothing to ask). When every member has done one of
/// the two, the batch is decided: a lone asker sends its own operation, otherwise the first
/// asker sends the batch's operation for everyone who asked and hands each the answer.
final class BatchRendezvous: Sendable {
    let states: [BatchState]
    /// Per fetch id: its batch and position, or nil.
    let positions: [(batch: Int, member: Int)?]

    init?(_ plan: QueryPlan) {
        guard !plan.batches.isEmpty else { return nil }
        states = plan.batches.map { BatchState($0) }
        var positions = [(batch: Int, member: Int)?](repeating: nil, count: plan.fetches.count)
        for (batchIndex, batch) in plan.batches.enumerated() {
            for (memberIndex, member) in batch.members.enumerated() { positions[member.fetch] = (batchIndex, memberIndex) }
        }
        self.positions = positions
    }

    /// The fetch's batch and its position in it.
    func slot(for fetch: Int) -> (state: BatchState, member: Int)? {
        positions[fetch].map { (states[$0.batch], $0.member) }
    }

    /// The fetch is done: if it neither asked nor dropped out yet, it drops out now.
    func finished(_ fetch: Int) {
        if let (state, member) = slot(for: fetch) { state.dropOut(member) }
    }
}

/// One batch in one execution.
final class BatchState: Sendable {
    /// What a member asks for.
    struct Request: Sendable {
        /// Its variables under its own names (gateway and client variables).
        var variables: JSONObject
        /// Its `where` variable's own name, whose value `writeWhere` writes.
        var whereVariable: String
        /// Writes the value of its `where` variable.
        var writeWhere: @Sendable (inout JSONWriter) -> Void
    }

    /// What an asking member does once the batch is decided.
    enum Decision: Sendable {
        /// It is the only one asking: it sends its own operation.
        case alone
        /// It sends the batch's operation for these members (itself first) and delivers the answer.
        case lead([(member: Int, request: Request)])
        /// Another member sent the batch; the batch's answer (its top-level object).
        case answered(Result<JSONRef, FetchFailure>)
    }

    struct Waiting: Sendable {
        var member: Int
        var request: Request
        var continuation: CheckedContinuation<Decision, Never>
    }

    struct Progress: Sendable {
        var undecided: Set<Int>
        var waiting: [Waiting] = []
        var followers: [CheckedContinuation<Decision, Never>] = []
    }

    let batch: FetchBatch
    let progress: Mutex<Progress>

    init(_ batch: FetchBatch) {
        self.batch = batch
        progress = Mutex(Progress(undecided: Set(batch.members.indices)))
    }

    /// Asks with `request` and waits until the batch is decided.
    func ask(_ member: Int, _ request: Request) async -> Decision {
        await withCheckedContinuation { continuation in
            progress.withLock { progress in
                guard progress.undecided.remove(member) != nil else {
                    // Asked twice: cannot happen (one fetch asks once); answer it alone.
                    continuation.resume(returning: .alone)
                    return
                }
                progress.waiting.append(Waiting(member: member, request: request, continuation: continuation))
                decideIfReady(&progress)
            }
        }
    }

    /// The member has nothing to ask.
    func dropOut(_ member: Int) {
        progress.withLock { progress in
            guard progress.undecided.remove(member) != nil else { return }
            decideIfReady(&progress)
        }
    }

    /// The lead's answer, for every other member that asked.
    func deliver(_ answer: Result<JSONRef, FetchFailure>) {
        let followers = progress.withLock { progress in
            defer { progress.followers = [] }
            return progress.followers
        }
        for follower in followers { follower.resume(returning: .answered(answer)) }
    }

    private func decideIfReady(_ progress: inout Progress) {
        guard progress.undecided.isEmpty, !progress.waiting.isEmpty else { return }
        let waiting = progress.waiting.sorted { $0.member < $1.member }
        progress.waiting = []
        if waiting.count == 1 {
            waiting[0].continuation.resume(returning: .alone)
            return
        }
        progress.followers = waiting.dropFirst().map(\.continuation)
        waiting[0].continuation.resume(returning: .lead(waiting.map { ($0.member, $0.request) }))
    }

    /// The batch's request body for the members that asked: the client variables once, each
    /// member's gateway variables under its names in the batch.
    func body(_ asked: [(member: Int, request: Request)]) -> [UInt8] {
        let query = batch.query(of: asked.map(\.member))
        var clientVariables = JSONObject()
        var gatewayVariables = JSONObject()
        for (member, request) in asked {
            let renames = batch.members[member].renames
            for (name, value) in request.variables.members {
                if let renamed = renames[name] {
                    gatewayVariables.append(renamed, value)
                } else if clientVariables[name] == nil {
                    clientVariables.append(name, value)
                }
            }
        }
        return GatewayExecutor.body(query: query, variables: clientVariables, capacity: 256) { out in
            var first = clientVariables.isEmpty
            for (name, value) in gatewayVariables.members {
                if !first { out.raw(UInt8(ascii: ",")) }
                first = false
                out.key(name)
                out.write(value)
            }
            for (member, request) in asked {
                let renamed = self.batch.members[member].renames[request.whereVariable] ?? request.whereVariable
                if !first { out.raw(UInt8(ascii: ",")) }
                first = false
                out.key(renamed)
                request.writeWhere(&out)
            }
        }
    }
}

extension GatewayExecutor {
    /// A relationship fetch's rows through its batch: asks, then sends its own operation, or
    /// the batch's for everyone, or reads its rows from the batch's answer.
    func batchedRows(
        _ slot: (state: BatchState, member: Int), keys: [JoinKey], variables: JSONObject, clientFilter: JSON?,
        _ fetch: Fetch, _ relationship: RelationshipFetch, _ run: Run
    ) async -> Result<[JSONRef], FetchFailure> {
        let fields = relationship.targetFields
        let request = BatchState.Request(variables: variables, whereVariable: relationship.whereVariable) { out in
            Self.writeKeyFilter(keys[...], fields: fields, and: clientFilter, into: &out)
        }
        let label = relationship.relationship
        switch await slot.state.ask(slot.member, request) {
        case .alone:
            let body = Self.keyQueryBody(
                query: fetch.query, variables: variables, whereVariable: relationship.whereVariable, keys: keys[...],
                fields: fields, and: clientFilter)
            return await send(subgraph: fetch.subgraph, body: body, run).flatMap { root, _ in
                Self.rows(root, label: label, subgraph: fetch.subgraph)
            }
        case .lead(let asked):
            let answer = await send(subgraph: fetch.subgraph, body: slot.state.body(asked), run).map(\.0)
            slot.state.deliver(answer)
            return answer.flatMap { Self.batchRows($0, member: slot.state.batch.members[slot.member], label: label, subgraph: fetch.subgraph) }
        case .answered(let answer):
            return answer.flatMap { Self.batchRows($0, member: slot.state.batch.members[slot.member], label: label, subgraph: fetch.subgraph) }
        }
    }

    /// A member's rows in a batch's answer: its field, unless an error names it. When the
    /// answer has no data (a non-null field of another member failed), every member fails with
    /// the subgraph's first error.
    static func batchRows(_ root: JSONRef, member: BatchMember, label: String, subgraph: String) -> Result<[JSONRef], FetchFailure> {
        let errors = upstreamErrors(root, subgraph: subgraph)
        let own = errors.first { error in
            guard case .key(let first)? = error.path?.first else { return true }
            return first == member.alias
        }
        if let error = own {
            return .failure(FetchFailure(
                message: "Subgraph \(subgraph) failed to resolve \(label): \(error.message)", code: "SUBGRAPH_ERROR", subgraph: subgraph))
        }
        guard let rows = root.member(dataKey)?.member(Array(member.alias.utf8)), rows.isArray else {
            if let error = errors.first {
                return .failure(FetchFailure(
                    message: "Subgraph \(subgraph) failed to resolve \(label), asked in one request with other fields that failed: \(error.message)",
                    code: "SUBGRAPH_ERROR", subgraph: subgraph))
            }
            return .failure(FetchFailure(
                message: "Subgraph \(subgraph) answered no rows for \(label).", code: "SUBGRAPH_BAD_RESPONSE", subgraph: subgraph))
        }
        return .success(rows.items)
    }
}
