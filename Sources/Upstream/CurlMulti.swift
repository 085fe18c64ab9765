// Every call into libcurl, pthreads and raw memory of the Upstream module lives in this file.
// The rest of the module is safe Swift.

import CGatewayCurl
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The curl multi handle of one client and the thread that drives it.
///
/// Whoever holds the `driver` lock drives curl. A caller whose request finds the lock free
/// starts its transfer on its own thread: the request is on the wire before `submit` returns,
/// with no hand-off to the driver thread. Otherwise the request waits in `state` (a queue
/// behind a mutex) and the caller wakes the driver thread by writing to a pipe it waits on.
/// The driver thread waits for the sockets curl watches and runs every transfer's answer; on
/// Linux (epoll) a socket a caller adds is watched by the waiting driver at once.
/// Easy handles, transfers and buffers are only touched under the `driver` lock.
final class CurlMulti: Sendable {
    /// What callers and the driver thread share.
    private struct State {
        var commands: [Command] = []
        var isShuttingDown = false
        var statistics = UpstreamClient.Statistics()
    }

    fileprivate enum Command: Sendable {
        case start(UpstreamRequest)
        case cancel(id: UInt64)
    }

    /// Whether callers may start their transfers themselves: only where the waiting driver sees
    /// the sockets they add (`gwcurl_watcher_sees_changes_while_waiting`).
    private static let startsOnCallerThreads = gwcurl_watcher_sees_changes_while_waiting() != 0

    private let handle: MultiHandle
    private let state = Mutex(State())
    /// The curl side: transfers, idle handles, watched sockets, curl's timer.
    private let driver: Mutex<DriverLoop>
    /// The driver thread until someone joins it in `shutdown()`.
    private let thread = Mutex<ThreadHandle?>(nil)
    private let nextID = Atomic<UInt64>(1)

