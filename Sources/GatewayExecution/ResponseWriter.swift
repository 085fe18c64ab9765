import GatewayJSON
import GraphQLSupport
import QueryPlanner

/// Writes the client's response from the fetches' answers, walking the plan's shape in the
/// client's selection order and writing bytes directly (no intermediate tree).
///
/// Null propagation follows the spec: a null in a non-null position nulls the nearest
/// nullable parent. Writing is optimistic; when an object or list turns out null after all,
/// the bytes written for it are cut off and `null` is written instead.
struct ResponseWriter {
    let plan: QueryPlan
    let outcomes: [FetchOutcome?]
    let introspection: JSONObject
    let variables: JSONObject
    let maxErrorsPerFetch: Int
    var out = JSONWriter(capacity: 16 * 1024)
    var errors: [ResponseError] = []
    /// Errors reported per failed fetch, to cap them.
    var reported: [Int: Int] = [:]
    var path: [PathElement] = []

    init(plan: QueryPlan, outcomes: [FetchOutcome?], introspection: JSONObject, variables: JSONObject, maxErrorsPerFetch: Int) {
        self.plan = plan
        self.outcomes = outcomes
        self.introspection = introspection
        self.variables = variables
        self.maxErrorsPerFetch = maxErrorsPerFetch
    }

    mutating func write() -> [UInt8] {
        out.raw("{\"data\":{")
        for (index, field) in plan.shape.fields.enumerated() {
            if index > 0 { out.raw(UInt8(ascii: ",")) }
            out.key(field.key)
            path = [.key(field.key)]
            writeRoot(field)
        }
        out.raw(UInt8(ascii: "}"))
        for (id, count) in reported where count > maxErrorsPerFetch {
            errors.append(ResponseError(
                "\(count - maxErrorsPerFetch) more fields are null because fetch \(id) failed.",
                extensions: ["code": "SUBGRAPH_ERROR"]))
        }
        if !errors.isEmpty {
            out.raw(",\"errors\":")
            out.write(errors: errors)
        }
        out.raw(UInt8(ascii: "}"))
        return out.bytes
    }

    mutating func writeRoot(_ field: ShapeField) {
        switch field {
        case .typename(_, let typeName):
            out.string(typeName)
        case .introspection(let key):
            out.write(introspection[key] ?? .null)
        case .root(let key, let fetch, let upstreamKey, let type, let shape):
            switch outcomes[fetch] {
            case .data(let data, let upstreamErrors)?:
                if reported[fetch] == nil {
                    reported[fetch] = 0
                    errors += upstreamErrors
                }
                if !write(data[upstreamKey] ?? .null, type: type, shape: shape) { out.null() }
            case .forwarded(let bytes)?:
                // A forward plan whose answer is written field by field (mixed with errors).
                if let data = (try? JSONParser.parse(bytes))?["data"] {
                    if !write(data[upstreamKey] ?? .null, type: type, shape: shape) { out.null() }
                } else {
                    out.null()
                }
            case .failed(let failure)?:
                fail(fetch, failure)
                out.null()
            default:
                _ = key
                out.null()
            }
        default:
            out.null()
        }
    }

    /// Records the error of a failed fetch at the current path (capped per fetch).
    mutating func fail(_ fetch: Int, _ failure: FetchFailure) {
        let count = reported[fetch, default: 0]
        reported[fetch] = count + 1
        if count < maxErrorsPerFetch { errors.append(failure.error(path: path)) }
    }

    // MARK: Values

    /// Writes `value` at a position of `type`. Returns false when the position is null and
    /// nothing was written: the caller writes `null`, or fails itself if its position is
    /// non-null.
    mutating func write(_ value: JSON, type: TypeRef, shape: Shape?) -> Bool {
        switch type {
        case .nonNull(let inner):
            if value.isNull {
                errors.append(ResponseError(
                    "Cannot return null for non-nullable field \(path.last.map { "\($0)" } ?? "").",
                    path: path, extensions: ["code": "SUBGRAPH_BAD_RESPONSE"]))
                return false
            }
            return write(value, type: inner, shape: shape)
        case .list(let inner):
            guard case .array(let items) = value else { return false }
            let mark = out.bytes.count
            out.raw(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                path.append(.index(index))
                let written = write(item, type: inner, shape: shape)
                path.removeLast()
                if !written {
                    if inner.isNonNull {
                        out.bytes.removeSubrange(mark...)
                        return false
                    }
                    out.null()
                }
            }
            out.raw(UInt8(ascii: "]"))
            return true
        case .named:
            if value.isNull { return false }
            if let shape {
                guard case .object(let object) = value else { return false }
                return writeObject(object, shape: shape)
            }
            out.write(value)
            return true
        }
    }

    mutating func writeObject(_ object: JSONObject, shape: Shape) -> Bool {
        let mark = out.bytes.count
        out.raw(UInt8(ascii: "{"))
        for (index, field) in shape.fields.enumerated() {
            if index > 0 { out.raw(UInt8(ascii: ",")) }
            out.key(field.key)
            path.append(.key(field.key))
            defer { path.removeLast() }
            switch field {
            case .typename(_, let typeName):
                out.string(typeName)
            case .value(_, let upstreamKey, let type), .object(_, let upstreamKey, let type, _):
                let nested: Shape? = if case .object(_, _, _, let shape) = field { shape } else { nil }
                if !write(object[upstreamKey] ?? .null, type: type, shape: nested) {
                    if type.isNonNull {
                        out.bytes.removeSubrange(mark...)
                        return false
                    }
                    out.null()
                }
            case .relationship(_, let fetch, let targetShape):
                writeRelationship(object, fetch: fetch, shape: targetShape)
            case .root, .introspection:
                out.null()
            }
        }
        out.raw(UInt8(ascii: "}"))
        return true
    }

    /// A relationship field of a parent object: nullable, so it never fails its parent.
    mutating func writeRelationship(_ parent: JSONObject, fetch: Int, shape: Shape) {
        guard case .relationship(let relationship) = plan.fetches[fetch].kind else { return out.null() }
        var key: [JSON] = []
        key.reserveCapacity(relationship.sourceKeys.count)
        var hasNull = false
        for alias in relationship.sourceKeys {
            let part = parent[alias] ?? .null
            if part.isNull { hasNull = true }
            key.append(part)
        }
        let rows: [JSON]
        switch outcomes[fetch] {
        case .failed(let failure)?:
            fail(fetch, failure)
            return out.null()
        case .rows(let groups)?:
            rows = hasNull ? [] : groups.byKey[key] ?? []
        default:
            rows = []
        }
        switch relationship.kind {
        case .object:
            guard case .object(let row)? = rows.first, writeObject(row, shape: shape) else { return out.null() }
        case .array:
            let mark = out.bytes.count
            out.raw(UInt8(ascii: "["))
            for (index, row) in rows.enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                path.append(.index(index))
                defer { path.removeLast() }
                guard case .object(let object) = row, writeObject(object, shape: shape) else {
                    // [T!]: a row that cannot be written nulls the whole list.
                    out.bytes.removeSubrange(mark...)
                    return out.null()
                }
            }
            out.raw(UInt8(ascii: "]"))
        }
    }
}
