import GatewayConfig
import GatewayJSON
import GraphQL
import GraphQLSupport
import Supergraph

/// Turns a validated operation into a ``QueryPlan``.
///
/// Root fields are grouped by subgraph (one request per subgraph, all in parallel). Each
/// relationship at each place in the query becomes one batched fetch that waits only for the
/// fetch holding its parents. Join keys the client did not select are fetched under internal
/// aliases (`_k0`, ...) that never reach the response.
public struct QueryPlanner: Sendable {
    public let supergraph: Supergraph

    /// Upstream variable names the gateway owns in relationship fetches.
    static let whereVariable = "_gw_where"
    static let orderVariable = "_gw_order"
    static let limitVariable = "_gw_limit"
    static let offsetVariable = "_gw_offset"

    public init(supergraph: Supergraph) {
        self.supergraph = supergraph
    }

    /// Plans an operation. `variables` decide `@skip`/`@include`, nothing else: the plan is
    /// valid for every request whose Boolean variables have the same values.
    public func plan(
        document: PreparedDocument, operation: OperationDefinition, variables: JSONObject
    ) throws(ResponseError) -> QueryPlan {
        var builder = PlanBuilder(
            supergraph: supergraph, document: document, operation: operation,
            collector: FieldCollector(schema: supergraph.schemaModel, fragments: document.fragments, variables: variables))
        return try builder.build()
    }
}

struct PlanBuilder {
    let supergraph: Supergraph
    let document: PreparedDocument
    let operation: OperationDefinition
    let collector: FieldCollector
    var fetches: [Fetch] = []
    let variableTypes: [String: String]
    /// Relationship fetches that are one collection call, which a batch can send with others.
    var batchable: [Int: CollectionCall] = [:]

    init(supergraph: Supergraph, document: PreparedDocument, operation: OperationDefinition, collector: FieldCollector) {
        self.supergraph = supergraph
        self.document = document
        self.operation = operation
        self.collector = collector
        var types: [String: String] = [:]
        for definition in operation.variableDefinitions {
            types[definition.variable.name.value] = GraphQL.print(ast: definition.type)
        }
        variableTypes = types
    }

    var schema: SchemaModel { supergraph.schemaModel }

    /// A place for a fetch to `subgraph`, filled in once its selection is planned (which needs
    /// to know the subgraph: fields of other subgraphs become entity fetches).
    mutating func reserveFetch(subgraph: String) -> Int {
        fetches.append(Fetch(id: fetches.count, subgraph: subgraph, kind: .root, query: "", clientVariables: []))
        return fetches.count - 1
    }

