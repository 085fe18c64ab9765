import GatewayJSON
import GraphQL
import OrderedCollections

// Conversions between GraphQLSwift's `Map` and the gateway's `JSON`, both keeping the members'
// order (a GraphQL answer lists fields in the selection's order).

extension Map {
    /// A GraphQLSwift value from JSON (variables; never decoded through JSONDecoder, which is slow for Map).
    public init(_ json: JSON) {
        self = Self.from(json)
    }

    static func from(_ json: JSON) -> Map {
        switch json {
        case .null: return .null
        case .bool(let bool): return .bool(bool)
        case .int(let int): return .number(Number(int))
        case .double(let double): return .number(Number(double))
        case .string(let string): return .string(string)
        case .array(let items): return .array(items.map(from))
        case .object(let object):
            var dictionary = OrderedDictionary<String, Map>()
            for (key, value) in object.members { dictionary[key] = from(value) }
            return .dictionary(dictionary)
        }
    }
}

extension JSON {
    /// GraphQLSwift's value as JSON, members in order.
    public init(_ map: Map) {
        self = Self.from(map)
    }

    static func from(_ map: Map) -> JSON {
        switch map {
        case .undefined, .null: return .null
        case .bool(let bool): return .bool(bool)
        case .number(let number):
            switch number.storageType {
            case .int: return .int(number.intValue)
            case .bool: return .bool(number.boolValue)
            default: return .double(number.doubleValue)
            }
        case .string(let string): return .string(string)
        case .array(let items): return .array(items.map(from))
        case .dictionary(let dictionary):
            return .object(JSONObject(dictionary.map { ($0.key, from($0.value)) }))
        }
    }
}
