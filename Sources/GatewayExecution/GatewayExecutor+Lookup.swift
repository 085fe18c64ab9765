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
        let result = await fetchChunked(keys, subgraph: subgraph, label: label, body: { chunk in
            let (text, names) = lookup.query(keys: chunk.count)
            return Self.body(query: text, variables: variables, capacity: 64 + chunk.count * 24) { out in
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
        }, extract: { root, chunk in
            Self.lookupRows(root, names: lookup.query(keys: chunk.count).variables, list: lookup.isList, label: label, subgraph: subgraph)
        }, run)
        let rows: [JSONRef]
        switch result {
        case .failure(let failure): return .failed(failure)
        case .success(let found): rows = found
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
