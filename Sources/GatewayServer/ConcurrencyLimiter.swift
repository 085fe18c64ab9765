import DequeModule
import Synchronization

/// At most `limit` operations execute at once; the others wait their turn, first come first
/// served.
///
/// A deep operation holds its subgraphs' answers and its response in memory while it runs, so
/// the number running at once bounds the gateway's memory. On a machine with few cores,
/// running more at once does not make them finish sooner.
public final class ConcurrencyLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: Deque<CheckedContinuation<Void, Never>>
    }

    public let limit: Int
    private let state: Mutex<State>

    public init(limit: Int) {
        self.limit = limit
        state = Mutex(State(available: limit, waiters: []))
    }

    /// Runs `body` once a slot is free.
    public func run<T: Sendable>(_ body: () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }

    private func acquire() async {
        let acquired = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                // A slot may have been released in between.
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.popFirst() { return waiter }
            state.available += 1
            return nil
        }
        // The slot passes straight to the next waiter.
        next?.resume()
    }
}
