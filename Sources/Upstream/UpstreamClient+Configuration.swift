extension UpstreamClient {
    /// How long a request may take before it fails with ``UpstreamError/Kind/timeout``.
    public struct Timeouts: Sendable, Hashable {
        /// Longest wait for the TCP connection to be established (`CURLOPT_CONNECTTIMEOUT_MS`).
        /// Default: 2 seconds.
        public var connect: Duration
        /// Longest time for the whole request, from hand-over to the last response byte,
        /// including time spent waiting for a free connection and connecting (`CURLOPT_TIMEOUT_MS`).
        /// Default: 30 seconds.
        public var request: Duration

        /// - Parameters:
        ///   - connect: Longest wait for a connection. Default: 2 seconds.
        ///   - request: Longest time for the whole request. Default: 30 seconds.
        public init(connect: Duration = .seconds(2), request: Duration = .seconds(30)) {
            self.connect = connect
            self.request = request
        }
    }

    /// Settings for one ``UpstreamClient``, fixed when the client is created.
    public struct Configuration: Sendable {
        /// Most connections open at the same time to one host and port
        /// (`CURLMOPT_MAX_HOST_CONNECTIONS`). Requests beyond this wait inside the client for a
        /// connection to become free; the wait counts against their request timeout. Default: 32.
        public var maxConnectionsPerHost: Int
        /// Most idle connections kept open for reuse, over all hosts (`CURLMOPT_MAXCONNECTS`).
        /// Keep it at least `maxConnectionsPerHost` times the number of hosts, or connections
        /// are closed and reopened under load. Default: 128.
        public var maxIdleConnections: Int
        /// Timeouts for requests that do not pass their own. Default: 2 s connect, 30 s request.
        public var timeouts: Timeouts
        /// Largest response body accepted; a larger one fails with
        /// ``UpstreamError/Kind/responseTooLarge`` without being read to the end.
        /// Default: 64 MiB.
        public var maxResponseBytes: Int

        /// - Parameters:
        ///   - maxConnectionsPerHost: Most concurrent connections per host and port. Default: 32.
        ///   - maxIdleConnections: Most idle connections cached for reuse. Default: 128.
        ///   - timeouts: Default timeouts. Default: 2 s connect, 30 s request.
        ///   - maxResponseBytes: Largest accepted response body. Default: 64 MiB.
        public init(
            maxConnectionsPerHost: Int = 32,
            maxIdleConnections: Int = 128,
            timeouts: Timeouts = Timeouts(),
            maxResponseBytes: Int = 64 * 1024 * 1024
        ) {
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxIdleConnections = maxIdleConnections
            self.timeouts = timeouts
            self.maxResponseBytes = maxResponseBytes
        }
    }
}

extension Duration {
    /// Whole milliseconds for libcurl's `*_MS` options, at least 1: curl reads 0 as "no timeout",
    /// which is never what a caller asking for a tiny timeout means.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 1 }
        let cappedSeconds = min(seconds, 1_000_000_000)  // ~31 years; keeps the product in range
        return max(1, Int(cappedSeconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
