import SubgraphKit

// The people subgraph: users and their addresses (demo-domain.md). Ids are decimal strings;
// "0" never names a row, so it serves as the dangling key.

let firstNames = ["Ada", "Björn", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "José"]
let lastNames = ["Kim", "Lund", "Moreau", "Nakamura", "Okafor"]
let streets = ["Main Street", "Harbour Road", "Rue de la Paix", "Königsallee", "Via Roma", "Strandvejen"]
let cities: [(String, String)] = [
    ("Ærø", "Denmark"), ("Lisbon", "Portugal"), ("Kyoto", "Japan"), ("Lagos", "Nigeria"),
    ("Shiraz", "Iran"), ("Lisbon", "Portugal"),
]

let user = Model("User", collection: "users", fields: [
    .string("name"), .string("username"), .int("age", .nullable), .string("email", .nullable),
    .id("address_id", [.nullable, .indexed]),
]) { scale in
    let count = 50 * scale
    let addresses = 40 * scale
    return (1...count).map { n -> [SQLValue] in
        // 25 names, each carried by two users: ties when ordering by name.
        let name = "\(firstNames[(n - 1) / 5 % 5]) \(lastNames[(n - 1) % 5])"
        let username = name.lowercased().replacingOccurrences(of: " ", with: ".") + String(n)
        let age: SQLValue = n % 7 == 0 ? nil : .int(18 + (n * 13) % 50)
        let email: SQLValue = n % 9 == 0 ? nil : .text("user\(n)@example.com")
        let address: SQLValue
        switch n % 25 {
        case 5, 10, 20: address = nil  // users without an address
        case 15: address = "0"  // an address that does not exist
        default: address = .text(String((n - 1) % addresses + 1))  // users 41-50 share addresses 1-10
        }
        return [.text(String(n)), .text(name), .text(username), age, email, address]
    }
}

let address = Model("Address", collection: "addresses", fields: [
    .string("streetNumber", .nullable), .string("streetName", .nullable), .string("city", .nullable),
    .string("country", .nullable),
]) { scale in
    (1...(40 * scale)).map { n -> [SQLValue] in
        let (city, country) = cities[n % cities.count]
        return [
            .text(String(n)),
            n % 11 == 0 ? nil : .text(String(n * 3 % 120 + 1)),
            n % 13 == 0 ? nil : .text(streets[n % streets.count]),
            n % 17 == 0 ? nil : .text(city),
            n % 19 == 0 ? nil : .text(country),
        ]
    }
}

/// The people subgraph's models, as its executable serves them.
public enum People {
    public static var models: [Model] { [user, address] }
}
