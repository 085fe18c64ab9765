import GatewayJSON
import GraphQLSupport
import GatewayConfig
import QueryPlanner

/// Writes the client's response from the fetches' answers, walking the plan's shape in the
/// client's selection order and writing bytes directly (no intermediate tree): keys come
/// pre-encoded from the shape, leaf values are copied from the subgraphs' answers as they came.
///
/// Null propagation follows the spec: a null in a non-null position nulls the nearest
/// nullable parent. Writing is optimistic; when an object or list turns out null after all,
/// the bytes written for it are cut off and `null` is written instead.
struct ResponseWriter {
    let plan: QueryPlan
    let outcomes: [FetchOutcome?]
    let introspection: JSONObject
    let maxErrorsPerFetch: Int
    /// Largest response written: past it, objects and list items are no longer written and
    /// ``write()`` answers nil, so an oversized response is cut short rather than built whole.
    let maxBytes: Int
    /// Whether the response grew past ``maxBytes``.
    var exceeded = false
    var out = JSONWriter(capacity: 64 * 1024)
    var errors: [ResponseError] = []
    /// Errors reported per failed fetch, to cap them.
    var reported: [Int: Int] = [:]
    /// Per fetch whose errors passed the cap: its failure, and the path of the first field
    /// whose error was left out.
    var firstOmitted: [Int: (FetchFailure, [PathElement])] = [:]
    var path: [PathElement] = []
    /// Each relationship fetch's answer as the writer reads it, by fetch id (nil for other
    /// fetches): one reference per parent object rather than its parts copied out of the plan
    /// and the outcomes.
    let relationships: [RelationshipAnswer?]

    /// A relationship fetch's answer: its rows by key, or its failure.
    final class RelationshipAnswer {
        let kind: RelationshipKind
        /// The parent's key aliases, as bytes.
        let sourceKeys: [[UInt8]]
        let rows: RowGroups
        let failure: FetchFailure?
        /// What a parent without rows gets (an aggregate's empty object); nil: null.
        let fallback: JSONRef?

        init(kind: RelationshipKind, sourceKeys: [[UInt8]], rows: RowGroups, failure: FetchFailure?, fallback: JSONRef? = nil) {
            self.kind = kind
            self.sourceKeys = sourceKeys
            self.rows = rows
            self.failure = failure
            self.fallback = fallback
        }
    }

    init(plan: QueryPlan, outcomes: [FetchOutcome?], introspection: JSONObject, maxErrorsPerFetch: Int, maxBytes: Int = .max) {
        self.plan = plan
        self.outcomes = outcomes
        self.introspection = introspection
        self.maxErrorsPerFetch = maxErrorsPerFetch
        self.maxBytes = maxBytes
        path.reserveCapacity(64)
        relationships = zip(plan.fetches, outcomes).map { fetch, outcome in
            if case .aggregate(let aggregate) = fetch.kind, aggregate.parent != nil {
                var rows = RowGroups.empty
                var failure: FetchFailure?
                var fallback: JSONRef?
                switch outcome {
                case .aggregates(let groups, let empty)?:
                    rows = groups
                    fallback = empty
                case .failed(let error)?: failure = error
                default: break
                }
                return RelationshipAnswer(
                    kind: .object, sourceKeys: aggregate.sourceKeys.map { Array($0.utf8) }, rows: rows, failure: failure, fallback: fallback)
            }
            guard case .relationship(let relationship) = fetch.kind else { return nil }
            var rows = RowGroups.empty
            var failure: FetchFailure?
            switch outcome {
            case .rows(let groups)?: rows = groups
            case .failed(let error)?: failure = error
            default: break
            }
            return RelationshipAnswer(kind: relationship.kind, sourceKeys: relationship.sourceKeyBytes, rows: rows, failure: failure)
        }
    }

    /// The response body, or nil when it is larger than ``maxBytes``.
    mutating func write() -> [UInt8]? {
        out.raw("{\"data\":{")
        let shape = plan.shape
        for (index, field) in shape.fields.enumerated() {
            if index > 0 { out.raw(UInt8(ascii: ",")) }
            out.raw(shape.steps[index].prefix(in: shape.bytes))
            path = [.key(field.key)]
            writeRoot(field, upstreamKey: shape.steps[index].upstreamKey(in: shape.bytes))
        }
        out.raw(UInt8(ascii: "}"))
        // One more error per fetch past the cap, at the first field it left out: every error
        // has a path, as the spec asks of field errors.
        for (id, count) in reported.sorted(by: { $0.key < $1.key }) where count > maxErrorsPerFetch {
            guard let (failure, firstPath) = firstOmitted[id] else { continue }
            let omitted = count - maxErrorsPerFetch
            var error = failure.error(path: firstPath)
            error.message = "\(failure.message) (\(omitted) more fields are null for this reason; this is the first of them.)"
            error.extensions?["omitted"] = .int(omitted)
            errors.append(error)
        }
        if !errors.isEmpty {
            out.raw(",\"errors\":")
            out.write(errors: errors)
        }
        out.raw(UInt8(ascii: "}"))
        if exceeded || out.bytes.count > maxBytes { return nil }
        return out.bytes
    }

