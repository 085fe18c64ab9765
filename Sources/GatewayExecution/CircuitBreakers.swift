import GatewayConfig
import Synchronization

/// One circuit breaker per subgraph: after `failures` consecutive failed requests the circuit
/// opens and requests to the subgraph fail at once, without being sent, for `openFor`; then one
/// request goes through as a probe (half-open): its success closes the circuit, its failure
/// opens it again.
final class CircuitBreakers: Sendable {
    enum State {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant, failures: Int)
        case probing(failures: Int)
    }

    /// Why a request is not sent.
    struct Refusal: Error {
        var failures: Int
        var retryIn: Duration
    }

    let threshold: Int
    let openFor: Duration
    private let states: Mutex<[String: State]>

    init(threshold: Int, openFor: Duration) {
        self.threshold = threshold
        self.openFor = openFor
        self.states = Mutex([:])
    }

    convenience init(_ traffic: TrafficConfig) {
        self.init(threshold: traffic.breakerFailures, openFor: traffic.breakerOpenFor)
    }

    /// Whether a request to `subgraph` may be sent now; a probe when the open time is over.
    func admit(_ subgraph: String, now: ContinuousClock.Instant = .now) -> Refusal? {
        guard threshold > 0 else { return nil }
        return states.withLock { states in
            switch states[subgraph] ?? .closed(failures: 0) {
            case .closed:
                return nil
            case .open(let until, let failures):
                if now < until { return Refusal(failures: failures, retryIn: until - now) }
                states[subgraph] = .probing(failures: failures)
                return nil
            case .probing(let failures):
                // One probe at a time; the others wait for its outcome as if still open.
                return Refusal(failures: failures, retryIn: .zero)
            }
        }
    }

    /// The outcome of a request that was sent.
    func record(_ subgraph: String, success: Bool, now: ContinuousClock.Instant = .now) {
        guard threshold > 0 else { return }
        states.withLock { states in
            if success {
                states[subgraph] = .closed(failures: 0)
                return
            }
            switch states[subgraph] ?? .closed(failures: 0) {
            case .closed(let failures):
                let count = failures + 1
                states[subgraph] = count >= threshold ? .open(until: now + openFor, failures: count) : .closed(failures: count)
            case .open(let until, let failures):
                states[subgraph] = .open(until: until, failures: failures + 1)
            case .probing(let failures):
                states[subgraph] = .open(until: now + openFor, failures: failures + 1)
            }
        }
    }
}
