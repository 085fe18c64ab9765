import GatewayConfig
import GatewayJSON
import GraphQLSupport
import QueryPlanner
import Upstream

extension GatewayExecutor {
    // MARK: Sending

    static let dataKey = Array("data".utf8)
    static let errorsKey = Array("errors".utf8)
    static let rowsKey = Array("_r".utf8)

    /// Sends one upstream GraphQL request and returns its parsed answer (the top-level object,
    /// its document kept by the run) and its bytes.
    func send(subgraph name: String, body: [UInt8], _ run: Run) async -> Result<(JSONRef, [UInt8]), FetchFailure> {
        guard let subgraph = supergraph.subgraph(named: name) else {
            return .failure(FetchFailure(message: "Unknown subgraph \(name).", code: "INTERNAL_SERVER_ERROR", subgraph: name))
        }
        let response: UpstreamResponse
        // The configured headers, then the client's (the config stage keeps their names apart).
        var headers = subgraph.upstreamHeaders
        if let forwarded = run.context.headers[name] { headers += forwarded }
        if run.context.trace != nil { headers += traceHeaders(run) }
        // A query's request is sent again when its connection could not be made: nothing
        // reached the subgraph. A mutation's never is.
        var attemptsLeft = run.plan.operation == .query ? traffic.retries : 0
        var asked = ContinuousClock.now
        while true {
            if let refusal = breakers.admit(name) {
                return .failure(FetchFailure(
                    message: "Subgraph \(name) failed: its last \(refusal.failures) requests failed, so the gateway sends it none for now (traffic.breakerOpenFor in gateway.yaml).",
                    code: "SUBGRAPH_CIRCUIT_OPEN", subgraph: name))
            }
            var timeouts = subgraph.upstreamTimeouts
            let left = ContinuousClock.now.duration(to: run.deadline)
            guard left > .zero else {
                return .failure(FetchFailure(
                    message: "Subgraph \(name) was not asked: the operation's time is up (traffic.operationTimeout in gateway.yaml, \(traffic.operationTimeout)).",
                    code: "SUBGRAPH_TIMEOUT", subgraph: name))
            }
            timeouts.request = min(timeouts.request, left)
            asked = ContinuousClock.now
            do {
                response = try await client.post(
                    url: subgraph.url, body: body, headers: headers, timeouts: timeouts, maxResponseBytes: subgraph.maxResponseBytes)
                break
            } catch {
                let span = asked..<ContinuousClock.now
                run.timeline?.record(span)
                observer?(UpstreamObservation(subgraph: name, responseBytes: 0, duration: span.upperBound - span.lowerBound, failed: true))
                if error.kind != .cancelled { breakers.record(name, success: false) }
                let undelivered = error.kind == .connectionRefused || error.kind == .connectFailed
                if undelivered, attemptsLeft > 0 {
                    attemptsLeft -= 1
                    try? await Task.sleep(for: .milliseconds(25))
                    continue
                }
                var failure = Self.failure(error, subgraph: name)
                if error.kind == .timeout, left < subgraph.upstreamTimeouts.request {
                    failure.message = "Subgraph \(name) failed: the operation's time ran out (traffic.operationTimeout in gateway.yaml, \(traffic.operationTimeout))."
                } else if error.kind == .responseTooLarge {
                    failure.message = "Subgraph \(name) failed: its answer is larger than \(subgraph.maxResponseBytes) bytes (maxResponseBytes of the subgraph in gateway.yaml)."
                }
                return .failure(failure)
            }
        }
        breakers.record(name, success: response.status < 500)
        let span = response.roundTrip ?? asked..<ContinuousClock.now
        run.timeline?.record(span)
        observer?(UpstreamObservation(
            subgraph: name, responseBytes: response.body.count, duration: span.upperBound - span.lowerBound, failed: false))
        let root: JSONRef
        do {
            let document = try JSONDocument(parsing: response.body)
            run.answers.keep(document)
            root = document.root
        } catch {
            let detail = response.isSuccess ? "its answer is not JSON (\(error))" : "it answered HTTP \(response.status)"
            return .failure(FetchFailure(
                message: "Subgraph \(name) failed: \(detail).",
                code: response.isSuccess ? "SUBGRAPH_BAD_RESPONSE" : "SUBGRAPH_HTTP_ERROR", subgraph: name))
        }
        guard root.isObject, root.member(Self.dataKey) != nil || root.member(Self.errorsKey) != nil else {
            return .failure(FetchFailure(
                message: "Subgraph \(name) failed: its answer (HTTP \(response.status)) is not a GraphQL response.",
                code: "SUBGRAPH_BAD_RESPONSE", subgraph: name))
        }
        return .success((root, response.body))
    }