    mutating func build() throws(ResponseError) -> QueryPlan {
        let isMutation = operation.operation == .mutation
        guard let rootType = isMutation ? schema.mutation : schema.query else {
            throw ResponseError("The schema has no \(operation.operation.rawValue) type.", code: "BAD_REQUEST")
        }
        let rootFields = collector.collect(operation.selectionSet.selections, on: rootType.name)

        if let forward = forwardPlan(rootType: rootType, rootFields: rootFields, isMutation: isMutation) {
            return forward
        }

        var shapeFields: [ShapeField] = []
        var nodes: [PlanNode] = []
        if isMutation {
            // One request per mutation field, in order, each with its relationships before the next.
            for field in rootFields {
                if field.name == "__typename" {
                    shapeFields.append(.typename(key: field.responseKey, typeName: rootType.name))
                    continue
                }
                if let write = supergraph.writes.mutations[field.name] {
                    let (fields, node) = try writeFetch(field, write: write, rootType: rootType)
                    shapeFields += fields
                    nodes.append(node)
                    continue
                }
                guard let subgraph = supergraph.mutationOwners[field.name] else { continue }
                let (fields, node) = try rootFetch(subgraph: subgraph, fields: [field], rootType: rootType, isMutation: true)
                shapeFields += fields
                nodes.append(node)
            }
            let node: PlanNode = nodes.isEmpty ? .empty : nodes.count == 1 ? nodes[0] : .sequence(nodes)
            return QueryPlan(operation: .mutation, node: node, fetches: fetches, shape: Shape(typeName: rootType.name, fields: shapeFields))
        }

        // Group root fields by subgraph, in the order each subgraph first appears.
        var order: [String] = []
        var groups: [String: [CollectedField]] = [:]
        var rootShapes: [String: ShapeField] = [:]
        var aggregateNodes: [PlanNode] = []
        for field in rootFields {
            // A collection's aggregates are a fetch of their own.
            if let name = supergraph.aggregates.roots[field.name], let model = supergraph.aggregates.models[name] {
                let (id, node, shape) = try aggregateFetch(
                    field, model: model, relationship: nil, parent: nil, parentPath: [], sourceKeys: [], displayPath: field.responseKey)
                rootShapes[field.responseKey] = .root(
                    key: field.responseKey, fetch: id, upstreamKey: field.responseKey, type: .named(model.aggregateType), shape: shape)
                aggregateNodes.append(node)
                continue
            }
            guard let subgraph = supergraph.queryOwners[field.name] else { continue }
            if groups[subgraph] == nil { order.append(subgraph) }
            groups[subgraph, default: []].append(field)
        }
        for subgraph in order {
            let (fields, node) = try rootFetch(subgraph: subgraph, fields: groups[subgraph]!, rootType: rootType, isMutation: false)
            for field in fields { rootShapes[field.key] = field }
            nodes.append(node)
        }
        nodes += aggregateNodes
        for field in rootFields {
            if field.name == "__typename" {
                shapeFields.append(.typename(key: field.responseKey, typeName: rootType.name))
            } else if IntrospectionExecutor.isIntrospectionRoot(field.name) {
                shapeFields.append(.introspection(key: field.responseKey))
            } else if let shape = rootShapes[field.responseKey] {
                shapeFields.append(shape)
            }
        }
        let node: PlanNode = nodes.isEmpty ? .empty : nodes.count == 1 ? nodes[0] : .parallel(nodes)
        return QueryPlan(
            operation: .query, node: node, fetches: fetches, shape: Shape(typeName: rootType.name, fields: shapeFields),
            batches: batches(node))
    }

    // MARK: Root fetches

    mutating func rootFetch(
        subgraph: String, fields: [CollectedField], rootType: TypeDef, isMutation: Bool
    ) throws(ResponseError) -> ([ShapeField], PlanNode) {
        let id = reserveFetch(subgraph: subgraph)
        var selection = UpstreamSelection()
        var shapes: [ShapeField] = []
        var children: [PlanNode] = []
        var variables = VariableSet()
        var rewrites: [ArgumentRewrite] = []
        var orderedFields: [String: OrderPlan] = [:]
        for field in fields {
            guard let definition = rootType.field(field.name) else { continue }
            let typeName = definition.type.namedType
            let arguments = try rootArguments(field, definition: definition, variables: &variables, rewrites: &rewrites)
            if schema.kind(of: typeName) == .object {
                let object = try objectSelection(
                    fields: collector.collect(subfieldsOf: field, on: typeName), typeName: typeName, fetch: id,
                    parentPath: [field.responseKey], displayPath: field.responseKey + (definition.type.isList ? ".@" : ""),
                    keyFields: arguments.order?.rowFields ?? [], variables: &variables)
                if let order = arguments.order {
                    var plan = try orderPlan(order, rowAliases: object.keyAliases)
                    plan.limit = arguments.limit
                    plan.offset = arguments.offset
                    orderedFields[field.responseKey] = plan
                }
                selection.add(alias: field.responseKey, name: field.name, arguments: arguments.text, selection: object.selection)
                shapes.append(.root(key: field.responseKey, fetch: id, upstreamKey: field.responseKey, type: definition.type, shape: object.shape))
                children += object.children
            } else {
                selection.add(alias: field.responseKey, name: field.name, arguments: arguments.text)
                shapes.append(.root(key: field.responseKey, fetch: id, upstreamKey: field.responseKey, type: definition.type, shape: nil))
            }
        }
        let keyword = isMutation ? "mutation" : "query"
        var declarations = variables.declarations(variableTypes)
        declarations += rewrites.map { "$\($0.variable): \($0.type)" }
        fetches[id] = Fetch(
            id: id, subgraph: subgraph, kind: .root,
            query: keyword + (declarations.isEmpty ? "" : "(" + declarations.joined(separator: ", ") + ")") + " " + selection.printed,
            clientVariables: variables.names, argumentRewrites: rewrites, orderedFields: orderedFields)
        return (shapes, Self.node(.fetch(id), then: children))
    }