    init(configuration: UpstreamClient.Configuration) {
        _ = CurlGlobal.initialized
        guard let raw = curl_multi_init() else {
            fatalError("curl_multi_init failed: out of memory")
        }
        _ = gwcurl_multi_setopt_long(raw, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, configuration.maxConnectionsPerHost))
        _ = gwcurl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, max(1, configuration.maxIdleConnections))
        // HTTP/1.1 only: no pipelining or multiplexing, one request per connection at a time.
        _ = gwcurl_multi_setopt_long(raw, CURLMOPT_PIPELINING, Int(CURLPIPE_NOTHING))
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { fatalError("pipe failed: \(errno)") }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        guard let watcher = gwcurl_watcher_create() else { fatalError("cannot create a socket watcher: \(errno)") }
        let status = gwcurl_watcher_set(watcher, pipeEnds[0], 1, 0)
        guard status == 0 else { fatalError("cannot watch the wake-up pipe: \(status)") }
        let handle = MultiHandle(raw: raw, wakeRead: pipeEnds[0], wakeWrite: pipeEnds[1], watcher: watcher)
        self.handle = handle
        let loop = DriverLoop(handle: handle)
        loop.installCallbacks()
        self.driver = Mutex(loop)

        let context = Unmanaged.passRetained(self).toOpaque()
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
            // A name of its own in top, perf and /proc (threads otherwise inherit their creator's).
            gwcurl_name_this_thread("curl-driver")
            let multi = Unmanaged<CurlMulti>.fromOpaque(context!).takeRetainedValue()
            multi.runDriver()
            return nil
        }
        #if canImport(Darwin)
        var tid: pthread_t?
        let rc = pthread_create(&tid, nil, entry, context)
        guard rc == 0, let tid else { fatalError("pthread_create failed: \(rc)") }
        #else
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, entry, context)
        guard rc == 0 else { fatalError("pthread_create failed: \(rc)") }
        #endif
        thread.withLock { $0 = ThreadHandle(raw: tid) }
    }

    // MARK: Called from any thread

    func makeRequestID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Starts a request, on this thread when curl is free, else by queueing it for the driver
    /// thread; or returns why it cannot run.
    func submit(_ request: UpstreamRequest) -> UpstreamError? {
        if Self.startsOnCallerThreads {
            switch startHere(request) {
            case .started: return nil
            case .rejected(let rejection): return rejection
            case .busy: break
            }
        }
        return state.withLock { state in
            // Checked under the lock: a cancellation handler that runs after this check queues
            // its `.cancel` behind our `.start`, so the driver sees both in order.
            if let rejection = Self.admit(request, &state) { return rejection }
            let wasIdle = state.commands.isEmpty
            state.commands.append(.start(request))
            // A non-empty queue means a wake-up is already pending since the driver last took it.
            if wasIdle { handle.wakeUp() }
            return nil
        }
    }

    private enum Submission {
        case started
        case rejected(UpstreamError)
        /// Someone else drives curl (or the driver has shut down): queue the request.
        case busy
    }

    /// Starts the transfer on the calling thread if no one else is driving curl.
    private func startHere(_ request: UpstreamRequest) -> Submission {
        var finished: [DriverLoop.Finished] = []
        let submission = driver.withLockIfAvailable { loop -> Submission in
            // An awake driver thread takes the queue before it waits again, with no wake-up
            // to pay; taking its lock away from it would only make it wait for ours.
            guard !loop.isClosed, loop.waitingUntil != nil else { return .busy }
            if let rejection = state.withLock({ Self.admit(request, &$0) }) { return .rejected(rejection) }
            loop.start(request)
            // A cancellation that came before the transfer was active found nothing to stop.
            if Task.isCancelled { loop.stop(id: request.id, with: { .cancelled(url: $0) }) }
            // curl wants a just-added transfer run now: this sends the request.
            loop.runDueTimeout()
            loop.readMessages()
            swap(&finished, &loop.finished)
            // The driver waits with curl's deadline of when it went to sleep.
            if loop.needsEarlierWakeUp { handle.wakeUp() }
            return .started
        } ?? .busy
        complete(&finished)
        return submission
    }

    /// Counts a request in, or says why it cannot run.
    private static func admit(_ request: UpstreamRequest, _ state: inout State) -> UpstreamError? {
        let rejection: UpstreamError? =
            if state.isShuttingDown { .shutdown(url: request.url) }
            else if Task.isCancelled { .cancelled(url: request.url) }
            else { nil }
        if rejection != nil {
            state.statistics.requestsFailed += 1
        } else {
            state.statistics.inFlight += 1
        }
        return rejection
    }

    func cancel(id: UInt64) {
        state.withLock { state in
            guard !state.isShuttingDown else { return }
            let wasIdle = state.commands.isEmpty
            state.commands.append(.cancel(id: id))
            if wasIdle { handle.wakeUp() }
        }
    }

    var statistics: UpstreamClient.Statistics {
        state.withLock { $0.statistics }
    }

    /// Tells the driver to fail everything with `.shutdown` and exit, then waits for it.
    func shutdown() {
        state.withLock { state in
            guard !state.isShuttingDown else { return }
            state.isShuttingDown = true
            // Safe: the driver closes the pipe only after it has seen the flag under this lock.
            handle.wakeUp()
        }
        if let thread = thread.withLock({ $0.take() }) {
            pthread_join(thread.raw, nil)
        }
    }

    /// Counts finished requests, then resumes their callers (outside the `driver` lock).
    private func complete(_ finished: inout [DriverLoop.Finished]) {
        guard !finished.isEmpty else { return }
        // Count first, so a caller reading statistics right after its await sees its request.
        state.withLock { state in
            for (_, result, connects) in finished {
                state.statistics.inFlight -= 1
                state.statistics.connectionsOpened += connects
                switch result {
                case .success: state.statistics.requestsCompleted += 1
                case .failure: state.statistics.requestsFailed += 1
                }
            }
        }
        for (continuation, result, _) in finished {
            continuation.resume(returning: result)
        }
        finished.removeAll(keepingCapacity: true)
    }

    // MARK: The driver thread

    private func runDriver() {
        var commands: [Command] = []
        var finished: [DriverLoop.Finished] = []
        let capacity: Int32 = 64
        let fds = UnsafeMutablePointer<Int32>.allocate(capacity: Int(capacity))
        let what = UnsafeMutablePointer<Int32>.allocate(capacity: Int(capacity))
        defer {
            fds.deallocate()
            what.deallocate()
        }
        while true {
            // Queued commands, then what curl has due; then how long to wait.
            let timeout = driver.withLock { loop -> Int32? in
                let stopping = state.withLock { state in
                    swap(&state.commands, &commands)
                    return state.isShuttingDown
                }
                for command in commands {
                    switch command {
                    case .start(let request):
                        if stopping {
                            loop.finish(request, .failure(.shutdown(url: request.url)), connects: 0)
                        } else {
                            loop.start(request)
                        }
                    case .cancel(let id):
                        if !stopping { loop.stop(id: id, with: { .cancelled(url: $0) }) }
                    }
                }
                commands.removeAll(keepingCapacity: true)
                if stopping {
                    loop.close()
                } else {
                    // Transfers just added have a timeout due now: act on it before waiting.
                    loop.runDueTimeout()
                    loop.readMessages()
                }
                swap(&finished, &loop.finished)
                return stopping ? nil : loop.prepareToWait()
            }
            complete(&finished)
            guard let timeout else { break }

            let ready = gwcurl_watcher_wait(handle.watcher, fds, what, capacity, timeout)
            driver.withLock { loop in
                loop.awake()
                for index in 0..<Int(max(0, ready)) {
                    if fds[index] == handle.wakeRead {
                        handle.drain()
                    } else {
                        loop.act(socket: fds[index], what: what[index])
                    }
                }
                loop.runDueTimeout()
                loop.readMessages()
                swap(&finished, &loop.finished)
            }
            complete(&finished)
        }
        handle.closePipeAndWatcher()
    }
}

