import GatewayJSON
import Testing
import Upstream

/// The error `body` throws, or nil if it returns.
private func upstreamError<T>(_ body: () async throws(UpstreamError) -> T) async -> UpstreamError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Waits until `condition` holds, for at most `limit`.
private func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("condition not met within \(limit)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

// Serialized: the tests that bound elapsed time should not compete with each other for two cores. The
// time limit catches a hang; three minutes leave room for the whole suite starting processes around it.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct UpstreamClientTests {
    // MARK: Keep-alive and concurrency

    @Test func sequentialRequestsReuseOneKeptAliveConnection() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            for index in 0..<500 {
                let body = bytes(#"{"index":\#(index)}"#)
                let response = try await client.post(url: server.url("/echo"), body: body)
                #expect(response.status == 200)
                #expect(response.body == body)
            }
            let statistics = client.statistics
            #expect(statistics.requestsCompleted == 500)
            #expect(statistics.requestsFailed == 0)
            #expect(statistics.connectionsOpened >= 1)
            #expect(statistics.connectionsOpened <= 2)
            #expect(statistics.inFlight == 0)
        }
    }

    @Test func concurrentRequestsAllCompleteWithinThePerHostCap() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient(configuration: .init(maxConnectionsPerHost: 8))
            defer { client.shutdown() }
            let url = server.url("/echo")
            let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let body = bytes(#"{"request":\#(index),"padding":"\#(String(repeating: "p", count: index))"}"#)
                        let response = try await client.post(url: url, body: body)
                        return response.status == 200 && response.body == body
                    }
                }
                var mismatches = 0
                for try await matched in group where !matched { mismatches += 1 }
                return mismatches
            }
            #expect(mismatches == 0)
            let statistics = client.statistics
            #expect(statistics.requestsCompleted == 200)
            #expect(statistics.connectionsOpened >= 1)
            #expect(statistics.connectionsOpened <= 8)
            #expect(statistics.inFlight == 0)
        }
    }

    @Test func requestsBeyondThePerHostCapWaitForAFreeConnection() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient(configuration: .init(maxConnectionsPerHost: 4))
            defer { client.shutdown() }
            let url = server.url("/slow?ms=200")
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask { _ = try await client.post(url: url, body: bytes("{}")) }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - start
            // 16 requests of 200 ms over 4 connections need at least 4 rounds.
            #expect(elapsed >= .milliseconds(780))
            #expect(client.statistics.connectionsOpened == 4)
            #expect(client.statistics.requestsCompleted == 16)
        }
    }

    // MARK: Bodies and headers

    @Test func twoMegabyteBodyRoundTripsWithoutWaitingForExpectContinue() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let body = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            // Warm up the connection so the timing below is about the body alone.
            _ = try await client.post(url: server.url("/echo"), body: bytes("{}"))
            let start = ContinuousClock.now
            let response = try await client.post(url: server.url("/echo"), body: body)
            let elapsed = ContinuousClock.now - start
            #expect(response.status == 200)
            #expect(response.body == body)
            // With `Expect: 100-continue` curl waits a full second for an answer Hummingbird never sends.
            #expect(elapsed < .milliseconds(900))

            let inspected = try await client.post(url: server.url("/inspect"), body: body)
            #expect(text(inspected.body) == "bytes=2097152 expect=none content-type=application/json x-request-id=none")
        }
    }

    @Test func callerHeadersAreSentAndMayReplaceTheContentType() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let response = try await client.post(
                url: server.url("/inspect"), body: bytes("query"),
                headers: [("Content-Type", "application/graphql"), ("X-Request-Id", "req-42")])
            #expect(text(response.body) == "bytes=5 expect=none content-type=application/graphql x-request-id=req-42")
        }
    }

    /// Finished handles stay set up for their URL; the next request to it must send its own
    /// headers and body, nothing of the request before.
    @Test func aReusedHandleSendsOnlyTheNewRequestsHeadersAndBody() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let inspect = server.url("/inspect")
            let sequence: [(String, [(String, String)], String)] = [
                ("one", [("X-Request-Id", "a")], "bytes=3 expect=none content-type=application/json x-request-id=a"),
                ("three", [("X-Request-Id", "a")], "bytes=5 expect=none content-type=application/json x-request-id=a"),
                ("", [("X-Request-Id", "b")], "bytes=0 expect=none content-type=application/json x-request-id=b"),
                ("four", [], "bytes=4 expect=none content-type=application/json x-request-id=none"),
                ("x", [("Content-Type", "text/plain")], "bytes=1 expect=none content-type=text/plain x-request-id=none"),
            ]
            for (body, headers, expected) in sequence + sequence {
                let response = try await client.post(url: inspect, body: bytes(body), headers: headers)
                #expect(text(response.body) == expected)
            }
        }
    }

    @Test func emptyBodyIsSentAsAnEmptyPost() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let response = try await client.post(url: server.url("/echo"), body: [])
            #expect(response.status == 200)
            #expect(response.body == [])
        }
    }

    @Test func responsesOverTheSizeLimitFailWhetherOrNotTheirLengthIsAnnounced() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient(configuration: .init(maxResponseBytes: 10_000))
            defer { client.shutdown() }
            let exact = try await client.post(url: server.url("/big?bytes=10000"), body: [])
            #expect(exact.body == Array(repeating: UInt8(ascii: "x"), count: 10_000))
            let streamed = try await client.post(url: server.url("/bigstream?bytes=10000"), body: [])
            #expect(streamed.body == Array(repeating: UInt8(ascii: "y"), count: 10_000))

            let announced = await upstreamError { () async throws(UpstreamError) in
                try await client.post(url: server.url("/big?bytes=10001"), body: [])
            }
            #expect(announced?.kind == .responseTooLarge)
            let chunked = await upstreamError { () async throws(UpstreamError) in
                try await client.post(url: server.url("/bigstream?bytes=50000"), body: [])
            }
            #expect(chunked?.kind == .responseTooLarge)
            #expect(chunked?.message == "response from \(server.url("/bigstream?bytes=50000")) is larger than the limit of 10000 bytes")

            // The client keeps working afterwards.
            let after = try await client.post(url: server.url("/echo"), body: bytes("[1]"))
            #expect(after.body == bytes("[1]"))
        }
    }

    // MARK: postJSON

    @Test func postJSONParsesA2xxBody() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let json = try await client.postJSON(url: server.url("/echo"), body: bytes(#"{"data":{"ids":[1,2]}}"#))
            #expect(json == ["data": ["ids": [1, 2]]])
        }
    }

    @Test func postJSONReportsAnErrorStatusWithTheURL() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let url = server.url("/status/500")
            let error = await upstreamError { () async throws(UpstreamError) in
                try await client.postJSON(url: url, body: bytes("{}"))
            }
            #expect(error?.kind == .httpStatus(500))
            #expect(error?.message == "\(url) answered HTTP 500")
            // post itself does not judge the status.
            let response = try await client.post(url: url, body: bytes("{}"))
            #expect(response.status == 500)
        }
    }

    @Test func postJSONReportsABodyThatIsNotJSON() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let url = server.url("/garbage")
            let error = await upstreamError { () async throws(UpstreamError) in
                try await client.postJSON(url: url, body: bytes("{}"))
            }
            #expect(error?.kind == .malformedBody)
            #expect(error?.message.hasPrefix("\(url) answered a body that is not JSON: ") == true)
        }
    }

    // MARK: Failures

    @Test func aResponseCarriesTheRoundTripTheDriverTimed() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let asked = ContinuousClock.now
            let response = try await client.post(url: server.url("/slow?ms=150"), body: bytes("{}"))
            let answered = ContinuousClock.now
            guard let roundTrip = response.roundTrip else {
                Issue.record("no round trip")
                return
            }
            // Inside the caller's own interval, and at least as long as the server took.
            #expect(roundTrip.lowerBound >= asked && roundTrip.upperBound <= answered)
            #expect(roundTrip.lowerBound.duration(to: roundTrip.upperBound) >= .milliseconds(150))
        }
    }

    @Test func requestTimeoutFiresLongBeforeASlowAnswer() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let url = server.url("/slow?ms=3000")
            let start = ContinuousClock.now
            let error = await upstreamError { () async throws(UpstreamError) in
                try await client.post(url: url, body: bytes("{}"), timeouts: .init(request: .milliseconds(200)))
            }
            let elapsed = ContinuousClock.now - start
            #expect(error?.kind == .timeout)
            #expect(error?.message.hasPrefix("request to \(url) timed out") == true)
            #expect(elapsed >= .milliseconds(190))
            #expect(elapsed < .milliseconds(1500))
            #expect(client.statistics.requestsFailed == 1)
        }
    }

    @Test func configuredTimeoutAppliesWhenTheRequestGivesNone() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient(configuration: .init(timeouts: .init(request: .milliseconds(200))))
            defer { client.shutdown() }
            let start = ContinuousClock.now
            let error = await upstreamError { () async throws(UpstreamError) in
                try await client.post(url: server.url("/slow?ms=3000"), body: bytes("{}"))
            }
            #expect(error?.kind == .timeout)
            #expect(ContinuousClock.now - start < .milliseconds(1500))
            // A per-request timeout overrides the configured one.
            let response = try await client.post(
                url: server.url("/slow?ms=300"), body: bytes("{}"), timeouts: .init(request: .seconds(5)))
            #expect(response.status == 200)
        }
    }

    @Test func refusedConnectionFailsFast() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        // Port 1 (tcpmux) on loopback: nothing listens there on a build machine.
        let url = "http://127.0.0.1:1/graphql"
        let start = ContinuousClock.now
        let error = await upstreamError { () async throws(UpstreamError) in
            try await client.post(url: url, body: bytes("{}"))
        }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.message == "connection refused by http://127.0.0.1:1/graphql")
        #expect(error?.url == url)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func unsupportedSchemeIsATransportError() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let error = await upstreamError { () async throws(UpstreamError) in
            try await client.post(url: "ftp://127.0.0.1/file", body: [])
        }
        #expect(error?.kind == .transport(code: 1))  // CURLE_UNSUPPORTED_PROTOCOL
        #expect(error?.message.hasPrefix("request to ftp://127.0.0.1/file failed: ") == true)
    }

    // MARK: Cancellation and shutdown

    @Test func cancellingTheAwaitingTaskStopsTheTransfer() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let url = server.url("/slow?ms=2000")
            let task = Task {
                await upstreamError { () async throws(UpstreamError) in try await client.post(url: url, body: bytes("{}")) }
            }
            try await eventually { client.statistics.inFlight == 1 }
            try await Task.sleep(for: .milliseconds(100))  // let the transfer reach the server
            let start = ContinuousClock.now
            task.cancel()
            let error = await task.value
            #expect(error?.kind == .cancelled)
            #expect(error?.message == "request to \(url) was cancelled")
            #expect(ContinuousClock.now - start < .seconds(1))
            #expect(client.statistics.inFlight == 0)
            #expect(client.statistics.requestsFailed == 1)
        }
    }

    @Test func requestFromAnAlreadyCancelledTaskFailsAtOnce() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await upstreamError { () async throws(UpstreamError) in
                try await client.post(url: "http://127.0.0.1:1/never", body: [])
            }
        }
        let error = await task.value
        #expect(error?.kind == .cancelled)
        #expect(client.statistics.inFlight == 0)
    }

    @Test func shutdownFailsPendingAndLaterRequests() async throws {
        try await TestServer.with { server in
            let client = UpstreamClient()
            let url = server.url("/slow?ms=2000")
            let tasks = (0..<3).map { _ in
                Task {
                    await upstreamError { () async throws(UpstreamError) in try await client.post(url: url, body: bytes("{}")) }
                }
            }
            try await eventually { client.statistics.inFlight == 3 }
            try await Task.sleep(for: .milliseconds(100))
            let start = ContinuousClock.now
            client.shutdown()
            for task in tasks {
                let error = await task.value
                #expect(error?.kind == .shutdown)
            }
            #expect(ContinuousClock.now - start < .seconds(1))

            let later = await upstreamError { () async throws(UpstreamError) in
                try await client.post(url: server.url("/echo"), body: bytes("{}"))
            }
            #expect(later?.kind == .shutdown)
            #expect(later?.message == "request to \(server.url("/echo")) failed: the upstream client is shut down")
            client.shutdown()  // a second call is harmless
            #expect(client.statistics.inFlight == 0)
            #expect(client.statistics.requestsFailed == 4)
        }
    }

    @Test func releasingTheClientShutsItDown() async throws {
        try await TestServer.with { server in
            weak var released: UpstreamClient?
            do {
                let client = UpstreamClient()
                released = client
                let response = try await client.post(url: server.url("/echo"), body: bytes("1"))
                #expect(response.body == bytes("1"))
            }
            // The driver thread holds no reference to the client, so deinit runs (and joins it).
            #expect(released == nil)
        }
    }
}
