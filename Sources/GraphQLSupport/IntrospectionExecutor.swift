import GatewayJSON
import GraphQL

/// Answers the introspection root fields (`__schema`, `__type`) of an operation from a
/// GraphQLSwift schema, in declaration order.
///
/// GraphQLSwift's own introspection resolvers sort types, fields and input fields by name,
/// so schema browsers and code generators would read an order nobody wrote; this walks the
/// same schema objects (whose maps keep declaration order) and answers as the spec says,
/// `includeDeprecated` included. Data fields never come here, and the operation was
/// validated against the schema before, so selections name only introspection fields.
public struct IntrospectionExecutor: Sendable {
    public let schema: GraphQLSchema

    public init(schema: GraphQLSchema) {
        self.schema = schema
    }

    public static func isIntrospectionRoot(_ name: String) -> Bool {
        name == "__schema" || name == "__type"
    }

    /// Executes the given root fields, all of them `__schema` or `__type`.
    ///
    /// - Returns: the value of each field by response key, and any errors (none for a validated
    ///   operation; callers merge them with the data fields' errors).
    public func execute(
        fields: [CollectedField], operation: OperationDefinition, document: PreparedDocument, variables: JSONObject
    ) async -> (values: JSONObject, errors: [ResponseError]) {
        let resolver = Resolver(
            schema: schema,
            collector: FieldCollector(schema: SchemaModel(), fragments: document.fragments, variables: variables))
        var values = JSONObject()
        for field in fields {
            switch field.name {
            case "__schema":
                values.append(field.responseKey, resolver.complete(.schema, field: field))
            case "__type":
                let name = resolver.argument(field, "name")?.stringValue ?? ""
                let type = schema.getType(name: name).map { Node.type($0) }
                values.append(field.responseKey, type.map { resolver.complete($0, field: field) } ?? .null)
            default:
                values.append(field.responseKey, .null)
            }
        }
        return (values, [])
    }
}

extension IntrospectionExecutor {
    /// Answers a whole document of introspection fields, such as
    /// ``SchemaModel/introspectionQuery``, after validating it: for tools and tests.
    ///
    /// - Returns: the `data` object.
    public func execute(document text: String, variables: JSONObject = [:]) async throws -> JSON {
        let ast = try GraphQL.parse(source: Source(body: text, name: "introspection"))
        if let error = GraphQL.validate(schema: schema, ast: ast).first { throw error }
        let document = PreparedDocument(document: ast)
        guard let operation = document.operations.first else { throw GraphQLError(message: "The document has no operation.") }
        let collector = FieldCollector(schema: SchemaModel(), fragments: document.fragments, variables: variables)
        let fields = collector.collect(operation.selectionSet.selections, on: schema.queryType?.name ?? "Query")
        let (values, errors) = await execute(fields: fields, operation: operation, document: document, variables: variables)
        if let error = errors.first { throw IntrospectionError(error.message) }
        return .object(values)
    }
}

/// An object of the introspection schema: a `__Schema`, `__Type`, `__Field`, ... value.
private enum Node {
    case schema
    case type(any GraphQLType)
    case field(String, GraphQLField)
    case inputValue(InputValue)
    case enumValue(GraphQLEnumValueDefinition)
    case directive(GraphQLDirective)

    /// The name, description and deprecation of a field, argument, input field, enum value
    /// or directive (which is never deprecated).
    var member: (name: String, description: String?, deprecationReason: String?)? {
        switch self {
        case .schema, .type: return nil
        case .field(let name, let field): return (name, field.description, field.deprecationReason)
        case .inputValue(let value): return (value.name, value.description, value.deprecationReason)
        case .enumValue(let value): return (value.name, value.description, value.deprecationReason)
        case .directive(let directive): return (directive.name, directive.description, nil)
        }
    }

    var typeName: String {
        switch self {
        case .schema: return "__Schema"
        case .type: return "__Type"
        case .field: return "__Field"
        case .inputValue: return "__InputValue"
        case .enumValue: return "__EnumValue"
        case .directive: return "__Directive"
        }
    }
}

/// An argument or an input field: GraphQLSwift has a type for each.
private struct InputValue {
    var name: String
    var description: String?
    var type: any GraphQLInputType
    var defaultValue: String?
    var deprecationReason: String?

    init(
        name: String, description: String?, type: any GraphQLInputType, astNode: InputValueDefinition?, defaultValue: Map?,
        deprecationReason: String?
    ) {
        self.name = name
        self.description = description
        self.type = type
        self.defaultValue = Self.literal(astNode?.defaultValue, defaultValue, type: type)
        self.deprecationReason = deprecationReason
    }

