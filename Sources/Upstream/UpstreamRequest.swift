/// One request on its way from an awaiting caller to the driver thread.
///
/// The driver resumes `continuation` exactly once, with the response or the error.
struct UpstreamRequest: Sendable {
    typealias Continuation = CheckedContinuation<Result<UpstreamResponse, UpstreamError>, Never>

    var id: UInt64
    var url: String
    var body: [UInt8]
    /// Header lines as given by the caller, without the defaults.
    var headers: [(String, String)]
    var timeouts: UpstreamClient.Timeouts
    var maxResponseBytes: Int
    var continuation: Continuation

    /// The header lines sent: the caller's, plus `Content-Type: application/json` unless the
    /// caller set one, plus an empty `Expect:` (curl 7.88 otherwise sends `Expect: 100-continue`
    /// for bodies over 1 MB and waits a second for an answer servers such as Hummingbird never give).
    var headerLines: [String] {
        var lines: [String] = []
        lines.reserveCapacity(headers.count + 2)
        var hasContentType = false
        var hasExpect = false
        for (name, value) in headers {
            if name.utf8.count == 12, name.lowercased() == "content-type" { hasContentType = true }
            if name.utf8.count == 6, name.lowercased() == "expect" { hasExpect = true }
            // "Name:" with nothing after it tells curl to drop its own header; "Name;" sends it empty.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !hasContentType { lines.append("Content-Type: application/json") }
        if !hasExpect { lines.append("Expect:") }
        return lines
    }
}
