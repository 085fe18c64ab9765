import DemoModels
import SubgraphKit

// The prices subgraph: a plain GraphQL service (lookups by book id, no model-protocol
// collection), which the gateway fronts as `protocol: graphql`.
await SubgraphMain.run(name: "prices", defaultPort: 4007) { options in try PricesService(scale: options.scale) }