    static func failure(_ error: UpstreamError, subgraph: String) -> FetchFailure {
        let code: String
        switch error.kind {
        case .timeout: code = "SUBGRAPH_TIMEOUT"
        case .connectionRefused, .connectFailed: code = "SUBGRAPH_UNAVAILABLE"
        case .httpStatus: code = "SUBGRAPH_HTTP_ERROR"
        case .malformedBody, .responseTooLarge: code = "SUBGRAPH_BAD_RESPONSE"
        case .cancelled, .shutdown, .transport: code = "SUBGRAPH_UNAVAILABLE"
        }
        var failure = FetchFailure(message: "Subgraph \(subgraph) failed: \(error.message).", code: code, subgraph: subgraph)
        failure.undelivered = error.kind == .connectionRefused || error.kind == .connectFailed
        return failure
    }

    /// The errors a subgraph reported, tagged with its name.
    static func upstreamErrors(_ root: JSONRef, subgraph: String) -> [ResponseError] {
        guard let errors = root.member(errorsKey), errors.isArray else { return [] }
        return errors.items.map { $0.json }.map { error in
            var extensions = error["extensions"]?.objectValue ?? [:]
            if extensions["code"] == nil { extensions["code"] = "SUBGRAPH_ERROR" }
            extensions["subgraph"] = .string(subgraph)
            let path = error["path"]?.arrayValue?.compactMap { element -> PathElement? in
                switch element {
                case .string(let key): return .key(key)
                case .int(let index): return .index(index)
                default: return nil
                }
            }
            return ResponseError(
                error["message"]?.stringValue ?? "Subgraph \(subgraph) reported an error.", path: path, extensions: extensions)
        }
    }

