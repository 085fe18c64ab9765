import Foundation
import GatewayConfig
import Supergraph

/// The demo supergraph composed from SDL (no network): the seven subgraph schemas and the
/// repository's gateway.yaml.
public func demoSupergraph() throws -> Supergraph {
    let schemas = try DemoSchemas.all()
    let raw = try ConfigLoader.load(
        path: BuildProducts.packageRoot.appendingPathComponent("gateway.yaml").path, environment: [:])
    let configuration = try ConfigLoader.resolve(raw, schemas: schemas)
    return try Composer.compose(
        subgraphs: configuration.subgraphs.map { ($0.name, schemas[$0.name]!) }, configuration: configuration,
        federation: ["shipping": try FederationSchema(sdl: DemoSchemas.shippingSDL, subgraph: "shipping")])
}
