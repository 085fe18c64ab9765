extension UpstreamClient {
    /// Counters since the client was created, for tests and metrics.
    public struct Statistics: Sendable, Hashable {
        /// Requests that received an HTTP response, whatever its status.
        public var requestsCompleted: Int = 0
        /// Requests that ended without a response: transport errors, timeouts, responses
        /// over the size limit, cancellations and shutdown.
        public var requestsFailed: Int = 0
        /// New connections opened (the sum of `CURLINFO_NUM_CONNECTS` over all transfers);
        /// a request on a reused keep-alive connection adds nothing.
        public var connectionsOpened: Int = 0
        /// Requests handed to the client and not yet answered.
        public var inFlight: Int = 0

        public init() {}
    }
}
