import Foundation

/// Decides, each time the watch looks at gateway.yaml, whether its content changed since the
/// serving supergraph (or the last reload attempt) read it: a pure value, with the file
/// reading in ``fingerprint(path:)``.
///
/// A new content must be seen twice in a row before it counts, so that a file an editor is
/// still writing is not loaded half-written; a missing or unreadable file (an editor replacing
/// it) is not a change.
struct ConfigFileWatch: Sendable, Equatable {
    /// The content the last load read.
    var loaded: UInt64?
    /// A new content seen once.
    var pending: UInt64?

    init(loaded: UInt64?) {
        self.loaded = loaded
    }

    /// Takes one look at the file (nil: missing or unreadable); true when it should be reloaded.
    mutating func observe(_ fingerprint: UInt64?) -> Bool {
        guard let fingerprint, fingerprint != loaded else {
            pending = nil
            return false
        }
        guard fingerprint == pending else {
            pending = fingerprint
            return false
        }
        pending = nil
        loaded = fingerprint
        return true
    }

    /// A load read the file with this content (whatever became of it: a failed one is not tried
    /// again until the file changes again).
    mutating func read(_ fingerprint: UInt64?) {
        guard let fingerprint else { return }
        loaded = fingerprint
        if pending == fingerprint { pending = nil }
    }

    /// The FNV-1a hash of the file's bytes, nil when it cannot be read.
    static func fingerprint(path: String) -> UInt64? {
        FileManager.default.contents(atPath: path).map { FNV1a.hash($0) }
    }
}