    /// A root field's arguments for upstream: printed as the client wrote them, except a
    /// filter that uses relationships (sent as a gateway variable once rewritten) and an order
    /// that uses relationships (applied by the gateway, with the paging).
    struct RootArguments {
        var text: String
        var order: OrderRequest?
        var limit: ValueTemplate?
        var offset: ValueTemplate?
    }

    mutating func rootArguments(
        _ field: CollectedField, definition: FieldDef, variables: inout VariableSet, rewrites: inout [ArgumentRewrite]
    ) throws(ResponseError) -> RootArguments {
        var result = RootArguments(text: "")
        var printed: [String] = []
        let orderArgument = field.arguments.first { $0.name.value == "order" }
        if let orderArgument, let type = definition.argument("order")?.type.namedType,
            let request = try orderRequest(ValueTemplate(orderArgument.value), orderType: type, location: field)
        {
            result.order = request
        }
        for argument in field.arguments {
            let name = argument.name.value
            if result.order != nil, name == "order" { continue }
            if result.order != nil, name == "limit" || name == "offset" {
                if name == "limit" { result.limit = ValueTemplate(argument.value) } else { result.offset = ValueTemplate(argument.value) }
                continue
            }
            if name == "filter", let type = definition.argument("filter")?.type.namedType,
                let lookups = try filterLookups(ValueTemplate(argument.value), filterType: type)
            {
                let variable = Self.freeName("_gw_filter\(rewrites.count)", avoiding: variableTypes)
                rewrites.append(ArgumentRewrite(variable: variable, type: type, template: ValueTemplate(argument.value), lookups: lookups))
                printed.append("filter: $\(variable)")
                continue
            }
            variables.collect(from: argument.value)
            printed.append(GraphQL.print(ast: argument))
        }
        result.text = printed.isEmpty ? "" : "(" + printed.joined(separator: ", ") + ")"
        return result
    }

    /// A fetch followed by what depends on it.
    static func node(_ first: PlanNode, then children: [PlanNode]) -> PlanNode {
        switch children.count {
        case 0: return first
        case 1: return .sequence([first, children[0]])
        default: return .sequence([first, .parallel(children)])
        }
    }

    // MARK: Object selections

    struct ObjectSelection {
        var selection: UpstreamSelection
        var shape: Shape
        var children: [PlanNode]
        /// Internal aliases of the extra key fields asked for, in order.
        var keyAliases: [String]
    }

