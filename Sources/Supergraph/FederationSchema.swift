import GraphQL
import GraphQLSupport

/// What an Apollo Federation v2 subgraph says about its types beyond its schema, read from the
/// SDL it serves at `_service { sdl }`: its entities, their `@key`s, and which fields are
/// `@external`, `@requires` others, are `@shareable` or `@inaccessible`.
///
/// Supported: `@key` (several per type, composite, `resolvable: false`), `@external`,
/// `@requires` and `@provides` (flat field sets), `@shareable`, `@inaccessible`, `@tag`,
/// `@extends`, `@link` (imports, also renamed with `as:`, and `federation__` names).
/// Refused with a reason: `@override`, `@interfaceObject`, `@composeDirective`,
/// `@authenticated`, `@requiresScopes`, `@policy`, `@context`/`@fromContext`, and nested field
/// sets (`@key(fields: "owner { id }")`).
public struct FederationSchema: Sendable, Equatable {
    /// One object type as the subgraph declares it.
    public struct ObjectInfo: Sendable, Equatable {
        /// The field sets of its resolvable `@key`s, in order; empty for a type that is no entity here.
        public var keys: [[String]] = []
        /// Whether the type has `@key`s at all (`resolvable: false` ones included).
        public var isEntity = false
        /// Fields owned elsewhere, declared for `@key`, `@requires` or `@provides`.
        public var external: Set<String> = []
        /// Fields this subgraph needs from elsewhere to resolve a field (`@requires`).
        public var requires: [String: [String]] = [:]
        /// Fields other subgraphs may serve too (the type's `@shareable` covers them all).
        public var shareable: Set<String> = []
        public var isShareable = false
        /// Fields hidden from the supergraph.
        public var inaccessible: Set<String> = []

        public init() {}

        /// The key fields of every key, resolvable or not.
        public var keyFields: Set<String> { Set(keys.joined()) }
    }

    /// Object types with federation directives, by name.
    public var objects: [String: ObjectInfo]
    /// The types as the SDL declares them: the order of their fields and values, and their
    /// descriptions and deprecations, which the subgraph's introspection may not keep.
    public var declared: SchemaModel

    /// Root fields and types every federation subgraph serves for the router, never composed.
    public static let rootFields: Set<String> = ["_service", "_entities"]
    public static let internalTypes: Set<String> = [
        "_Any", "_Entity", "_Service", "FieldSet", "_FieldSet", "link__Import", "link__Purpose", "federation__FieldSet",
        "federation__Policy", "federation__Scope", "federation__ContextFieldValue", "link__FieldSet",
    ]

    static let refused: [String: String] = [
        "override": "the gateway does not migrate fields between subgraphs; remove @override once the field has moved",
        "interfaceObject": "interfaces are not composed by this gateway",
        "composeDirective": "custom directives are not composed by this gateway",
        "authenticated": "access control directives are not enforced by this gateway; use per-subgraph headers (propagate:)",
        "requiresScopes": "access control directives are not enforced by this gateway; use per-subgraph headers (propagate:)",
        "policy": "access control directives are not enforced by this gateway; use per-subgraph headers (propagate:)",
        "context": "@context/@fromContext are not supported",
        "fromContext": "@context/@fromContext are not supported",
    ]
    static let accepted: Set<String> = ["key", "external", "requires", "provides", "shareable", "inaccessible", "tag", "extends", "link", "cost", "listSize"]

    public init(objects: [String: ObjectInfo] = [:], declared: SchemaModel = SchemaModel()) {
        self.objects = objects
        self.declared = declared
    }