/// The raw multi handle, the driver's wake-up pipe and the socket watcher, shared by the
/// driver thread and callers.
///
/// `@unchecked Sendable` is safe because: callers write to the pipe (`wakeUp`) only under
/// `CurlMulti.state`'s lock while `isShuttingDown` is false (or while setting it), or under
/// the `driver` lock while the loop is not closed; the multi handle and the watcher are used
/// under the `driver` lock, and the watcher's wait by the driver thread alone (epoll allows
/// changes while a thread waits). The driver thread cleans the multi handle up under the
/// `driver` lock after observing `isShuttingDown`, and closes the pipe and the watcher after
/// that, when no caller can reach them any more.
private struct MultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let wakeRead: Int32
    let wakeWrite: Int32
    let watcher: OpaquePointer

    func wakeUp() {
        // Non-blocking: a full pipe already holds a wake-up.
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Empties the pipe (driver thread). A read that returns less than it asked for has
    /// emptied it: no second read just to hear EAGAIN.
    func drain() {
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 1) { buffer in
            while read(wakeRead, buffer.baseAddress, buffer.count) == buffer.count {}
        }
    }

    func closePipeAndWatcher() {
        gwcurl_watcher_free(watcher)
        close(wakeRead)
        close(wakeWrite)
    }
}

/// A joinable thread id (a plain integer or an opaque pointer, depending on the platform).
private struct ThreadHandle: Sendable {
    let raw: pthread_t
}

private enum CurlGlobal {
    /// `curl_global_init` once per process, before the first handle (Swift runs this exactly once).
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

// MARK: - Driving curl

/// Transfers in progress, idle easy handles, and what curl asked to be told: used only under
/// `CurlMulti.driver`'s lock, by the driver thread or by a caller starting its request.
///
/// It drives curl with the socket interface: curl says which sockets to watch
/// (`CURLMOPT_SOCKETFUNCTION`, kept in the watcher) and when its next timeout is due
/// (`CURLMOPT_TIMERFUNCTION`); the driver waits for the watched sockets and the wake-up pipe
/// and tells curl which sockets are ready, so that only their transfers do work.
private final class DriverLoop {
    /// A finished request's caller, its result and the connections it opened.
    typealias Finished = (UpstreamRequest.Continuation, Result<UpstreamResponse, UpstreamError>, connects: Int)

    /// Idle easy handles kept for reuse, in all; beyond this many, finished handles are freed.
    static let poolLimit = 64
    /// Upper bound of one wait when curl has no timeout due.
    static let waitMilliseconds: Int32 = 1000

