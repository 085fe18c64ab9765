import GRDB
import GraphQLSupport

/// A root field of a query compiled to one SQL statement; every root field of an operation
/// runs in one read transaction, so they all see the same data.
protocol RootFieldQuery: Sendable {
    var responseKey: String { get }
    var sql: String { get }

    /// Runs the statement and writes the field's JSON value.
    ///
    /// - Parameters:
    ///   - budget: the rows (or groups) the field may answer and the bytes the operation's
    ///     answer may still take; more is an error, thrown as soon as it is known.
    ///   - cacheable: whether the prepared statement may be kept for reuse.
    ///   - errors: where a value that cannot be served (and is answered as null) is reported.
    /// - Throws: a ``ResponseError`` that fails the whole field, or a database error.
    func run(_ db: Database, budget: AnswerBudget, cacheable: Bool, errors: inout [ResponseError]) throws -> [UInt8]
}
