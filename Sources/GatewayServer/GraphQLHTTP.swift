import GatewayJSON
import GraphQLSupport
import Hummingbird
import NIOCore

/// GraphQL over HTTP (the GraphQL-over-HTTP specification, as graphql-http audits it): which
/// media type answers, with which status, and how GET and POST requests are read.
///
/// - A request that is not well-formed (its body is not JSON, `query` is missing or not a
///   string, `variables` or `extensions` not an object): 400 whatever the media type.
/// - `application/graphql-response+json` when the client prefers it (the first listed of the
///   highest quality): 400 for a well-formed request that is not
///   executed (parse, validation, operation, variables, limits, a missing header), 200 when it
///   was executed, also with field errors.
/// - `application/json` when that (or `*/*`, `application/*`) is what the client prefers: 200
///   for every well-formed request, its errors in the body. A request without `Accept` gets
///   `application/graphql-response+json`, as the specification says since 2025-01-01.
/// - 406 when the `Accept` header names nothing the gateway can answer with; 415 for a POST
///   that is not `application/json` (or not UTF-8); 405 with `Allow` for a mutation over GET
///   and for other methods; 413 for a body over `limits.maxRequestBytes`.
/// - A POST body that is a JSON array is a batch: each operation answered in order, at most
///   `limits.maxBatch`.
enum GraphQLHTTP {
    enum MediaType: Equatable {
        case json
        case graphqlResponse

        var contentType: String {
            switch self {
            case .json: return "application/json; charset=utf-8"
            case .graphqlResponse: return "application/graphql-response+json; charset=utf-8"
            }
        }
    }

    /// One media type of a header with its parameters, names and values lowercased:
    /// `application/json; charset=utf-8` is `("application/json", ["charset": "utf-8"])`.
    struct MediaRange {
        var name: String
        var parameters: [String: String]

        init(_ text: Substring) {
            let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            name = parts.first ?? ""
            parameters = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2 { parameters[pair[0]] = pair[1] }
            }
        }

        /// Whether its charset, if it names one, is UTF-8.
        var charsetIsUTF8: Bool { parameters["charset"].map { ["utf-8", "utf8", "\"utf-8\""].contains($0) } ?? true }
    }

    /// The media type to answer with for an `Accept` header, or nil when none is acceptable.
    /// Without one, `application/graphql-response+json` (the specification's default since
    /// 2025-01-01).
    static func negotiate(_ accept: String?) -> MediaType? {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .graphqlResponse }
        var best: (type: MediaType, quality: Double)?
        for range in accept.split(separator: ",").map(MediaRange.init) {
            let quality = range.parameters["q"].map { Double($0) ?? 0 } ?? 1
            guard quality > 0, range.charsetIsUTF8 else { continue }
            let type: MediaType
            switch range.name {
            case "application/graphql-response+json": type = .graphqlResponse
            case "application/json", "application/*", "*/*": type = .json
            default: continue
            }
            // Higher quality wins; at equal quality, the first listed.
            if let current = best, quality <= current.quality { continue }
            best = (type, quality)
        }
        return best?.type
    }

    /// Why a POST's `Content-Type` is refused (415), or nil when it is JSON in UTF-8.
    static func contentTypeProblem(_ contentType: String?) -> String? {
        guard let contentType, !contentType.isEmpty else {
            return "A POST to /graphql needs Content-Type: application/json."
        }
        let range = MediaRange(contentType[...])
        guard range.name == "application/json" || range.name == "application/graphql-response+json" else {
            return "Content-Type \(contentType) is not supported; send application/json."
        }
        if let charset = range.parameters["charset"], !range.charsetIsUTF8 {
            return "Charset \(charset) is not supported; send UTF-8."
        }
        return nil
    }

    /// The parameters of a GET request's query string (`application/x-www-form-urlencoded`).
    static func formParameters(_ query: String?) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decodeComponent(parts[0]) else { continue }
            parameters[name] = parts.count == 2 ? decodeComponent(parts[1]) : ""
        }
        return parameters
    }

    /// A form component: `+` is a space, `%XX` a byte; nil when the bytes are not UTF-8.
    static func decodeComponent(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A GET request's GraphQL request: `query`, `operationName`, and `variables` and
    /// `extensions` as JSON text.
    static func getRequest(_ parameters: [String: String]) throws(ResponseError) -> GraphQLRequestBody {
        var object = JSONObject()
        if let query = parameters["query"] { object["query"] = .string(query) }
        if let name = parameters["operationName"], !name.isEmpty { object["operationName"] = .string(name) }
        for key in ["variables", "extensions"] {
            guard let text = parameters[key], !text.isEmpty else { continue }
            do {
                object[key] = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw ResponseError("The \(key) parameter is not JSON: \(error)", code: "BAD_REQUEST")
            }
        }
        return try GraphQLRequestBody(json: .object(object))
    }

    /// A response with the media type's content type.
    static func response(_ status: HTTPResponse.Status, _ body: [UInt8], _ type: MediaType, allow: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: type.contentType]
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The status of an answer: 400 for a request error under graphql-response+json, else 200.
    static func status(requestError: Bool, _ type: MediaType) -> HTTPResponse.Status {
        requestError && type == .graphqlResponse ? .badRequest : .ok
    }
}