    let handle: MultiHandle
    let raw: UnsafeMutableRawPointer
    var active: [UInt64: Transfer] = [:]
    /// Idle easy handles by the URL they are set up for: a request to the same URL with the
    /// same headers and limits sets only its body on one of them.
    var pool: [String: [EasyHandle]] = [:]
    var pooled = 0
    /// Finished requests, resumed by whoever drove curl once it has let go of the lock.
    var finished: [Finished] = []
    /// When curl wants `CURL_SOCKET_TIMEOUT` handled (monotonic nanoseconds), if it does.
    var timerDeadline: UInt64?
    /// While the driver thread waits: when its wait ends (monotonic nanoseconds).
    var waitingUntil: UInt64?
    /// Set once the multi handle is cleaned up at shutdown.
    private(set) var isClosed = false

    init(handle: MultiHandle) {
        self.handle = handle
        self.raw = handle.raw
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Installs the socket and timer callbacks; the loop outlives every call to them.
    func installCallbacks() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = gwcurl_multi_setopt_pointer(raw, CURLMOPT_SOCKETDATA, context)
        _ = gwcurl_multi_setopt_pointer(raw, CURLMOPT_TIMERDATA, context)
        _ = gwcurl_multi_setopt_socket_callback(raw) { _, socket, what, userp, _ in
            let loop = Unmanaged<DriverLoop>.fromOpaque(userp!).takeUnretainedValue()
            let readable: Int32 = what == CURL_POLL_IN || what == CURL_POLL_INOUT ? 1 : 0
            let writable: Int32 = what == CURL_POLL_OUT || what == CURL_POLL_INOUT ? 1 : 0
            // Non-zero tells curl the callback failed, which fails the transfer.
            return gwcurl_watcher_set(loop.handle.watcher, socket, readable, writable) == 0 ? 0 : -1
        }
        _ = gwcurl_multi_setopt_timer_callback(raw) { _, milliseconds, userp in
            let loop = Unmanaged<DriverLoop>.fromOpaque(userp!).takeUnretainedValue()
            loop.timerDeadline = milliseconds < 0 ? nil : DriverLoop.now() + UInt64(milliseconds) * 1_000_000
            return 0
        }
    }

    /// How long the driver thread may wait, in milliseconds; notes when the wait will end.
    func prepareToWait() -> Int32 {
        let now = Self.now()
        var timeout = Self.waitMilliseconds
        if let deadline = timerDeadline {
            timeout = deadline <= now ? 0 : Int32(min(UInt64(Self.waitMilliseconds), (deadline - now + 999_999) / 1_000_000))
        }
        waitingUntil = now + UInt64(timeout) * 1_000_000
        return timeout
    }

    /// The driver thread has stopped waiting.
    func awake() {
        waitingUntil = nil
    }

    /// Whether curl now wants to act before the waiting driver thread would wake up.
    var needsEarlierWakeUp: Bool {
        guard let deadline = timerDeadline, let waitingUntil else { return false }
        return deadline < waitingUntil
    }

    /// Tells curl a socket is ready.
    func act(socket: Int32, what: Int32) {
        var running: Int32 = 0
        _ = curl_multi_socket_action(raw, socket, what, &running)
    }

    /// Tells curl its timeout has come, when it has.
    func runDueTimeout() {
        guard let deadline = timerDeadline, deadline <= Self.now() else { return }
        timerDeadline = nil
        var running: Int32 = 0
        _ = curl_multi_socket_action(raw, CURL_SOCKET_TIMEOUT, 0, &running)
    }

    /// Fails every transfer with `.shutdown`, frees the handles and cleans the multi handle up.
    func close() {
        for id in Array(active.keys) {
            stop(id: id, with: { .shutdown(url: $0) })
        }
        pool.removeAll()
        curl_multi_cleanup(raw)
        isClosed = true
    }

    // MARK: Starting

