import Foundation
import Yams

/// Reads a composed YAML tree into typed values, collecting every mistake with its location
/// instead of stopping at the first.
struct NodeReader {
    let file: String
    let environment: [String: String]
    private(set) var errors: [ConfigError] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    /// The keys of one mapping that were recognised, with the mapping's location and a label
    /// (`subgraph "catalog"`) for messages about its contents.
    struct Fields {
        var location: SourceLocation
        var label: String
        var values: [String: Node]

        subscript(key: String) -> Node? { values[key] }

        /// The value of an optional key, treating an empty value (`key:` alone, `~`, `null`) as absent.
        func present(_ key: String) -> Node? {
            guard let node = values[key], !NodeReader.isNull(node) else { return nil }
            return node
        }
    }

    /// Keys that people bring from elsewhere, with what to write here instead.
    static let keyHints: [String: String] = [
        "sourceType": "source",  // OpenDD's name for the source type
    ]

    // MARK: Errors and locations

    mutating func fail(_ code: ConfigError.Code, _ message: String, at location: SourceLocation) {
        errors.append(ConfigError(code, message, at: location))
    }

    func location(_ node: Node) -> SourceLocation {
        location(node.mark)
    }

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return NSNull.construct(from: scalar) != nil }
        return false
    }

    /// `a mapping`, `a list`, `the value "x"`, `an empty value`: what was found instead.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(node) { return "an empty value" }
            return "the value \"\(scalar.string)\""
        }
    }

    // MARK: Node kinds

    /// Reads a mapping whose keys must come from `required` and `optional`.
    ///
    /// Unknown keys are reported at the key, missing required keys at the mapping. The fields
    /// are returned even then, so that mistakes further in are reported in the same run.
    /// - Parameters:
    ///   - expected: what should have been there (`a subgraph`), for a node that is not a mapping.
    ///   - label: what the mapping is (`subgraph "catalog"`), for messages about its keys.
    ///   - place: where its keys are, when `in <label>` does not read well (`at the top level`).
    mutating func mapping(
        _ node: Node, expected: String, label: String, place: String? = nil, required: [String],
        optional: [String] = []
    ) -> Fields? {
        let allowed = required + optional
        guard case .mapping(let mapping) = node else {
            fail(
                .wrongNodeKind,
                "expected \(expected) (a mapping with the keys \(Suggestions.list(allowed))), got \(Self.describe(node))",
                at: location(node))
            return nil
        }
        let place = place ?? "in \(label)"
        var fields = Fields(location: location(node), label: label, values: [:])
        // A misspelt required key is reported once, as unknown with a suggestion, not also as missing.
        var suggested: Set<String> = []
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else {
                fail(.wrongNodeKind, "expected a key name in \(label), got \(Self.describe(key))", at: location(key))
                continue
            }
            let name = keyScalar.string
            guard allowed.contains(name) else {
                let hint = Self.keyHints[name].flatMap { allowed.contains($0) ? $0 : nil }
                let suggestion = hint ?? Suggestions.closest(to: name, in: allowed)
                if let suggestion { suggested.insert(suggestion) }
                let message =
                    "unknown key \"\(name)\" \(place)\(Suggestions.didYouMean(suggestion))allowed keys: \(Suggestions.list(allowed))"
                fail(.unknownKey, message, at: location(key))
                continue
            }
            fields.values[name] = value
        }
        for key in required where fields.values[key] == nil && !suggested.contains(key) {
            fail(
                .missingKey,
                "missing required key \"\(key)\" \(place); required keys: \(Suggestions.list(required))",
                at: fields.location)
        }
        return fields
    }

    /// The text of a scalar under `key` in a mapping node, as written (for labels in messages).
    static func peek(_ node: Node?, _ key: String) -> String? {
        guard case .mapping(let mapping)? = node,
            let value = mapping.first(where: { $0.key.scalar?.string == key })?.value,
            case .scalar(let scalar) = value, !isNull(value)
        else { return nil }
        return scalar.string
    }

    /// Reads a list; an empty value counts as an empty list when `emptyIsNone`.
    mutating func list(_ node: Node, what: String, emptyIsNone: Bool = false) -> [Node]? {
        if emptyIsNone, Self.isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            fail(.wrongNodeKind, "expected \(what), got \(Self.describe(node))", at: location(node))
            return nil
        }
        return Array(sequence)
    }

    /// Reads a scalar as text with environment variables substituted.
    /// - Parameters:
    ///   - expected: what the value should be, for a node that is not a scalar (`a whole number`).
    mutating func string(_ node: Node, key: String, in label: String, expected: String = "a string") -> Located<String>? {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            fail(
                .wrongNodeKind, "expected \(expected) for \"\(key)\" in \(label), got \(Self.describe(node))",
                at: location(node))
            return nil
        }
        let at = location(node)
        do {
            return Located(try EnvironmentInterpolation.interpolate(scalar.string, environment: environment), at: at)
        } catch {
            let text = scalar.string
            switch error {
            case .unset(let variable):
                fail(
                    .environment,
                    "environment variable \(variable) is not set (used in \"\(key)\"); set it, or give a default with ${\(variable):-value}",
                    at: at)
            case .loneDollar:
                fail(
                    .environment,
                    "a lone \"$\" in \"\(text)\"; write ${NAME} or ${NAME:-default} for an environment variable, or $$ for a literal $",
                    at: at)
            case .unterminated:
                fail(.environment, "unterminated \"${\" in \"\(text)\"; write ${NAME} or ${NAME:-default}", at: at)
            case .invalidName(let name):
                fail(
                    .environment,
                    "invalid environment variable name \"\(name)\" in \"\(text)\"; use letters, digits and _, not starting with a digit",
                    at: at)
            }
            return nil
        }
    }

    /// Reads a required string key whose absence the mapping already reported.
    mutating func string(_ fields: Fields, _ key: String) -> Located<String>? {
        guard let node = fields[key] else { return nil }
        return string(node, key: key, in: fields.label)
    }

    /// Reads an optional string key; an empty value counts as absent.
    mutating func optionalString(_ fields: Fields, _ key: String, expected: String = "a string") -> Located<String>? {
        guard let node = fields.present(key) else { return nil }
        return string(node, key: key, in: fields.label, expected: expected)
    }

    /// Reads an optional whole number (environment variables substituted first, so
    /// `${MAX_DEPTH:-15}` works); its range is the resolving stage's to check.
    mutating func optionalInteger(_ fields: Fields, _ key: String) -> Located<Int>? {
        guard let text = optionalString(fields, key, expected: "a whole number") else { return nil }
        guard let value = Int(text.value) else {
            fail(
                .invalidValue, "expected a whole number for \"\(key)\" in \(fields.label), got \"\(text.value)\"",
                at: text.location)
            return nil
        }
        return Located(value, at: text.location)
    }

    /// Reads an optional size in bytes: a whole number, or one followed by KiB, MiB, GiB (or
    /// KB, MB, GB).
    mutating func optionalByteSize(_ fields: Fields, _ key: String) -> Located<Int>? {
        guard let text = optionalString(fields, key, expected: "a size in bytes") else { return nil }
        guard let value = ByteSizeText.parse(text.value) else {
            fail(
                .invalidValue,
                "invalid size \"\(text.value)\" for \"\(key)\" in \(fields.label); write a whole number of bytes, optionally followed by KiB, MiB or GiB (or KB, MB, GB), like 16MiB",
                at: text.location)
            return nil
        }
        return Located(value, at: text.location)
    }

    /// Reads an optional `true` or `false`.
    mutating func optionalBool(_ fields: Fields, _ key: String) -> Located<Bool>? {
        guard let text = optionalString(fields, key, expected: "true or false") else { return nil }
        switch text.value {
        case "true": return Located(true, at: text.location)
        case "false": return Located(false, at: text.location)
        default:
            fail(
                .invalidValue, "expected true or false for \"\(key)\" in \(fields.label), got \"\(text.value)\"",
                at: text.location)
            return nil
        }
    }
}