    /// Whether the response has grown past ``maxBytes``; checked before each object and list
    /// item, so that at most one more of them is written.
    mutating func overLimit() -> Bool {
        if out.bytes.count > maxBytes { exceeded = true }
        return exceeded
    }

    mutating func writeRoot(_ field: ShapeField, upstreamKey: UnsafeBufferPointer<UInt8>) {
        switch field {
        case .typename(_, let typeName):
            out.string(typeName)
        case .introspection(let key):
            out.write(introspection[key] ?? .null)
        case .root(_, let fetch, let key, let type, let shape):
            switch outcomes[fetch] {
            case .data(let data, let ordered, let upstreamErrors)?:
                if reported[fetch] == nil {
                    reported[fetch] = 0
                    errors += upstreamErrors
                }
                let written: Bool
                if let rows = ordered[key] {
                    written = writeList(rows, type: type.nullable, shape: shape)
                } else {
                    written = write(data?.member(upstreamKey), type: type, shape: shape)
                }
                if !written { out.null() }
            case .forwarded(let bytes)?:
                // A forward plan whose answer is written field by field (mixed with errors).
                let document = try? JSONDocument(parsing: bytes)
                withExtendedLifetime(document) {
                    let data = document?.root.member(GatewayExecutor.dataKey)
                    if !write(data?.member(upstreamKey), type: type, shape: shape) { out.null() }
                }
            case .failed(let failure)?:
                fail(fetch, failure)
                out.null()
            default:
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
        if count < maxErrorsPerFetch {
            errors.append(failure.error(path: path))
        } else if count == maxErrorsPerFetch {
            firstOmitted[fetch] = (failure, path)
        }
    }

    // MARK: Values

    /// Writes `value` (nil: absent) at a position of `type`. Returns false when the position is
    /// null and nothing was written: the caller writes `null`, or fails itself if its position
    /// is non-null.
    mutating func write(_ value: JSONRef?, type: TypeRef, shape: Shape?) -> Bool {
        switch type {
        case .nonNull(let inner):
            guard let value, !value.isNull else {
                errors.append(ResponseError(
                    "Cannot return null for non-nullable field \(path.last.map { "\($0)" } ?? "").",
                    path: path, extensions: ["code": "SUBGRAPH_BAD_RESPONSE"]))
                return false
            }
            return write(value, type: inner, shape: shape)
        case .list(let inner):
            guard let value, value.isArray else { return false }
            return writeRows(value.items, inner: inner, shape: shape)
        case .named:
            guard let value, !value.isNull else { return false }
            if let shape {
                guard value.isObject else { return false }
                return writeObject(value, shape: shape)
            }
            out.raw(value)
            return true
        }
    }

    /// Rows the gateway reordered, at a list position.
    mutating func writeList(_ rows: [JSONRef], type: TypeRef, shape: Shape?) -> Bool {
        guard case .list(let inner) = type else { return false }
        return writeRows(rows, inner: inner, shape: shape)
    }

    /// A list: each item at a position of `inner`; an item that ends up null in a non-null
    /// position nulls the list.
    mutating func writeRows(_ rows: [JSONRef], inner: TypeRef, shape: Shape?) -> Bool {
        let mark = out.bytes.count
        out.raw(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            if overLimit() {
                out.bytes.removeSubrange(mark...)
                return false
            }
            if index > 0 { out.raw(UInt8(ascii: ",")) }
            guard writeMember(row, at: .index(index), type: inner, shape: shape, mark: mark) else { return false }
        }
        out.raw(UInt8(ascii: "]"))
        return true
    }

    /// One item or field of a list or object begun at `mark`, at path element `step`: what
    /// cannot be written is `null` there, unless the position is non-null; then the container
    /// is cut off and false returned (the container is null).
    mutating func writeMember(_ value: JSONRef?, at step: PathElement, type: TypeRef, shape: Shape?, mark: Int) -> Bool {
        path.append(step)
        defer { path.removeLast() }
        if write(value, type: type, shape: shape) { return true }
        if type.isNonNull {
            out.bytes.removeSubrange(mark...)
            return false
        }
        out.null()
        return true
    }

    mutating func writeObject(_ object: JSONRef, shape: Shape) -> Bool {
        if overLimit() { return false }
        let mark = out.bytes.count
        out.raw(UInt8(ascii: "{"))
        let bytes = shape.bytes
        // Upstream objects list the fields in the order the plan asked for them.
        var cursor = 0
        for (index, step) in shape.steps.enumerated() {
            if index > 0 { out.raw(UInt8(ascii: ",")) }
            out.raw(step.prefix(in: bytes))
            switch step.kind {
            case .value, .object:
                let value = object.member(step.upstreamKey(in: bytes), cursor: &cursor)
                // The common case, a plain scalar present: copy it without the bookkeeping.
                if step.plainScalar, let value, !value.isNull, value.kind != .object, value.kind != .array {
                    out.raw(value)
                    continue
                }
                let type: TypeRef
                switch shape.fields[index] {
                case .value(_, _, let fieldType), .object(_, _, let fieldType, _): type = fieldType
                default: continue
                }
                guard writeMember(value, at: .key(shape.keys[index]), type: type, shape: shape.children[index], mark: mark) else {
                    return false
                }
            case .relationship:
                path.append(.key(shape.keys[index]))
                writeRelationship(object, fetch: step.fetch, shape: shape.children[index]!)
                path.removeLast()
            case .entity:
                guard case .entity(_, _, let upstreamKey, let type, _) = shape.fields[index] else { continue }
                let found = entity(of: object, fetch: step.fetch, key: shape.keys[index], field: upstreamKey)
                guard let entity = found else {
                    out.null()
                    continue
                }
                let value = entity.member(step.upstreamKey(in: bytes))
                guard writeMember(value, at: .key(shape.keys[index]), type: type, shape: shape.children[index], mark: mark) else {
                    return false
                }
            case .other:
                if case .typename(_, let typeName) = shape.fields[index] {
                    out.string(typeName)
                } else {
                    out.null()
                }
            }
        }
        out.raw(UInt8(ascii: "}"))
        return true
    }

    /// The entity an entity fetch answered for an object, or nil (the fetch's failure recorded
    /// at the field `key`). Errors the subgraph reported for the entity as a whole, or for its
    /// field `field`, are recorded at the field.
    mutating func entity(of object: JSONRef, fetch: Int, key: String, field: String) -> JSONRef? {
        guard let answer = relationships[fetch] else { return nil }
        path.append(.key(key))
        defer { path.removeLast() }
        if let failure = answer.failure {
            fail(fetch, failure)
            return nil
        }
        guard let objectKey = JoinKey.of(object, answer.sourceKeys) else { return nil }
        if let entityErrors = answer.rows.errors[objectKey] {
            for error in entityErrors {
                let inner = error.path ?? []
                if let first = inner.first, first != .key(field) { continue }
                report(error, at: path + inner.dropFirst())
            }
        }
        return answer.rows.rows(for: objectKey)?.first
    }

    /// A subgraph's error about one entity, at a path of the client's response.
    mutating func report(_ error: ResponseError, at path: [PathElement]) {
        var located = error
        located.path = path
        errors.append(located)
    }

    /// A relationship field of a parent object: nullable, so it never fails its parent.
    mutating func writeRelationship(_ parent: JSONRef, fetch: Int, shape: Shape) {
        guard let answer = relationships[fetch] else { return out.null() }
        if let failure = answer.failure {
            fail(fetch, failure)
            return out.null()
        }
        let parentKey = JoinKey.of(parent, answer.sourceKeys)
        if let parentKey, let entityErrors = answer.rows.errors[parentKey] {
            // A federation entity's errors, at the relationship field and inside it.
            for error in entityErrors { report(error, at: path + (error.path ?? [])) }
        }
        let rows = parentKey.flatMap { answer.rows.rows(for: $0) } ?? []
        switch answer.kind {
        case .object:
            guard let row = rows.first ?? answer.fallback, row.isObject, writeObject(row, shape: shape) else { return out.null() }
        case .array:
            let mark = out.bytes.count
            out.raw(UInt8(ascii: "["))
            for (index, row) in rows.enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                path.append(.index(index))
                defer { path.removeLast() }
                guard row.isObject, writeObject(row, shape: shape) else {
                    // [T!]: a row that cannot be written nulls the whole list.
                    out.bytes.removeSubrange(mark...)
                    return out.null()
                }
            }
            out.raw(UInt8(ascii: "]"))
        }
    }
}
