import Foundation

extension ConfigLoader {
    // MARK: Stage 2: subgraphs

    /// Checks the declared subgraphs: unique names, http(s) URLs with a host, positive
    /// timeouts, valid headers, client headers that may be propagated. Touches no network.
    public static func resolveSubgraphs(_ raw: RawConfig) throws(ConfigErrors) -> [SubgraphConfig] {
        var errors: [ConfigError] = []
        if raw.subgraphs.isEmpty {
            errors.append(
                ConfigError(
                    .invalidValue, "no subgraphs are declared; list at least one under subgraphs",
                    at: raw.subgraphsLocation))
        }
        var firstDeclared: [String: SourceLocation] = [:]
        var subgraphs: [SubgraphConfig] = []
        for entry in raw.subgraphs {
            let errorCount = errors.count
            let name = entry.name.value
            let label = "subgraph \"\(name)\""
            if !isSubgraphName(name) {
                errors.append(
                    ConfigError(
                        .invalidName, "invalid subgraph name \"\(name)\"; use letters, digits, _ and -",
                        at: entry.name.location))
            } else if let first = firstDeclared[name] {
                errors.append(
                    ConfigError(
                        .duplicateName, "duplicate subgraph name \"\(name)\"; it is first declared at \(first)",
                        at: entry.name.location))
            } else {
                firstDeclared[name] = entry.name.location
            }
            if let problem = urlProblem(entry.url.value) {
                errors.append(
                    ConfigError(
                        .invalidURL,
                        "invalid url \"\(entry.url.value)\" for \(label): \(problem); write an http or https URL like http://127.0.0.1:4003/graphql",
                        at: entry.url.location))
            }
            for (key, timeout) in [("connect", entry.connectTimeout), ("request", entry.requestTimeout)] {
                if let timeout, timeout.value <= .zero {
                    errors.append(
                        ConfigError(
                            .invalidValue, "timeouts.\(key) of \(label) must be greater than zero",
                            at: timeout.location))
                }
            }
            if let size = entry.maxResponseBytes, size.value < 1024 {
                errors.append(
                    ConfigError(
                        .invalidValue, "maxResponseBytes of \(label) must be at least 1KiB (1024 bytes); got \(size.value)",
                        at: size.location))
            }
            var headerNames: [String: String] = [:]
            for header in entry.headers {
                let headerName = header.name.value
                if !isHeaderName(headerName) {
                    errors.append(
                        ConfigError(
                            .invalidHeader,
                            "invalid header name \"\(headerName)\" for \(label); use letters, digits and !#$%&'*+-.^_`|~",
                            at: header.name.location))
                } else if let first = headerNames[headerName.lowercased()] {
                    errors.append(
                        ConfigError(
                            .invalidHeader,
                            "duplicate header \"\(headerName)\" for \(label) (already given as \"\(first)\"; header names ignore case)",
                            at: header.name.location))
                } else {
                    headerNames[headerName.lowercased()] = headerName
                }
                if containsLineBreak(header.value.value) {
                    errors.append(
                        ConfigError(
                            .invalidHeader, "the value of header \"\(headerName)\" for \(label) contains a line break",
                            at: header.value.location))
                }
            }
            errors += propagateErrors(entry, label: label, staticHeaders: headerNames)
            guard errors.count == errorCount else { continue }
            subgraphs.append(
                SubgraphConfig(
                    name: name, url: entry.url.value,
                    connectTimeout: entry.connectTimeout?.value ?? SubgraphConfig.defaultConnectTimeout,
                    requestTimeout: entry.requestTimeout?.value ?? SubgraphConfig.defaultRequestTimeout,
                    headers: entry.headers.map { SubgraphConfig.Header(name: $0.name.value, value: $0.value.value) },
                    propagate: entry.propagate.map {
                        SubgraphConfig.PropagatedHeader(
                            name: $0.name.value, upstreamName: $0.rename?.value, defaultValue: $0.defaultValue?.value,
                            required: $0.required?.value ?? false)
                    },
                    protocol: entry.protocol?.value ?? .model,
                    maxResponseBytes: entry.maxResponseBytes?.value ?? SubgraphConfig.defaultMaxResponseBytes, location: entry.location))
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return subgraphs
    }

    /// Headers a subgraph must not get from a client, lowercased, with why.
    static let unpropagatableHeaders: [String: String] = {
        let hopByHop =
            "it is a hop-by-hop header, which describes the client's connection to the gateway, not the gateway's requests to the subgraph"
        var reasons: [String: String] = [:]
        for name in [
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
            "transfer-encoding", "upgrade",
        ] {
            reasons[name] = hopByHop
        }
        reasons["host"] = "the gateway sends the host of the subgraph's url"
        reasons["content-length"] = "the gateway sets it for the body it sends upstream"
        reasons["content-type"] = "the gateway sets it for the body it sends upstream"
        reasons["accept-encoding"] = "the gateway chooses the encodings it can read from the subgraph itself"
        return reasons
    }()

    /// The mistakes in a subgraph's `propagate:` entries.
    /// - Parameters:
    ///   - staticHeaders: the names of the subgraph's `headers:`, lowercased, as written.
    static func propagateErrors(_ entry: RawSubgraph, label: String, staticHeaders: [String: String]) -> [ConfigError] {
        var errors: [ConfigError] = []
        var clientNames: [String: Located<String>] = [:]
        var upstreamNames: [String: Located<String>] = [:]
        for header in entry.propagate {
            let name = header.name.value
            var valid = true
            if !isHeaderName(name) {
                errors.append(
                    ConfigError(
                        .invalidHeader,
                        "invalid header name \"\(name)\" in propagate of \(label); use letters, digits and !#$%&'*+-.^_`|~",
                        at: header.name.location))
                valid = false
            } else if let reason = unpropagatableHeaders[name.lowercased()] {
                errors.append(
                    ConfigError(
                        .invalidHeader, "header \"\(name)\" cannot be propagated to \(label): \(reason)",
                        at: header.name.location))
                valid = false
            } else if let first = clientNames[name.lowercased()] {
                errors.append(
                    ConfigError(
                        .invalidHeader,
                        "header \"\(name)\" is propagated to \(label) twice (first as \"\(first.value)\" at \(first.location); header names ignore case)",
                        at: header.name.location))
                valid = false
            } else {
                clientNames[name.lowercased()] = header.name
            }
            var upstream = header.name
            if let rename = header.rename {
                upstream = rename
                if !isHeaderName(rename.value) {
                    errors.append(
                        ConfigError(
                            .invalidHeader,
                            "invalid header name \"\(rename.value)\" for rename of \"\(name)\" in propagate of \(label); use letters, digits and !#$%&'*+-.^_`|~",
                            at: rename.location))
                    valid = false
                } else if let reason = unpropagatableHeaders[rename.value.lowercased()] {
                    errors.append(
                        ConfigError(
                            .invalidHeader,
                            "header \"\(name)\" cannot be sent to \(label) as \"\(rename.value)\": \(reason)",
                            at: rename.location))
                    valid = false
                }
            }
            if valid {
                let key = upstream.value.lowercased()
                if let written = staticHeaders[key] {
                    errors.append(
                        ConfigError(
                            .invalidHeader,
                            "header \"\(upstream.value)\" is both propagated to \(label) and set under its headers (as \"\(written)\"); keep one",
                            at: upstream.location))
                } else if let first = upstreamNames[key] {
                    errors.append(
                        ConfigError(
                            .invalidHeader,
                            "two propagated headers reach \(label) as \"\(upstream.value)\" (the first at \(first.location)); rename one",
                            at: upstream.location))
                } else {
                    upstreamNames[key] = upstream
                }
            }
            if let value = header.defaultValue, containsLineBreak(value.value) {
                errors.append(
                    ConfigError(
                        .invalidHeader, "the default of propagated header \"\(name)\" for \(label) contains a line break",
                        at: value.location))
            }
        }
        return errors
    }

    /// Whether a header value holds CR, LF or NUL, which would end the header line early.
    /// Scalars, not characters: "\r\n" is one character, equal to neither "\r" nor "\n".
    static func containsLineBreak(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }

    static func isSubgraphName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
            }
    }

    /// RFC 9110 token characters.
    static func isHeaderName(_ name: String) -> Bool {
        let symbols = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        return !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || symbols.contains($0))
            }
    }

    /// What is wrong with a subgraph URL, or nil when it is usable.
    static func urlProblem(_ text: String) -> String? {
        guard !text.isEmpty else { return "it is empty" }
        guard let separator = text.range(of: "://") else { return "it does not start with http:// or https://" }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return "the scheme is \(scheme), not http or https" }
        guard let components = URLComponents(string: text) else { return "it is not a valid URL" }
        guard let host = components.host, !host.isEmpty else { return "it has no host" }
        return nil
    }
}