    /// `{"query": ..., "variables": {...}}` for an upstream operation (no `variables` when there
    /// are none). `lastVariable` writes one more variable, its key and value, after `variables`;
    /// `capacity` is what it needs beyond the query.
    static func body(
        query: String, variables: JSONObject, capacity: Int = 64, lastVariable: ((inout JSONWriter) -> Void)? = nil
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: query.utf8.count + capacity)
        writer.raw("{\"query\":")
        writer.string(query)
        if !variables.isEmpty || lastVariable != nil {
            writer.raw(",\"variables\":{")
            writer.members(variables)
            if let lastVariable {
                if !variables.isEmpty { writer.raw(UInt8(ascii: ",")) }
                lastVariable(&writer)
            }
            writer.raw(UInt8(ascii: "}"))
        }
        writer.raw(UInt8(ascii: "}"))
        return writer.bytes
    }

    func clientVariables(_ fetch: Fetch, _ run: Run) -> JSONObject {
        var variables = JSONObject(minimumCapacity: fetch.clientVariables.count)
        for name in fetch.clientVariables {
            if let value = run.variables[name] { variables.append(name, value) }
        }
        return variables
    }

    // MARK: Root and forwarded fetches

    func rootFetch(_ fetch: Fetch, _ run: Run) async -> FetchOutcome {
        var variables = clientVariables(fetch, run)
        // Filters naming relationships become key conditions first.
        for rewrite in fetch.argumentRewrites {
            guard let value = rewrite.template.resolve(run.variables), !value.isNull else { continue }
            let coerced: JSON
            do {
                coerced = try coercion.coerceJSON(value, to: .named(rewrite.type), path: "")
            } catch {
                return .failed(FetchFailure(message: "Argument \"filter\": \(error.message)", code: "BAD_USER_INPUT"))
            }
            switch await self.rewrite(coerced, typeName: supergraph.filterTypes[rewrite.type] ?? "", lookups: rewrite.lookups, run) {
            case .success(let rewritten): variables[rewrite.variable] = rewritten
            case .failure(let failure): return .failed(failure)
            }
        }
        switch await send(subgraph: fetch.subgraph, body: Self.body(query: fetch.query, variables: variables), run) {
        case .failure(let failure):
            return .failed(failure)
        case .success(let (root, _)):
            let errors = Self.upstreamErrors(root, subgraph: fetch.subgraph)
            guard let data = root.member(Self.dataKey), data.isObject else {
                return .failed(FetchFailure(
                    message: errors.first.map { "Subgraph \(fetch.subgraph) failed: \($0.message)" }
                        ?? "Subgraph \(fetch.subgraph) answered no data.",
                    code: "SUBGRAPH_ERROR", subgraph: fetch.subgraph))
            }
            // Root fields the gateway orders: sort, then page.
            var ordered: [String: [JSONRef]] = [:]
            for (key, plan) in fetch.orderedFields {
                guard let rows = data.member(Array(key.utf8)), rows.isArray else { continue }
                let limit: Int?
                let offset: Int
                do {
                    limit = try nonNegative(plan.limit, "limit", run)
                    offset = try nonNegative(plan.offset, "offset", run) ?? 0
                } catch {
                    return .failed(error)
                }
                switch await sort(rows.items, plan: plan, run) {
                case .failure(let failure): return .failed(failure)
                case .success(let sorted): ordered[key] = Self.page(sorted, offset: offset, limit: limit)
                }
            }
            return .data(data, ordered: ordered, errors: errors)
        }
    }

    /// An `Int` argument that must not be negative.
    func nonNegative(_ template: ValueTemplate?, _ name: String, _ run: Run) throws(FetchFailure) -> Int? {
        guard case .int(let value)? = template?.resolve(run.variables) else { return nil }
        return try Self.nonNegative(value, name)
    }

    /// `value`, when a paging argument named `name` may take it.
    static func nonNegative(_ value: Int, _ name: String) throws(FetchFailure) -> Int {
        guard value >= 0 else { throw FetchFailure(message: "\(name) must not be negative, got \(value)", code: "BAD_USER_INPUT") }
        return value
    }

    /// The rows from `offset`, at most `limit` of them.
    static func page(_ rows: [JSONRef], offset: Int, limit: Int?) -> [JSONRef] {
        let start = min(offset, rows.count)
        let end = limit.map { min(start + $0, rows.count) } ?? rows.count
        return Array(rows[start..<end])
    }

    func forward(_ fetch: Fetch, _ run: Run) async -> FetchOutcome {
        // The body as the client sent it, unless it carries extensions meant for the gateway.
        var body = run.rawBody ?? []
        if run.rawBody == nil || run.request.extensions != nil {
            var request = run.request
            request.extensions = nil
            body = request.encoded()
        }
        switch await send(subgraph: fetch.subgraph, body: body, run) {
        case .failure(let failure):
            return .failed(failure)
        case .success(let (root, bytes)):
            let errors = Self.upstreamErrors(root, subgraph: fetch.subgraph)
            guard let data = root.member(Self.dataKey), data.isObject else {
                // The subgraph's non-null roots turned its data null; ours are nullable, so
                // answer each root field null with the subgraph's errors.
                return .data(nil, ordered: [:], errors: errors)
            }
            return errors.isEmpty ? .forwarded(bytes) : .data(data, ordered: [:], errors: errors)
        }
    }

    // MARK: Relationship fetches

    /// The relationship's `filter` and `order` for upstream, and its `limit` and `offset`.
    struct EvaluatedArguments {
        var filter: JSON?
        var order: JSON?
        var limit: Int?
        var offset: Int
    }

    func evaluate(_ relationship: RelationshipFetch, _ variables: JSONObject) throws(FetchFailure) -> EvaluatedArguments {
        let arguments = relationship.arguments
        func coerce(_ template: ValueTemplate?, _ type: TypeRef, _ name: String) throws(FetchFailure) -> JSON? {
            guard let template, let value = template.resolve(variables), !value.isNull else { return nil }
            do {
                return try coercion.coerceJSON(value, to: type, path: "")
            } catch {
                throw FetchFailure(message: "Argument \"\(name)\" of \(relationship.relationship): \(error.message)", code: "BAD_USER_INPUT")
            }
        }
        var evaluated = EvaluatedArguments(offset: 0)
        evaluated.filter = try coerce(arguments.filter, .named(relationship.filterType), "filter")
        if let orderType = relationship.orderType {
            evaluated.order = try coerce(arguments.order, .list(.nonNull(.named(orderType))), "order")
        }
        if case .int(let limit)? = try coerce(arguments.limit, .named("Int"), "limit") {
            evaluated.limit = try Self.nonNegative(limit, "limit")
        }
        if case .int(let offset)? = try coerce(arguments.offset, .named("Int"), "offset") {
            evaluated.offset = try Self.nonNegative(offset, "offset")
        }
        return evaluated
    }

    func relationshipFetch(_ fetch: Fetch, _ relationship: RelationshipFetch, _ run: Run) async -> FetchOutcome {
        if let lookup = relationship.lookup { return await lookupFetch(fetch, relationship, lookup, run) }
        if let entity = relationship.entity { return await entityFetch(fetch, relationship, entity, run) }
        var arguments: EvaluatedArguments
        do {
            arguments = try evaluate(relationship, run.variables)
        } catch {
            return .failed(error)
        }
        guard let parent = run.results[relationship.parent] else { return .skipped }
        let parentKeys = Self.collectKeys(parent, relationship)
        if parentKeys.isEmpty { return .rows(.empty) }
        if let filter = arguments.filter, !relationship.filterLookups.isEmpty {
            switch await rewrite(filter, typeName: supergraph.filterTypes[relationship.filterType] ?? "", lookups: relationship.filterLookups, run) {
            case .success(let rewritten): arguments.filter = rewritten
            case .failure(let failure): return .failed(failure)
            }
        }

        // Many-to-many: the junction rows first; their target side selects the target rows.
        var targetKeys = parentKeys
        var junctionRows: [JSONRef] = []
        if let junction = relationship.junction {
            switch await fetchChunked(parentKeys, subgraph: junction.subgraph, label: relationship.relationship, body: { keys in
                Self.keyQueryBody(query: junction.query, whereVariable: junction.whereVariable, keys: keys, fields: junction.sourceFields)
            }, run) {
            case .failure(let failure): return .failed(failure)
            case .success(let rows): junctionRows = rows
            }
            targetKeys = Self.distinctKeys(junctionRows, aliases: junction.targetAliases.map { Array($0.utf8) }).keys
            if targetKeys.isEmpty { return .rows(.empty) }
        }

        var variables = clientVariables(fetch, run)
        if let order = arguments.order { variables[relationship.orderVariable] = order }
        if let window = relationship.window {
            // The subgraph pages each parent's rows: nothing is left to page here.
            if let limit = arguments.limit { variables[window.limitVariable] = .int(limit) }
            if arguments.offset > 0 { variables[window.offsetVariable] = .int(arguments.offset) }
            arguments.limit = nil
            arguments.offset = 0
        }
        let clientFilter = arguments.filter
        var rows: [JSONRef]
        let fetched: Result<[JSONRef], FetchFailure>
        if let slot = run.batches?.slot(for: fetch.id), relationship.junction == nil, targetKeys.count <= configuration.maxKeysPerFetch {
            fetched = await batchedRows(slot, keys: targetKeys, variables: variables, clientFilter: clientFilter, fetch, relationship, run)
        } else {
            fetched = await fetchChunked(targetKeys, subgraph: fetch.subgraph, label: relationship.relationship, body: { [variables] keys in
                Self.keyQueryBody(
                    query: fetch.query, variables: variables, whereVariable: relationship.whereVariable, keys: keys,
                    fields: relationship.targetFields, and: clientFilter)
            }, run)
        }
        switch fetched {
        case .failure(let failure): return .failed(failure)
        case .success(let fetched): rows = fetched
        }
        if let orderPlan = relationship.orderPlan {
            switch await sort(rows, plan: orderPlan, run) {
            case .failure(let failure): return .failed(failure)
            case .success(let sorted): rows = sorted
            }
        }
        if let junction = relationship.junction {
            return .rows(Self.groupThroughJunction(rows, junctionRows, junction, relationship, arguments))
        }
        return .rows(Self.group(rows, relationship, arguments))
    }

    /// Sends one upstream request per chunk of keys, concurrently, and concatenates the rows
    /// of `_r` in chunk order. `body` makes a chunk's request body.
    ///
    /// - Parameters:
    ///   - extract: the rows of one chunk's answer; default: the collection's rows at `_r`.
    func fetchChunked(
        _ keys: [JoinKey], subgraph: String, label: String, body: @escaping @Sendable (ArraySlice<JoinKey>) -> [UInt8],
        extract: (@Sendable (JSONRef, ArraySlice<JoinKey>) -> Result<[JSONRef], FetchFailure>)? = nil, _ run: Run
    ) async -> Result<[JSONRef], FetchFailure> {
        let extract = extract ?? { root, _ in Self.rows(root, label: label, subgraph: subgraph) }
        let size = configuration.maxKeysPerFetch
        if keys.count <= size {
            // One request: no task group needed.
            let result = await send(subgraph: subgraph, body: body(keys[...]), run)
            return result.flatMap { root, _ in extract(root, keys[...]) }
        }
        let chunks = stride(from: 0, to: keys.count, by: size).map { keys[$0..<min($0 + size, keys.count)] }
        var answers: [Int: Result<[JSONRef], FetchFailure>] = [:]
        await withTaskGroup(of: (Int, Result<[JSONRef], FetchFailure>).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask {
                    let result = await self.send(subgraph: subgraph, body: body(chunk), run)
                    return (index, result.flatMap { root, _ in extract(root, chunk) })
                }
            }
            for await (index, result) in group { answers[index] = result }
        }
        var rows: [JSONRef] = []
        for index in chunks.indices {
            switch answers[index]! {
            case .failure(let failure): return .failure(failure)
            case .success(let chunkRows): rows += chunkRows
            }
        }
        return .success(rows)
    }

    /// The collection's rows from an upstream answer, or why there are none.
    static func rows(_ root: JSONRef, label: String, subgraph: String) -> Result<[JSONRef], FetchFailure> {
        if let error = upstreamErrors(root, subgraph: subgraph).first {
            return .failure(FetchFailure(
                message: "Subgraph \(subgraph) failed to resolve \(label): \(error.message)",
                code: "SUBGRAPH_ERROR", subgraph: subgraph))
        }
        guard let rows = root.member(dataKey)?.member(rowsKey), rows.isArray else {
            return .failure(FetchFailure(
                message: "Subgraph \(subgraph) answered no rows for \(label).",
                code: "SUBGRAPH_BAD_RESPONSE", subgraph: subgraph))
        }
        return .success(rows.items)
    }

    /// The distinct keys of the parent objects, in the order they are first met. Parents with
    /// a null key part have no related rows and are left out.
    static func collectKeys(_ parent: FetchOutcome, _ relationship: RelationshipFetch) -> [JoinKey] {
        collectKeys(
            parent, parentPath: relationship.parentPath, pathBytes: relationship.parentPathBytes, aliases: relationship.sourceKeyBytes)
    }

    static func collectKeys(_ parent: FetchOutcome, parentPath: [String], sourceKeys: [String]) -> [JoinKey] {
        collectKeys(parent, parentPath: parentPath, pathBytes: parentPath.map { Array($0.utf8) }, aliases: sourceKeys.map { Array($0.utf8) })
    }

    /// - Parameter firstObject: called with the first parent object of each key, in key order.
    static func collectKeys(
        _ parent: FetchOutcome, parentPath: [String], pathBytes path: [[UInt8]], aliases: [[UInt8]],
        firstObject: ((JSONRef) -> Void)? = nil
    ) -> [JoinKey] {
        var keys = JoinKeyIndex()
        func visit(_ value: JSONRef, _ depth: Int) {
            switch value.kind {
            case .array:
                for item in value.items { visit(item, depth) }
            case .object:
                if depth < path.count {
                    if let child = value.member(path[depth]) { visit(child, depth + 1) }
                    return
                }
                guard let key = JoinKey.of(value, aliases) else { return }
                if keys.insert(key).inserted { firstObject?(value) }
            default:
                return
            }
        }
        switch parent {
        case .data(let data?, let ordered, _):
            // A root field the gateway ordered holds its sorted, paged rows apart.
            if let first = parentPath.first, let rows = ordered[first] {
                for row in rows { visit(row, 1) }
            } else {
                visit(data, 0)
            }
        case .rows(let groups):
            for row in groups.reachableRows { visit(row, 0) }
        case .data(nil, _, _), .forwarded, .failed, .skipped, .aggregates:
            break
        }
        return keys.keys
    }

    /// The distinct non-null keys of rows, in the order met, each with the first row that has it.
    static func distinctKeys(_ rows: [JSONRef], aliases: [[UInt8]]) -> (keys: [JoinKey], rows: [JSONRef]) {
        var keys = JoinKeyIndex()
        var firstRows: [JSONRef] = []
        for row in rows {
            guard let key = JoinKey.of(row, aliases) else { continue }
            if keys.insert(key).inserted { firstRows.append(row) }
        }
        return (keys.keys, firstRows)
    }

    /// Rows grouped by their target key, in upstream order, each group paged by the
    /// relationship's `offset` and `limit`; an Object relationship keeps the first row.
    static func group(_ rows: [JSONRef], _ relationship: RelationshipFetch, _ arguments: EvaluatedArguments) -> RowGroups {
        var groups = RowGroups()
        let aliases = relationship.targetKeyBytes
        for row in rows {
            // A row whose key has a null part matches no parent.
            guard let key = JoinKey.of(row, aliases) else { continue }
            groups.append(row, key: key)
        }
        return page(groups, relationship.kind, arguments)
    }

    /// Target rows grouped by parent through the junction rows: each parent gets the target
    /// rows its junction rows point at, each once, in the target's order, then paged.
    static func groupThroughJunction(
        _ rows: [JSONRef], _ junctionRows: [JSONRef], _ junction: JunctionStep, _ relationship: RelationshipFetch,
        _ arguments: EvaluatedArguments
    ) -> RowGroups {
        var positions: [JoinKey: [Int]] = [:]
        let targetAliases = relationship.targetKeyBytes
        for (index, row) in rows.enumerated() {
            guard let key = JoinKey.of(row, targetAliases) else { continue }
            positions[key, default: []].append(index)
        }
        var targetsOfParent: [JoinKey: Set<JoinKey>] = [:]
        var parents: [JoinKey] = []
        let sourceSide = junction.sourceAliases.map { Array($0.utf8) }
        let targetSide = junction.targetAliases.map { Array($0.utf8) }
        for row in junctionRows {
            guard let parent = JoinKey.of(row, sourceSide), let target = JoinKey.of(row, targetSide) else { continue }
            if targetsOfParent[parent] == nil { parents.append(parent) }
            targetsOfParent[parent, default: []].insert(target)
        }
        var groups = RowGroups()
        for parent in parents {
            let indexes = Set(targetsOfParent[parent]!.flatMap { positions[$0] ?? [] }).sorted()
            if !indexes.isEmpty { groups.append(indexes.map { rows[$0] }, key: parent) }
        }
        return page(groups, relationship.kind, arguments)
    }

    static func page(_ groups: RowGroups, _ kind: RelationshipKind, _ arguments: EvaluatedArguments) -> RowGroups {
        var groups = groups
        if kind == .object {
            for index in groups.groups.indices where groups.groups[index].count > 1 { groups.groups[index].removeSubrange(1...) }
        } else if arguments.offset > 0 || arguments.limit != nil {
            for index in groups.groups.indices {
                groups.groups[index] = page(groups.groups[index], offset: arguments.offset, limit: arguments.limit)
            }
        }
        return groups
    }
}
