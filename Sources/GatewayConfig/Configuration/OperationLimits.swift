/// What one client operation may ask of the gateway (`limits:` in gateway.yaml). Each limit is
/// checked before anything is sent upstream, except ``maxResponseBytes``, which can only be
/// known while the response is written.
///
/// The defaults leave room for every operation the repository's tests and benchmarks send
/// (the benchmark's deep query: depth 9, lists nested 4 deep, cost 6,467, 90 KiB; the
/// heaviest test query, three lists without a limit, costs 4,071,602) and for the standard
/// introspection query of GraphQL tools (depth 13, lists nested 3 deep), while refusing
/// runaway queries: four lists nested without a limit cost over a hundred million.
public struct OperationLimits: Sendable, Hashable {
    /// Most fields on one path from the root to a leaf, through fragments; introspection
    /// fields count like any other (default 15).
    public var maxDepth: Int
    /// Most fields whose response key differs from their name, counted where fragments are
    /// used (default 30).
    public var maxAliases: Int
    /// Most distinct response keys on the root type (default 20).
    public var maxRootFields: Int
    /// Most list-of-object fields on one path from the root (default 5).
    public var maxListNesting: Int
    /// Highest estimated cost: every field counts once per object it is selected on, and a
    /// list field multiplies the objects below it by its `limit` argument, or by
    /// ``defaultListSize`` without one (default 5,000,000).
    public var maxCost: Int
    /// How many rows the cost estimate assumes for a list without a `limit` argument (default 100).
    public var defaultListSize: Int
    /// Largest request body accepted, in bytes (default 16 MiB).
    public var maxRequestBytes: Int
    /// Largest response body sent, in bytes; a larger one is replaced by an error (default 16 MiB).
    public var maxResponseBytes: Int
    /// Whether clients may query `__schema` and `__type` (default true; `__typename` always works).
    public var introspection: Bool
    /// Most operations in one batched request (a JSON array of requests; default 10).
    public var maxBatch: Int

    /// - Parameters:
    ///   - maxDepth: default 15.
    ///   - maxAliases: default 30.
    ///   - maxRootFields: default 20.
    ///   - maxListNesting: default 5.
    ///   - maxCost: default 5,000,000.
    ///   - defaultListSize: default 100.
    ///   - maxRequestBytes: default 16 MiB.
    ///   - maxResponseBytes: default 16 MiB.
    ///   - introspection: default true.
    ///   - maxBatch: default 10.
    public init(
        maxDepth: Int = 15, maxAliases: Int = 30, maxRootFields: Int = 20, maxListNesting: Int = 5,
        maxCost: Int = 5_000_000, defaultListSize: Int = 100, maxRequestBytes: Int = 16 << 20,
        maxResponseBytes: Int = 16 << 20, introspection: Bool = true, maxBatch: Int = 10
    ) {
        self.maxBatch = maxBatch
        self.maxDepth = maxDepth
        self.maxAliases = maxAliases
        self.maxRootFields = maxRootFields
        self.maxListNesting = maxListNesting
        self.maxCost = maxCost
        self.defaultListSize = defaultListSize
        self.maxRequestBytes = maxRequestBytes
        self.maxResponseBytes = maxResponseBytes
        self.introspection = introspection
    }
}