    func start(_ request: UpstreamRequest) {
        guard let easy = takeIdle(for: request.url) ?? EasyHandle() else {
            finish(request, .failure(.transport(code: CURLE_OUT_OF_MEMORY.rawValue, url: request.url, detail: "curl_easy_init failed")), connects: 0)
            return
        }
        let transfer = Transfer(request: request, easy: easy)
        let code = transfer.configure()
        guard code == CURLE_OK else {
            let error = UpstreamError.transport(code: code.rawValue, url: request.url, detail: "could not set up the request: \(transfer.detail(for: code))")
            recycle(transfer)
            finish(request, .failure(error), connects: 0)
            return
        }
        let added = curl_multi_add_handle(raw, easy.raw)
        guard added == CURLM_OK else {
            let detail = String(cString: curl_multi_strerror(added))
            recycle(transfer)
            finish(request, .failure(.transport(code: CURLE_FAILED_INIT.rawValue, url: request.url, detail: detail)), connects: 0)
            return
        }
        active[request.id] = transfer
    }

    // MARK: Finishing

    func readMessages() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(raw, &queued) {
            guard gwcurl_msg_kind(message) == CURLMSG_DONE, let easy = gwcurl_msg_easy_handle(message) else { continue }
            // Copy what we need: the message dies with curl_multi_remove_handle.
            let code = gwcurl_msg_result(message)
            var privateData: UnsafeMutableRawPointer?
            _ = gwcurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &privateData)
            let id = UInt64(UInt(bitPattern: privateData))
            guard let transfer = active.removeValue(forKey: id) else {
                _ = curl_multi_remove_handle(raw, easy)
                continue
            }
            _ = curl_multi_remove_handle(raw, easy)
            let result = transfer.outcome(code: code)
            let connects = transfer.connectionsOpened
            recycle(transfer)
            finish(transfer.request, result, connects: connects)
        }
    }

    /// Removes an active transfer before curl finished it (cancellation, shutdown).
    func stop(id: UInt64, with error: (String) -> UpstreamError) {
        guard let transfer = active.removeValue(forKey: id) else { return }  // already finished
        _ = curl_multi_remove_handle(raw, transfer.easy.raw)
        let connects = transfer.connectionsOpened
        recycle(transfer)
        finish(transfer.request, .failure(error(transfer.request.url)), connects: connects)
    }

    func takeIdle(for url: String) -> EasyHandle? {
        guard let easy = pool[url]?.popLast() else { return nil }
        pooled -= 1
        return easy
    }

    /// Keeps a finished transfer's handle, set up as it is, for the next request to its URL.
    func recycle(_ transfer: Transfer) {
        guard pooled < Self.poolLimit, let url = transfer.easy.setup?.url else { return }
        pool[url, default: []].append(transfer.easy)
        pooled += 1
    }

    func finish(_ request: UpstreamRequest, _ result: Result<UpstreamResponse, UpstreamError>, connects: Int) {
        finished.append((request.continuation, result, connects))
    }
}

/// What an easy handle is set up for, apart from each request's body.
private struct HandleSetup: Equatable {
    var url: String
    var headerLines: [String]
    var timeouts: UpstreamClient.Timeouts
    var maxResponseBytes: Int

    init(_ request: UpstreamRequest) {
        url = request.url
        headerLines = request.headerLines
        timeouts = request.timeouts
        maxResponseBytes = request.maxResponseBytes
    }
}

