import DemoModels
import SubgraphKit

// The shipping subgraph: an Apollo Federation v2 subgraph (entities Book, extended from the
// catalog, and Shipment), which the gateway fronts as `protocol: federation`.
await SubgraphMain.run(name: "shipping", defaultPort: 4006) { options in try ShippingService(scale: options.scale) }
