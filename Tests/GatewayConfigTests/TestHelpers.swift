import Foundation
import GatewayConfig
import GraphQLSupport
import TestSupport
import Testing

/// Runs the decode stage on `yaml` named gateway.yaml, with an empty environment unless given.
func decode(_ yaml: String, environment: [String: String] = [:]) throws(ConfigErrors) -> RawConfig {
    try ConfigLoader.decode(yaml: yaml, file: "gateway.yaml", environment: environment)
}

/// The errors `body` throws, or none (recording an issue) when it succeeds.
func errors<T>(
    _ body: () throws(ConfigErrors) -> T, sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [ConfigError] {
    do {
        let value = try body()
        Issue.record("expected configuration errors, got \(value)", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}

/// The errors of decoding `yaml`.
func decodeErrors(
    _ yaml: String, environment: [String: String] = [:], sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [ConfigError] {
    errors({ () throws(ConfigErrors) in try decode(yaml, environment: environment) }, sourceLocation: sourceLocation)
}

/// Decodes `yaml`, which must decode, and returns the errors of resolving it against `schemas`.
func resolveErrors(
    _ yaml: String, schemas: [String: SchemaModel], sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [ConfigError] {
    let raw: RawConfig
    do {
        raw = try decode(yaml)
    } catch {
        Issue.record("the YAML should decode, but: \(error)", sourceLocation: sourceLocation)
        return []
    }
    return errors({ () throws(ConfigErrors) in try ConfigLoader.resolve(raw, schemas: schemas) }, sourceLocation: sourceLocation)
}

/// Expects exactly the `expected` errors, in order: each at `line:column` of gateway.yaml, with a
/// message containing every given substring.
func expectErrors(
    _ actual: [ConfigError], _ expected: [(at: String, containing: [String])],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let listing = actual.map(\.description).joined(separator: "\n")
    #expect(actual.count == expected.count, "errors:\n\(listing)", sourceLocation: sourceLocation)
    for (error, expectation) in zip(actual, expected) {
        #expect(
            error.location?.description == "gateway.yaml:\(expectation.at)", "error: \(error)",
            sourceLocation: sourceLocation)
        for substring in expectation.containing {
            #expect(error.message.contains(substring), "error: \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// Shorthand for one expected error.
func expectError(
    _ actual: [ConfigError], at: String, _ substrings: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    expectErrors(actual, [(at, substrings)], sourceLocation: sourceLocation)
}

/// The five demo subgraphs, one per line: lines 1-6.
let subgraphsYAML = """
    subgraphs:
      - {name: people, url: "http://127.0.0.1:4001/graphql"}
      - {name: authors, url: "http://127.0.0.1:4002/graphql"}
      - {name: catalog, url: "http://127.0.0.1:4003/graphql"}
      - {name: reviews, url: "http://127.0.0.1:4004/graphql"}
      - {name: inventory, url: "http://127.0.0.1:4005/graphql"}

    """

/// The eleven demo models, one per line: lines 7-18 (`models:` on line 7, Users on line 8).
let modelsYAML = """
    models:
      - {name: Users, subgraph: people, type: User, collection: users}
      - {name: Addresses, subgraph: people, type: Address, collection: addresses}
      - {name: Authors, subgraph: authors, type: Author, collection: authors}
      - {name: Passports, subgraph: authors, type: Passport, collection: passports}
      - {name: Books, subgraph: catalog, type: Book, collection: books}
      - {name: Genres, subgraph: catalog, type: Genre, collection: genres}
      - {name: BookGenres, subgraph: catalog, type: BookGenre, collection: bookGenres}
      - {name: Libraries, subgraph: catalog, type: Library, collection: libraries}
      - {name: Reviews, subgraph: reviews, type: Review, collection: reviews}
      - {name: Stocks, subgraph: inventory, type: Stock, collection: stocks}
      - {name: Loans, subgraph: inventory, type: Loan, collection: loans}

    """

/// Subgraphs and models; `relationships:` is on line 19, so the first relationship starts on line 20.
let relationshipsPrefix = subgraphsYAML + modelsYAML + "relationships:\n"

/// The repository's gateway.yaml.
let repositoryGatewayYAML: String = {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("gateway.yaml").path
}()

/// Suites that resolve relationships written after ``relationshipsPrefix``.
protocol RelationshipStageSuite {}

extension RelationshipStageSuite {
    /// The errors of resolving the demo subgraphs and models with these relationships.
    func stageErrors(
        _ relationships: String..., schemas: [String: SchemaModel]? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> [ConfigError] {
        resolveErrors(
            relationshipsPrefix + relationships.joined(), schemas: try schemas ?? DemoSchemas.all(),
            sourceLocation: sourceLocation)
    }
}