/// A curl easy handle with its error buffer and header list; freed when the last reference goes.
private final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER`: curl writes a detailed message here when a transfer fails.
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// What the handle's options are set for; nil until set, or after setting them failed.
    var setup: HandleSetup?
    /// `CURLOPT_HTTPHEADER`: curl reads the list while sending and does not copy it.
    var headerList: UnsafeMutablePointer<curl_slist>?

    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        freeHeaderList()
        errorBuffer.deallocate()
    }

    func freeHeaderList() {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }
}

/// One request while curl runs it: collects the response body.
private final class Transfer {
    let request: UpstreamRequest
    let easy: EasyHandle
    /// When the driver took the request on, before curl saw it.
    let started = ContinuousClock.now
    private var body: [UInt8] = []
    private var exceededLimit = false

    init(request: UpstreamRequest, easy: EasyHandle) {
        self.request = request
        self.easy = easy
    }

    /// Sets the request's options on the easy handle: all of them when the handle is new or
    /// was set up for another URL, headers or limits; otherwise only the body and the
    /// transfer's own pointers (no reset, and the URL is not parsed again).
    func configure() -> CURLcode {
        let handle = easy.raw
        easy.errorBuffer[0] = 0
        var code = CURLE_OK
        func set(_ result: CURLcode) {
            if code == CURLE_OK { code = result }
        }
        let setup = HandleSetup(request)
        if easy.setup != setup {
            if easy.setup != nil { curl_easy_reset(handle) }
            easy.setup = nil
            easy.freeHeaderList()
            for line in setup.headerLines {
                guard let appended = curl_slist_append(easy.headerList, line) else { return CURLE_OUT_OF_MEMORY }
                easy.headerList = appended
            }
            set(request.url.withCString { gwcurl_easy_setopt_pointer(handle, CURLOPT_URL, $0) })
            set(gwcurl_easy_setopt_pointer(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
            set(gwcurl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1))
            // Timeouts must not use SIGALRM: signals and a multi-threaded process do not mix.
            set(gwcurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
            set(gwcurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.timeouts.connect.curlMilliseconds))
            set(gwcurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeouts.request.curlMilliseconds))
            set(gwcurl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes)))
            set(gwcurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, easy.errorBuffer))
            set(gwcurl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, easy.headerList))
            set(gwcurl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
                let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
                // Returning less than was offered makes curl abort the transfer with CURLE_WRITE_ERROR.
                return transfer.receive(bytes) ? bytes.count : 0
            })
            guard code == CURLE_OK else { return code }
            easy.setup = setup
        }
        set(gwcurl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, UnsafeRawPointer(bitPattern: UInt(request.id))))
        // COPYPOSTFIELDS: curl copies the body, so no Swift array has to stay pinned for the
        // transfer (a Swift array's address is only valid inside withUnsafeBytes), and curl can
        // resend it by itself when a reused keep-alive connection turns out to be closed.
        // The size goes first, or curl would treat the body as a C string.
        set(gwcurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
        if request.body.isEmpty {
            set(gwcurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, ""))  // NULL would read stdin
        } else {
            set(request.body.withUnsafeBytes { gwcurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
        }
        // Unretained: the transfer stays in DriverLoop.active while curl can call back.
        set(gwcurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque()))
        if code != CURLE_OK { easy.setup = nil }
        return code
    }

    private func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= request.maxResponseBytes else {
            exceededLimit = true
            return false
        }
        if body.isEmpty {
            var length: curl_off_t = -1
            if gwcurl_easy_getinfo_off_t(easy.raw, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK, length > 0 {
                body.reserveCapacity(min(Int(length), request.maxResponseBytes))
            }
        }
        body.append(contentsOf: bytes)
        return true
    }

    var connectionsOpened: Int {
        var count = 0
        _ = gwcurl_easy_getinfo_long(easy.raw, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// The caller's result for a transfer curl finished with `code`.
    func outcome(code: CURLcode) -> Result<UpstreamResponse, UpstreamError> {
        let url = request.url
        switch code {
        case CURLE_OK:
            var status = 0
            _ = gwcurl_easy_getinfo_long(easy.raw, CURLINFO_RESPONSE_CODE, &status)
            let response = UpstreamResponse(status: status, body: body, roundTrip: started..<ContinuousClock.now)
            body = []
            return .success(response)
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timeout(url: url, detail: detail(for: code)))
        case CURLE_COULDNT_CONNECT:
            var osErrno = 0
            _ = gwcurl_easy_getinfo_long(easy.raw, CURLINFO_OS_ERRNO, &osErrno)
            if osErrno == Int(ECONNREFUSED) { return .failure(.connectionRefused(url: url)) }
            return .failure(.connectFailed(url: url, detail: detail(for: code)))
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.connectFailed(url: url, detail: detail(for: code)))
        case CURLE_FILESIZE_EXCEEDED:
            return .failure(.responseTooLarge(url: url, limit: request.maxResponseBytes))
        case CURLE_WRITE_ERROR where exceededLimit:
            return .failure(.responseTooLarge(url: url, limit: request.maxResponseBytes))
        default:
            return .failure(.transport(code: code.rawValue, url: url, detail: detail(for: code)))
        }
    }

    /// curl's own words for a failure: the error buffer if it has any, else the generic text.
    func detail(for code: CURLcode) -> String {
        if easy.errorBuffer[0] != 0 {
            return String(cString: easy.errorBuffer)
        }
        return String(cString: curl_easy_strerror(code))
    }
}
