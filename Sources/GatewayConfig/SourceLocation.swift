/// Where a value was written in a configuration file: file name, 1-based line and column.
///
/// Columns count Unicode scalars, as libyaml does.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `gateway.yaml:12:7`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }
}
