import GatewayConfig
import GraphQLSupport

/// What the gateway can write for a model: the model protocol's mutation fields its subgraph
/// serves (`create_T`, `update_T`, `delete_T`), found by introspection.
public struct WriteModel: Sendable, Hashable {
    public var model: ModelConfig
    /// `create_Book`, when the subgraph serves it with an `input` argument.
    public var createField: String?
    /// The subgraph's input type of `create_T` (`BookInput`).
    public var inputType: String?
    /// The subgraph's input fields, in its order, with its types (before the gateway relaxes
    /// key fields that relationships can fill).
    public var inputFields: [InputValueDef]
    /// `update_Book`, when served with `filter` and `input` arguments.
    public var updateField: String?
    /// The subgraph's input type of `update_T` (`BookPatch`).
    public var patchType: String?
    /// `delete_Book`, when served with a `filter` argument.
    public var deleteField: String?
    /// The scalar fields of the type, in its order: what a row is read with to restore it.
    public var scalarFields: [String]

    public init(
        model: ModelConfig, createField: String? = nil, inputType: String? = nil, inputFields: [InputValueDef] = [],
        updateField: String? = nil, patchType: String? = nil, deleteField: String? = nil, scalarFields: [String] = []
    ) {
        self.model = model
        self.createField = createField
        self.inputType = inputType
        self.inputFields = inputFields
        self.updateField = updateField
        self.patchType = patchType
        self.deleteField = deleteField
        self.scalarFields = scalarFields
    }

    /// Rows can be created and, to undo a failed nested write, deleted again.
    public var canCreate: Bool { createField != nil && inputType != nil && deleteField != nil }
    /// Rows can be updated by filter (to link existing rows, or set a key to null).
    public var canUpdate: Bool { updateField != nil && patchType != nil }
    /// The input fields the subgraph requires (non-null), `id` aside.
    public var requiredFields: [String] { inputFields.filter { $0.type.isNonNull && $0.name != "id" }.map(\.name) }
    /// The fields a created row can be restored with: the input fields that are also the type's.
    public var restorableFields: [String] {
        let input = Set(inputFields.map(\.name))
        return scalarFields.filter { input.contains($0) }
    }
}

/// One relationship field of a model's input type: how a nested write may create related
/// rows (`data`) or link existing ones (`connect`).
public struct NestedRelationshipInput: Sendable, Hashable {
    public var relationship: RelationshipConfig
    /// The input type of the field (`BookAuthorNestedInput`).
    public var inputType: String
    /// Whether `data` is offered: the rows it creates can be created and deleted again.
    public var allowsData: Bool
    /// The input type of `connect`'s keys (`AuthorKey`), nil when `connect` is not offered.
    public var connectType: String?
    /// The target type's fields a `connect` key names: the mapped target fields when the
    /// source holds the key, `id` when the target does, the through mapping's target fields
    /// for a many-to-many relationship.
    public var connectFields: [String]

    public init(
        relationship: RelationshipConfig, inputType: String, allowsData: Bool, connectType: String?, connectFields: [String]
    ) {
        self.relationship = relationship
        self.inputType = inputType
        self.allowsData = allowsData
        self.connectType = connectType
        self.connectFields = connectFields
    }
}

/// A root mutation field the gateway answers with a write plan instead of forwarding it.
public enum MutationWrite: Sendable, Hashable {
    /// `create_T(input:)` (`many: false`) or `create_T_many(inputs:)`, nested rows included.
    case create(model: String, many: Bool)
    /// `delete_T(id:, filter:)` of a type with `onDelete` rules.
    case delete(model: String)
}

/// The write side of the supergraph: which models can be written, the relationship fields of
/// their input types, and the root mutation fields answered by write plans.
public struct WriteSchema: Sendable {
    /// By model name.
    public var models: [String: WriteModel]
    /// By source type, then relationship field name.
    public var nested: [String: [String: NestedRelationshipInput]]
    /// By root mutation field name.
    public var mutations: [String: MutationWrite]

    public init(
        models: [String: WriteModel] = [:], nested: [String: [String: NestedRelationshipInput]] = [:],
        mutations: [String: MutationWrite] = [:]
    ) {
        self.models = models
        self.nested = nested
        self.mutations = mutations
    }
}