    /// Reads a subgraph's `_service { sdl }`.
    ///
    /// - Throws: every refused directive and malformed field set, each naming the subgraph,
    ///   the type and the field.
    public init(sdl: String, subgraph: String) throws(CompositionErrors) {
        let document: Document
        do {
            document = try GraphQL.parse(source: Source(body: sdl, name: "\(subgraph) _service.sdl"))
        } catch {
            throw CompositionErrors(errors: [CompositionError("Subgraph \(subgraph): its _service { sdl } does not parse: \(error)")])
        }
        var errors: [CompositionError] = []
        let names = Self.importedNames(document)
        func federationName(_ directive: Directive) -> String {
            let name = directive.name.value
            if let imported = names[name] { return imported }
            if name.hasPrefix("federation__") { return String(name.dropFirst("federation__".count)) }
            return name
        }
        func stringArgument(_ directive: Directive, _ name: String) -> String? {
            (directive.arguments.first { $0.name.value == name }?.value as? StringValue)?.value
        }
        func fieldSet(_ directive: Directive, at place: String) -> [String]? {
            guard let text = stringArgument(directive, "fields") else {
                errors.append(CompositionError("Subgraph \(subgraph): @\(federationName(directive)) on \(place) has no fields: argument."))
                return nil
            }
            if text.contains("{") || text.contains("(") || text.contains("...") {
                errors.append(CompositionError(
                    "Subgraph \(subgraph): @\(federationName(directive))(fields: \"\(text)\") on \(place) selects nested fields; the gateway supports flat field sets (\"id\", \"book_id library_id\")."))
                return nil
            }
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }).map(String.init)
            if fields.isEmpty {
                errors.append(CompositionError("Subgraph \(subgraph): @\(federationName(directive)) on \(place) has an empty field set."))
                return nil
            }
            return fields
        }
        func check(_ directive: Directive, at place: String) -> String? {
            let name = federationName(directive)
            if let reason = Self.refused[name] {
                errors.append(CompositionError("Subgraph \(subgraph): @\(name) on \(place) is not supported: \(reason)."))
                return nil
            }
            return Self.accepted.contains(name) ? name : nil
        }

        var objects: [String: ObjectInfo] = [:]
        for definition in document.definitions {
            let object: ObjectTypeDefinition
            switch definition {
            case let type as ObjectTypeDefinition: object = type
            case let extensionDefinition as TypeExtensionDefinition: object = extensionDefinition.definition
            case let schemaExtension as SchemaExtensionDefinition:
                for directive in schemaExtension.definition.directives { _ = check(directive, at: "the schema") }
                continue
            case let schemaDefinition as SchemaDefinition:
                for directive in schemaDefinition.directives { _ = check(directive, at: "the schema") }
                continue
            default:
                continue
            }
            let typeName = object.name.value
            var info = objects[typeName] ?? ObjectInfo()
            for directive in object.directives {
                switch check(directive, at: "type \(typeName)") {
                case "key":
                    info.isEntity = true
                    let resolvable = (directive.arguments.first { $0.name.value == "resolvable" }?.value as? BooleanValue)?.value ?? true
                    if let fields = fieldSet(directive, at: "type \(typeName)") {
                        let known = Set(object.fields.map(\.name.value))
                        if let unknown = fields.first(where: { !known.contains($0) }) {
                            errors.append(CompositionError(
                                "Subgraph \(subgraph): @key(fields: \"\(fields.joined(separator: " "))\") of type \(typeName) names \(unknown), which the type does not declare."))
                        } else if resolvable {
                            info.keys.append(fields)
                        }
                    }
                case "shareable": info.isShareable = true
                default: break
                }
            }
            for field in object.fields {
                let place = "\(typeName).\(field.name.value)"
                for directive in field.directives {
                    switch check(directive, at: place) {
                    case "external": info.external.insert(field.name.value)
                    case "requires":
                        if let fields = fieldSet(directive, at: place) { info.requires[field.name.value] = fields }
                    case "provides": _ = fieldSet(directive, at: place)
                    case "shareable": info.shareable.insert(field.name.value)
                    case "inaccessible": info.inaccessible.insert(field.name.value)
                    default: break
                    }
                }
            }
            for (field, required) in info.requires {
                if let missing = required.first(where: { !info.external.contains($0) }) {
                    errors.append(CompositionError(
                        "Subgraph \(subgraph): \(typeName).\(field) @requires \(missing), which is not declared @external on \(typeName)."))
                }
            }
            objects[typeName] = info
        }
        guard errors.isEmpty else { throw CompositionErrors(errors: errors) }
        self.objects = objects
        // The document parsed above, so this reading of it cannot fail.
        self.declared = (try? SchemaModel(sdl: sdl)) ?? SchemaModel()
    }

    /// Directive names imported by `@link(import: [...])`, by the name the SDL uses
    /// (`{name: "@key", as: "@primaryKey"}` maps `primaryKey` to `key`).
    static func importedNames(_ document: Document) -> [String: String] {
        var names: [String: String] = [:]
        for definition in document.definitions {
            let directives: [Directive]
            switch definition {
            case let schemaExtension as SchemaExtensionDefinition: directives = schemaExtension.definition.directives
            case let schemaDefinition as SchemaDefinition: directives = schemaDefinition.directives
            default: continue
            }
            for directive in directives where directive.name.value == "link" {
                guard let imports = directive.arguments.first(where: { $0.name.value == "import" })?.value as? ListValue else { continue }
                for item in imports.values {
                    guard let object = item as? ObjectValue,
                        let name = (object.fields.first { $0.name.value == "name" }?.value as? StringValue)?.value,
                        let alias = (object.fields.first { $0.name.value == "as" }?.value as? StringValue)?.value
                    else { continue }
                    names[String(alias.drop { $0 == "@" })] = String(name.drop { $0 == "@" })
                }
            }
        }
        return names
    }

    /// The subgraph's schema as clients may see it: without the router's root fields and
    /// types, without `@inaccessible` fields, in the SDL's declaration order and with its
    /// descriptions.
    public func strip(_ schema: SchemaModel) -> SchemaModel {
        var stripped = schema.arranged(like: declared)
        for name in Self.internalTypes where stripped[name] != nil { stripped.remove(name) }
        stripped.update(schema.queryType) { query in
            query.fields.removeAll { Self.rootFields.contains($0.name) }
        }
        for (typeName, info) in objects where !info.inaccessible.isEmpty && stripped[typeName] != nil {
            stripped.update(typeName) { type in type.fields.removeAll { info.inaccessible.contains($0.name) } }
        }
        return stripped
    }
}
