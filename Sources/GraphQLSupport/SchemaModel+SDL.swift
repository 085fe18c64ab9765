import GraphQL

extension SchemaModel {
    /// The schema as SDL, types in declaration order, deterministic for golden tests.
    public func printSDL() -> String {
        var blocks: [String] = []
        let standardRoots = queryType == "Query" && (mutationType == nil || mutationType == "Mutation")
        if !standardRoots {
            var lines = ["schema {", "  query: \(queryType)"]
            if let mutationType { lines.append("  mutation: \(mutationType)") }
            lines.append("}")
            blocks.append(lines.joined(separator: "\n"))
        }
        for type in types {
            blocks.append(Self.printType(type))
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    static func printDescription(_ description: String?, indent: String) -> String {
        guard let description, !description.isEmpty else { return "" }
        if description.contains("\n") || description.contains("\"") {
            let escaped = description.replacingOccurrences(of: "\"\"\"", with: "\\\"\"\"")
            return "\(indent)\"\"\"\n\(indent)\(escaped.replacingOccurrences(of: "\n", with: "\n" + indent))\n\(indent)\"\"\"\n"
        }
        return "\(indent)\"\(description.replacingOccurrences(of: "\\", with: "\\\\"))\"\n"
    }

    static func printInputValue(_ value: InputValueDef) -> String {
        var text = "\(value.name): \(value.type)"
        if let defaultValue = value.defaultValue { text += " = \(defaultValue)" }
        return text
    }

    /// A field's arguments: on one line, or one per line when any has a description (as
    /// graphql-js prints them).
    static func printArguments(_ arguments: [InputValueDef]) -> String {
        guard !arguments.isEmpty else { return "" }
        guard arguments.contains(where: { $0.description?.isEmpty == false }) else {
            return "(" + arguments.map(printInputValue).joined(separator: ", ") + ")"
        }
        return "(\n" + arguments.map { printDescription($0.description, indent: "    ") + "    " + printInputValue($0) + "\n" }.joined() + "  )"
    }

    /// The reason a field or enum value was deprecated (` @deprecated(reason: "...")`), or "".
    static func printDeprecation(_ reason: String?) -> String {
        guard let reason else { return "" }
        return reason == defaultDeprecationReason ? " @deprecated" : " @deprecated(reason: \(quote(reason)))"
    }

    /// What `@deprecated` without a reason means (the spec's default argument).
    public static let defaultDeprecationReason = "No longer supported"

    static func printType(_ type: TypeDef) -> String {
        var text = printDescription(type.description, indent: "")
        switch type.kind {
        case .scalar:
            text += "scalar \(type.name)"
        case .object, .interface:
            text += type.kind == .object ? "type \(type.name)" : "interface \(type.name)"
            if !type.interfaces.isEmpty { text += " implements " + type.interfaces.joined(separator: " & ") }
            text += " {\n"
            for field in type.fields {
                text += printDescription(field.description, indent: "  ")
                text += "  \(field.name)" + printArguments(field.arguments) + ": \(field.type)"
                text += printDeprecation(field.deprecationReason) + "\n"
            }
            text += "}"
        case .union:
            text += "union \(type.name) = " + type.possibleTypes.joined(separator: " | ")
        case .enumeration:
            text += "enum \(type.name) {\n"
            for value in type.enumValues {
                text += printDescription(value.description, indent: "  ")
                text += "  \(value.name)" + printDeprecation(value.deprecationReason) + "\n"
            }
            text += "}"
        case .inputObject:
            text += "input \(type.name) {\n"
            for field in type.inputFields {
                text += printDescription(field.description, indent: "  ")
                text += "  " + printInputValue(field) + "\n"
            }
            text += "}"
        }
        return text
    }

    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Reads the type definitions of an SDL document (the form the subgraphs and tests write).
    public init(sdl: String) throws {
        let document = try GraphQL.parse(source: Source(body: sdl, name: "SDL"))
        var model = SchemaModel()
        for definition in document.definitions {
            switch definition {
            case let schema as SchemaDefinition:
                for operation in schema.operationTypes {
                    switch operation.operation {
                    case .query: model.queryType = operation.type.name.value
                    case .mutation: model.mutationType = operation.type.name.value
                    case .subscription: break
                    }
                }
            case let object as ObjectTypeDefinition:
                model.add(TypeDef(
                    name: object.name.value, kind: .object, description: object.description?.value,
                    fields: object.fields.map(Self.fieldDef), interfaces: object.interfaces.map(\.name.value)))
            case let interface as InterfaceTypeDefinition:
                model.add(TypeDef(
                    name: interface.name.value, kind: .interface, description: interface.description?.value,
                    fields: interface.fields.map(Self.fieldDef), interfaces: interface.interfaces.map(\.name.value)))
            case let input as InputObjectTypeDefinition:
                model.add(TypeDef(
                    name: input.name.value, kind: .inputObject, description: input.description?.value,
                    inputFields: input.fields.map(Self.inputValueDef)))
            case let enumeration as EnumTypeDefinition:
                model.add(TypeDef(
                    name: enumeration.name.value, kind: .enumeration, description: enumeration.description?.value,
                    enumValues: enumeration.values.map {
                        EnumValueDef(
                            name: $0.name.value, description: $0.description?.value,
                            deprecationReason: Self.deprecationReason($0.directives))
                    }))
            case let union as UnionTypeDefinition:
                model.add(TypeDef(
                    name: union.name.value, kind: .union, description: union.description?.value,
                    possibleTypes: union.types.map(\.name.value)))
            case let scalar as ScalarTypeDefinition:
                if !SchemaModel.builtInScalars.contains(scalar.name.value) {
                    model.add(TypeDef(name: scalar.name.value, kind: .scalar, description: scalar.description?.value))
                }
            default:
                continue
            }
        }
        if model.mutationType == nil, model["Mutation"] != nil { model.mutationType = "Mutation" }
        self = model
    }

    static func fieldDef(_ field: FieldDefinition) -> FieldDef {
        FieldDef(
            name: field.name.value, type: typeRef(field.type), arguments: field.arguments.map(inputValueDef),
            description: field.description?.value, deprecationReason: deprecationReason(field.directives))
    }

    /// The reason of a `@deprecated` among the directives, nil when there is none.
    static func deprecationReason(_ directives: [Directive]) -> String? {
        guard let deprecated = directives.first(where: { $0.name.value == "deprecated" }) else { return nil }
        if let argument = deprecated.arguments.first(where: { $0.name.value == "reason" }),
            let value = argument.value as? StringValue
        {
            return value.value
        }
        return defaultDeprecationReason
    }

    static func inputValueDef(_ value: InputValueDefinition) -> InputValueDef {
        InputValueDef(
            name: value.name.value, type: typeRef(value.type),
            defaultValue: value.defaultValue.map { GraphQL.print(ast: $0) }, description: value.description?.value)
    }

    /// Converts a type reference of the GraphQL AST.
    public static func typeRef(_ type: any GraphQL.`Type`) -> TypeRef {
        switch type {
        case let nonNull as NonNullType: return .nonNull(typeRef(nonNull.type))
        case let list as ListType: return .list(typeRef(list.type))
        case let named as NamedType: return .named(named.name.value)
        default: return .named("Unknown")
        }
    }
}
