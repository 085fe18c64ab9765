import GatewayConfig
import GatewayExecution
import GatewayJSON
import GraphQLSupport

/// Which client headers each subgraph gets (`propagate:` in gateway.yaml), applied to one
/// client request at a time: the headers to send upstream (a ``RequestContext``), and the
/// errors for required headers the request lacks.
///
/// Plain data over plain header lists: the HTTP server hands it the client's header fields,
/// it knows nothing of HTTP types.
public struct HeaderPropagation: Sendable {
    struct Rule: Sendable {
        /// The client's header name, lowercased.
        var key: String
        /// As written in gateway.yaml, for messages.
        var name: String
        var upstreamName: String
        var defaultValue: String?
        var refusesWhenMissing: Bool
    }

    /// By subgraph name, in declaration order.
    let rules: [(subgraph: String, rules: [Rule])]
    /// The lowercased names of the client headers any subgraph gets: the server reads only these.
    public let clientHeaderNames: Set<String>
    /// Whether some subgraph refuses requests without one of its headers.
    public let refusesMissing: Bool

    public init(subgraphs: [SubgraphConfig]) {
        rules = subgraphs.compactMap { subgraph in
            guard !subgraph.propagate.isEmpty else { return nil }
            return (subgraph.name, subgraph.propagate.map { header in
                Rule(
                    key: header.name.lowercased(), name: header.name, upstreamName: header.upstreamName,
                    defaultValue: header.defaultValue, refusesWhenMissing: header.refusesWhenMissing)
            })
        }
        clientHeaderNames = Set(rules.flatMap { $0.rules.map(\.key) })
        refusesMissing = rules.contains { $0.rules.contains(where: \.refusesWhenMissing) }
    }

    /// Whether no subgraph gets any client header.
    public var isEmpty: Bool { rules.isEmpty }

    /// The client's header fields that any subgraph gets, values by lowercased name (a header
    /// sent several times keeps every value, in order).
    public struct ClientHeaders: Sendable {
        var values: [String: [String]] = [:]

        /// - Parameters:
        ///   - fields: the client's header fields; names in any case.
        public init(_ fields: [(name: String, value: String)]) {
            for (name, value) in fields {
                // A field value never holds a line break after HTTP parsing; if one did, it could
                // start another header upstream, so such a value counts as not sent. (Scalars:
                // "\r\n" is one Character, equal to neither "\r" nor "\n".)
                guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else { continue }
                values[name.lowercased(), default: []].append(value)
            }
        }
    }

    /// The headers each subgraph gets for a request: the client's values under the upstream
    /// names, or the defaults.
    public func context(for client: ClientHeaders) -> RequestContext {
        var headers: [String: [(String, String)]] = [:]
        for (subgraph, rules) in rules {
            var fields: [(String, String)] = []
            for rule in rules {
                if let values = client.values[rule.key] {
                    for value in values { fields.append((rule.upstreamName, value)) }
                } else if let value = rule.defaultValue {
                    fields.append((rule.upstreamName, value))
                }
            }
            if !fields.isEmpty { headers[subgraph] = fields }
        }
        return RequestContext(headers: headers)
    }

    /// One error per required header the request lacks that one of `subgraphs` needs, naming
    /// the header and the subgraphs (`UNAUTHENTICATED`).
    public func missing(in client: ClientHeaders, subgraphs: Set<String>) -> [ResponseError] {
        var needed: [(name: String, key: String, subgraphs: [String])] = []
        for (subgraph, rules) in rules where subgraphs.contains(subgraph) {
            for rule in rules where rule.refusesWhenMissing && client.values[rule.key] == nil {
                if let index = needed.firstIndex(where: { $0.key == rule.key }) {
                    needed[index].subgraphs.append(subgraph)
                } else {
                    needed.append((rule.name, rule.key, [subgraph]))
                }
            }
        }
        return needed.map { header in
            let names = header.subgraphs.map { "\"\($0)\"" }
            let who =
                names.count == 1
                ? "subgraph \(names[0]) needs"
                : "subgraphs \(names.dropLast().joined(separator: ", ")) and \(names[names.count - 1]) need"
            return ResponseError(
                "Missing required header \"\(header.name)\": \(who) it for this operation.",
                extensions: [
                    "code": "UNAUTHENTICATED", "header": .string(header.name),
                    "subgraphs": .array(header.subgraphs.map(JSON.string)),
                ])
        }
    }
}
