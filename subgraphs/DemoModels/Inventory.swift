import SubgraphKit

// The inventory subgraph: stocks per (library, book) and loans (demo-domain.md).
// Each scale block has 6 libraries and 200 books; its 300 stocks are distinct
// (library, book) pairs, and loans name those pairs (Loan.stock is a composite key).

/// The (library, book) pair of the `i`th stock of a block (0-based): distinct for i < 600
/// because 67 is prime to 200.
func stockPair(_ i: Int, block: Int) -> (library: Int, book: Int) {
    (block * 6 + i % 6 + 1, block * 200 + (i * 67) % 200 + 1)
}

let stock = Model("Stock", collection: "stocks", fields: [
    .id("library_id", .indexed), .id("book_id", .indexed), .int("copies"), .int("on_loan"),
]) { scale in
    (1...(300 * scale)).map { n -> [SQLValue] in
        let i = (n - 1) % 300
        let pair = stockPair(i, block: (n - 1) / 300)
        let copies = i % 5 + 1
        return [.text(String(n)), .text(String(pair.library)), .text(String(pair.book)), .int(copies), .int(i % (copies + 1))]
    }
}

let loan = Model("Loan", collection: "loans", fields: [
    .id("user_id", .indexed), .id("library_id", .indexed), .id("book_id", .indexed), .string("due", .nullable),
    .boolean("returned"),
]) { scale in
    (1...(300 * scale)).map { n -> [SQLValue] in
        let k = (n - 1) % 300 + 1
        let block = (n - 1) / 300
        let pair = stockPair((k * 7) % 300, block: block)
        // Every 50th loan names a library that holds no stock of the book: Loan.stock is null there.
        let libraryID = k % 50 == 25 ? "0" : String(pair.library)
        let userID = k % 60 == 30 ? "0" : String(block * 50 + (k * 11) % 50 + 1)
        let due: SQLValue = k % 8 == 0 ? nil : .text("2026-\(k % 3 + 10)-\(k % 20 + 10)")
        return [.text(String(n)), .text(userID), .text(libraryID), .text(String(pair.book)), due, .bool(k % 3 == 0)]
    }
}

/// The inventory subgraph's models, as its executable serves them.
public enum Inventory {
    public static var models: [Model] { [stock, loan] }
}
