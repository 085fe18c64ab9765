import GatewayConfig
import GatewayJSON
import GraphQL
import GraphQLSupport
import Synchronization

/// Automatic persisted queries (Apollo's protocol) and the allow-list.
///
/// A request with `extensions.persistedQuery: {version: 1, sha256Hash}` and no query is
/// answered from the cache, or with `PersistedQueryNotFound`; sent with its query, the query is
/// checked against the hash and kept (least recently used dropped first). With an allow-list,
/// only the operations of its file are served, however they arrive: an operation matches when
/// it and the fragments it uses print the same as a registered one (whitespace, commas and
/// comments aside).
public final class PersistedQueries: Sendable {
    let capacity: Int
    let cache: Mutex<LRUCache>
    /// Canonical texts of the registered operations; nil: every operation is served.
    let allowed: Set<String>?
    /// Whether each query text and operation name is allowed, once computed.
    let verdicts: Mutex<[String: Bool]>

    public init(capacity: Int, allowed: Set<String>? = nil) {
        self.capacity = capacity
        self.cache = Mutex(LRUCache(capacity: capacity))
        self.allowed = allowed
        self.verdicts = Mutex([:])
    }

    /// From `persistedQueries:`; the allow-list file's problems are located errors.
    public convenience init(_ config: PersistedQueryConfig) throws(ConfigErrors) {
        var allowed: Set<String>?
        if let list = config.allowList {
            allowed = try Self.registeredOperations(list)
        }
        self.init(capacity: config.cacheSize, allowed: allowed)
    }

    /// The canonical text of every operation of an allow-list file.
    static func registeredOperations(_ list: PersistedQueryConfig.AllowList) throws(ConfigErrors) -> Set<String> {
        let location = list.location ?? SourceLocation(file: list.path, line: 1, column: 1)
        let document: Document
        do {
            document = try GraphQL.parse(source: Source(body: list.text, name: list.path))
        } catch {
            throw ConfigErrors([ConfigError(.invalidValue, "persistedQueries.allowList: \(list.path) is not GraphQL: \(error)", at: location)])
        }
        let prepared = PreparedDocument(document: document)
        guard !prepared.operations.isEmpty else {
            throw ConfigErrors([ConfigError(.invalidValue, "persistedQueries.allowList: \(list.path) holds no operation", at: location)])
        }
        return Set(prepared.operations.map { canonical($0, fragments: prepared.fragments) })
    }

    /// An operation with the fragments it uses (by name order), printed.
    static func canonical(_ operation: OperationDefinition, fragments: [String: FragmentDefinition]) -> String {
        var used: Set<String> = []
        var pending: [SelectionSet] = [operation.selectionSet]
        while let selectionSet = pending.popLast() {
            for selection in selectionSet.selections {
                switch selection {
                case let field as Field:
                    if let inner = field.selectionSet { pending.append(inner) }
                case let inline as InlineFragment:
                    pending.append(inline.selectionSet)
                case let spread as FragmentSpread:
                    let name = spread.name.value
                    if used.insert(name).inserted, let fragment = fragments[name] { pending.append(fragment.selectionSet) }
                default:
                    continue
                }
            }
        }
        var text = GraphQL.print(ast: operation)
        for name in used.sorted() {
            if let fragment = fragments[name] { text += "\n" + GraphQL.print(ast: fragment) }
        }
        return text
    }

    /// Whether an allow-list is configured.
    public var hasAllowList: Bool { allowed != nil }

    /// The request with its query: as sent, or from the cache by its hash.
    public func resolve(_ request: GraphQLRequestBody) throws(ResponseError) -> GraphQLRequestBody {
        guard let persisted = request.extensions?["persistedQuery"], !persisted.isNull else {
            guard !request.query.isEmpty || request.extensions == nil else {
                throw ResponseError("The request has no query.", code: "BAD_REQUEST")
            }
            return request
        }
        guard capacity > 0 else {
            throw ResponseError("PersistedQueryNotSupported", code: "PERSISTED_QUERY_NOT_SUPPORTED")
        }
        guard let object = persisted.objectValue, case .string(let hash)? = object["sha256Hash"] else {
            throw ResponseError("extensions.persistedQuery needs a sha256Hash string.", code: "BAD_REQUEST")
        }
        guard object["version"] == .int(1) else {
            throw ResponseError(
                "extensions.persistedQuery.version must be 1, got \(object["version"]?.description ?? "none").",
                code: "PERSISTED_QUERY_VERSION_NOT_SUPPORTED")
        }
        let key = hash.lowercased()
        if request.query.isEmpty {
            guard let query = cache.withLock({ $0.get(key) }) else {
                throw ResponseError("PersistedQueryNotFound", code: "PERSISTED_QUERY_NOT_FOUND")
            }
            var resolved = request
            resolved.query = query
            return resolved
        }
        guard SHA256.hex(request.query) == key else {
            throw ResponseError("provided sha does not match query", code: "PERSISTED_QUERY_HASH_MISMATCH")
        }
        cache.withLock { $0.set(key, request.query) }
        return request
    }

    /// Whether the operation may run: always without an allow-list; with one, when it is
    /// registered. Decided once per query text and operation name.
    public func allows(_ query: String, operation: OperationDefinition, document: PreparedDocument) -> Bool {
        guard let allowed else { return true }
        let key = query + "\u{1}" + (operation.name?.value ?? "")
        if let verdict = verdicts.withLock({ $0[key] }) { return verdict }
        let verdict = allowed.contains(Self.canonical(operation, fragments: document.fragments))
        verdicts.withLock { verdicts in
            if verdicts.count >= 10_000 { verdicts.removeAll(keepingCapacity: true) }
            verdicts[key] = verdict
        }
        return verdict
    }

    /// The error for an operation that is not on the allow-list.
    public static let notAllowed = ResponseError(
        "This gateway serves only the operations registered in its allow-list (persistedQueries.allowList in gateway.yaml); this one is not.",
        code: "OPERATION_NOT_ALLOWED")

    /// How many queries the automatic persisted query cache holds.
    public var count: Int { cache.withLock { $0.count } }
}

/// A least-recently-used map of hashes to query texts, bounded by `capacity` entries.
struct LRUCache: ~Copyable {
    private struct Entry {
        var value: String
        var stamp: UInt64
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Use order: stamp → key; the smallest stamp is the least recently used.
    private var order: [UInt64: String] = [:]
    private var clock: UInt64 = 0
    private var oldest: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    mutating func get(_ key: String) -> String? {
        guard var entry = entries[key] else { return nil }
        order[entry.stamp] = nil
        clock += 1
        entry.stamp = clock
        order[clock] = key
        entries[key] = entry
        return entry.value
    }

    mutating func set(_ key: String, _ value: String) {
        if let existing = entries[key] { order[existing.stamp] = nil }
        clock += 1
        entries[key] = Entry(value: value, stamp: clock)
        order[clock] = key
        while entries.count > capacity {
            // Stamps only grow: the oldest live one is found by walking up from the last.
            while order[oldest] == nil { oldest += 1 }
            if let evicted = order.removeValue(forKey: oldest) { entries[evicted] = nil }
        }
    }
}
