import GraphQL
import Synchronization

/// A parsed and validated GraphQL document with its fragments indexed by name.
public struct PreparedDocument: Sendable {
    public let document: Document
    public let operations: [OperationDefinition]
    public let fragments: [String: FragmentDefinition]

    public init(document: Document) {
        self.document = document
        var operations: [OperationDefinition] = []
        var fragments: [String: FragmentDefinition] = [:]
        for definition in document.definitions {
            if let operation = definition as? OperationDefinition { operations.append(operation) }
            if let fragment = definition as? FragmentDefinition { fragments[fragment.name.value] = fragment }
        }
        self.operations = operations
        self.fragments = fragments
    }

    /// The operation to run, chosen by name as the GraphQL spec's GetOperation says.
    public func operation(named name: String?) throws(ResponseError) -> OperationDefinition {
        if let name {
            guard let operation = operations.first(where: { $0.name?.value == name }) else {
                throw ResponseError("Unknown operation named \"\(name)\".", code: "BAD_REQUEST")
            }
            return operation
        }
        guard operations.count == 1 else {
            throw ResponseError(
                operations.isEmpty
                    ? "The document contains no operation."
                    : "The document contains several operations: provide \"operationName\".",
                code: "BAD_REQUEST")
        }
        return operations[0]
    }
}

/// Parses and validates query texts against one schema, remembering the outcome by text.
///
/// Both outcomes are remembered: a client that repeats an invalid query gets the same errors
/// without another parse. The cache is bounded; when full it starts over, which keeps the
/// common case (a few hot queries) fast without bookkeeping on every hit.
public final class DocumentCache: Sendable {
    public let schema: GraphQLSchema
    public let capacity: Int
    private let entries: Mutex<[String: Result<PreparedDocument, ValidationFailure>]>

    /// The errors of a document that does not parse or validate.
    public struct ValidationFailure: Error, Sendable {
        public var errors: [ResponseError]
        public init(errors: [ResponseError]) { self.errors = errors }
    }

    /// - Parameters:
    ///   - schema: the schema documents are validated against.
    ///   - capacity: how many distinct query texts are remembered (default 1,000).
    public init(schema: GraphQLSchema, capacity: Int = 1_000) {
        self.schema = schema
        self.capacity = capacity
        self.entries = Mutex([:])
    }

    /// A step of ``prepare(_:observe:)``, for traces.
    public enum Phase: Sendable {
        case parse, validate
        /// The document came from the cache: neither parsed nor validated again.
        case cached
    }

    /// The parsed and validated document of `query`, from the cache when it has been seen.
    ///
    /// - Parameter observe: told when each phase ran (default: nobody; nothing is timed).
    public func prepare(
        _ query: String, observe: ((Phase, Range<ContinuousClock.Instant>) -> Void)? = nil
    ) throws(ValidationFailure) -> PreparedDocument {
        let started = observe == nil ? nil : ContinuousClock.now
        if let cached = entries.withLock({ $0[query] }) {
            if let observe, let started { observe(.cached, started..<ContinuousClock.now) }
            return try cached.get()
        }
        let outcome = Self.parseAndValidate(query, schema: schema, observe: observe)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[query] = outcome
        }
        return try outcome.get()
    }

    /// The deepest nesting of braces, brackets and parentheses parsed, and of selection sets
    /// validated with fragments counted where they are spread. Deeper text is refused unparsed
    /// (``SourceNesting``), a deeper document unvalidated (``SpreadNesting``): far beyond any
    /// operation the depth limits let through, far below what overflows the stack of the
    /// parser, the validator or the gateway's walks.
    public static let maxNesting = 256

    static func parseAndValidate(
        _ query: String, schema: GraphQLSchema, observe: ((Phase, Range<ContinuousClock.Instant>) -> Void)? = nil
    ) -> Result<PreparedDocument, ValidationFailure> {
        var phaseStart = observe == nil ? nil : ContinuousClock.now
        /// Tells `observe` that `phase` ran from the last phase's end until now.
        func ended(_ phase: Phase) {
            guard let observe, let start = phaseStart else { return }
            let now = ContinuousClock.now
            observe(phase, start..<now)
            phaseStart = now
        }
        let nesting = SourceNesting.depth(of: query, stoppingAfter: maxNesting)
        guard nesting <= maxNesting else {
            return .failure(ValidationFailure(errors: [
                ResponseError(
                    "The query nests braces, brackets or parentheses more than \(maxNesting) deep; it is not parsed.",
                    code: "GRAPHQL_PARSE_FAILED")
            ]))
        }
        let document: Document
        do {
            defer { ended(.parse) }
            document = try GraphQL.parse(source: Source(body: query, name: "GraphQL request"))
        } catch let error as GraphQLError {
            return .failure(ValidationFailure(errors: [ResponseError(error, code: "GRAPHQL_PARSE_FAILED")]))
        } catch {
            return .failure(ValidationFailure(errors: [ResponseError("\(error)", code: "GRAPHQL_PARSE_FAILED")]))
        }
        guard SpreadNesting.depth(of: document) <= maxNesting else {
            return .failure(ValidationFailure(errors: [
                ResponseError(
                    "The query nests selection sets more than \(maxNesting) deep, counting each fragment where it is spread; it is not validated.",
                    code: "GRAPHQL_VALIDATION_FAILED")
            ]))
        }
        // Checked first: GraphQLSwift's validator may trap on such a document.
        let duplicates = DuplicateDefinitions.errors(in: document)
        guard duplicates.isEmpty else {
            ended(.validate)
            return .failure(ValidationFailure(errors: duplicates.map { ResponseError($0, code: "GRAPHQL_VALIDATION_FAILED") }))
        }
        let errors = GraphQL.validate(schema: schema, ast: document)
        ended(.validate)
        guard errors.isEmpty else {
            return .failure(ValidationFailure(errors: errors.map { ResponseError($0, code: "GRAPHQL_VALIDATION_FAILED") }))
        }
        return .success(PreparedDocument(document: document))
    }
}
