import GatewayJSON

/// The JSON body of a GraphQL-over-HTTP request.
public struct GraphQLRequestBody: Sendable, Hashable {
    public var query: String
    public var operationName: String?
    public var variables: JSONObject
    public var extensions: JSONObject?

    public init(query: String, operationName: String? = nil, variables: JSONObject = [:], extensions: JSONObject? = nil) {
        self.query = query
        self.operationName = operationName
        self.variables = variables
        self.extensions = extensions
    }

    /// Decodes a request body, with an error a client can act on for every malformed shape.
    public init(bytes: UnsafeRawBufferPointer) throws(ResponseError) {
        let json: JSON
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw ResponseError("The request body is not valid JSON: \(error)", code: "BAD_REQUEST")
        }
        try self.init(json: json)
    }

    public init(json: JSON) throws(ResponseError) {
        guard let object = json.objectValue else {
            throw ResponseError("The request body must be a JSON object, got \(json.kindName)", code: "BAD_REQUEST")
        }
        switch object["extensions"] {
        case nil, .null?: extensions = nil
        case .object(let values)?: extensions = values
        case let other?:
            throw ResponseError("\"extensions\" must be an object, got \(other.kindName)", code: "BAD_REQUEST")
        }
        let persisted = extensions?["persistedQuery"].map { !$0.isNull } ?? false
        switch object["query"] {
        case .string(let text)?:
            query = text
        case nil, .null?:
            // Only an automatic persisted query may come by its hash alone.
            guard persisted else { throw ResponseError("The request body has no \"query\"", code: "BAD_REQUEST") }
            query = ""
        case let other?:
            throw ResponseError("\"query\" must be a string, got \(other.kindName)", code: "BAD_REQUEST")
        }
        switch object["operationName"] {
        case nil, .null?: operationName = nil
        case .string(let name)?: operationName = name
        case let other?:
            throw ResponseError("\"operationName\" must be a string, got \(other.kindName)", code: "BAD_REQUEST")
        }
        switch object["variables"] {
        case nil, .null?: variables = [:]
        case .object(let values)?: variables = values
        case let other?:
            throw ResponseError("\"variables\" must be an object, got \(other.kindName)", code: "BAD_REQUEST")
        }
    }

    /// The body as JSON bytes, for forwarding upstream.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: query.utf8.count + 64)
        writer.raw("{\"query\":")
        writer.string(query)
        if let operationName {
            writer.raw(",\"operationName\":")
            writer.string(operationName)
        }
        if !variables.isEmpty {
            writer.raw(",\"variables\":")
            writer.write(.object(variables))
        }
        writer.raw(UInt8(ascii: "}"))
        return writer.bytes
    }
}
