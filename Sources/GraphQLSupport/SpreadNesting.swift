import GraphQL

/// How deep selection sets nest in a parsed document once each fragment is counted where it is
/// spread: measured before validation, because GraphQLSwift's validator (and the gateway's own
/// walks, such as the operation limits') recurse once per selection set and once per spread.
/// Text nesting (``SourceNesting``) does not bound this: a chain of two thousand fragments,
/// each spreading the next, is flat text of 70 KB that overflows a thread's stack.
///
/// The measure walks each definition once (its own nesting is bounded by the text's) and joins
/// the fragments without recursion, so no document can overflow the measure itself.
public enum SpreadNesting {
    /// The deepest nesting of selection sets, a fragment's own selection set counting one level
    /// below the selection set it is spread in. Spreads of undefined fragments count nothing
    /// (validation reports them). When fragments spread one another in a cycle, whose
    /// expansion has no end, the result is the sum of every definition's own depth: a bound on
    /// any path that visits each fragment once, as validation's walks do, so a short cycle
    /// still reaches validation and its error.
    public static func depth(of document: Document) -> Int {
        var fragments: [String: Local] = [:]
        var operations: [Local] = []
        for definition in document.definitions {
            if let fragment = definition as? FragmentDefinition {
                // Of two fragments with one name (a validation error), the deeper counts.
                let local = Local(fragment.selectionSet)
                if let other = fragments[fragment.name.value], other.depth > local.depth { continue }
                fragments[fragment.name.value] = local
            } else if let operation = definition as? OperationDefinition {
                operations.append(Local(operation.selectionSet))
            }
        }

        // Each fragment's expanded depth, in post-order over an explicit stack.
        var expanded: [String: Int] = [:]
        var inProgress: Set<String> = []
        var cyclic = false
        for start in fragments.keys where expanded[start] == nil {
            var stack: [(name: String, next: Int, deepest: Int)] = [(start, 0, fragments[start]!.depth)]
            inProgress.insert(start)
            while let top = stack.last {
                let local = fragments[top.name]!
                guard top.next < local.spreads.count else {
                    stack.removeLast()
                    inProgress.remove(top.name)
                    expanded[top.name] = top.deepest
                    if !stack.isEmpty {
                        let parent = stack[stack.count - 1]
                        let at = fragments[parent.name]!.spreads[parent.next - 1].depth
                        stack[stack.count - 1].deepest = max(parent.deepest, at + top.deepest)
                    }
                    continue
                }
                let spread = local.spreads[top.next]
                stack[stack.count - 1].next += 1
                if let known = expanded[spread.fragment] {
                    stack[stack.count - 1].deepest = max(top.deepest, spread.depth + known)
                } else if inProgress.contains(spread.fragment) {
                    cyclic = true
                } else if let target = fragments[spread.fragment] {
                    inProgress.insert(spread.fragment)
                    stack.append((spread.fragment, 0, target.depth))
                }
            }
        }

        if cyclic {
            return fragments.values.reduce(operations.map(\.depth).max() ?? 0) { $0 + $1.depth }
        }
        return operations.map { operation in
            operation.spreads.reduce(operation.depth) { deepest, spread in
                max(deepest, spread.depth + (expanded[spread.fragment] ?? 0))
            }
        }.max() ?? 0
    }

    /// One definition's own nesting: its depth without expanding spreads, and its spreads with
    /// the number of selection sets around each.
    struct Local {
        var depth = 0
        var spreads: [(fragment: String, depth: Int)] = []

        init(_ selectionSet: SelectionSet) {
            visit(selectionSet, at: 1)
        }

        private mutating func visit(_ selectionSet: SelectionSet, at level: Int) {
            depth = max(depth, level)
            for selection in selectionSet.selections {
                switch selection {
                case let field as Field:
                    if let inner = field.selectionSet { visit(inner, at: level + 1) }
                case let inline as InlineFragment:
                    visit(inline.selectionSet, at: level + 1)
                case let spread as FragmentSpread:
                    spreads.append((spread.name.value, level))
                default:
                    continue
                }
            }
        }
    }
}
