import Foundation

extension ConfigLoader {
    // MARK: Stage 2: subgraphs

    /// Checks the declared subgraphs: unique names, http(s) URLs with a host, positive
    /// timeouts, valid headers. Touches no network.
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
                if header.value.value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                    errors.append(
                        ConfigError(
                            .invalidHeader, "the value of header \"\(headerName)\" for \(label) contains a line break",
                            at: header.value.location))
                }
            }
            guard errors.count == errorCount else { continue }
            subgraphs.append(
                SubgraphConfig(
                    name: name, url: entry.url.value,
                    connectTimeout: entry.connectTimeout?.value ?? SubgraphConfig.defaultConnectTimeout,
                    requestTimeout: entry.requestTimeout?.value ?? SubgraphConfig.defaultRequestTimeout,
                    headers: entry.headers.map { SubgraphConfig.Header(name: $0.name.value, value: $0.value.value) },
                    protocol: entry.protocol?.value ?? .model, location: entry.location))
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return subgraphs
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
