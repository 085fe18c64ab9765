import DemoModels
import SubgraphKit

await SubgraphMain.run(name: "inventory", defaultPort: 4005, models: Inventory.models)
