import SubgraphKit

// The reviews subgraph (demo-domain.md). Review keys point at catalog books and people users
// of the same scale block; a few point at rows that do not exist ("0").

let bodies = [
    "Loved it.", "Not for me.", "A quiet masterpiece.", "Trop long, mais beau.", "Ein Buch für den Winter.",
    "読みやすい。", "Read it twice!",
]

let review = Model("Review", collection: "reviews", fields: [
    .id("book_id", .indexed), .id("user_id", .indexed), .int("rating"), .string("body", .nullable),
    .string("created_at", .nullable),
]) { scale in
    var random = SeedRandom(seed: 2024)
    return (1...(1000 * scale)).map { n -> [SQLValue] in
        let k = (n - 1) % 1000 + 1
        let block = (n - 1) / 1000
        let book = random.int(in: 1...200)
        let user = random.int(in: 1...50)
        let rating = random.int(in: 1...5)
        let bookID = k % 100 == 42 ? "0" : String(block * 200 + book)  // "0": a deleted book
        let userID = k % 150 == 77 ? "0" : String(block * 50 + user)
        let body: SQLValue = k % 6 == 0 ? nil : .text(bodies[k % bodies.count])
        let created: SQLValue = k % 11 == 0 ? nil : .text("2025-\(String(format2: k % 12 + 1))-\(String(format2: k % 28 + 1))")
        return [.text(String(n)), .text(bookID), .text(userID), .int(rating), body, created]
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : String(value) }
}

/// The reviews subgraph's models, as its executable serves them.
public enum Reviews {
    public static var models: [Model] { [review] }
}
