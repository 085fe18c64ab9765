/// Persisted queries (`persistedQueries:` in gateway.yaml): Apollo's automatic persisted
/// queries, in a bounded cache, and an optional allow-list of the only operations served.
public struct PersistedQueryConfig: Sendable, Hashable {
    /// A file of GraphQL documents whose operations are the only ones served.
    public struct AllowList: Sendable, Hashable {
        public var path: String
        public var text: String
        /// Where gateway.yaml names it.
        public var location: SourceLocation?

        public init(path: String, text: String, location: SourceLocation? = nil) {
            self.path = path
            self.text = text
            self.location = location
        }
    }

    /// Most queries the automatic persisted query cache holds, least recently used dropped
    /// first; 0 turns automatic persisted queries off (default 1,000).
    public var cacheSize: Int
    public var allowList: AllowList?

    public init(cacheSize: Int = 1_000, allowList: AllowList? = nil) {
        self.cacheSize = cacheSize
        self.allowList = allowList
    }
}
