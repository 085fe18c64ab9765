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
        var text = "{"
        for field in fields {
            text += " "
            if let alias = field.alias { text += alias + ": " }
            text += field.name + field.arguments
            if let selection = field.selection { text += " " + selection.printed }
        }
        return text + " }"
    }
}
