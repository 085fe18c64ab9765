import SubgraphKit

// The authors subgraph: authors and their passports (demo-domain.md).

let authorNames = [
    "Saadi Shīrāzī", "Chimamanda Ngozi Adichie", "Haruki Murakami", "Fernando Pessoa", "Karen Blixen",
    "Orhan Pamuk", "Wisława Szymborska", "Jorge Luis Borges", "Toni Morrison", "Italo Calvino",
    "Naguib Mahfouz", "Halldór Laxness", "Clarice Lispector", "Yasunari Kawabata", "Selma Lagerlöf",
    "Hafez", "Italo Calvino", "Olga Tokarczuk", "Ngũgĩ wa Thiong'o", "Ursula K. Le Guin",
]
let authorCountries: [String?] = [
    "Iran", "Nigeria", "Japan", "Portugal", "Denmark", "Turkey", "Poland", "Argentina", "USA", "Italy",
    "Egypt", "Iceland", "Brazil", "Japan", nil, "Iran", "Italy", "Poland", "Kenya", "USA",
]

let author = Model("Author", collection: "authors", fields: [
    .string("name"), .string("dateOfBirth", .nullable), .string("country", .nullable),
]) { scale in
    (1...(20 * scale)).map { n -> [SQLValue] in
        let index = (n - 1) % 20
        let name = authorNames[index] + (n > 20 ? " \((n - 1) / 20 + 1)" : "")
        let born: SQLValue = n % 6 == 0 ? nil : .text("\(1850 + (n * 37) % 150)-0\(n % 9 + 1)-1\(n % 10)")
        return [.text(String(n)), .text(name), born, .from(authorCountries[index])]
    }
}

// Authors 1-15 of every twenty hold a passport; one more passport names an owner that
// does not exist ("0"), so Passport.owner is null there.
let passport = Model("Passport", collection: "passports", fields: [
    .id("owner_id", .indexed), .string("passport_number"), .string("expires", .nullable),
]) { scale in
    (1...(15 * scale)).map { n -> [SQLValue] in
        let block = (n - 1) / 15
        let owner = n == 15 ? "0" : String(block * 20 + (n - 1) % 15 + 1)
        let expires: SQLValue = n % 4 == 0 ? nil : .text("20\(27 + n % 8)-12-31")
        return [.text(String(n)), .text(owner), .text("P\(100_000 + n * 7919 % 900_000)"), expires]
    }
}

/// The authors subgraph's models, as its executable serves them.
public enum Authors {
    public static var models: [Model] { [author, passport] }
}
