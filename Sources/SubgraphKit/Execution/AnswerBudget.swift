import GraphQLSupport

/// What one operation's answer may still hold, counted while it is written: at most
/// `maxRows` rows per field and `maxResponseBytes` bytes for all its fields together
/// (``SubgraphService/Limits``). Checking as rows are written, not once the answer is built,
/// is what bounds the memory a runaway query can take: a field stops one row past a limit.
struct AnswerBudget: Sendable {
    let limits: SubgraphService.Limits
    /// Bytes of fields already written in full.
    private(set) var spentBytes = 0

    init(_ limits: SubgraphService.Limits) {
        self.limits = limits
    }

    /// Throws when a field has `rows` rows and has another one.
    /// - Parameters:
    ///   - verb, unit: how the message says it: "matched ... rows", "made ... groups".
    ///   - advice: what the client can do about it.
    func checkRows(
        _ rows: Int, field: String, locations: [ResponseError.Location], verb: String = "matched", unit: String = "rows",
        advice: String = "Pass a smaller `limit` or narrow the filter."
    ) throws(ResponseError) {
        guard rows >= limits.maxRows else { return }
        throw ResponseError(
            "\(field) \(verb) more than \(limits.maxRows) \(unit); this subgraph answers at most \(limits.maxRows) \(unit) per field "
                + "(maxRows: --max-rows or SUBGRAPH_MAX_ROWS). \(advice)",
            locations: locations, path: [.key(field)],
            extensions: ["code": "TOO_MANY_ROWS", "limit": "maxRows", "maximum": .int(limits.maxRows)])
    }

    /// Throws when a field whose answer so far is `fieldBytes` long takes the operation's
    /// answer past `maxResponseBytes`.
    func checkBytes(_ fieldBytes: Int, field: String, locations: [ResponseError.Location]) throws(ResponseError) {
        guard spentBytes + fieldBytes > limits.maxResponseBytes else { return }
        throw ResponseError(
            "\(field): the answer grew past \(limits.maxResponseBytes) bytes; this subgraph answers at most "
                + "\(limits.maxResponseBytes) bytes per operation (maxResponseBytes: --max-response-bytes or "
                + "SUBGRAPH_MAX_RESPONSE_BYTES). Ask for fewer rows or fields.",
            locations: locations, path: [.key(field)],
            extensions: ["code": "RESPONSE_TOO_LARGE", "limit": "maxResponseBytes", "maximum": .int(limits.maxResponseBytes)])
    }

    /// Counts a field written in full.
    mutating func spend(_ bytes: Int) { spentBytes += bytes }
}
