import GatewayConfig
import GatewayJSON
import GraphQLSupport
import Supergraph

extension PlanBuilder {
    /// An argument's value as the planner sees it: the template resolved with the request's
    /// variables and coerced. Only its shape (which relationships it names) shapes the plan;
    /// variables that could change that shape are part of the plan cache key.
    func resolved(_ template: ValueTemplate, type: TypeRef) -> JSON? {
        guard let value = template.resolve(collector.variables), !value.isNull else { return nil }
        return try? InputCoercion(schema: schema).coerceJSON(value, to: type, path: "")
    }

    // MARK: Filters on relationships

    /// The lookups a filter needs, in pre-order, or nil when it names no relationship.
    mutating func filterLookups(_ template: ValueTemplate, filterType: String) throws(ResponseError) -> [FilterLookup]? {
        guard let value = resolved(template, type: .named(filterType)),
            supergraph.usesRelationships(value, inputType: filterType),
            let typeName = supergraph.filterTypes[filterType]
        else { return nil }
        var lookups: [FilterLookup] = []
        _ = try collectFilterLookups(value, typeName: typeName, into: &lookups)
        return lookups
    }

    /// Walks a filter value in the order the executor does (members in input-type order,
    /// list elements in order), adding a lookup per relationship before those inside it.
    /// Returns the indexes of the lookups found at this level.
    func collectFilterLookups(_ value: JSON, typeName: String, into lookups: inout [FilterLookup]) throws(ResponseError) -> [Int] {
        guard case .object(let object) = value else { return [] }
        var found: [Int] = []
        for (key, member) in object.members where !member.isNull {
            switch key {
            case "_and", "_or":
                for item in member.arrayValue ?? [] { found += try collectFilterLookups(item, typeName: typeName, into: &lookups) }
            case "_not":
                found += try collectFilterLookups(member, typeName: typeName, into: &lookups)
            default:
                if let relationship = supergraph.aggregates.relationship(on: typeName, field: key),
                    let model = supergraph.aggregates.model(of: relationship)
                {
                    // The aggregate's lookup first, then those inside its rows' filter.
                    let index = lookups.count
                    lookups.append(FilterLookup(
                        relationship: "", subgraph: "", query: "", whereVariable: "", keyAliases: [], junction: nil, sourceFields: [],
                        children: []))
                    var children: [Int] = []
                    if let rows = member.objectValue?["filter"], !rows.isNull {
                        children = try collectFilterLookups(rows, typeName: relationship.targetType, into: &lookups)
                    }
                    lookups[index] = aggregateFilterLookup(relationship, model: model, condition: member, children: children)
                    found.append(index)
                    continue
                }
                guard let relationship = supergraph.relationship(on: typeName, field: key) else { continue }
                let index = lookups.count
                lookups.append(FilterLookup(
                    relationship: "", subgraph: "", query: "", whereVariable: "", keyAliases: [], junction: nil, sourceFields: [],
                    children: []))
                let children = try collectFilterLookups(member, typeName: relationship.targetType, into: &lookups)
                lookups[index] = try filterLookup(relationship, children: children)
                found.append(index)
            }
        }
        return found
    }

    func filterLookup(_ relationship: RelationshipConfig, children: [Int]) throws(ResponseError) -> FilterLookup {
        guard let target = supergraph.configuration.model(named: relationship.targetModel) else {
            throw ResponseError("Unknown model \(relationship.targetModel).", code: "INTERNAL_SERVER_ERROR")
        }
        let whereVariable = QueryPlanner.whereVariable
        // The target rows answer the fields their parents (or the junction rows) point at.
        let targetFields = relationship.targetKeyFields
        let (targetQuery, keyAliases) = Self.keyQuery(
            collection: target.collection, filterType: target.filterType, fields: targetFields, whereVariable: whereVariable)
        var junction: JunctionLookup?
        if let through = relationship.through {
            let (query, aliases) = Self.keyQuery(
                collection: through.collection, filterType: through.filterType, fields: relationship.mapping.map(\.targetField),
                whereVariable: whereVariable)
            junction = JunctionLookup(
                subgraph: through.subgraph, query: query, whereVariable: whereVariable,
                targetFields: through.mapping.map(\.sourceField), sourceAliases: aliases)
        }
        return FilterLookup(
            relationship: "\(relationship.sourceType).\(relationship.name)", subgraph: target.subgraph, query: targetQuery,
            whereVariable: whereVariable, keyAliases: keyAliases, junction: junction,
            sourceFields: relationship.mapping.map(\.sourceField), children: children)
    }

    /// `query($w: TFilter!) { _r: ts(filter: $w) { _k0: a _k1: b } }` and the alias of each
    /// field (a field named twice has one alias).
    static func keyQuery(collection: String, filterType: String, fields: [String], whereVariable: String) -> (String, [String]) {
        var aliases = InternalAliases(taken: [])
        let keyAliases = fields.map { aliases.alias(for: $0) }
        var selection = UpstreamSelection()
        for (name, alias) in aliases.assigned { selection.add(alias: alias, name: name) }
        var outer = UpstreamSelection()
        outer.add(alias: "_r", name: collection, arguments: "(filter: $\(whereVariable))", selection: selection)
        return ("query($\(whereVariable): \(filterType)!) " + outer.printed, keyAliases)
    }

