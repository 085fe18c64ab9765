import GatewayServer
import Synchronization
import Testing

final class Gauge: Sendable {
    let counts = Mutex<(current: Int, peak: Int)>((0, 0))
    func enter() { counts.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current) } }
    func leave() { counts.withLock { $0.current -= 1 } }
}

@Suite("Concurrency limiter")
struct ConcurrencyLimiterTests {
    @Test func atMostTheLimitRunAtOnceAndAllFinish() async {
        let limiter = ConcurrencyLimiter(limit: 2)
        let gauge = Gauge()
        let results = await withTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask {
                    await limiter.run {
                        gauge.enter()
                        try? await Task.sleep(for: .milliseconds(20))
                        gauge.leave()
                        return index
                    }
                }
            }
            var finished: [Int] = []
            for await index in group { finished.append(index) }
            return finished
        }
        #expect(results.sorted() == Array(0..<8))
        #expect(gauge.counts.withLock { $0.peak } == 2)
    }
}
