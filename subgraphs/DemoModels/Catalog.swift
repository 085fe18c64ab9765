import SubgraphKit

// The catalog subgraph: books, genres, the book-genre junction and libraries (demo-domain.md).
// Every block of 200 books, 10 genres and 6 libraries is one scale unit; keys point within
// their block, so `--scale N` multiplies the data without changing its shape.

let libraryNames = [
    "Central Library", "Harbour Library", "Ærø Bibliotek", "Kyoto Reading Room", "Lagos Book House",
    "Shiraz Library",
]
let libraryCities: [String?] = ["Lisbon", "Lisbon", "Ærø", "Kyoto", nil, "Shiraz"]
let genreNames = [
    "Poetry", "Fiction", "Mystery", "Science Fiction", "History", "Philosophy", "Travel", "Drama",
    "Biography", "Fantasy",
]
let titleWords = ["Silent", "Blue", "Hidden", "Northern", "Last", "Paper", "Salt", "Winter"]
let titleNouns = ["Garden", "River", "Letters", "Harbour", "Mirror", "Orchard", "Atlas", "Lantern", "Tide", "Voices"]

/// The unique name of the `n`th library (1-based).
func libraryName(_ n: Int) -> String {
    libraryNames[(n - 1) % 6] + (n > 6 ? " \((n - 1) / 6 + 1)" : "")
}

let book = Model("Book", collection: "books", description: "A book in the catalog, held by at most one library.", fields: [
    .string("name").described("The title."),
    .string("description", .nullable).described("A blurb, in the book's language."),
    .string("genre", .nullable).described("The main genre, as text.")
        .deprecated("A book can have several genres: use genres, linked through BookGenres."),
    .int("year", .nullable).described("The year of first publication."),
    .float("price", .nullable).described("The list price (the prices service has the current one, in pricing)."),
    .id("author_id", [.nullable, .indexed]).described("The id of the book's author (authors subgraph)."),
    .string("library_name", [.nullable, .indexed]).described("The name of the library holding the book."),
]) { scale in
    (1...(200 * scale)).map { n -> [SQLValue] in
        let k = (n - 1) % 200 + 1  // position within the block
        let block = (n - 1) / 200
        let name: String
        switch k {
        case 1: name = "Gulistan"
        case 2: name = "Bustan"
        default: name = "The \(titleWords[k % 8]) \(titleNouns[k % 10])"  // 40 titles, repeated: ties
        }
        let description: SQLValue = k % 5 == 0 ? nil : .text(k % 3 == 0 ? "Une histoire d’été à Ærø" : "A story in \(k % 7 + 1) parts")
        let genre: SQLValue = k % 8 == 0 ? nil : .text(genreNames[k % 10])
        let year: SQLValue = k % 9 == 0 ? nil : .int(1950 + k % 60)
        let price: SQLValue = k % 12 == 0 ? nil : .double([9.99, 14.5, 20.0, 7.25, 9.99][k % 5])
        let author: SQLValue
        switch k % 50 {
        case 7: author = nil  // no author
        case 13: author = "0"  // an author that does not exist
        default: author = .text(String(block * 20 + (k <= 2 ? 1 : (k * 7) % 17 + 1)))  // authors 18-20 have no books
        }
        let library: SQLValue
        switch k % 10 {
        case 3: library = nil
        default: library = k % 97 == 0 ? "Atlantis Library" : .text(libraryName(block * 6 + k % 6 + 1))
        }
        return [.text(String(n)), .text(name), description, genre, year, price, author, library]
    }
}

let genre = Model("Genre", collection: "genres", fields: [.string("name")]) { scale in
    (1...(10 * scale)).map { n in
        [.text(String(n)), .text(genreNames[(n - 1) % 10] + (n > 10 ? " \((n - 1) / 10 + 1)" : ""))]
    }
}

// Two links per book. Every 40th book has the same genre linked twice (a duplicate in the
// junction), and one link per block names a genre that does not exist.
let bookGenre = Model("BookGenre", collection: "bookGenres", fields: [
    .id("book_id", .indexed), .id("genre_id", .indexed),
]) { scale in
    (1...(200 * scale)).flatMap { n -> [[SQLValue]] in
        let k = (n - 1) % 200 + 1
        let base = (n - 1) / 200 * 10
        let first = base + (k * 3) % 10 + 1
        var second = base + (k * 7 + 1) % 10 + 1
        if k % 40 == 0 { second = first }
        let secondID: SQLValue = k == 199 ? "0" : .text(String(second))
        return [
            [.text(String(2 * n - 1)), .text(String(n)), .text(String(first))],
            [.text(String(2 * n)), .text(String(n)), secondID],
        ]
    }
}

let library = Model("Library", collection: "libraries", fields: [
    .string("name", .indexed), .string("city", .nullable),
]) { scale in
    (1...(6 * scale)).map { n in [.text(String(n)), .text(libraryName(n)), .from(libraryCities[(n - 1) % 6])] }
}

/// The catalog subgraph's models, as its executable serves them.
public enum Catalog {
    public static var models: [Model] { [book, genre, bookGenre, library] }
}
