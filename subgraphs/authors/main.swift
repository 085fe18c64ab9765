import DemoModels
import SubgraphKit

await SubgraphMain.run(name: "authors", defaultPort: 4002, models: Authors.models)