    /// The upstream selection and response shape for an object of `typeName` fetched by `fetch`.
    ///
    /// - Parameters:
    ///   - parentPath: upstream keys from the fetch's rows down to these objects.
    ///   - displayPath: the client path for explain (`books.@.author`).
    ///   - keyFields: fields to fetch under internal aliases whatever the client selected.
    mutating func objectSelection(
        fields: [CollectedField], typeName: String, fetch: Int, parentPath: [String], displayPath: String,
        keyFields: [String] = [], variables: inout VariableSet
    ) throws(ResponseError) -> ObjectSelection {
        var selection = UpstreamSelection()
        var shapeFields: [ShapeField] = []
        var children: [PlanNode] = []
        var aliases = InternalAliases(taken: Set(fields.map(\.responseKey)))
        let keyAliases = keyFields.map { aliases.alias(for: $0) }
        guard let type = schema[typeName] else {
            throw ResponseError("Unknown type \(typeName).", code: "INTERNAL_SERVER_ERROR")
        }
        // Fields other subgraphs serve for this entity: one entity fetch per subgraph.
        let entityFields = try entityFieldShapes(
            fields, typeName: typeName, fetch: fetch, parentPath: parentPath, displayPath: displayPath, aliases: &aliases)
        children += entityFields.nodes
        for field in fields {
            if let shape = entityFields.shapes[field.responseKey] {
                shapeFields.append(shape)
                continue
            }
            if field.name == "__typename" {
                shapeFields.append(.typename(key: field.responseKey, typeName: typeName))
                continue
            }
            if let relationship = supergraph.aggregates.relationship(on: typeName, field: field.name),
                let model = supergraph.aggregates.model(of: relationship)
            {
                let sourceKeys = relationship.mapping.map { aliases.alias(for: $0.sourceField) }
                let (id, node, shape) = try aggregateFetch(
                    field, model: model, relationship: relationship, parent: fetch, parentPath: parentPath, sourceKeys: sourceKeys,
                    displayPath: displayPath + "." + field.responseKey)
                shapeFields.append(.relationship(key: field.responseKey, fetch: id, shape: shape))
                children.append(node)
                continue
            }
            if let relationship = supergraph.relationship(on: typeName, field: field.name) {
                let sourceKeys = relationship.mapping.map { aliases.alias(for: $0.sourceField) }
                let path = displayPath + "." + field.responseKey + (relationship.kind == .array ? ".@" : "")
                let (id, node, shape) = try relationshipFetch(
                    relationship, field: field, parent: fetch, parentPath: parentPath, sourceKeys: sourceKeys, displayPath: path)
                shapeFields.append(.relationship(key: field.responseKey, fetch: id, shape: shape))
                children.append(node)
                continue
            }
            guard let definition = type.field(field.name) else {
                throw ResponseError("Unknown field \(typeName).\(field.name).", code: "INTERNAL_SERVER_ERROR")
            }
            let arguments = printArguments(field.arguments, into: &variables)
            let fieldType = definition.type.namedType
            if schema.kind(of: fieldType) == .object {
                let nested = try objectSelection(
                    fields: collector.collect(subfieldsOf: field, on: fieldType), typeName: fieldType, fetch: fetch,
                    parentPath: parentPath + [field.responseKey],
                    displayPath: displayPath + "." + field.responseKey + (definition.type.isList ? ".@" : ""),
                    variables: &variables)
                selection.add(alias: field.responseKey, name: field.name, arguments: arguments, selection: nested.selection)
                shapeFields.append(.object(key: field.responseKey, upstreamKey: field.responseKey, type: definition.type, shape: nested.shape))
                children += nested.children
            } else {
                selection.add(alias: field.responseKey, name: field.name, arguments: arguments)
                shapeFields.append(.value(key: field.responseKey, upstreamKey: field.responseKey, type: definition.type))
            }
        }
        for (name, alias) in aliases.assigned { selection.add(alias: alias, name: name) }
        return ObjectSelection(
            selection: selection, shape: Shape(typeName: typeName, fields: shapeFields), children: children,
            keyAliases: keyAliases)
    }

    // MARK: Relationship fetches

