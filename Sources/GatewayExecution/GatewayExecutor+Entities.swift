import GatewayJSON
import GraphQLSupport
import QueryPlanner
import Synchronization

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
        // Errors the subgraph reports for single entities, by the entity's position in `keys`.
        let entityErrors = Mutex<[Int: [ResponseError]]>([:])
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
            let rows = Self.entityRows(root, count: chunk.count, label: label, subgraph: subgraph)
            if case .success = rows {
                let found = Self.entityErrors(root, subgraph: subgraph, offset: chunk.startIndex)
                if !found.isEmpty { entityErrors.withLock { $0.merge(found) { $0 + $1 } } }
            }
            return rows
        }, run)
        let rows: [JSONRef]
        switch result {
        case .failure(let failure): return .failed(failure)
        case .success(let found): rows = found
        }
        var groups = RowGroups()
        for (key, row) in zip(keys, rows) where row.isObject { groups.append(row, key: key) }
        for (position, errors) in entityErrors.withLock({ $0 }) where position < keys.count { groups.errors[keys[position]] = errors }
        return .rows(groups)
    }

    /// The errors of an `_entities` answer that name one entity (`path: ["_r", 3, "field"]`),
    /// by the entity's position plus `offset`, each with its path inside the entity. Errors
    /// without such a path are reported for every entity.
    static func entityErrors(_ root: JSONRef, subgraph: String, offset: Int) -> [Int: [ResponseError]] {
        var found: [Int: [ResponseError]] = [:]
        for var error in upstreamErrors(root, subgraph: subgraph) {
            guard let path = error.path, path.count >= 2, path[0] == .key("_r"), case .index(let index) = path[1] else { continue }
            error.path = Array(path.dropFirst(2))
            found[offset + index, default: []].append(error)
        }
        return found
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