    // MARK: Orders on relationships

    /// An order that names Object relationships, parsed.
    struct OrderRequest {
        struct Element {
            /// Relationship names from the row type to the object holding `field`.
            var chain: [String]
            var field: String
            var descending: Bool
            /// An aggregate at the end of the chain (`authoredBooks_aggregate`), its function
            /// (`count`, `sum`, ...) and, but for `count`, `field` is the aggregated field.
            var aggregate: String? = nil
            var function: String? = nil
        }

        var rowType: String
        var elements: [Element]
        /// The fields the rows must carry: scalar sort fields, the keys of the first
        /// relationships, and `id` for the final tie-break.
        var rowFields: [String]
    }

    /// The order argument parsed when it names a relationship; nil when the subgraph can
    /// order by itself.
    func orderRequest(_ template: ValueTemplate, orderType: String, location field: CollectedField) throws(ResponseError) -> OrderRequest? {
        guard let value = resolved(template, type: .list(.nonNull(.named(orderType)))),
            supergraph.usesRelationships(value, inputType: orderType),
            let rowType = supergraph.orderTypes[orderType]
        else { return nil }
        var elements: [OrderRequest.Element] = []
        for (index, element) in (value.arrayValue ?? []).enumerated() {
            var chain: [String] = []
            var typeName = rowType
            var current = element
            while true {
                let set = current.objectValue?.members.filter { !$0.1.isNull } ?? []
                guard set.count == 1, let (key, inner) = set.first else {
                    let got = set.isEmpty ? "none" : set.map(\.0).joined(separator: ", ")
                    let place = chain.isEmpty ? "order[\(index)]" : "order[\(index)].\(chain.joined(separator: "."))"
                    throw ResponseError(
                        "\(place) must set exactly one field, got \(got)", code: "BAD_USER_INPUT", locations: field.locations,
                        path: [.key(field.responseKey)])
                }
                if let relationship = supergraph.relationship(on: typeName, field: key) {
                    chain.append(key)
                    typeName = relationship.targetType
                    current = inner
                    continue
                }
                if supergraph.aggregates.relationship(on: typeName, field: key) != nil {
                    // {count: DESC} or {sum: {price: ASC}}: one aggregate, one field.
                    let place = "order[\(index)].\((chain + [key]).joined(separator: "."))"
                    let functions = inner.objectValue?.members.filter { !$0.1.isNull } ?? []
                    guard functions.count == 1, let (function, value) = functions.first else {
                        throw ResponseError(
                            "\(place) must set exactly one aggregate, got \(functions.isEmpty ? "none" : functions.map(\.0).joined(separator: ", "))",
                            code: "BAD_USER_INPUT", locations: field.locations, path: [.key(field.responseKey)])
                    }
                    if function == "count" {
                        elements.append(.init(chain: chain, field: "count", descending: value.stringValue == "DESC", aggregate: key, function: function))
                        break
                    }
                    let fields = value.objectValue?.members.filter { !$0.1.isNull } ?? []
                    guard fields.count == 1, let (name, direction) = fields.first else {
                        throw ResponseError(
                            "\(place).\(function) must set exactly one field, got \(fields.isEmpty ? "none" : fields.map(\.0).joined(separator: ", "))",
                            code: "BAD_USER_INPUT", locations: field.locations, path: [.key(field.responseKey)])
                    }
                    elements.append(.init(chain: chain, field: name, descending: direction.stringValue == "DESC", aggregate: key, function: function))
                    break
                }
                elements.append(.init(chain: chain, field: key, descending: inner.stringValue == "DESC"))
                break
            }
        }
        var rowFields: [String] = []
        func need(_ field: String) { if !rowFields.contains(field) { rowFields.append(field) } }
        for element in elements {
            if let first = element.chain.first, let relationship = supergraph.relationship(on: rowType, field: first) {
                relationship.mapping.forEach { need($0.sourceField) }
            } else if element.chain.isEmpty, let aggregate = element.aggregate,
                let relationship = supergraph.aggregates.relationship(on: rowType, field: aggregate)
            {
                relationship.mapping.forEach { need($0.sourceField) }
            } else if element.chain.isEmpty {
                need(element.field)
            }
        }
        if schema[rowType]?.field("id") != nil { need("id") }
        return OrderRequest(rowType: rowType, elements: elements, rowFields: rowFields)
    }

