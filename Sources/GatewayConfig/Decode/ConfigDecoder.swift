import Yams

/// The decode stage: a composed YAML tree to ``RawConfig``.
struct ConfigDecoder {
    var reader: NodeReader

    static let topKeys = ["subgraphs", "models", "relationships", "limits", "persistedQueries", "traffic", "reload", "telemetry"]

    /// The keys of `limits:`, in the order the README lists them.
    static let limitKeys = [
        "maxDepth", "maxAliases", "maxRootFields", "maxListNesting", "maxCost", "defaultListSize", "maxRequestBytes",
        "maxResponseBytes", "introspection", "maxBatch",
    ]

    mutating func decode(_ root: Node) -> RawConfig? {
        guard
            let top = reader.mapping(
                root, expected: "the configuration", label: "the configuration", place: "at the top level",
                required: ["subgraphs"], optional: Array(Self.topKeys.dropFirst()))
        else { return nil }

        var subgraphs: [RawSubgraph] = []
        var subgraphsLocation = top.location
        if let node = top["subgraphs"] {
            subgraphsLocation = reader.location(node)
            for entry in reader.list(node, what: "a list of subgraphs") ?? [] {
                if let subgraph = decodeSubgraph(entry) { subgraphs.append(subgraph) }
            }
        }
        var models: [RawModel] = []
        // Subgraphs that are or may turn out to be federation subgraphs (no protocol given: the
        // loader detects `_service` and `_entities`), whose models may lack a collection.
        let federation = Set(subgraphs.filter { ($0.protocol?.value ?? .federation) == .federation }.map(\.name.value))
        if let node = top["models"] {
            for entry in reader.list(node, what: "a list of models", emptyIsNone: true) ?? [] {
                if let model = decodeModel(entry, federationSubgraphs: federation) { models.append(model) }
            }
        }
        var relationships: [RawRelationship] = []
        if let node = top["relationships"] {
            for entry in reader.list(node, what: "a list of relationships", emptyIsNone: true) ?? [] {
                if let relationship = decodeRelationship(entry) { relationships.append(relationship) }
            }
        }
        var limits: RawLimits?
        if let node = top.present("limits") { limits = decodeLimits(node) }
        var traffic: RawTraffic?
        if let node = top.present("traffic"),
            let fields = reader.mapping(
                node, expected: "traffic", label: "traffic", required: [],
                optional: ["operationTimeout", "retries", "breakerFailures", "breakerOpenFor"])
        {
            traffic = RawTraffic(
                location: fields.location, operationTimeout: duration(fields, "operationTimeout"),
                retries: reader.optionalInteger(fields, "retries"), breakerFailures: reader.optionalInteger(fields, "breakerFailures"),
                breakerOpenFor: duration(fields, "breakerOpenFor"))
        }
        var persistedQueries: RawPersistedQueries?
        if let node = top.present("persistedQueries"),
            let fields = reader.mapping(
                node, expected: "persistedQueries", label: "persistedQueries", required: [], optional: ["cacheSize", "allowList"])
        {
            persistedQueries = RawPersistedQueries(
                location: fields.location, cacheSize: reader.optionalInteger(fields, "cacheSize"),
                allowList: reader.optionalString(fields, "allowList"))
        }
        var reload: RawReload?
        if let node = top.present("reload") { reload = decodeReload(node) }
        var telemetry: RawTelemetry?
        if let node = top.present("telemetry") { telemetry = decodeTelemetry(node) }
        return RawConfig(
            file: reader.file, subgraphsLocation: subgraphsLocation, subgraphs: subgraphs, models: models,
            relationships: relationships, limits: limits, persistedQueries: persistedQueries, traffic: traffic, reload: reload,
            telemetry: telemetry)
    }

    // MARK: Telemetry

    mutating func decodeTelemetry(_ node: Node) -> RawTelemetry? {
        guard
            let fields = reader.mapping(node, expected: "telemetry", label: "telemetry", required: [], optional: ["traces"]),
            let tracesNode = fields.present("traces")
        else { return nil }
        guard
            let traces = reader.mapping(
                tracesNode, expected: "telemetry.traces", label: "telemetry.traces", required: ["endpoint"],
                optional: ["protocol", "serviceName"])
        else { return nil }
        return RawTelemetry(
            location: traces.location, endpoint: reader.optionalString(traces, "endpoint"),
            protocol: reader.optionalString(traces, "protocol"), serviceName: reader.optionalString(traces, "serviceName"))
    }

