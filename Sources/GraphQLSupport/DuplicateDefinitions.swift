import GraphQL

/// The errors of a document that defines an operation or a fragment name twice, or an
/// anonymous operation beside others: found before GraphQLSwift validates it.
///
/// GraphQLSwift's validation keys dictionaries by operation and fragment definitions whose
/// hash is their identity but whose `==` compares structure, so two identical definitions in
/// one document (`query A { a } query A { a }`) can make a dictionary trap ("Duplicate keys of
/// type 'OperationDefinition'"), which took the whole process down, at random: it depends on the
/// hash seed. Such a document is invalid anyway (the UniqueOperationNames,
/// LoneAnonymousOperation and UniqueFragmentNames rules); these are those rules' errors.
enum DuplicateDefinitions {
    static func errors(in document: Document) -> [GraphQLError] {
        var errors: [GraphQLError] = []
        var operations: [String: OperationDefinition] = [:]
        var fragments: [String: FragmentDefinition] = [:]
        let operationCount = document.definitions.count { $0 is OperationDefinition }
        for definition in document.definitions {
            if let operation = definition as? OperationDefinition {
                guard let name = operation.name else {
                    if operationCount > 1 {
                        errors.append(GraphQLError(
                            message: "This anonymous operation must be the only defined operation.", nodes: [operation]))
                    }
                    continue
                }
                if let first = operations[name.value] {
                    errors.append(GraphQLError(
                        message: "There can be only one operation named \"\(name.value)\".", nodes: [first.name!, name]))
                } else {
                    operations[name.value] = operation
                }
            } else if let fragment = definition as? FragmentDefinition {
                if let first = fragments[fragment.name.value] {
                    errors.append(GraphQLError(
                        message: "There can be only one fragment named \"\(fragment.name.value)\".", nodes: [first.name, fragment.name]))
                } else {
                    fragments[fragment.name.value] = fragment
                }
            }
        }
        return errors
    }
}
