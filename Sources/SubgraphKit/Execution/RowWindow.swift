import GRDB

/// The per-key window of docs/subgraph-protocol.md, applied to a collection's rows as they
/// stream from its ordered query: each partition's rows are counted, those from `offsetPerKey`
/// on (at most `limitPerKey`) are kept, and `offset` and `limit` page what is kept.
struct RowWindow: Sendable {
    /// The selected columns (by index) whose values make a row's partition.
    let partition: [Int]
    let offsetPerKey: Int
    let limitPerKey: Int?
    let offset: Int
    let limit: Int?
    /// Rows seen per partition so far.
    private var seen: [[DatabaseValue]: Int] = [:]
    /// Rows kept by the window so far (before paging).
    private var kept = 0

    enum Decision { case take, skip, stop }

    init(partition: [Int], offsetPerKey: Int, limitPerKey: Int?, offset: Int, limit: Int?) {
        self.partition = partition
        self.offsetPerKey = offsetPerKey
        self.limitPerKey = limitPerKey
        self.offset = offset
        self.limit = limit
    }

    /// Whether the next row in order is answered; `stop` once `limit` rows were answered.
    mutating func admit(_ row: Row) -> Decision {
        if let limit, kept - offset >= limit { return .stop }
        let key = partition.map { row[$0] as DatabaseValue }
        let position = seen[key, default: 0]
        seen[key] = position + 1
        guard position >= offsetPerKey, limitPerKey.map({ position - offsetPerKey < $0 }) ?? true else { return .skip }
        kept += 1
        return kept > offset ? .take : .skip
    }
}
