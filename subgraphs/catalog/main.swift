import DemoModels
import SubgraphKit

await SubgraphMain.run(name: "catalog", defaultPort: 4003, models: Catalog.models)
