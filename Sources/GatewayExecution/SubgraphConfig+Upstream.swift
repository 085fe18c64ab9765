import GatewayConfig
import Upstream

extension SubgraphConfig {
    /// The configured headers, as the upstream client takes them.
    public var upstreamHeaders: [(String, String)] { headers.map { ($0.name, $0.value) } }

    /// The configured connect and request timeouts, as the upstream client takes them.
    public var upstreamTimeouts: UpstreamClient.Timeouts { .init(connect: connectTimeout, request: requestTimeout) }
}
