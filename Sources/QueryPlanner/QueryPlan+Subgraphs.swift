// Which subgraphs a plan can send requests to: the gateway refuses a client request that lacks
// a header one of them requires before sending anything, and only those subgraphs matter.

extension QueryPlan {
    /// Every subgraph the plan can send a request to: its fetches, and the lookups, junction
    /// steps and cascades inside them. A nested create's rows are known only with the
    /// client's input: add ``WritePlan/subgraphs`` of their write plans.
    public var subgraphs: Set<String> {
        var names: Set<String> = []
        for fetch in fetches {
            names.insert(fetch.subgraph)
            for rewrite in fetch.argumentRewrites { Self.add(rewrite.lookups, to: &names) }
            for order in fetch.orderedFields.values { Self.add(order, to: &names) }
            switch fetch.kind {
            case .root, .forward:
                break
            case .relationship(let relationship):
                Self.add(relationship.filterLookups, to: &names)
                if let order = relationship.orderPlan { Self.add(order, to: &names) }
                if let junction = relationship.junction { names.insert(junction.subgraph) }
            case .aggregate(let aggregate):
                Self.add(aggregate.filterLookups, to: &names)
                if let junction = aggregate.junction { names.insert(junction.subgraph) }
            case .write(let root):
                if case .delete(let cascade) = root.operation {
                    names.insert(cascade.rootSubgraph)
                    for step in cascade.steps { names.insert(step.subgraph) }
                }
            }
        }
        return names
    }

    static func add(_ lookups: [FilterLookup], to names: inout Set<String>) {
        for lookup in lookups {
            names.insert(lookup.subgraph)
            if let junction = lookup.junction { names.insert(junction.subgraph) }
            if let junction = lookup.aggregate?.junction { names.insert(junction.subgraph) }
        }
    }

    static func add(_ order: OrderPlan, to names: inout Set<String>) {
        for lookup in order.lookups {
            names.insert(lookup.subgraph)
            if let junction = lookup.aggregate?.junction { names.insert(junction.subgraph) }
        }
    }
}

extension WritePlan {
    /// Every subgraph a nested create writes to or reads from (its `connect` and new-id lookups).
    public var subgraphs: Set<String> {
        Set(rows.map(\.subgraph) + lookups.map(\.subgraph) + steps.map(\.subgraph))
    }
}
