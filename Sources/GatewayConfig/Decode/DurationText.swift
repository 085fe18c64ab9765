/// Durations as written in gateway.yaml: a number and a unit, `500ms`, `2s`, `1.5s`, `1m`, `1h`.
enum DurationText {
    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// nil when the text is not a non-negative number followed by one of the units.
    static func parse(_ text: String) -> Duration? {
        // "ms" before "m" and "s": the longest suffix that matches wins.
        for (suffix, scale) in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                number.filter({ $0 == "." }).count <= 1, number.first != ".", number.last != ".",
                let value = Double(number)
            else { return nil }
            let nanoseconds = (value * scale).rounded()
            // A week is far beyond any sensible timeout; refusing it keeps Int64 safe.
            guard nanoseconds <= 7 * 24 * 3600e9 else { return nil }
            return .nanoseconds(Int64(nanoseconds))
        }
        return nil
    }
}