    // MARK: Reload

    mutating func decodeReload(_ node: Node) -> RawReload? {
        guard
            let fields = reader.mapping(
                node, expected: "reload", label: "reload", required: [], optional: ["watchConfig", "pollSchemas"])
        else { return nil }
        return RawReload(
            location: fields.location, watchConfig: reader.optionalBool(fields, "watchConfig"),
            pollSchemas: duration(fields, "pollSchemas"))
    }

    // MARK: Limits

    mutating func decodeLimits(_ node: Node) -> RawLimits? {
        guard
            let fields = reader.mapping(
                node, expected: "limits", label: "limits", required: [], optional: Self.limitKeys)
        else { return nil }
        return RawLimits(
            location: fields.location,
            maxDepth: reader.optionalInteger(fields, "maxDepth"),
            maxAliases: reader.optionalInteger(fields, "maxAliases"),
            maxRootFields: reader.optionalInteger(fields, "maxRootFields"),
            maxListNesting: reader.optionalInteger(fields, "maxListNesting"),
            maxCost: reader.optionalInteger(fields, "maxCost"),
            defaultListSize: reader.optionalInteger(fields, "defaultListSize"),
            maxRequestBytes: reader.optionalByteSize(fields, "maxRequestBytes"),
            maxResponseBytes: reader.optionalByteSize(fields, "maxResponseBytes"),
            introspection: reader.optionalBool(fields, "introspection"),
            maxBatch: reader.optionalInteger(fields, "maxBatch"))
    }

    // MARK: Subgraphs

    mutating func decodeSubgraph(_ node: Node) -> RawSubgraph? {
        let label = NodeReader.peek(node, "name").map { "subgraph \"\($0)\"" } ?? "subgraph"
        guard
            let fields = reader.mapping(
                node, expected: "a subgraph", label: label, required: ["name", "url"],
                optional: ["timeouts", "headers", "propagate", "protocol", "maxResponseBytes"])
        else { return nil }
        let name = reader.string(fields, "name")
        let url = reader.string(fields, "url")
        var connect: Located<Duration>?
        var request: Located<Duration>?
        if let node = fields.present("timeouts"),
            let timeouts = reader.mapping(
                node, expected: "timeouts", label: "timeouts of \(label)", required: [],
                optional: ["connect", "request"])
        {
            connect = duration(timeouts, "connect")
            request = duration(timeouts, "request")
        }
        var headers: [RawSubgraph.Header] = []
        if let node = fields.present("headers") {
            headers = decodeHeaders(node, label: "headers of \(label)")
        }
        var propagate: [RawPropagatedHeader] = []
        if let node = fields.present("propagate") {
            propagate = decodePropagate(node, label: label)
        }
        var kind: Located<SubgraphProtocol>?
        if let text = reader.optionalString(fields, "protocol") {
            if let value = SubgraphProtocol(rawValue: text.value) {
                kind = Located(value, at: text.location)
            } else {
                let kinds = SubgraphProtocol.allCases.map(\.rawValue)
                reader.fail(
                    .invalidValue,
                    "invalid protocol \"\(text.value)\" for \(label)\(Suggestions.didYouMean(text.value, kinds))expected model, graphql or federation",
                    at: text.location)
            }
        }
        guard let name, let url else { return nil }
        return RawSubgraph(
            location: fields.location, name: name, url: url, connectTimeout: connect, requestTimeout: request,
            headers: headers, propagate: propagate, protocol: kind,
            maxResponseBytes: reader.optionalByteSize(fields, "maxResponseBytes"))
    }

    static let propagateKeys = ["name", "rename", "default", "required"]

