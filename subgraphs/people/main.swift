import DemoModels
import SubgraphKit

await SubgraphMain.run(name: "people", defaultPort: 4001, models: People.models)
