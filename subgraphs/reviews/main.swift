import DemoModels
import SubgraphKit

await SubgraphMain.run(name: "reviews", defaultPort: 4004, models: Reviews.models)
