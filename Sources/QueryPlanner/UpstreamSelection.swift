/// The selection set of an upstream operation, printed to GraphQL text.
struct UpstreamSelection: Equatable {
    struct Field: Equatable {
        var alias: String?
        var name: String
        var arguments: String
        var selection: UpstreamSelection?
    }

    var fields: [Field] = []

    mutating func add(alias: String?, name: String, arguments: String = "", selection: UpstreamSelection? = nil) {
        fields.append(Field(alias: alias == name ? nil : alias, name: name, arguments: arguments, selection: selection))
    }

    /// `{ a b: c(x: 1) { d } }`; an empty selection prints `{ __typename }` so the text stays valid.
    var printed: String {
        guard !fields.isEmpty else { return "{ __typename }" }
        return "{ " + printedFields + " }"
    }

    /// The fields without the braces: `a b: c(x: 1) { d }` (empty when there are none).
    var printedFields: String {
        fields.map { field in
            var text = ""
            if let alias = field.alias { text += alias + ": " }
            text += field.name + field.arguments
            if let selection = field.selection { text += " " + selection.printed }
            return text
        }.joined(separator: " ")
    }

    /// The response keys of the fields.
    var responseKeys: [String] { fields.map { $0.alias ?? $0.name } }
}
