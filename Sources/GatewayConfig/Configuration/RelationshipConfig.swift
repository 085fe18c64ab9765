/// Whether a relationship field returns one target row or a list of them.
public enum RelationshipKind: String, Sendable, Hashable, CaseIterable {
    case object = "Object"
    case array = "Array"
}

/// What deleting a source row does to its related rows (`onDelete:` in gateway.yaml, a gateway
/// extension of OpenDD). Applies to relationships whose related rows hold the key
/// (``RelationshipConfig/KeyHolder/target`` and ``RelationshipConfig/KeyHolder/junction``).
public enum DeleteRule: String, Sendable, Hashable, CaseIterable {
    /// Delete the related rows first (and, transitively, what their own rules say).
    case cascade
    /// Refuse the delete while related rows exist.
    case restrict
    /// Set the related rows' key fields to null.
    case setNull
}

/// One pair of a relationship's join key: a scalar field of the source type and the field of
/// the target type that must hold the same value.
public struct FieldMapping: Sendable, Hashable {
    public var sourceField: String
    public var targetField: String
    /// The named scalar type both fields share (`ID`, `String`, ...).
    public var scalarType: String

    /// - Parameters:
    ///   - scalarType: default `ID`.
    public init(sourceField: String, targetField: String, scalarType: String = "ID") {
        self.sourceField = sourceField
        self.targetField = targetField
        self.scalarType = scalarType
    }
}

/// The junction model of a many-to-many relationship (the gateway's `through` extension of
/// OpenDD): the rows linking a source row to its target rows, like `BookGenres` between `Book`
/// and `Genres`.
public struct JunctionConfig: Sendable, Hashable {
    /// The junction model's name.
    public var model: String
    public var subgraph: String
    /// The junction model's object type.
    public var typeName: String
    /// The junction model's collection field.
    public var collection: String
    /// The input type of the junction collection's `filter` argument (`BookGenreFilter`).
    public var filterType: String
    /// Junction field -> target field (`sourceField` is the junction type's field, `targetField`
    /// the target type's), in declaration order; never empty.
    public var mapping: [FieldMapping]
    /// Where `through:` is declared; nil for configurations built in code.
    public var location: SourceLocation?

    /// - Parameters:
    ///   - location: default nil.
    public init(
        model: String, subgraph: String, typeName: String, collection: String, filterType: String,
        mapping: [FieldMapping], location: SourceLocation? = nil
    ) {
        self.model = model
        self.subgraph = subgraph
        self.typeName = typeName
        self.collection = collection
        self.filterType = filterType
        self.mapping = mapping
        self.location = location
    }
}

/// A field the gateway adds to a source type, answered by fetching from a target model with
/// `filter: {targetField: {_in: [...]}}` (an `_or` of `_and`s for composite keys).
///
/// With ``through`` (always an Array relationship), the field is answered in two hops: the
/// junction model's rows whose junction fields match the source keys (``mapping``), then the
/// target rows matching those rows' keys (``JunctionConfig/mapping``).
public struct RelationshipConfig: Sendable, Hashable {
    public var sourceType: String
    /// The subgraph whose `sourceType` the field is added to.
    public var sourceSubgraph: String
    /// The new field's name.
    public var name: String
    public var description: String?
    /// The target model's name.
    public var targetModel: String
    public var targetSubgraph: String
    public var targetType: String
    /// The target model's collection field.
    public var targetCollection: String
    public var kind: RelationshipKind
    /// The join key, one entry per key field, in declaration order; never empty. With
    /// ``through``, it maps source fields to the *junction* type's fields.
    public var mapping: [FieldMapping]
    /// The junction model of a many-to-many relationship; nil for a direct one.
    public var through: JunctionConfig?
    /// What deleting a source row does to the related rows; nil leaves them alone.
    public var onDelete: DeleteRule?
    /// Where the relationship is declared; nil for configurations built in code.
    public var location: SourceLocation?

    /// - Parameters:
    ///   - description: default nil.
    ///   - through: default nil (a direct relationship).
    ///   - onDelete: default nil (deletes leave related rows alone).
    ///   - location: default nil.
    public init(
        sourceType: String, sourceSubgraph: String, name: String, description: String? = nil,
        targetModel: String, targetSubgraph: String, targetType: String, targetCollection: String,
        kind: RelationshipKind, mapping: [FieldMapping], through: JunctionConfig? = nil,
        onDelete: DeleteRule? = nil, location: SourceLocation? = nil
    ) {
        self.sourceType = sourceType
        self.sourceSubgraph = sourceSubgraph
        self.name = name
        self.description = description
        self.targetModel = targetModel
        self.targetSubgraph = targetSubgraph
        self.targetType = targetType
        self.targetCollection = targetCollection
        self.kind = kind
        self.mapping = mapping
        self.through = through
        self.onDelete = onDelete
        self.location = location
    }

    /// Which side's rows store the join key, and so what a write must do first.
    public enum KeyHolder: Sendable, Hashable {
        /// The source row stores the key (`Book.author_id` → `Author.id`): a nested write creates
        /// the target first and copies its key into the source.
        case source
        /// The target rows store the key (`Author.id` → `Passport.owner_id`): a nested write
        /// creates the source first and copies its key into each target row.
        case target
        /// A junction row stores both keys (many-to-many, ``through``): source and target
        /// come first, then the junction rows linking them.
        case junction
    }

    /// Which side stores the key: the junction with ``through``; the target for an Array
    /// relationship; for an Object relationship, the source unless the mapping starts from the
    /// source's `id` and does not end at the target's `id` (`Author.passport`, `Address.user`).
    public var keyHolder: KeyHolder {
        if through != nil { return .junction }
        if kind == .array { return .target }
        let targetFields = mapping.map(\.targetField)
        if targetFields == ["id"] { return .source }
        return mapping.map(\.sourceField) == ["id"] ? .target : .source
    }

    /// Whether the target lives in the same subgraph as the source (still batched by the gateway).
    public var isLocal: Bool { sourceSubgraph == targetSubgraph }

    /// The target type's fields its rows are matched on: the target side of the junction's
    /// mapping with ``through``, of ``mapping`` otherwise.
    public var targetKeyFields: [String] { through.map { $0.mapping.map(\.targetField) } ?? mapping.map(\.targetField) }
}