    /// Reads `propagate:`, a list whose entries are a header name or a mapping
    /// `{name, rename, default, required}`.
    mutating func decodePropagate(_ node: Node, label: String) -> [RawPropagatedHeader] {
        let what = "a list of client headers for \"propagate\" in \(label) (like [authorization, x-tenant-id])"
        guard let entries = reader.list(node, what: what) else { return [] }
        var headers: [RawPropagatedHeader] = []
        for (index, entry) in entries.enumerated() {
            let entryLabel = "propagate entry \(index + 1) of \(label)"
            switch entry {
            case .scalar:
                if let name = reader.string(entry, key: "propagate", in: label, expected: "a header name") {
                    headers.append(RawPropagatedHeader(location: name.location, name: name))
                }
            case .mapping:
                guard
                    let fields = reader.mapping(
                        entry, expected: "a propagated header", label: entryLabel, required: ["name"],
                        optional: Array(Self.propagateKeys.dropFirst()))
                else { continue }
                let name = reader.string(fields, "name")
                let rename = reader.optionalString(fields, "rename")
                let defaultValue = reader.optionalString(fields, "default")
                let required = reader.optionalBool(fields, "required")
                guard let name else { continue }
                headers.append(
                    RawPropagatedHeader(
                        location: fields.location, name: name, rename: rename, defaultValue: defaultValue, required: required))
            default:
                reader.fail(
                    .wrongNodeKind,
                    "expected a header name or a mapping with the keys \(Suggestions.list(Self.propagateKeys)) for \(entryLabel), got \(NodeReader.describe(entry))",
                    at: reader.location(entry))
            }
        }
        return headers
    }

    mutating func duration(_ fields: NodeReader.Fields, _ key: String) -> Located<Duration>? {
        guard let text = reader.optionalString(fields, key) else { return nil }
        guard let duration = DurationText.parse(text.value) else {
            reader.fail(
                .invalidValue,
                "invalid duration \"\(text.value)\" for \"\(key)\" in \(fields.label); write a number followed by ms, s, m or h, like 500ms, 2s or 1m",
                at: text.location)
            return nil
        }
        return Located(duration, at: text.location)
    }

