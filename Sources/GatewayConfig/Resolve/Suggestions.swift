/// Wording shared by the error messages: did-you-mean suggestions and lists of known names.
enum Suggestions {
    /// The candidate closest to `name` when it is close enough to be a likely misspelling:
    /// same letters ignoring case, or an edit distance of at most a third of the length (at least 1).
    static func closest(to name: String, in candidates: [String]) -> String? {
        let lowered = name.lowercased()
        if let sameIgnoringCase = candidates.first(where: { $0.lowercased() == lowered }) { return sameIgnoringCase }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            let limit = max(1, min(name.count, candidate.count) / 3)
            guard distance <= limit else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// `; did you mean "catalog"? `, or `; ` when nothing is close: what goes between a message's
    /// first clause and the list of what would be right.
    static func didYouMean(_ name: String, _ candidates: [String]) -> String {
        didYouMean(closest(to: name, in: candidates))
    }

    static func didYouMean(_ suggestion: String?) -> String {
        guard let suggestion else { return "; " }
        return "; did you mean \"\(suggestion)\"? "
    }

    /// `people, authors, catalog`, or `(none)`.
    static func list(_ names: [String]) -> String {
        names.isEmpty ? "(none)" : names.joined(separator: ", ")
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
