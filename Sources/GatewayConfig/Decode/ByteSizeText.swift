/// Sizes as written in gateway.yaml: a whole number of bytes, optionally followed by a unit:
/// `65536`, `512KiB`, `16MiB`, `1GiB` (powers of 1024) or `500KB`, `16MB`, `1GB` (powers of 1000).
enum ByteSizeText {
    static let units: [(suffix: String, bytes: Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000),
        ("B", 1),
    ]

    /// nil when the text is not a whole number, optionally followed by one of the units (a
    /// space between them is allowed); a minus sign is kept, for the limits stage to refuse
    /// with its own message.
    static func parse(_ text: String) -> Int? {
        var number = Substring(text)
        var scale = 1
        // "KiB" before "B": the longest suffix that matches wins.
        if let unit = units.sorted(by: { $0.suffix.count > $1.suffix.count }).first(where: { text.hasSuffix($0.suffix) }) {
            number = number.dropLast(unit.suffix.count)
            scale = unit.bytes
            while number.last == " " { number = number.dropLast() }
        }
        guard let value = Int(number) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }
}