    init(_ name: String, _ argument: GraphQLArgument) {
        self.init(
            name: name, description: argument.description, type: argument.type, astNode: argument.astNode,
            defaultValue: argument.defaultValue, deprecationReason: argument.deprecationReason)
    }

    init(_ argument: GraphQLArgumentDefinition) {
        self.init(
            name: argument.name, description: argument.description, type: argument.type, astNode: argument.astNode,
            defaultValue: argument.defaultValue, deprecationReason: argument.deprecationReason)
    }

    init(_ name: String, _ field: InputObjectField) {
        self.init(
            name: name, description: field.description, type: field.type, astNode: field.astNode,
            defaultValue: field.defaultValue, deprecationReason: field.deprecationReason)
    }

    /// The default value as GraphQL literal text: as written in the SDL, else printed from the
    /// value (the built-in `includeDeprecated: Boolean = false` and `@deprecated(reason:)`).
    static func literal(_ node: (any Value)?, _ value: Map?, type: any GraphQLInputType) -> String? {
        if let node { return GraphQL.print(ast: node) }
        guard let value else { return nil }
        if case .undefined = value { return nil }
        return literal(value, type: type)
    }

    static func literal(_ value: Map, type: any GraphQLType) -> String {
        switch value {
        case .undefined, .null: return "null"
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number): return number.description
        case .string(let text):
            var named: any GraphQLType = type
            while let wrapper = named as? GraphQLNonNull { named = wrapper.ofType }
            if named is GraphQLEnumType { return text }
            return SchemaModel.quote(text)
        case .array(let items):
            var element: any GraphQLType = type
            if let wrapper = element as? GraphQLNonNull { element = wrapper.ofType }
            if let list = element as? GraphQLList { element = list.ofType }
            return "[" + items.map { literal($0, type: element) }.joined(separator: ", ") + "]"
        case .dictionary(let members):
            var named: any GraphQLType = type
            while let wrapper = named as? GraphQLNonNull { named = wrapper.ofType }
            let fields = (named as? GraphQLInputObjectType).flatMap { try? $0.fields() }
            return "{" + members.map { key, member in
                "\(key): " + literal(member, type: fields?[key]?.type ?? GraphQLString)
            }.joined(separator: ", ") + "}"
        }
    }
}

/// Resolves the selections of one operation over the introspection objects.
private struct Resolver {
    let schema: GraphQLSchema
    let collector: FieldCollector

    /// The value of a field whose type is an introspection object: its selections, resolved.
    func complete(_ node: Node, field: CollectedField) -> JSON {
        var object = JSONObject()
        for subfield in collector.collect(subfieldsOf: field, on: node.typeName) {
            object.append(subfield.responseKey, resolve(subfield, on: node))
        }
        return .object(object)
    }

    func complete(_ nodes: [Node]?, field: CollectedField) -> JSON {
        guard let nodes else { return .null }
        return .array(nodes.map { complete($0, field: field) })
    }

    func complete(_ node: Node?, field: CollectedField) -> JSON {
        node.map { complete($0, field: field) } ?? .null
    }

    /// An argument's value, from a literal or a variable; nil when not given.
    func argument(_ field: CollectedField, _ name: String) -> JSON? {
        guard let value = field.arguments.first(where: { $0.name.value == name })?.value else { return nil }
        switch value {
        case let variable as Variable: return collector.variables[variable.name.value]
        case let string as StringValue: return .string(string.value)
        case let bool as BooleanValue: return .bool(bool.value)
        default: return nil
        }
    }

    /// `includeDeprecated`, false unless given as true (the spec's default).
    func includeDeprecated(_ field: CollectedField) -> Bool {
        argument(field, "includeDeprecated")?.boolValue ?? false
    }

    func resolve(_ field: CollectedField, on node: Node) -> JSON {
        if field.name == "__typename" { return .string(node.typeName) }
        if let member = node.member {
            switch field.name {
            case "name": return .string(member.name)
            case "description": return Self.text(member.description)
            case "isDeprecated": return .bool(member.deprecationReason != nil)
            case "deprecationReason": return Self.text(member.deprecationReason)
            default: break
            }
        }
        switch (node, field.name) {
        case (.schema, _): return resolveSchema(field)
        case (.type(let type), _): return resolveType(field, type)
        case (.field(_, let definition), "args"):
            let args = definition.args.filter { includeDeprecated(field) || $0.value.deprecationReason == nil }
            return complete(args.map { .inputValue(InputValue($0.key, $0.value)) }, field: field)
        case (.field(_, let definition), "type"): return complete(.type(definition.type), field: field)
        case (.inputValue(let value), "type"): return complete(.type(value.type), field: field)
        case (.inputValue(let value), "defaultValue"): return Self.text(value.defaultValue)
        case (.directive(let directive), "isRepeatable"): return .bool(directive.isRepeatable)
        case (.directive(let directive), "locations"): return .array(directive.locations.map { .string($0.rawValue) })
        case (.directive(let directive), "args"):
            let args = directive.args.filter { includeDeprecated(field) || $0.deprecationReason == nil }
            return complete(args.map { .inputValue(InputValue($0)) }, field: field)
        default: return .null
        }
    }

