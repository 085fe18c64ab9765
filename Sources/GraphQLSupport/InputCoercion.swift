import GatewayJSON
import GraphQL

/// Coerces variables and literal arguments to the input types of a schema, as the GraphQL
/// spec's CoerceVariableValues and CoerceArgumentValues say.
///
/// Values come out as ``JSON``: enum values become strings, `ID`s strings, `Float`s doubles.
/// An argument or input field that was not given is absent from the result, never `null`.
public struct InputCoercion: Sendable {
    public let schema: SchemaModel
    let index: InputTypeIndex

    public init(schema: SchemaModel) {
        self.schema = schema
        self.index = InputTypeIndex(schema)
    }

    // MARK: Variables

    /// Coerces the request's `variables` to the operation's variable definitions.
    public func coerceVariables(
        _ definitions: [VariableDefinition], values: JSONObject
    ) throws(ResponseError) -> JSONObject {
        var coerced = JSONObject(minimumCapacity: definitions.count)
        let declared = Set(definitions.map(\.variable.name.value))
        for key in values.keys where !declared.contains(key) {
            throw ResponseError(
                "Variable \"$\(key)\" is not defined by the operation.", code: "BAD_USER_INPUT")
        }
        for definition in definitions {
            let name = definition.variable.name.value
            let type = SchemaModel.typeRef(definition.type)
            let location = ResponseError.Location(definition.loc).map { [$0] } ?? []
            if let value = values[name] {
                do throws(Problem) {
                    coerced.append(name, try coerceJSON(value, to: type, path: ""))
                } catch {
                    throw ResponseError(
                        "Variable \"$\(name)\" got invalid value \(value): \(error.message)",
                        code: "BAD_USER_INPUT", locations: location)
                }
            } else if let defaultValue = definition.defaultValue {
                do throws(Problem) {
                    if let value = try coerceLiteral(defaultValue, to: type, variables: [:]) {
                        coerced.append(name, value)
                    }
                } catch {
                    throw ResponseError(
                        "Variable \"$\(name)\" has an invalid default value: \(error.message)",
                        code: "BAD_USER_INPUT", locations: location)
                }
            } else if type.isNonNull {
                throw ResponseError(
                    "Variable \"$\(name)\" of required type \"\(type)\" was not provided.",
                    code: "BAD_USER_INPUT", locations: location)
            }
        }
        return coerced
    }

    /// A coercion problem; `message` says what and where inside the value.
    public struct Problem: Error, Sendable {
        public var message: String
    }

    func describe(_ path: String?) -> String {
        guard let path, !path.isEmpty else { return "" }
        return " at \"\(path)\""
    }

    /// Coerces a JSON value (from `variables`) to a type.
    ///
    /// Valid values (nearly all) are coerced without tracking where in the value the coercion
    /// is: no path text is built per item. A value that fails is coerced again with tracking,
    /// so that the error says where.
    public func coerceJSON(_ value: JSON, to type: TypeRef, path: String) throws(Problem) -> JSON {
        do {
            return try coerce(value, to: type, path: nil)
        } catch {
            _ = try coerce(value, to: type, path: path)
            throw error
        }
    }

    func child(_ path: String?, _ key: String) -> String? {
        path.map { $0.isEmpty ? key : "\($0).\(key)" }
    }

    func coerce(_ value: JSON, to type: TypeRef, path: String?) throws(Problem) -> JSON {
        switch type {
        case .nonNull(let inner):
            if value.isNull { throw Problem(message: "Expected non-nullable type \"\(type)\" not to be null\(describe(path)).") }
            return try coerce(value, to: inner, path: path)
        case .list(let inner):
            if value.isNull { return .null }
            if case .array(let items) = value {
                var result: [JSON] = []
                result.reserveCapacity(items.count)
                for (position, item) in items.enumerated() {
                    result.append(try coerce(item, to: inner, path: path.map { "\($0)[\(position)]" }))
                }
                return .array(result)
            }
            return .array([try coerce(value, to: inner, path: path)])
        case .named(let name):
            if value.isNull { return .null }
            guard let info = index.types[name] else {
                return try coerceScalar(value, name: name, path: path ?? "")
            }
            switch info.kind {
            case .scalar:
                return try coerceScalar(value, name: name, path: path ?? "")
            case .enumeration:
                guard case .string(let text) = value, info.enumValues.contains(text) else {
                    throw Problem(message: "Value \(value) does not exist in \"\(name)\" enum\(describe(path)).")
                }
                return value
            case .inputObject:
                guard case .object(let object) = value else {
                    throw Problem(message: "Expected type \"\(name)\" to be an object\(describe(path)).")
                }
                for member in object.storage where !info.fieldNames.contains(member.key) {
                    throw Problem(message: "Field \"\(member.key)\" is not defined by type \"\(name)\"\(describe(path)).")
                }
                var result = JSONObject(minimumCapacity: object.count)
                for field in info.fields {
                    if let fieldValue = object[field.name] {
                        result.append(field.name, try coerce(fieldValue, to: field.type, path: child(path, field.name)))
                    } else if let defaultText = field.defaultValue {
                        result.append(field.name, try coerceDefault(defaultText, to: field.type))
                    } else if field.type.isNonNull {
                        throw Problem(message: "Field \"\(field.name)\" of required type \"\(field.type)\" was not provided\(describe(path)).")
                    }
                }
                return .object(result)
            default:
                throw Problem(message: "\"\(name)\" is not an input type.")
            }
        }
    }

