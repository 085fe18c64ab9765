import Foundation
import GatewayConfig
import Supergraph

/// The demo supergraph composed from SDL (no network): the seven subgraph schemas and the
/// repository's gateway.yaml (or another configuration file over the same subgraphs).
///
/// - Parameter environment: for `${VAR}` in the file (default: none, so the default URLs).
public func demoSupergraph(config: String? = nil, environment: [String: String] = [:]) throws -> Supergraph {
    let schemas = try DemoSchemas.all()
    let raw = try ConfigLoader.load(
        path: config ?? BuildProducts.packageRoot.appendingPathComponent("gateway.yaml").path, environment: environment)
    let configuration = try ConfigLoader.resolve(raw, schemas: schemas)
    return try Composer.compose(
        subgraphs: configuration.subgraphs.map { ($0.name, schemas[$0.name]!) }, configuration: configuration,
        federation: ["shipping": try FederationSchema(sdl: DemoSchemas.shippingSDL, subgraph: "shipping")])
}
