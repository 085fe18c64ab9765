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
/// Callers hand requests over through `state` (a queue behind a mutex) and wake the thread by
/// writing to a pipe it polls. Everything else (easy handles, transfers, buffers) is created,
/// used and freed on the driver thread only, inside ``DriverLoop``.
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

    private let handle: MultiHandle
    private let state = Mutex(State())
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
        self.handle = MultiHandle(raw: raw, wakeRead: pipeEnds[0], wakeWrite: pipeEnds[1])

        let context = Unmanaged.passRetained(self).toOpaque()
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
            // A name of its own in top, perf and /proc (threads otherwise inherit their creator's).
            gwcurl_name_this_thread("curl-driver")
            let multi = Unmanaged<CurlMulti>.fromOpaque(context!).takeRetainedValue()
            DriverLoop(multi: multi).run()
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

    /// Queues a request for the driver thread, or returns why it cannot run.
    func submit(_ request: UpstreamRequest) -> UpstreamError? {
        state.withLock { state in
            // Checked under the lock: a cancellation handler that runs after this check queues
            // its `.cancel` behind our `.start`, so the driver sees both in order.
            let rejection: UpstreamError? =
                if state.isShuttingDown { .shutdown(url: request.url) }
                else if Task.isCancelled { .cancelled(url: request.url) }
                else { nil }
            if let rejection {
                state.statistics.requestsFailed += 1
                return rejection
            }
            let wasIdle = state.commands.isEmpty
            state.commands.append(.start(request))
            state.statistics.inFlight += 1
            // A non-empty queue means a wake-up is already pending since the driver last took it.
            if wasIdle { handle.wakeUp() }
            return nil
        }
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
            // Safe: the driver frees the multi handle only after it has seen the flag under this lock.
            handle.wakeUp()
        }
        if let thread = thread.withLock({ $0.take() }) {
            pthread_join(thread.raw, nil)
        }
    }

    // MARK: Called from the driver thread

    fileprivate var multiHandle: MultiHandle { handle }

    /// Moves the queued commands into `commands` (which must be empty) and reports shutdown.
    fileprivate func takeCommands(into commands: inout [Command]) -> Bool {
        state.withLock { state in
            swap(&state.commands, &commands)
            return state.isShuttingDown
        }
    }

    fileprivate func record(_ update: (inout UpstreamClient.Statistics) -> Void) {
        state.withLock { update(&$0.statistics) }
    }
}