    mutating func decodeHeaders(_ node: Node, label: String) -> [RawSubgraph.Header] {
        guard case .mapping(let mapping) = node else {
            reader.fail(
                .wrongNodeKind,
                "expected \(label) as a mapping of header name to value (like x-gateway: demo), got \(NodeReader.describe(node))",
                at: reader.location(node))
            return []
        }
        var headers: [RawSubgraph.Header] = []
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key, !NodeReader.isNull(key) else {
                reader.fail(
                    .wrongNodeKind, "expected a header name in \(label), got \(NodeReader.describe(key))",
                    at: reader.location(key))
                continue
            }
            let name = Located(keyScalar.string, at: reader.location(key))
            if let text = reader.string(value, key: keyScalar.string, in: label) {
                headers.append(RawSubgraph.Header(name: name, value: text))
            }
        }
        return headers
    }

    // MARK: Models

    /// - Parameter federationSubgraphs: subgraphs with `protocol: federation` or none, whose
    ///   models may have neither collection nor lookup (entities reached by `@key`; for a
    ///   subgraph without `protocol:` the models stage checks it once the protocol is known).
    mutating func decodeModel(_ node: Node, federationSubgraphs: Set<String> = []) -> RawModel? {
        let label = NodeReader.peek(node, "name").map { "model \"\($0)\"" } ?? "model"
        guard
            let fields = reader.mapping(
                node, expected: "a model", label: label, required: ["name", "subgraph", "type"],
                optional: ["collection", "lookup"])
        else { return nil }
        let name = reader.string(fields, "name")
        let subgraph = reader.string(fields, "subgraph")
        let type = reader.string(fields, "type")
        let collection = reader.optionalString(fields, "collection")
        var lookup: RawModel.Lookup?
        var valid = true
        if let node = fields.present("lookup") {
            if let entry = reader.mapping(
                node, expected: "a lookup", label: "lookup of \(label)", required: ["field", "argument"], optional: ["key"]),
                let field = reader.string(entry, "field"), let argument = reader.string(entry, "argument")
            {
                lookup = RawModel.Lookup(location: entry.location, field: field, argument: argument, key: reader.optionalString(entry, "key"))
            } else {
                valid = false
            }
        }
        if collection == nil && lookup == nil && fields.present("lookup") == nil
            && !(subgraph.map { federationSubgraphs.contains($0.value) } ?? false)
        {
            reader.fail(
                .missingKey,
                "\(label) needs a collection (a root field listing its rows), or a lookup (a root field answering a row by key: lookup: {field: bookById, argument: id}); only models on protocol: federation subgraphs may have neither",
                at: fields.location)
            valid = false
        }
        guard valid, let name, let subgraph, let type else { return nil }
        return RawModel(location: fields.location, name: name, subgraph: subgraph, type: type, collection: collection, lookup: lookup)
    }

    // MARK: Relationships

    /// `relationship Book.author`, or as much of it as is written.
    static func relationshipLabel(_ node: Node) -> String {
        var definition: Node?
        if case .mapping(let mapping) = node {
            definition = mapping.first(where: { $0.key.scalar?.string == "definition" })?.value
        }
        switch (NodeReader.peek(definition, "source"), NodeReader.peek(definition, "name")) {
        case (let source?, let name?): return "relationship \(source).\(name)"
        case (nil, let name?): return "relationship \"\(name)\""
        case (let source?, nil): return "relationship from \(source)"
        case (nil, nil): return "relationship"
        }
    }

    mutating func decodeRelationship(_ node: Node) -> RawRelationship? {
        let label = Self.relationshipLabel(node)
        guard
            let fields = reader.mapping(
                node, expected: "a relationship", label: label, required: ["kind", "version", "definition"])
        else { return nil }
        var valid = true
        if let kind = reader.string(fields, "kind"), kind.value != "Relationship" {
            reader.fail(
                .invalidValue,
                "unsupported kind \"\(kind.value)\" in \(label)\(Suggestions.didYouMean(kind.value, ["Relationship"]))entries of relationships have kind: Relationship",
                at: kind.location)
            valid = false
        }
        if let version = reader.string(fields, "version"), version.value != "v1" {
            reader.fail(
                .invalidValue,
                "unsupported version \"\(version.value)\" of kind Relationship in \(label); the supported version is v1",
                at: version.location)
            valid = false
        }
        guard let definitionNode = fields["definition"],
            let definition = reader.mapping(
                definitionNode, expected: "a relationship definition", label: "definition of \(label)",
                required: ["source", "name", "target", "mapping"], optional: ["description", "through", "onDelete"])
        else { return nil }
        let source = reader.string(definition, "source")
        let name = reader.string(definition, "name")
        let description = reader.optionalString(definition, "description")
        var onDelete: Located<DeleteRule>?
        if let text = reader.optionalString(definition, "onDelete") {
            if let rule = DeleteRule(rawValue: text.value) {
                onDelete = Located(rule, at: text.location)
            } else {
                let rules = DeleteRule.allCases.map(\.rawValue)
                reader.fail(
                    .invalidValue,
                    "invalid onDelete \"\(text.value)\" in \(label)\(Suggestions.didYouMean(text.value, rules))expected cascade, restrict or setNull",
                    at: text.location)
                valid = false
            }
        }

        var targetModel: Located<String>?
        var targetSubgraph: Located<String>?
        var kind: Located<RelationshipKind>?
        if let targetNode = definition["target"],
            let target = reader.mapping(
                targetNode, expected: "a relationship target", label: "target of \(label)", required: ["model"]),
            let modelNode = target["model"],
            let model = reader.mapping(
                modelNode, expected: "a target model", label: "target model of \(label)",
                required: ["name", "relationshipType"], optional: ["subgraph"])
        {
            targetModel = reader.string(model, "name")
            targetSubgraph = reader.optionalString(model, "subgraph")
            if let text = reader.string(model, "relationshipType") {
                if let value = RelationshipKind(rawValue: text.value) {
                    kind = Located(value, at: text.location)
                } else {
                    let kinds = RelationshipKind.allCases.map(\.rawValue)
                    reader.fail(
                        .invalidValue,
                        "invalid relationshipType \"\(text.value)\" in \(label)\(Suggestions.didYouMean(text.value, kinds))expected Object or Array",
                        at: text.location)
                }
            }
        }

        // With `through`, the mapping leads to the junction model's fields.
        let throughNode = definition.present("through")
        var mappingLocation = definition.location
        var mapping: [RawFieldMapping] = []
        if let mappingNode = definition["mapping"] {
            mappingLocation = reader.location(mappingNode)
            if let entries = decodeMapping(
                mappingNode, label: label, entryLabel: "mapping entry",
                targetOwner: throughNode == nil ? "the target model's type" : "the junction model's type")
            {
                mapping = entries
            } else {
                valid = false
            }
        }
        var through: RawJunction?
        if let throughNode {
            through = decodeJunction(throughNode, label: label)
            if through == nil { valid = false }
        }
        guard valid, let source, let name, let targetModel, let kind else { return nil }
        return RawRelationship(
            location: fields.location, source: source, name: name, description: description,
            targetModel: targetModel, targetSubgraph: targetSubgraph, kind: kind, mappingLocation: mappingLocation,
            mapping: mapping, through: through, onDelete: onDelete)
    }

    /// Reads a list of mapping entries (`mapping:` or `through.mapping:`); nil when any entry is wrong.
    /// - Parameters:
    ///   - entryLabel: `mapping entry` or `through mapping entry`.
    mutating func decodeMapping(
        _ node: Node, label: String, entryLabel: String, sourceOwner: String = "the source type", targetOwner: String
    ) -> [RawFieldMapping]? {
        let plural = entryLabel.dropLast("entry".count) + "entries"
        guard let entries = reader.list(node, what: "a list of \(plural) for \(label)") else { return nil }
        var mapping: [RawFieldMapping] = []
        var valid = true
        for (index, entry) in entries.enumerated() {
            if let fieldMapping = decodeFieldMapping(
                entry, label: "\(entryLabel) \(index + 1) of \(label)", sourceOwner: sourceOwner, targetOwner: targetOwner)
            {
                mapping.append(fieldMapping)
            } else {
                valid = false
            }
        }
        return valid ? mapping : nil
    }

    /// Reads `through: {model, subgraph, mapping}`, the gateway's many-to-many extension.
    mutating func decodeJunction(_ node: Node, label: String) -> RawJunction? {
        guard
            let fields = reader.mapping(
                node, expected: "a junction model", label: "\"through\" of \(label)", required: ["model", "mapping"],
                optional: ["subgraph"])
        else { return nil }
        let model = reader.string(fields, "model")
        let subgraph = reader.optionalString(fields, "subgraph")
        var mappingLocation = fields.location
        var mapping: [RawFieldMapping]?
        if let mappingNode = fields["mapping"] {
            mappingLocation = reader.location(mappingNode)
            mapping = decodeMapping(
                mappingNode, label: label, entryLabel: "through mapping entry",
                sourceOwner: "the junction model's type", targetOwner: "the target model's type")
        }
        guard let model, let mapping else { return nil }
        return RawJunction(
            location: fields.location, model: model, subgraph: subgraph, mappingLocation: mappingLocation,
            mapping: mapping)
    }

    /// - Parameters:
    ///   - sourceOwner, targetOwner: what the source and target fields belong to, for messages.
    mutating func decodeFieldMapping(
        _ node: Node, label: String, sourceOwner: String = "the source type",
        targetOwner: String = "the target model's type"
    ) -> RawFieldMapping? {
        guard
            let fields = reader.mapping(
                node, expected: "a mapping entry", label: label, required: ["source", "target"])
        else { return nil }
        var sourceField: Located<String>?
        var targetField: Located<String>?
        if let sourceNode = fields["source"],
            let source = reader.mapping(
                sourceNode, expected: "a mapping source", label: "source of \(label)", required: ["fieldPath"]),
            let path = source["fieldPath"]
        {
            sourceField = fieldPath(path, key: "fieldPath", label: "source of \(label)", of: sourceOwner)
        }
        if let targetNode = fields["target"],
            let target = reader.mapping(
                targetNode, expected: "a mapping target", label: "target of \(label)", required: ["modelField"]),
            let path = target["modelField"]
        {
            targetField = fieldPath(path, key: "modelField", label: "target of \(label)", of: targetOwner)
        }
        guard let sourceField, let targetField else { return nil }
        return RawFieldMapping(location: fields.location, sourceField: sourceField, targetField: targetField)
    }

    /// Reads `[{fieldName: x}]`, which must have exactly one element: the gateway joins on
    /// top-level fields only.
    mutating func fieldPath(_ node: Node, key: String, label: String, of owner: String) -> Located<String>? {
        guard let elements = reader.list(node, what: "a list of fields for \"\(key)\" in \(label), like [{fieldName: id}]")
        else { return nil }
        var names: [Located<String>] = []
        var valid = true
        for element in elements {
            if let fields = reader.mapping(
                element, expected: "a \(key) element", label: "\(key) of \(label)", required: ["fieldName"]),
                let name = reader.string(fields, "fieldName")
            {
                names.append(name)
            } else {
                valid = false
            }
        }
        guard valid else { return nil }
        if names.isEmpty {
            reader.fail(
                .invalidValue, "\"\(key)\" in \(label) is empty; name one field of \(owner), like [{fieldName: id}]",
                at: reader.location(node))
            return nil
        }
        if names.count > 1 {
            let path = names.map(\.value).joined(separator: ".")
            reader.fail(
                .nestedFieldPath,
                "nested field paths are not supported: \"\(key)\" in \(label) is \(path) (\(names.count) elements); name one top-level field of \(owner)",
                at: reader.location(node))
            return nil
        }
        return names[0]
    }
}
