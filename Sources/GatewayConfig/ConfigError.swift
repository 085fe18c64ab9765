/// One mistake in the configuration, with where it was written and what would be right.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable name for the class of mistake, for tools and tests; the message is for people.
    public enum Code: String, Sendable, Hashable {
        case unreadableFile
        case yamlSyntax
        case wrongNodeKind
        case missingKey
        case unknownKey
        case invalidValue
        case environment
        case invalidName
        case duplicateName
        case invalidURL
        case invalidHeader
        case unknownSubgraph
        case missingSchema
        case unknownType
        case notObjectType
        case unknownCollection
        case collectionType
        case collectionArguments
        case unknownModel
        case subgraphMismatch
        case ambiguousType
        case fieldCollision
        case unknownField
        case notScalarField
        case scalarMismatch
        case notBatchable
        case nestedFieldPath
        case emptyMapping
        case duplicateMapping
        /// `onDelete` on a relationship whose source rows hold the key: no rows refer to a deleted source.
        case deleteRuleNotApplicable
        /// `onDelete: setNull` with a non-null key field on the related rows.
        case nonNullableKey
        /// The subgraph of the related rows lacks the mutation an `onDelete` rule needs.
        case missingMutation
        /// `onDelete: cascade` rules that lead back to a type they started from.
        case cascadeCycle
    }

    public var code: Code
    /// Where the mistake is; nil when it is not in the file (an unreadable file).
    public var location: SourceLocation?
    public var message: String

    public init(_ code: Code, _ message: String, at location: SourceLocation?) {
        self.code = code
        self.location = location
        self.message = message
    }

    /// `gateway.yaml:12:7: unknown subgraph "catlog"; ...`
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}

/// All the mistakes one stage found, in file order of discovery.
public struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors
    }

    /// One error per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