    mutating func relationshipFetch(
        _ relationship: RelationshipConfig, field: CollectedField, parent: Int, parentPath: [String], sourceKeys: [String],
        displayPath: String
    ) throws(ResponseError) -> (Int, PlanNode, Shape) {
        let id = reserveFetch(subgraph: relationship.targetSubgraph)
        guard let model = supergraph.configuration.model(named: relationship.targetModel) else {
            throw ResponseError("Unknown model \(relationship.targetModel).", code: "INTERNAL_SERVER_ERROR")
        }
        var arguments = RelationshipArguments()
        for argument in field.arguments {
            let template = ValueTemplate(argument.value)
            switch argument.name.value {
            case "filter": arguments.filter = template
            case "order": arguments.order = template
            case "limit": arguments.limit = template
            case "offset": arguments.offset = template
            default: continue
            }
        }
        var lookups: [FilterLookup] = []
        if let template = arguments.filter {
            lookups = try filterLookups(template, filterType: model.filterType) ?? []
        }
        var order: OrderRequest?
        if let template = arguments.order, let orderType = model.orderType {
            order = try orderRequest(template, orderType: orderType, location: field)
        }

        // The target rows carry the fields that match them to parents (through a junction:
        // the target side of its mapping), and what a gateway-side order needs.
        // (Federation entities answer by position: their keys need not come back.)
        let targetFields = relationship.targetKeyFields
        let matchedFields = model.isEntity ? [] : targetFields
        var variables = VariableSet()
        let object = try objectSelection(
            fields: collector.collect(subfieldsOf: field, on: relationship.targetType), typeName: relationship.targetType,
            fetch: id, parentPath: [], displayPath: displayPath, keyFields: matchedFields + (order?.rowFields ?? []),
            variables: &variables)
        let targetKeys = Array(object.keyAliases.prefix(matchedFields.count))
        var orderPlan: OrderPlan?
        if let order {
            orderPlan = try self.orderPlan(order, rowAliases: Array(object.keyAliases.dropFirst(matchedFields.count)))
        }

        if model.isEntity {
            // Federation entities: one representation per key.
            let variable = Self.freeName("_gw_reps", avoiding: variableTypes)
            let entity = EntityFetch(
                typeName: relationship.targetType, keyFields: targetFields, requiredFields: [], requiredAliases: [], variable: variable)
            fetches[id] = Fetch(
                id: id, subgraph: relationship.targetSubgraph,
                kind: .relationship(RelationshipFetch(
                    relationship: "\(relationship.sourceType).\(relationship.name)", kind: relationship.kind, parent: parent,
                    parentPath: parentPath, sourceKeys: sourceKeys, targetKeys: [], targetFields: targetFields,
                    collectionKey: "_r", arguments: RelationshipArguments(), filterType: "", orderType: nil, whereVariable: variable,
                    orderVariable: "", entity: entity)),
                query: entity.query(selection: object.selection.printed, declarations: variables.declarations(variableTypes)),
                clientVariables: variables.names)
            return (id, Self.node(.flatten(path: displayPath, fetch: id), then: object.children), object.shape)
        }
        if let lookup = model.lookup, !model.hasCollection {
            // No collection to filter: the lookup field, called for each key.
            let fetch = LookupFetch(
                field: lookup.field, argument: lookup.argument, argumentType: lookup.argumentType, isList: lookup.isList,
                selection: object.selection.printed, declarations: variables.declarations(variableTypes))
            fetches[id] = Fetch(
                id: id, subgraph: relationship.targetSubgraph,
                kind: .relationship(RelationshipFetch(
                    relationship: "\(relationship.sourceType).\(relationship.name)", kind: relationship.kind, parent: parent,
                    parentPath: parentPath, sourceKeys: sourceKeys, targetKeys: targetKeys, targetFields: targetFields,
                    collectionKey: "_r", arguments: arguments, filterType: "", orderType: nil, whereVariable: "", orderVariable: "",
                    lookup: fetch)),
                query: fetch.query(keys: 1).text, clientVariables: variables.names)
            return (id, Self.node(.flatten(path: displayPath, fetch: id), then: object.children), object.shape)
        }
        let whereName = Self.freeName(QueryPlanner.whereVariable, avoiding: variableTypes)
        let orderName = Self.freeName(QueryPlanner.orderVariable, avoiding: variableTypes)
        let usesOrder = arguments.order != nil && model.orderType != nil && orderPlan == nil
        // Paging per parent upstream, when the collection can: not through a junction (the
        // target rows are shared by parents) nor under an order the gateway applies.
        var window: PerKeyWindow?
        if model.windowsPerKey, relationship.kind == .array, relationship.through == nil, orderPlan == nil,
            arguments.limit != nil || arguments.offset != nil
        {
            window = PerKeyWindow(
                limitVariable: Self.freeName(QueryPlanner.limitVariable, avoiding: variableTypes),
                offsetVariable: Self.freeName(QueryPlanner.offsetVariable, avoiding: variableTypes))
        }
        let call = CollectionCall(
            collection: model.collection, filterType: model.filterType, orderType: usesOrder ? model.orderType : nil,
            partition: window == nil ? nil : targetFields, selection: object.selection,
            clientDeclarations: variables.declarations(variableTypes))
        let names = CollectionCall.Variables(
            whereVariable: whereName, orderVariable: orderName, limitVariable: window?.limitVariable ?? "",
            offsetVariable: window?.offsetVariable ?? "")
        let collectionKey = "_r"
        if relationship.through == nil { batchable[id] = call }

        let junction = Self.junctionStep(relationship, whereVariable: whereName)

        fetches[id] = Fetch(
            id: id, subgraph: relationship.targetSubgraph,
            kind: .relationship(RelationshipFetch(
                relationship: "\(relationship.sourceType).\(relationship.name)", kind: relationship.kind, parent: parent,
                parentPath: parentPath, sourceKeys: sourceKeys, targetKeys: targetKeys, targetFields: targetFields,
                collectionKey: collectionKey, arguments: arguments, filterType: model.filterType,
                orderType: usesOrder ? model.orderType : nil, whereVariable: whereName, orderVariable: orderName,
                filterLookups: lookups, orderPlan: orderPlan, junction: junction, window: window)),
            query: call.query(alias: collectionKey, names),
            clientVariables: variables.names)
        return (id, Self.node(.flatten(path: displayPath, fetch: id), then: object.children), object.shape)
    }