    /// The order plan for parsed elements, given where the rows hold `rowFields`.
    func orderPlan(_ request: OrderRequest, rowAliases: [String]) throws(ResponseError) -> OrderPlan {
        let rowAlias = Dictionary(zip(request.rowFields, rowAliases), uniquingKeysWith: { first, _ in first })

        // Lookups by (parent, relationship), parents first; what each must select.
        struct Draft {
            var relationship: RelationshipConfig
            var parent: Int?
            var fields: [String] = []
            /// An aggregate lookup: its model and the aggregates it needs.
            var aggregate: AggregateModel? = nil
            var wanted: [(function: String, field: String?)] = []
        }
        var drafts: [Draft] = []
        var index: [String: Int] = [:]
        var chains: [[Int]] = []
        for element in request.elements {
            var parent: Int?
            var typeName = request.rowType
            var chain: [Int] = []
            for name in element.chain {
                guard let relationship = supergraph.relationship(on: typeName, field: name) else { break }
                let key = "\(parent ?? -1)|\(name)"
                if let existing = index[key] {
                    parent = existing
                } else {
                    drafts.append(Draft(relationship: relationship, parent: parent))
                    index[key] = drafts.count - 1
                    if let parent { relationship.mapping.forEach { drafts[parent].fields.append($0.sourceField) } }
                    parent = drafts.count - 1
                }
                chain.append(parent!)
                typeName = relationship.targetType
            }
            if let aggregateName = element.aggregate, let function = element.function,
                let relationship = supergraph.aggregates.relationship(on: typeName, field: aggregateName),
                let model = supergraph.aggregates.model(of: relationship)
            {
                let key = "\(parent ?? -1)|\(aggregateName)"
                let lookup: Int
                if let existing = index[key] {
                    lookup = existing
                } else {
                    drafts.append(Draft(relationship: relationship, parent: parent, aggregate: model))
                    lookup = drafts.count - 1
                    index[key] = lookup
                    if let parent { relationship.mapping.forEach { drafts[parent].fields.append($0.sourceField) } }
                }
                drafts[lookup].wanted.append((function, function == "count" ? nil : element.field))
                chain.append(lookup)
            } else if let last = chain.last {
                drafts[last].fields.append(element.field)
            }
            chains.append(chain)
        }

        var lookups: [OrderLookup] = []
        var lookupAliases: [[String: String]] = []
        for draft in drafts {
            if let model = draft.aggregate {
                let spec = Self.lookupSpec(draft.wanted, model: model)
                let (query, keyAliases, aggregate) = aggregateLookupQuery(draft.relationship, model: model, spec: spec)
                let sourceAliases: [String] = draft.relationship.mapping.map(\.sourceField).map { field in
                    if let parent = draft.parent { return lookupAliases[parent][field] ?? field }
                    return rowAlias[field] ?? field
                }
                lookups.append(OrderLookup(
                    relationship: "\(draft.relationship.sourceType).\(AggregateSchema.fieldName(draft.relationship))",
                    subgraph: model.model.subgraph, query: query, whereVariable: QueryPlanner.whereVariable, parent: draft.parent,
                    sourceAliases: sourceAliases, targetFields: draft.relationship.targetKeyFields, targetAliases: keyAliases,
                    aggregate: aggregate))
                lookupAliases.append([:])
                continue
            }
            guard let target = supergraph.configuration.model(named: draft.relationship.targetModel) else {
                throw ResponseError("Unknown model \(draft.relationship.targetModel).", code: "INTERNAL_SERVER_ERROR")
            }
            let targetFields = draft.relationship.mapping.map(\.targetField)
            let fields = targetFields + draft.fields
            let (query, aliases) = Self.keyQuery(
                collection: target.collection, filterType: target.filterType, fields: fields, whereVariable: QueryPlanner.whereVariable)
            let sourceFields = draft.relationship.mapping.map(\.sourceField)
            let sourceAliases: [String] = sourceFields.map { field in
                if let parent = draft.parent { return lookupAliases[parent][field] ?? field }
                return rowAlias[field] ?? field
            }
            lookups.append(OrderLookup(
                relationship: "\(draft.relationship.sourceType).\(draft.relationship.name)", subgraph: target.subgraph,
                query: query, whereVariable: QueryPlanner.whereVariable, parent: draft.parent, sourceAliases: sourceAliases,
                targetFields: targetFields, targetAliases: Array(aliases.prefix(targetFields.count))))
            lookupAliases.append(Dictionary(zip(fields, aliases), uniquingKeysWith: { first, _ in first }))
        }
        let keys = zip(request.elements, chains).map { element, chain -> SortKey in
            if element.aggregate != nil, let function = element.function {
                return SortKey(
                    chain: chain, field: function == "count" ? "count" : "\(function).\(element.field)",
                    alias: function, descending: element.descending, subfield: function == "count" ? nil : element.field,
                    missing: function == "count" ? .int(0) : .null)
            }
            return SortKey(
                chain: chain, field: element.field,
                alias: chain.last.map { lookupAliases[$0][element.field] ?? element.field } ?? rowAlias[element.field] ?? element.field,
                descending: element.descending)
        }
        return OrderPlan(keys: keys, lookups: lookups, idAlias: rowAlias["id"])
    }
}
