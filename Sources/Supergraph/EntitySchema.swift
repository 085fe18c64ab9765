/// Apollo Federation entities in the supergraph: which fields of a type another subgraph than
/// the type's own serves, and by which `@key`s each federation subgraph resolves a type's
/// entities through `_entities(representations:)`.
public struct EntitySchema: Sendable, Equatable {
    /// Type → field → the federation subgraph that serves it (only fields merged into a type
    /// that another subgraph owns: `Book.deliveryDays` → `shipping`).
    public var fieldOwners: [String: [String: String]] = [:]
    /// Type → federation subgraph → its resolvable keys, in the order the SDL declares them.
    public var keys: [String: [String: [[String]]]] = [:]
    /// Type → field → the fields it `@requires`, which the representation carries.
    public var requires: [String: [String: [String]]] = [:]

    public init() {}

    /// The federation subgraph that serves a field merged into `type`, if it is one.
    public func owner(of field: String, on type: String) -> String? {
        fieldOwners[type]?[field]
    }

    /// The first key by which `subgraph` resolves entities of `type` whose fields all pass
    /// `available` (the fields a parent can carry).
    public func key(of type: String, in subgraph: String, where available: (String) -> Bool) -> [String]? {
        keys[type]?[subgraph]?.first { $0.allSatisfy(available) }
    }
}
