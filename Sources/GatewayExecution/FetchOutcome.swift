import GatewayJSON
import GraphQLSupport
import Synchronization

/// Why a fetch has no data: the subgraph failed, or the relationship's arguments were invalid.
struct FetchFailure: Error, Sendable {
    var message: String
    var code: String
    var subgraph: String?
    /// More `extensions` for the client (a failed write's input path and what was undone).
    var details: JSONObject = [:]
    /// The request never reached the subgraph (it refused the connection): nothing was written.
    var undelivered = false

    func error(path: [PathElement], locations: [ResponseError.Location] = []) -> ResponseError {
        var extensions: JSONObject = ["code": .string(code)]
        if let subgraph { extensions["subgraph"] = .string(subgraph) }
        for (key, value) in details.members { extensions[key] = value }
        return ResponseError(message, locations: locations, path: path, extensions: extensions)
    }
}

/// A relationship fetch's rows, grouped by join key and paged per parent.
struct RowGroups: Sendable {
    /// The keys; a key's position is its group's in `groups`.
    var index = JoinKeyIndex()
    /// The rows each key gets, in the target collection's order, `offset`/`limit` applied;
    /// the groups in the order their first row came: what nested relationships iterate, so
    /// that their requests are the same for the same data (dictionary order is not).
    var groups: [[JSONRef]] = []
    /// Errors a federation subgraph reported for some entities, by their key, each with its
    /// path inside the entity (empty: the entity itself).
    var errors: [JoinKey: [ResponseError]] = [:]

    static let empty = RowGroups()

    /// Adds a row to its key's group (made when the key is new).
    mutating func append(_ row: JSONRef, key: JoinKey) {
        let (position, inserted) = index.insert(key)
        if inserted { groups.append([row]) } else { groups[position].append(row) }
    }

    /// Adds a key's whole group; the key must be new.
    mutating func append(_ rows: [JSONRef], key: JoinKey) {
        index.insert(key)
        groups.append(rows)
    }

    /// The rows of a key, nil when it has none.
    func rows(for key: JoinKey) -> [JSONRef]? {
        index.position(of: key).map { groups[$0] }
    }

    /// The rows some parent shows: the parents of nested relationships.
    var reachableRows: some Sequence<JSONRef> { groups.lazy.joined() }
}

/// What one fetch produced.
enum FetchOutcome: Sendable {
    /// A root fetch's `data` (nil when the subgraph answered none), the root fields the
    /// gateway ordered (sorted and paged rows, by upstream key), and the errors the subgraph
    /// reported alongside.
    case data(JSONRef?, ordered: [String: [JSONRef]], errors: [ResponseError])
    /// A forwarded request's answer, to pass through byte for byte.
    case forwarded([UInt8])
    /// A relationship fetch's rows.
    case rows(RowGroups)
    /// An aggregate fetch's objects, one per parent key, and the object of a parent without
    /// related rows (count 0, the rest null).
    case aggregates(RowGroups, fallback: JSONRef)
    /// The fetch failed; the fields it serves are null.
    case failed(FetchFailure)
    /// Nothing to fetch: no parent object had a key, or the parents' fetch failed.
    case skipped
}

/// The outcomes of one request's fetches, written by concurrent fetch tasks.
final class FetchResults: Sendable {
    private let slots: Mutex<[FetchOutcome?]>

    init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    subscript(id: Int) -> FetchOutcome? {
        slots.withLock { $0[id] }
    }

    func set(_ id: Int, _ outcome: FetchOutcome) {
        slots.withLock { $0[id] = outcome }
    }

    /// All outcomes, once every fetch has finished.
    var snapshot: [FetchOutcome?] { slots.withLock { $0 } }
}

/// The parsed answers of one request's fetches, kept alive until its response is written:
/// the ``JSONRef``s in the outcomes point into them without owning them.
final class AnswerDocuments: Sendable {
    private let documents = Mutex<[JSONDocument]>([])

    func keep(_ document: JSONDocument) {
        documents.withLock { $0.append(document) }
    }
}

/// The round trips of one request's upstream requests, written by concurrent fetch tasks.
final class UpstreamTimeline: Sendable {
    private let roundTrips = Mutex<[Range<ContinuousClock.Instant>]>([])

    func record(_ roundTrip: Range<ContinuousClock.Instant>) {
        roundTrips.withLock { $0.append(roundTrip) }
    }

    /// How long at least one upstream request was in flight: the length of the union of the
    /// round trips. For a plan whose stages run one after another, the sum of the sequential
    /// round trips; parallel requests count once.
    var busyTime: Duration {
        let sorted = roundTrips.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        var total = Duration.zero
        var current: Range<ContinuousClock.Instant>?
        for roundTrip in sorted {
            if let open = current, roundTrip.lowerBound <= open.upperBound {
                current = open.lowerBound..<max(open.upperBound, roundTrip.upperBound)
            } else {
                if let open = current { total += open.lowerBound.duration(to: open.upperBound) }
                current = roundTrip
            }
        }
        if let open = current { total += open.lowerBound.duration(to: open.upperBound) }
        return total
    }
}