/// The raw multi handle and the driver's wake-up pipe, shared with caller threads.
///
/// `@unchecked Sendable` is safe because the only call other threads make on it is `wakeUp`,
/// a `write` to the pipe, and they make it only under `CurlMulti.state`'s lock (while
/// `isShuttingDown` is false, or while setting it); the driver thread frees the handle and
/// closes the pipe only after observing `isShuttingDown` under that same lock.
private struct MultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let wakeRead: Int32
    let wakeWrite: Int32

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

    func closePipe() {
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

// MARK: - Driver thread

/// The state owned by the driver thread: transfers in progress and idle easy handles.
///
/// It drives curl with the socket interface: curl says which sockets to watch
/// (`CURLMOPT_SOCKETFUNCTION`) and when its next timeout is due (`CURLMOPT_TIMERFUNCTION`);
/// the loop polls those sockets and the wake-up pipe in one call and tells curl which sockets
/// are ready, so that only their transfers do work (`curl_multi_perform` would look at every
/// transfer, one `poll` each, on every turn).
private final class DriverLoop {
    /// Idle easy handles kept for reuse, in all; beyond this many, finished handles are freed.
    static let poolLimit = 64
    /// Upper bound of one `poll` when curl has no timeout due.
    static let pollMilliseconds: Int32 = 1000

    let multi: CurlMulti
    let raw: UnsafeMutableRawPointer
    var active: [UInt64: Transfer] = [:]
    /// Idle easy handles by the URL they are set up for: a request to the same URL with the
    /// same headers and limits sets only its body on one of them.
    var pool: [String: [EasyHandle]] = [:]
    var pooled = 0
    var commands: [CurlMulti.Command] = []
    /// Finished requests of one loop turn: counted under the lock once, then resumed.
    var finished: [(UpstreamRequest.Continuation, Result<UpstreamResponse, UpstreamError>, connects: Int)] = []
    /// The sockets curl wants watched, with what for (`CURL_POLL_IN`, `_OUT`, `_INOUT`).
    var watched: [curl_socket_t: Int32] = [:]
    /// When curl wants `CURL_SOCKET_TIMEOUT` handled (monotonic nanoseconds), if it does.
    var timerDeadline: UInt64?
    var pollSet: [pollfd] = []

    init(multi: CurlMulti) {
        self.multi = multi
        self.raw = multi.multiHandle.raw
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
            if what == CURL_POLL_REMOVE { loop.watched.removeValue(forKey: socket) } else { loop.watched[socket] = what }
            return 0
        }
        _ = gwcurl_multi_setopt_timer_callback(raw) { _, milliseconds, userp in
            let loop = Unmanaged<DriverLoop>.fromOpaque(userp!).takeUnretainedValue()
            loop.timerDeadline = milliseconds < 0 ? nil : DriverLoop.now() + UInt64(milliseconds) * 1_000_000
            return 0
        }
    }

    /// Waits until a watched socket is ready, the wake-up pipe is written or curl's timeout is
    /// due, and tells curl what happened.
    func waitAndAct() {
        pollSet.removeAll(keepingCapacity: true)
        pollSet.append(pollfd(fd: multi.multiHandle.wakeRead, events: Int16(POLLIN), revents: 0))
        for (socket, what) in watched {
            var events: Int16 = 0
            if what == CURL_POLL_IN || what == CURL_POLL_INOUT { events |= Int16(POLLIN) }
            if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { events |= Int16(POLLOUT) }
            pollSet.append(pollfd(fd: socket, events: events, revents: 0))
        }
        var timeout = Self.pollMilliseconds
        if let deadline = timerDeadline {
            let now = Self.now()
            timeout = deadline <= now ? 0 : Int32(min(UInt64(Self.pollMilliseconds), (deadline - now + 999_999) / 1_000_000))
        }
        let ready = pollSet.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
        var running: Int32 = 0
        if ready > 0 {
            if pollSet[0].revents != 0 { multi.multiHandle.drain() }
            for entry in pollSet.dropFirst() where entry.revents != 0 {
                var bits: Int32 = 0
                if entry.revents & Int16(POLLIN | POLLHUP) != 0 { bits |= CURL_CSELECT_IN }
                if entry.revents & Int16(POLLOUT) != 0 { bits |= CURL_CSELECT_OUT }
                if entry.revents & Int16(POLLERR | POLLNVAL) != 0 { bits |= CURL_CSELECT_ERR }
                _ = curl_multi_socket_action(raw, entry.fd, bits, &running)
            }
        }
        runDueTimeout()
    }

    /// Tells curl its timeout has come, when it has.
    func runDueTimeout() {
        guard let deadline = timerDeadline, deadline <= Self.now() else { return }
        timerDeadline = nil
        var running: Int32 = 0
        _ = curl_multi_socket_action(raw, CURL_SOCKET_TIMEOUT, 0, &running)
    }

    func run() {
        installCallbacks()
        while true {
            let stopping = multi.takeCommands(into: &commands)
            for command in commands {
                switch command {
                case .start(let request):
                    if stopping {
                        finish(request, .failure(.shutdown(url: request.url)), connects: 0)
                    } else {
                        start(request)
                    }
                case .cancel(let id):
                    if !stopping { stop(id: id, with: { .cancelled(url: $0) }) }
                }
            }
            commands.removeAll(keepingCapacity: true)
            if stopping { break }

            // Transfers just added have a timeout due now: act on it before waiting.
            runDueTimeout()
            readMessages()
            resumeFinished()
            waitAndAct()
            readMessages()
            resumeFinished()
        }
        for id in Array(active.keys) {
            stop(id: id, with: { .shutdown(url: $0) })
        }
        resumeFinished()
        pool.removeAll()
        curl_multi_cleanup(raw)
        multi.multiHandle.closePipe()
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

    func resumeFinished() {
        guard !finished.isEmpty else { return }
        // Count first, so a caller reading statistics right after its await sees its request.
        multi.record { statistics in
            for (_, result, connects) in finished {
                statistics.inFlight -= 1
                statistics.connectionsOpened += connects
                switch result {
                case .success: statistics.requestsCompleted += 1
                case .failure: statistics.requestsFailed += 1
                }
            }
        }
        for (continuation, result, _) in finished {
            continuation.resume(returning: result)
        }
        finished.removeAll(keepingCapacity: true)
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
