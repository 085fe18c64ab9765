/// SQL LIKE as the model protocol defines it: `%` matches any run of characters, `_` exactly
/// one, everything else literally; the whole value must match. Used by the subgraphs (as an
/// SQLite function, SQLite's own LIKE knowing no Unicode case) and by the gateway (conditions
/// on aggregates it computes).
public enum LikePattern {
    /// Whether `value` matches `pattern`, comparing Unicode scalars.
    public static func matches(_ pattern: String, _ value: String, ignoringCase: Bool) -> Bool {
        let patternScalars = Array((ignoringCase ? pattern.lowercased() : pattern).unicodeScalars)
        let valueScalars = Array((ignoringCase ? value.lowercased() : value).unicodeScalars)
        return matches(patternScalars[...], valueScalars[...])
    }

    /// Greedy wildcard matching with backtracking to the last `%`: linear in practice,
    /// O(n·m) at worst, never exponential.
    public static func matches(_ pattern: ArraySlice<Unicode.Scalar>, _ value: ArraySlice<Unicode.Scalar>) -> Bool {
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
}
