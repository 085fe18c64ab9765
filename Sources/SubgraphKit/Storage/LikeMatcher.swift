import GRDB

import GraphQLSupport

/// The model protocol's LIKE (``LikePattern``) as SQLite functions: SQLite's own LIKE ignores
/// ASCII case only and has no notion of Unicode case, so the subgraphs register these instead.
enum LikeMatcher {
    /// `name(pattern, value)`: 1 when the value matches, 0 otherwise, NULL when either is NULL.
    static func sqlFunction(name: String, ignoringCase: Bool) -> DatabaseFunction {
        DatabaseFunction(name, argumentCount: 2, pure: true) { arguments in
            guard let pattern = String.fromDatabaseValue(arguments[0]),
                let value = String.fromDatabaseValue(arguments[1])
            else { return nil }
            return LikePattern.matches(pattern, value, ignoringCase: ignoringCase) ? 1 : 0
        }
    }
}