    /// The junction fetch of a many-to-many relationship: the junction rows of the parents'
    /// keys, with the fields that point at the target.
    static func junctionStep(_ relationship: RelationshipConfig, whereVariable: String) -> JunctionStep? {
        guard let through = relationship.through else { return nil }
        let junctionSource = relationship.mapping.map(\.targetField)
        let (query, aliases) = keyQuery(
            collection: through.collection, filterType: through.filterType,
            fields: junctionSource + through.mapping.map(\.sourceField), whereVariable: whereVariable)
        return JunctionStep(
            subgraph: through.subgraph, query: query, whereVariable: whereVariable, sourceFields: junctionSource,
            sourceAliases: Array(aliases.prefix(junctionSource.count)), targetAliases: Array(aliases.dropFirst(junctionSource.count)))
    }

    static func freeName(_ name: String, avoiding taken: [String: String]) -> String {
        var candidate = name
        var suffix = 2
        while taken[candidate] != nil {
            candidate = name + String(suffix)
            suffix += 1
        }
        return candidate
    }

    // MARK: Arguments

    /// `(a: 1, b: $x)` as the client wrote it, recording the variables it uses.
    func printArguments(_ arguments: [Argument], into variables: inout VariableSet) -> String {
        guard !arguments.isEmpty else { return "" }
        for argument in arguments { variables.collect(from: argument.value) }
        return "(" + arguments.map { GraphQL.print(ast: $0) }.joined(separator: ", ") + ")"
    }
}

/// The client variables an upstream operation uses, in first-use order.
struct VariableSet {
    private(set) var names: [String] = []
    private var seen: Set<String> = []

    mutating func collect(from value: any Value) {
        switch value {
        case let variable as Variable:
            if seen.insert(variable.name.value).inserted { names.append(variable.name.value) }
        case let list as ListValue:
            for item in list.values { collect(from: item) }
        case let object as ObjectValue:
            for field in object.fields { collect(from: field.value) }
        default:
            break
        }
    }

    /// `$a: Int`, `$b: [ID!]`, ...: the declarations of the variables, with their types as the
    /// client declared them.
    func declarations(_ types: [String: String]) -> [String] {
        names.map { "$\($0): \(types[$0] ?? "String")" }
    }
}

/// Internal aliases for key fields, chosen so they never collide with a client response key.
struct InternalAliases {
    var taken: Set<String>
    private(set) var assigned: [(String, String)] = []
    private var next = 0

    init(taken: Set<String>) {
        self.taken = taken
    }

    mutating func alias(for field: String) -> String {
        if let existing = assigned.first(where: { $0.0 == field }) { return existing.1 }
        var candidate = "_k\(next)"
        while taken.contains(candidate) {
            next += 1
            candidate = "_k\(next)"
        }
        next += 1
        taken.insert(candidate)
        assigned.append((field, candidate))
        return candidate
    }
}

extension ValueTemplate {
    /// A template from a literal of the document.
    init(_ value: any Value) {
        switch value {
        case let variable as Variable: self = .variable(variable.name.value)
        case let int as IntValue: self = .constant(Int(int.value).map(JSON.int) ?? .double(Double(int.value) ?? 0))
        case let float as FloatValue: self = .constant(.double(Double(float.value) ?? 0))
        case let string as StringValue: self = .constant(.string(string.value))
        case let bool as BooleanValue: self = .constant(.bool(bool.value))
        case let enumValue as EnumValue: self = .constant(.string(enumValue.value))
        case let list as ListValue: self = .list(list.values.map(ValueTemplate.init))
        case let object as ObjectValue:
            self = .object(object.fields.map { Member(name: $0.name.value, value: ValueTemplate($0.value)) })
        default: self = .constant(.null)
        }
    }
}
