import GatewayJSON
import GraphQLSupport
import QueryPlanner

extension GatewayExecutor {
    /// Apollo Federation entities for the parents' distinct keys: one `_entities` request (per
    /// `maxKeysPerFetch` keys) with a representation per key, `{"__typename", key fields...,
    /// required fields...}`; the answer's list holds the entities in the same order.
    func entityFetch(_ fetch: Fetch, _ relationship: RelationshipFetch, _ entity: EntityFetch, _ run: Run) async -> FetchOutcome {
        guard let parent = run.results[relationship.parent] else { return .skipped }
        var firstObjects: [JSONRef] = []
        let keys = Self.collectKeys(
            parent, parentPath: relationship.parentPath, pathBytes: relationship.parentPathBytes, aliases: relationship.sourceKeyBytes,
            firstObject: entity.requiredFields.isEmpty ? nil : { firstObjects.append($0) })
        if keys.isEmpty { return .rows(.empty) }
        let required = entity.requiredAliases.map { Array($0.utf8) }
        let objects = firstObjects
        let variables = clientVariables(fetch, run)
        let subgraph = fetch.subgraph
        let label = relationship.relationship
        let result = await fetchChunked(keys, subgraph: subgraph, label: label, body: { chunk in
            Self.body(query: fetch.query, variables: variables, capacity: 64 + chunk.count * (40 + entity.typeName.utf8.count)) { out in
                out.key(entity.variable)
                out.raw(UInt8(ascii: "["))
                for index in chunk.indices {
                    if index > chunk.startIndex { out.raw(UInt8(ascii: ",")) }
                    out.raw(UInt8(ascii: "{"))
                    out.key("__typename")
                    out.string(entity.typeName)
                    out.raw(UInt8(ascii: ","))
                    out.key(entity.keyFields[0])
                    chunk[index].writeParts(into: &out) { out, part in
                        out.raw(UInt8(ascii: ","))
                        out.key(entity.keyFields[part])
                    }
                    for (field, alias) in zip(entity.requiredFields, required) {
                        out.raw(UInt8(ascii: ","))
                        out.key(field)
                        if let value = objects[index].member(alias) { out.raw(value) } else { out.null() }
                    }
                    out.raw(UInt8(ascii: "}"))
                }
                out.raw(UInt8(ascii: "]"))
            }
        }, extract: { root, chunk in
            Self.entityRows(root, count: chunk.count, label: label, subgraph: subgraph)
        }, run)
        let rows: [JSONRef]
        switch result {
        case .failure(let failure): return .failed(failure)
        case .success(let found): rows = found
        }
        var groups = RowGroups()
        for (key, row) in zip(keys, rows) where row.isObject { groups.append(row, key: key) }
        return .rows(groups)
    }

    /// The entities an `_entities` answer holds, one per representation (null ones included,
    /// so that positions match the keys), or why the answer is unusable.
    static func entityRows(_ root: JSONRef, count: Int, label: String, subgraph: String) -> Result<[JSONRef], FetchFailure> {
        let data = root.member(dataKey)
        let list = data?.member(rowsKey)
        guard let list, list.isArray else {
            let reason = upstreamErrors(root, subgraph: subgraph).first.map { ": \($0.message)" } ?? ""
            return .failure(FetchFailure(
                message: "Subgraph \(subgraph) failed to resolve \(label)\(reason)", code: "SUBGRAPH_ERROR", subgraph: subgraph))
        }
        let items = list.items
        guard items.count == count else {
            return .failure(FetchFailure(
                message: "Subgraph \(subgraph) answered \(items.count) entities for \(count) representations of \(label).",
                code: "SUBGRAPH_BAD_RESPONSE", subgraph: subgraph))
        }
        return .success(items)
    }
}
