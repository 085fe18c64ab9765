import GRDB

/// SQL LIKE as the model protocol defines it: `%` matches any run of characters, `_` exactly
/// one, everything else literally; the whole value must match. SQLite's own LIKE ignores
/// ASCII case only and has no notion of Unicode case, so the subgraphs register these instead.
enum LikeMatcher {
    /// Whether `value` matches `pattern`, comparing Unicode scalars.
    static func matches(_ pattern: String, _ value: String, ignoringCase: Bool) -> Bool {
        let patternScalars = Array((ignoringCase ? pattern.lowercased() : pattern).unicodeScalars)
        let valueScalars = Array((ignoringCase ? value.lowercased() : value).unicodeScalars)
        return matches(patternScalars[...], valueScalars[...])
    }

    /// Greedy wildcard matching with backtracking to the last `%`: linear in practice,
    /// O(n·m) at worst, never exponential.
    static func matches(_ pattern: ArraySlice<Unicode.Scalar>, _ value: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex
        var v = value.startIndex
        var starP: Int? = nil
        var starV = value.startIndex
        while v < value.endIndex {
            if p < pattern.endIndex, pattern[p] == "%" {
                starP = p
                starV = v
                p += 1
            } else if p < pattern.endIndex, pattern[p] == "_" || pattern[p] == value[v] {
                p += 1
                v += 1
            } else if let star = starP {
                p = star + 1
                starV += 1
                v = starV
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == "%" { p += 1 }
        return p == pattern.endIndex
    }

    /// `name(pattern, value)`: 1 when the value matches, 0 otherwise, NULL when either is NULL.
    static func sqlFunction(name: String, ignoringCase: Bool) -> DatabaseFunction {
        DatabaseFunction(name, argumentCount: 2, pure: true) { arguments in
            guard let pattern = String.fromDatabaseValue(arguments[0]),
                let value = String.fromDatabaseValue(arguments[1])
            else { return nil }
            return matches(pattern, value, ignoringCase: ignoringCase) ? 1 : 0
        }
    }
}
