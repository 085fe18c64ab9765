import GatewayJSON

/// A problem reading an introspection answer.
public struct IntrospectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension SchemaModel {
    /// The introspection query the gateway sends to each subgraph.
    public static let introspectionQuery = """
        query IntrospectionQuery {
          __schema {
            queryType { name }
            mutationType { name }
            types {
              kind name description
              fields(includeDeprecated: true) {
                name description isDeprecated deprecationReason
                args { name description type { ...TypeRef } defaultValue }
                type { ...TypeRef }
              }
              inputFields { name description type { ...TypeRef } defaultValue }
              interfaces { name }
              enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
              possibleTypes { name }
            }
          }
        }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name
            ofType { kind name ofType { kind name ofType { kind name } } } } } } }
        }
        """

    /// Reads the `data` of an answer to ``introspectionQuery`` (or the whole response body).
    public init(introspection: JSON) throws(IntrospectionError) {
        let data = introspection["data"] ?? introspection
        guard let schema = data["__schema"]?.objectValue else {
            throw IntrospectionError("the answer has no __schema object")
        }
        guard let queryType = schema["queryType"]?["name"]?.stringValue else {
            throw IntrospectionError("__schema.queryType.name is missing")
        }
        var model = SchemaModel(queryType: queryType, mutationType: schema["mutationType"]?["name"]?.stringValue)
        guard let types = schema["types"]?.arrayValue else {
            throw IntrospectionError("__schema.types is missing")
        }
        for type in types {
            guard let name = type["name"]?.stringValue, let kindName = type["kind"]?.stringValue else {
                throw IntrospectionError("a type without name or kind")
            }
            guard let kind = TypeKind(rawValue: kindName) else {
                throw IntrospectionError("type \(name) has unknown kind \(kindName)")
            }
            if name.hasPrefix("__") || (kind == .scalar && SchemaModel.builtInScalars.contains(name)) { continue }
            var definition = TypeDef(name: name, kind: kind, description: type["description"]?.stringValue)
            for field in type["fields"]?.arrayValue ?? [] {
                guard let fieldName = field["name"]?.stringValue, let fieldType = field["type"] else {
                    throw IntrospectionError("a field of \(name) has no name or type")
                }
                definition.fields.append(FieldDef(
                    name: fieldName, type: try Self.typeRef(fieldType, context: "\(name).\(fieldName)"),
                    arguments: try (field["args"]?.arrayValue ?? []).map { argument throws(IntrospectionError) in
                        try Self.inputValue(argument, context: "\(name).\(fieldName)")
                    },
                    description: field["description"]?.stringValue,
                    deprecationReason: Self.deprecationReason(field)))
            }
            for field in type["inputFields"]?.arrayValue ?? [] {
                definition.inputFields.append(try Self.inputValue(field, context: name))
            }
            definition.enumValues = (type["enumValues"]?.arrayValue ?? []).compactMap { value in
                value["name"]?.stringValue.map {
                    EnumValueDef(name: $0, description: value["description"]?.stringValue, deprecationReason: Self.deprecationReason(value))
                }
            }
            definition.interfaces = (type["interfaces"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            definition.possibleTypes = (type["possibleTypes"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            model.add(definition)
        }
        self = model
    }

    /// The reason of a deprecated field or enum value (`isDeprecated`, `deprecationReason`).
    private static func deprecationReason(_ json: JSON) -> String? {
        guard json["isDeprecated"]?.boolValue == true else { return nil }
        return json["deprecationReason"]?.stringValue ?? defaultDeprecationReason
    }

    private static func inputValue(_ json: JSON, context: String) throws(IntrospectionError) -> InputValueDef {
        guard let name = json["name"]?.stringValue, let type = json["type"] else {
            throw IntrospectionError("an input value of \(context) has no name or type")
        }
        return InputValueDef(
            name: name, type: try typeRef(type, context: "\(context).\(name)"),
            defaultValue: json["defaultValue"]?.stringValue, description: json["description"]?.stringValue)
    }

    private static func typeRef(_ json: JSON, context: String) throws(IntrospectionError) -> TypeRef {
        switch json["kind"]?.stringValue {
        case "NON_NULL":
            guard let inner = json["ofType"], !inner.isNull else {
                throw IntrospectionError("\(context): NON_NULL without ofType")
            }
            return .nonNull(try typeRef(inner, context: context))
        case "LIST":
            guard let inner = json["ofType"], !inner.isNull else {
                throw IntrospectionError("\(context): LIST without ofType")
            }
            return .list(try typeRef(inner, context: context))
        default:
            guard let name = json["name"]?.stringValue else {
                throw IntrospectionError("\(context): a type reference without a name")
            }
            return .named(name)
        }
    }
}
