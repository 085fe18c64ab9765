import GatewayJSON
import GraphQLSupport
import QueryPlanner

extension GatewayExecutor {
    /// A relationship's rows through a lookup field: the parents' distinct keys in one request
    /// (per `maxKeysPerFetch` keys), as aliased calls or one call with the list.
    func lookupFetch(_ fetch: Fetch, _ relationship: RelationshipFetch, _ lookup: LookupFetch, _ run: Run) async -> FetchOutcome {
        guard let parent = run.results[relationship.parent] else { return .skipped }
        let keys = Self.collectKeys(parent, relationship)
        if keys.isEmpty { return .rows(.empty) }
        let variables = clientVariables(fetch, run)
        let subgraph = fetch.subgraph
        let label = relationship.relationship
        let size = configuration.maxKeysPerFetch
        let chunks = stride(from: 0, to: keys.count, by: size).map { keys[$0..<min($0 + size, keys.count)] }
        var answers: [Int: Result<[JSONRef], FetchFailure>] = [:]
        await withTaskGroup(of: (Int, Result<[JSONRef], FetchFailure>).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask {
                    let (text, names) = lookup.query(keys: chunk.count)
                    let body = Self.body(query: text, variables: variables, capacity: 64 + chunk.count * 24) { out in
                        if lookup.isList {
                            out.key(names[0])
                            out.raw(UInt8(ascii: "["))
                            for (position, key) in chunk.enumerated() {
                                if position > 0 { out.raw(UInt8(ascii: ",")) }
                                key.writeParts(into: &out) { _, _ in }
                            }
                            out.raw(UInt8(ascii: "]"))
                        } else {
                            for (position, key) in chunk.enumerated() {
                                if position > 0 { out.raw(UInt8(ascii: ",")) }
                                out.key(names[position])
                                key.writeParts(into: &out) { _, _ in }
                            }
                        }
                    }
                    let result = await self.send(subgraph: subgraph, body: body, run).flatMap { root, _ in
                        Self.lookupRows(root, names: names, list: lookup.isList, label: label, subgraph: subgraph)
                    }
                    return (index, result)
                }
            }
            for await (index, result) in group { answers[index] = result }
        }
        var rows: [JSONRef] = []
        for index in chunks.indices {
            switch answers[index]! {
            case .failure(let failure): return .failed(failure)
            case .success(let found): rows += found
            }
        }
        return .rows(Self.group(rows, relationship, EvaluatedArguments(offset: 0)))
    }

    /// The rows a lookup request answered: each aliased call's object (null: no row for that
    /// key), or the list call's objects.
    static func lookupRows(_ root: JSONRef, names: [String], list: Bool, label: String, subgraph: String) -> Result<[JSONRef], FetchFailure> {
        if let error = upstreamErrors(root, subgraph: subgraph).first {
            return .failure(FetchFailure(
                message: "Subgraph \(subgraph) failed to resolve \(label): \(error.message)", code: "SUBGRAPH_ERROR", subgraph: subgraph))
        }
        guard let data = root.member(dataKey), data.isObject else {
            return .failure(FetchFailure(message: "Subgraph \(subgraph) answered no data for \(label).", code: "SUBGRAPH_BAD_RESPONSE", subgraph: subgraph))
        }
        if list {
            guard let rows = data.member(rowsKey), rows.isArray else {
                return .failure(FetchFailure(message: "Subgraph \(subgraph) answered no list for \(label).", code: "SUBGRAPH_BAD_RESPONSE", subgraph: subgraph))
            }
            return .success(rows.items.filter(\.isObject))
        }
        return .success(names.compactMap { name in data.member(name).flatMap { $0.isObject ? $0 : nil } })
    }
}