    func coerceScalar(_ value: JSON, name: String, path: String) throws(Problem) -> JSON {
        switch (name, value) {
        case ("Int", .int(let int)):
            guard int >= Int(Int32.min) && int <= Int(Int32.max) else {
                throw Problem(message: "Int cannot represent non 32-bit signed integer value: \(int)\(describe(path)).")
            }
            return value
        case ("Int", .double(let double)) where double == double.rounded() && abs(double) <= Double(Int32.max):
            return .int(Int(double))
        case ("Float", .int(let int)): return .double(Double(int))
        case ("Float", .double): return value
        case ("String", .string): return value
        case ("Boolean", .bool): return value
        case ("ID", .string): return value
        case ("ID", .int(let int)): return .string(String(int))
        case ("Int", _), ("Float", _), ("String", _), ("Boolean", _), ("ID", _):
            throw Problem(message: "\(name) cannot represent \(value.kindName) value: \(value)\(describe(path)).")
        default:
            // Custom scalars pass through unchanged.
            return value
        }
    }

    func coerceDefault(_ text: String, to type: TypeRef) throws(Problem) -> JSON {
        do {
            guard let literal = try Self.parseLiteral(text) else {
                throw Problem(message: "Invalid default value \(text).")
            }
            return try coerceLiteral(literal, to: type, variables: [:]) ?? .null
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(message: "Invalid default value \(text).")
        }
    }

    /// Parses literal text (a default value) by wrapping it as an argument of a one-field query:
    /// GraphQLSwift does not expose its value parser.
    static func parseLiteral(_ text: String) throws -> (any Value)? {
        let document = try GraphQL.parse(source: Source(body: "{ f(a: \(text)) }"))
        let operation = document.definitions.first as? OperationDefinition
        let field = operation?.selectionSet.selections.first as? Field
        return field?.arguments.first?.value
    }

    // MARK: Literals

    /// Coerces a literal from the document, reading variables from `variables`.
    ///
    /// - Returns: the value, or nil when it is a variable that was not provided (then the
    ///   argument or field counts as absent).
    public func coerceLiteral(_ literal: any Value, to type: TypeRef, variables: JSONObject) throws(Problem) -> JSON? {
        if let variable = literal as? Variable {
            guard let value = variables[variable.name.value] else { return nil }
            if value.isNull, type.isNonNull {
                throw Problem(message: "Variable \"$\(variable.name.value)\" is null but \"\(type)\" is required.")
            }
            return value
        }
        switch type {
        case .nonNull(let inner):
            if literal is NullValue { throw Problem(message: "Expected non-null value of type \"\(type)\".") }
            return try coerceLiteral(literal, to: inner, variables: variables)
        case .list(let inner):
            if literal is NullValue { return .null }
            if let list = literal as? ListValue {
                var items: [JSON] = []
                for item in list.values {
                    // A variable that was not provided inside a list becomes null.
                    items.append(try coerceLiteral(item, to: inner, variables: variables) ?? .null)
                }
                return .array(items)
            }
            guard let single = try coerceLiteral(literal, to: inner, variables: variables) else { return nil }
            return .array([single])
        case .named(let name):
            if literal is NullValue { return .null }
            switch schema.kind(of: name) {
            case .inputObject?:
                guard let object = literal as? ObjectValue, let definition = schema[name] else {
                    throw Problem(message: "Expected an object of type \"\(name)\".")
                }
                var result = JSONObject(minimumCapacity: object.fields.count)
                for field in definition.inputFields {
                    if let given = object.fields.first(where: { $0.name.value == field.name }),
                        let value = try coerceLiteral(given.value, to: field.type, variables: variables)
                    {
                        result.append(field.name, value)
                    } else if let defaultText = field.defaultValue {
                        result.append(field.name, try coerceDefault(defaultText, to: field.type))
                    } else if field.type.isNonNull {
                        throw Problem(message: "Field \"\(name).\(field.name)\" of required type \"\(field.type)\" was not provided.")
                    }
                }
                for given in object.fields where definition.inputField(given.name.value) == nil {
                    throw Problem(message: "Field \"\(given.name.value)\" is not defined by type \"\(name)\".")
                }
                return .object(result)
            case .enumeration?:
                guard let value = literal as? EnumValue else {
                    throw Problem(message: "Enum \"\(name)\" cannot represent a non-enum value.")
                }
                return .string(value.value)
            default:
                return try scalarLiteral(literal, name: name)
            }
        }
    }

