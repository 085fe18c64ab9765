import GatewayJSON
import GraphQL

/// One element of a response path: a field's response key or a list index.
public enum PathElement: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)

    public var description: String {
        switch self {
        case .key(let key): return key
        case .index(let index): return String(index)
        }
    }

    public var json: JSON {
        switch self {
        case .key(let key): return .string(key)
        case .index(let index): return .int(index)
        }
    }
}

/// A GraphQL error as it appears in a response's `errors` list.
public struct ResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Location: Sendable, Hashable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    public var message: String
    public var locations: [Location]
    public var path: [PathElement]?
    public var extensions: JSONObject?

    public init(
        _ message: String, locations: [Location] = [], path: [PathElement]? = nil, extensions: JSONObject? = nil
    ) {
        self.message = message
        self.locations = locations
        self.path = path
        self.extensions = extensions
    }

    /// Its `extensions.code`, or `INTERNAL_SERVER_ERROR` when it has none.
    public var code: String {
        if case .string(let code)? = extensions?["code"] { return code }
        return "INTERNAL_SERVER_ERROR"
    }

    /// An error with a stable `extensions.code`.
    public init(_ message: String, code: String, locations: [Location] = [], path: [PathElement]? = nil) {
        self.init(message, locations: locations, path: path, extensions: ["code": .string(code)])
    }

    /// Converts an error raised by GraphQLSwift's parser or validator.
    public init(_ error: GraphQLError, code: String? = nil) {
        self.init(
            error.message,
            locations: error.locations.map { Location(line: $0.line, column: $0.column) },
            extensions: code.map { ["code": .string($0)] })
    }

    public var description: String { message }

    public var json: JSON {
        var object = JSONObject(minimumCapacity: 4)
        object.append("message", .string(message))
        if !locations.isEmpty {
            object.append("locations", .array(locations.map { ["line": .int($0.line), "column": .int($0.column)] }))
        }
        if let path { object.append("path", .array(path.map(\.json))) }
        if let extensions, !extensions.isEmpty { object.append("extensions", .object(extensions)) }
        return .object(object)
    }
}

extension ResponseError.Location {
    /// The location where an AST node starts.
    public init?(_ location: GraphQL.Location?) {
        guard let location else { return nil }
        self.init(line: location.startToken.line, column: location.startToken.column)
    }
}

extension JSONWriter {
    /// Writes `"errors":[...]` members' array value.
    public mutating func write(errors: [ResponseError]) {
        raw(UInt8(ascii: "["))
        for (index, error) in errors.enumerated() {
            if index > 0 { raw(UInt8(ascii: ",")) }
            write(error.json)
        }
        raw(UInt8(ascii: "]"))
    }
}

/// A complete response body with no data: `{"errors":[...]}` (request errors).
public func errorResponseBody(_ errors: [ResponseError]) -> [UInt8] {
    var writer = JSONWriter(capacity: 256)
    writer.raw("{\"errors\":")
    writer.write(errors: errors)
    writer.raw(UInt8(ascii: "}"))
    return writer.bytes
}