    func resolveSchema(_ field: CollectedField) -> JSON {
        switch field.name {
        case "description": return .null
        case "types": return complete(schema.typeMap.values.map { .type($0) }, field: field)
        case "queryType": return complete(schema.queryType.map { .type($0) }, field: field)
        case "mutationType": return complete(schema.mutationType.map { .type($0) }, field: field)
        case "subscriptionType": return complete(schema.subscriptionType.map { .type($0) }, field: field)
        case "directives": return complete(schema.directives.map { .directive($0) }, field: field)
        default: return .null
        }
    }

    func resolveType(_ field: CollectedField, _ type: any GraphQLType) -> JSON {
        switch field.name {
        case "kind": return .string(Self.kind(type))
        case "name": return Self.text((type as? any GraphQLNamedType)?.name)
        case "description": return Self.text(Self.description(type))
        case "specifiedByURL": return Self.text((type as? GraphQLScalarType)?.specifiedByURL)
        case "fields":
            let fields: GraphQLFieldMap?
            switch type {
            case let object as GraphQLObjectType: fields = try? object.fields()
            case let interface as GraphQLInterfaceType: fields = try? interface.fields()
            default: fields = nil
            }
            return complete(
                fields?.filter { includeDeprecated(field) || $0.value.deprecationReason == nil }.map { .field($0.key, $0.value) },
                field: field)
        case "interfaces":
            let interfaces: [GraphQLInterfaceType]?
            switch type {
            case let object as GraphQLObjectType: interfaces = try? object.interfaces()
            case let interface as GraphQLInterfaceType: interfaces = try? interface.interfaces()
            default: interfaces = nil
            }
            return complete(interfaces?.map { .type($0) }, field: field)
        case "possibleTypes":
            guard let abstract = type as? any GraphQLAbstractType else { return .null }
            return complete(schema.getPossibleTypes(abstractType: abstract).map { .type($0) }, field: field)
        case "enumValues":
            guard let enumeration = type as? GraphQLEnumType else { return .null }
            return complete(
                enumeration.values.filter { includeDeprecated(field) || $0.deprecationReason == nil }.map { .enumValue($0) },
                field: field)
        case "inputFields":
            guard let input = type as? GraphQLInputObjectType, let fields = try? input.fields() else { return .null }
            return complete(
                fields.filter { includeDeprecated(field) || $0.value.deprecationReason == nil }.map { .inputValue(InputValue($0.key, $0.value)) },
                field: field)
        case "ofType":
            switch type {
            case let list as GraphQLList: return complete(.type(list.ofType), field: field)
            case let nonNull as GraphQLNonNull: return complete(.type(nonNull.ofType), field: field)
            default: return .null
            }
        case "isOneOf":
            return (type as? GraphQLInputObjectType).map { .bool($0.isOneOf) } ?? .null
        default:
            return .null
        }
    }

    static func kind(_ type: any GraphQLType) -> String {
        switch type {
        case is GraphQLScalarType: return "SCALAR"
        case is GraphQLObjectType: return "OBJECT"
        case is GraphQLInterfaceType: return "INTERFACE"
        case is GraphQLUnionType: return "UNION"
        case is GraphQLEnumType: return "ENUM"
        case is GraphQLInputObjectType: return "INPUT_OBJECT"
        case is GraphQLList: return "LIST"
        default: return "NON_NULL"
        }
    }

    static func description(_ type: any GraphQLType) -> String? {
        switch type {
        case let scalar as GraphQLScalarType: return scalar.description
        case let object as GraphQLObjectType: return object.description
        case let interface as GraphQLInterfaceType: return interface.description
        case let union as GraphQLUnionType: return union.description
        case let enumeration as GraphQLEnumType: return enumeration.description
        case let input as GraphQLInputObjectType: return input.description
        default: return nil
        }
    }

    static func text(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
}