    func scalarLiteral(_ literal: any Value, name: String) throws(Problem) -> JSON {
        switch (name, literal) {
        case ("Int", let int as IntValue):
            guard let value = Int32(int.value) else {
                throw Problem(message: "Int cannot represent non 32-bit signed integer value: \(int.value)")
            }
            return .int(Int(value))
        case ("Float", let int as IntValue): return .double(Double(int.value) ?? 0)
        case ("Float", let float as FloatValue): return .double(Double(float.value) ?? 0)
        case ("String", let string as StringValue), ("ID", let string as StringValue): return .string(string.value)
        case ("ID", let int as IntValue): return .string(int.value)
        case ("Boolean", let bool as BooleanValue): return .bool(bool.value)
        case ("Int", _), ("Float", _), ("String", _), ("ID", _), ("Boolean", _):
            throw Problem(message: "\(name) cannot represent value \(GraphQL.print(ast: literal)).")
        default:
            return Self.untyped(literal)
        }
    }

    /// A literal read without a type (custom scalars).
    static func untyped(_ literal: any Value) -> JSON {
        switch literal {
        case let int as IntValue: return Int(int.value).map(JSON.int) ?? .double(Double(int.value) ?? 0)
        case let float as FloatValue: return .double(Double(float.value) ?? 0)
        case let string as StringValue: return .string(string.value)
        case let bool as BooleanValue: return .bool(bool.value)
        case let enumValue as EnumValue: return .string(enumValue.value)
        case let list as ListValue: return .array(list.values.map(untyped))
        case let object as ObjectValue: return .object(JSONObject(object.fields.map { ($0.name.value, untyped($0.value)) }))
        default: return .null
        }
    }

    // MARK: Arguments

    /// The coerced arguments of a field: given ones, then defaults; absent ones left out.
    public func coerceArguments(
        _ arguments: [Argument], of field: FieldDef, variables: JSONObject, path: [PathElement]? = nil
    ) throws(ResponseError) -> JSONObject {
        var result = JSONObject(minimumCapacity: field.arguments.count)
        for definition in field.arguments {
            let given = arguments.first { $0.name.value == definition.name }
            do throws(Problem) {
                if let given, let value = try coerceLiteral(given.value, to: definition.type, variables: variables) {
                    result.append(definition.name, value)
                } else if let defaultText = definition.defaultValue {
                    result.append(definition.name, try coerceDefault(defaultText, to: definition.type))
                } else if definition.type.isNonNull {
                    throw Problem(message: "Argument \"\(definition.name)\" of required type \"\(definition.type)\" was not provided.")
                }
            } catch {
                throw ResponseError(
                    "Argument \"\(definition.name)\" of field \"\(field.name)\": \(error.message)",
                    code: "BAD_USER_INPUT", locations: ResponseError.Location(given?.loc).map { [$0] } ?? [], path: path)
            }
        }
        return result
    }
}

/// The input types of a schema by name, ready for coercion: looked up once per value instead
/// of copying type definitions out of the schema for every object of a large filter.
final class InputTypeIndex: Sendable {
    struct Info: Sendable {
        var kind: TypeKind
        var fields: [InputValueDef]
        var fieldNames: Set<String>
        var enumValues: Set<String>
    }

    let types: [String: Info]

    init(_ schema: SchemaModel) {
        var types: [String: Info] = [:]
        for scalar in SchemaModel.builtInScalars {
            types[scalar] = Info(kind: .scalar, fields: [], fieldNames: [], enumValues: [])
        }
        for type in schema.types {
            types[type.name] = Info(
                kind: type.kind, fields: type.inputFields, fieldNames: Set(type.inputFields.map(\.name)), enumValues: Set(type.enumValues.map(\.name)))
        }
        self.types = types
    }
}
