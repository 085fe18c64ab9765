import Foundation
import GatewayConfig
import GatewayJSON
import GraphQL
import GraphQLSupport
import Supergraph
import TestSupport

/// The demo supergraph composed from the subgraphs' SDL and the repository's gateway.yaml
/// (no running service).
func demoSupergraph() throws -> Supergraph {
    let schemas = try DemoSchemas.all()
    let raw = try ConfigLoader.load(path: BuildProducts.packageRoot.appendingPathComponent("gateway.yaml").path, environment: [:])
    let configuration = try ConfigLoader.resolve(raw, schemas: schemas)
    return try Composer.compose(
        subgraphs: configuration.subgraphs.compactMap { subgraph in schemas[subgraph.name].map { (subgraph.name, $0) } },
        configuration: configuration)
}
