/// Substitutes environment variables in string values: `${NAME}`, `${NAME:-default}`, and `$$`
/// for a literal `$`.
///
/// A `$` followed by anything else is a mistake rather than literal text, so that `$NAME`
/// (shell habit) never silently reaches a subgraph URL or header.
enum EnvironmentInterpolation {
    enum Failure: Error, Equatable {
        case unset(variable: String)
        case loneDollar
        case unterminated
        case invalidName(String)
    }

    /// `default` is used when the variable is unset or empty, as in the shell and docker-compose.
    static func interpolate(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                result.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            guard next < text.endIndex else { throw .loneDollar }
            if text[next] == "$" {
                result.append("$")
                index = text.index(after: next)
                continue
            }
            guard text[next] == "{" else { throw .loneDollar }
            let bodyStart = text.index(after: next)
            guard let close = text[bodyStart...].firstIndex(of: "}") else { throw .unterminated }
            let body = text[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard isVariableName(name) else { throw .invalidName(String(name)) }
            let value = environment[String(name)]
            if let fallback {
                result += (value?.isEmpty ?? true) ? String(fallback) : value!
            } else if let value {
                result += value
            } else {
                throw .unset(variable: String(name))
            }
            index = text.index(after: close)
        }
        return result
    }

    static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
    }
}
