import CCurl
import Foundation
import Synchronization

/// libcurl's multi interface driven by one dedicated thread that owns the multi handle and every easy handle.
/// Tasks submit a transfer and await its outcome through a continuation; the thread never waits on a task.
/// Connections are kept alive in the multi handle's cache and reused by later transfers to the same host.
///
/// On Linux the thread waits in epoll for the sockets libcurl asks it to watch and hands only the ready ones to
/// `curl_multi_socket_action`, so the work per wake-up does not grow with the number of open streams (10,000 held
/// open cost what a few do). Elsewhere it runs the portable `curl_multi_poll` loop.
public final class CurlTransport: @unchecked Sendable {
    public let clock: RunClock

    private struct Inbox {
        var submitted: [Transfer] = []
        var cancelled: [Transfer] = []
        var stopping = false
        /// Cancel every transfer in flight now (a second interrupt, an abort); the transport keeps running.
        var cancelAll: String?
        var nextID: UInt64 = 0
    }

    private let inbox = Mutex(Inbox())
    private let stopped = DispatchSemaphore(value: 0)
    private let stoppedOnce = Mutex(false)
    // Owned by the transport thread from here on.
    private let multi: UnsafeMutableRawPointer
    private var active: [UInt64: Transfer] = [:] {
        didSet { activeCount.store(active.count, ordering: .relaxed) }
    }
    private let activeCount = Atomic<Int>(0)
    /// Active transfers with a first-token or idle timeout: kept as a count so the loop does not scan for them.
    private var watching = 0
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private let noProxy: String
    private static let maxIdleHandles = 4096
    private static let timeoutCheckIntervalNs: Int64 = 5_000_000
    /// When libcurl next wants `curl_multi_socket_action` for its own timeouts (its timer callback sets it).
    private var curlTimerNs: Int64?
    /// How long the thread waits for sockets, and since when it is waiting: what is not waiting is busy.
    private let loopTime = Mutex(LoopTime())
    /// The transport thread, for reading its CPU clock from other threads.
    private let thread = Mutex<pthread_t?>(nil)
    #if os(Linux)
    private let epoll: Int32
    private let wakeFD: Int32
    #endif

    private static let globalInit: Void = {
        curl_global_init(3)  // CURL_GLOBAL_ALL (a macro Swift cannot import)
    }()

    private static let h2cReuseBroken: Bool = {
        _ = globalInit
        return curl_version_info(CURLVERSION_FIRST).pointee.version_num < 0x08_00_00
    }()

    /// The libcurl version string, for run manifests.
    public static var libcurlVersion: String {
        _ = globalInit
        return String(cString: curl_version())
    }

    /// The scheduling priority its thread asks for, and the one it got (the system may refuse the higher ones).
    public let requestedPriority: TransportPriority
    public var priority: TransportPriority { grantedPriority.withLock { $0 } }
    private let grantedPriority = Mutex(TransportPriority.normal)

    public init(clock: RunClock, priority: TransportPriority = .realtime) {
        _ = Self.globalInit
        self.clock = clock
        self.requestedPriority = priority
        self.multi = curl_multi_init()
        let environment = ProcessInfo.processInfo.environment
        let fromEnvironment = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        // Loopback never goes through a proxy from the environment (the embedded mock lives there).
        self.noProxy = (["localhost", "127.0.0.1", "::1"] + [fromEnvironment].filter { !$0.isEmpty }).joined(separator: ",")
        #if os(Linux)
        var wake: Int32 = -1
        epoll = ccurl_epoll_create(&wake)
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        wakeFD = wake
        let userData = Unmanaged.passUnretained(self).toOpaque()
        ccurl_multi_setopt_socket_callback(multi, { _, socket, what, userData, _ in
            CurlTransport.from(callbackUserData: userData).watch(socket: socket, what: what)
        }, userData)
        ccurl_multi_setopt_timer_callback(multi, { _, timeoutMs, userData in
            CurlTransport.from(callbackUserData: userData).setCurlTimer(timeoutMs: timeoutMs)
        }, userData)
        #endif
        let registered = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in run(registered: registered) }
        thread.name = "sambabench-transport"
        thread.start()
        // Its CPU clock is readable from the first `load()` on.
        registered.wait()
    }

    /// Runs one transfer and returns what was seen. Cancelling the task stops the transfer (class `cancelled`).
    public func perform(_ request: HTTPRequest, options: TransferOptions) async -> TransferOutcome {
        let id = inbox.withLock { inbox -> UInt64 in
            inbox.nextID += 1
            return inbox.nextID
        }
        let transfer = Transfer(id: id, request: request, options: options, clock: clock)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                let accepted = inbox.withLock { inbox -> Bool in
                    guard !inbox.stopping else { return false }
                    inbox.submitted.append(transfer)
                    return true
                }
                if accepted {
                    wake()
                } else {
                    var outcome = TransferOutcome()
                    outcome.sentNs = clock.now()
                    outcome.completedNs = outcome.sentNs
                    outcome.failure = StreamFailure(.cancelled, message: "transport shut down")
                    continuation.resume(returning: outcome)
                }
            }
        } onCancel: {
            transfer.cancelRequested.store(true, ordering: .relaxed)
            inbox.withLock { $0.cancelled.append(transfer) }
            wake()
        }
    }

    /// Cancels every transfer in flight (each finishes with class `cancelled` and `reason` as its message); transfers
    /// submitted later run normally.
    public func cancelAll(reason: String) {
        guard !stoppedOnce.withLock({ $0 }) else { return }
        inbox.withLock { $0.cancelAll = reason }
        wake()
    }

    /// Transfers handed to libcurl and not finished yet.
    public var inFlight: Int { activeCount.load(ordering: .relaxed) }

    /// Interrupts the thread's wait so it reads the inbox.
    private func wake() {
        #if os(Linux)
        ccurl_eventfd_signal(wakeFD)
        #else
        curl_multi_wakeup(multi)
        #endif
    }

    static func from(callbackUserData pointer: UnsafeMutableRawPointer?) -> CurlTransport {
        Unmanaged<CurlTransport>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// Cancels what is in flight, stops the thread and frees libcurl's handles. Idempotent.
    public func shutdown() {
        let first = stoppedOnce.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        inbox.withLock { $0.stopping = true }
        wake()
        stopped.wait()
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        #if os(Linux)
        close(wakeFD)
        close(epoll)
        #endif
    }

    // MARK: The transport thread

    private func run(registered: DispatchSemaphore) {
        #if os(Linux)
        // Timestamps are taken on this thread: when the machine is busy it should be the first to run when bytes
        // arrive, ahead of the tasks that build and write records. Each step down where the system refuses.
        var granted = TransportPriority.normal
        if requestedPriority == .realtime && ccurl_thread_set_fifo(1) == 0 {
            granted = .realtime
        } else if requestedPriority != .normal && ccurl_thread_set_nice(-10) == 0 {
            granted = .raised
        }
        grantedPriority.withLock { $0 = granted }
        #endif
        thread.withLock { $0 = pthread_self() }
        loopTime.withLock { $0.startNs = clock.now() }
        registered.signal()
        #if os(Linux)
        runSocketLoop()
        #else
        runPollLoop()
        #endif
        thread.withLock { $0 = nil }
        stopped.signal()
    }

    /// Starts what was submitted and finishes what was cancelled; true when the transport is stopping (everything
    /// in flight has then been finished as cancelled).
    private func takeInbox() -> Bool {
        let (submitted, cancelled, stopping, cancelAll) = inbox.withLock { inbox in
            defer {
                inbox.submitted.removeAll(keepingCapacity: true)
                inbox.cancelled.removeAll(keepingCapacity: true)
                inbox.cancelAll = nil
            }
            return (inbox.submitted, inbox.cancelled, inbox.stopping, inbox.cancelAll)
        }
        for transfer in submitted { start(transfer) }
        if let cancelAll {
            for transfer in Array(active.values) {
                finish(transfer, code: CURLE_OK, failure: StreamFailure(.cancelled, message: cancelAll))
            }
        }
        for transfer in cancelled where active[transfer.id] != nil {
            finish(transfer, code: CURLE_OK, failure: StreamFailure(.cancelled, message: "cancelled"))
        }
        if stopping {
            for transfer in Array(active.values) {
                finish(transfer, code: CURLE_OK, failure: StreamFailure(.cancelled, message: "transport shut down"))
            }
        }
        return stopping
    }

    /// Checks the client-side timeouts at most every 5 ms; returns how long the loop may wait for them (ms).
    private func checkTimeouts(nextCheck: inout Int64) -> Int64 {
        guard watching > 0 else { return 1000 }
        let now = clock.now()
        if now >= nextCheck {
            expireTimeouts(now: now)
            nextCheck = now + Self.timeoutCheckIntervalNs
        }
        return 5
    }

    #if os(Linux)
    private func runSocketLoop() {
        var running: Int32 = 0
        var nextTimeoutCheck: Int64 = 0
        let capacity = 256
        var fds = [Int32](repeating: 0, count: capacity)
        var masks = [Int32](repeating: 0, count: capacity)
        while !takeInbox() {
            if let due = curlTimerNs, clock.now() >= due {
                curlTimerNs = nil
                curl_multi_socket_action(multi, ccurl_socket_timeout, 0, &running)
                collectFinished()
            }
            var waitMs = checkTimeouts(nextCheck: &nextTimeoutCheck)
            if let due = curlTimerNs {
                // Rounded up: waking a little late for libcurl's timer costs nothing; waking early spins.
                waitMs = min(waitMs, max(0, (due - clock.now() + 999_999) / 1_000_000))
            }
            let ready = waitForEvents { ccurl_epoll_wait(epoll, &fds, &masks, Int32(capacity), Int32(waitMs)) }
            for index in 0..<Int(max(ready, 0)) {
                if fds[index] == wakeFD {
                    ccurl_eventfd_drain(wakeFD)
                } else {
                    curl_multi_socket_action(multi, fds[index], masks[index], &running)
                }
            }
            collectFinished()
        }
    }

    /// libcurl's socket callback: what to watch on `socket`.
    private func watch(socket: curl_socket_t, what: Int32) -> Int32 {
        ccurl_epoll_watch(epoll, socket, what) == 0 ? 0 : -1
    }

    /// libcurl's timer callback: call it back after `timeoutMs` (0: at once; -1: no timer).
    private func setCurlTimer(timeoutMs: Int) -> Int32 {
        curlTimerNs = timeoutMs < 0 ? nil : clock.now() + Int64(timeoutMs) * 1_000_000
        return 0
    }
    #else
    private func runPollLoop() {
        var running: Int32 = 0
        var nextTimeoutCheck: Int64 = 0
        while !takeInbox() {
            curl_multi_perform(multi, &running)
            collectFinished()
            let waitMs = checkTimeouts(nextCheck: &nextTimeoutCheck)
            _ = waitForEvents { Int32(curl_multi_poll(multi, nil, 0, Int32(waitMs), nil).rawValue) }
        }
    }
    #endif

    /// Runs the loop's wait, timing it: the thread is busy whenever it is not inside it.
    @inline(__always)
    private func waitForEvents(_ wait: () -> Int32) -> Int32 {
        let begin = clock.now()
        loopTime.withLock { $0.waitingSinceNs = begin }
        let result = wait()
        let end = clock.now()
        loopTime.withLock {
            $0.waitedNs += end - begin
            $0.waitingSinceNs = nil
            $0.wakeups += 1
        }
        return result
    }

    /// The transport thread's load so far: time busy (not waiting for sockets), CPU time, wake-ups.
    public func load() -> TransportLoad {
        let now = clock.now()
        var load = loopTime.withLock { time in
            let waiting = time.waitingSinceNs.map { now - $0 } ?? 0
            return TransportLoad(atNs: now, busyNs: max(0, now - time.startNs - time.waitedNs - waiting), cpuNs: nil,
                                 wakeups: time.wakeups)
        }
        #if os(Linux)
        // The thread's own CPU clock, read from here: the transport thread pays nothing for it.
        load.cpuNs = thread.withLock { thread -> Int64? in
            var clockID = clockid_t()
            guard let thread, pthread_getcpuclockid(thread, &clockID) == 0 else { return nil }
            var time = timespec()
            guard clock_gettime(clockID, &time) == 0 else { return nil }
            return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        }
        #endif
        return load
    }

    private struct LoopTime {
        var startNs: Int64 = 0
        var waitedNs: Int64 = 0
        var waitingSinceNs: Int64?
        var wakeups = 0
    }

    private func start(_ transfer: Transfer) {
        let easy = idleHandles.popLast() ?? curl_easy_init()!
        transfer.easy = easy
        configure(easy, for: transfer)
        if transfer.cancelRequested.load(ordering: .relaxed) {
            transfer.outcome.sentNs = clock.now()
            finish(transfer, code: CURLE_OK, failure: StreamFailure(.cancelled, message: "cancelled before sending"),
                   added: false)
            return
        }
        active[transfer.id] = transfer
        if transfer.watchesTimeouts { watching += 1 }
        // Capture point `sent`: just before the handle joins the multi handle.
        transfer.outcome.sentNs = clock.now()
        curl_multi_add_handle(multi, easy)
    }

    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: Transfer) {
        let request = transfer.request
        let options = transfer.options
        ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url)
        ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        if options.followRedirects {
            ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
            ccurl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, 5)
            // Keep the POST (with its body) on 301/302/303 instead of libcurl's switch to GET.
            ccurl_easy_setopt_long(easy, CURLOPT_POSTREDIR, 7)  // CURL_REDIR_POST_ALL (a macro Swift does not import)
        } else {
            ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        }
        ccurl_easy_setopt_string(easy, CURLOPT_NOPROXY, noProxy)
        ccurl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, transfer.userData)
        if options.insecure {
            ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if request.method == "GET" {
            ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        } else {
            ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            _ = request.body.withUnsafeBufferPointer { body in
                // libcurl copies the body, so the Swift array need not outlive this call.
                ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            if request.method != "POST" { ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method) }
        }
        // A compressed answer is decoded (gzip, deflate, br, zstd: what libcurl was built with) but none is asked
        // for: a server compressing a stream may hold chunks back, and that would be measured as its latency.
        ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        let asksEncoding = request.headers.contains { $0.lowercased().hasPrefix("accept-encoding:") }
        if options.http2PriorKnowledge {
            ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
            // libcurl before 8.0.0 fails a transfer that reuses an h2c connection, idle or multiplexed ("Error in the
            // HTTP2 framing layer", curl/curl#10634): there, each h2c transfer has a connection of its own.
            if Self.h2cReuseBroken {
                ccurl_easy_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1)
                ccurl_easy_setopt_long(easy, CURLOPT_FORBID_REUSE, 1)
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers + ["Expect:"] + (asksEncoding ? [] : ["Accept-Encoding: identity"]) {
            list = curl_slist_append(list, header)
        }
        transfer.headerList = list
        ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        // `none` means none: libcurl would otherwise apply its built-in 300 s connect limit.
        let connectMs = options.timeouts.connectNs.map { Int(max(1, $0 / 1_000_000)) } ?? 365 * 86_400_000
        ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectMs)
        if let total = options.timeouts.totalNs {
            ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(max(1, total / 1_000_000)))
        }
        ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, userData in
            Transfer.from(callbackUserData: userData)
                .receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, transfer.userData)
        ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, userData in
            Transfer.from(callbackUserData: userData)
                .receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, transfer.userData)
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = ccurl_msg_result(message)
            var pointer: UnsafeMutableRawPointer?
            ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &pointer)
            finish(Transfer.from(callbackUserData: pointer), code: code, failure: nil)
        }
    }

    private func expireTimeouts(now: Int64) {
        // Collected first: finishing a transfer removes it from the table being walked.
        var expired: [(Transfer, StreamFailure)] = []
        for transfer in active.values {
            if let failure = transfer.expiredTimeout(now: now) { expired.append((transfer, failure)) }
        }
        for (transfer, failure) in expired { finish(transfer, code: CURLE_OK, failure: failure) }
    }

    private func finish(_ transfer: Transfer, code: CURLcode, failure: StreamFailure?, added: Bool = true) {
        guard let easy = transfer.easy else { return }
        if added { curl_multi_remove_handle(multi, easy) }
        var outcome = transfer.outcome
        outcome.completedNs = clock.now()
        outcome.curlCode = Int32(bitPattern: code.rawValue)
        if code != CURLE_OK { outcome.curlMessage = String(cString: curl_easy_strerror(code)) }
        if code == CURLE_OPERATION_TIMEDOUT, outcome.headersNs == nil, let connect = transfer.options.timeouts.connectNs {
            // libcurl says "timed out" for both limits; before any response, the one that fired is the one reached.
            let elapsed = outcome.completedNs - outcome.sentNs
            let total = transfer.options.timeouts.totalNs ?? .max
            outcome.connectTimedOut = connect < total && elapsed < total
        }
        if let failure, outcome.failure == nil { outcome.failure = failure }
        outcome.readAsStream = transfer.readingStream
        var status = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        if status != 0 { outcome.status = status }
        outcome.connection = Self.connectionTimings(easy)
        if let list = transfer.headerList { curl_slist_free_all(list) }
        transfer.headerList = nil
        transfer.easy = nil
        curl_easy_reset(easy)
        if idleHandles.count < Self.maxIdleHandles { idleHandles.append(easy) } else { curl_easy_cleanup(easy) }
        if active.removeValue(forKey: transfer.id) != nil, transfer.watchesTimeouts { watching -= 1 }
        let continuation = transfer.continuation
        transfer.continuation = nil
        continuation?.resume(returning: outcome)
    }

    private static func connectionTimings(_ easy: UnsafeMutableRawPointer) -> ConnectionTimings {
        func microseconds(_ info: CURLINFO) -> Int64? {
            var value: curl_off_t = 0
            guard ccurl_easy_getinfo_off_t(easy, info, &value) == CURLE_OK, value > 0 else { return nil }
            return Int64(value) * 1000
        }
        var connects = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        guard connects > 0 else {
            // A reused connection: no lookup, connect or handshake happened for this request.
            return ConnectionTimings(ttfbNs: microseconds(CURLINFO_STARTTRANSFER_TIME_T), newConnection: false)
        }
        return ConnectionTimings(dnsNs: microseconds(CURLINFO_NAMELOOKUP_TIME_T),
                                 connectNs: microseconds(CURLINFO_CONNECT_TIME_T),
                                 tlsNs: microseconds(CURLINFO_APPCONNECT_TIME_T),
                                 ttfbNs: microseconds(CURLINFO_STARTTRANSFER_TIME_T),
                                 newConnection: true)
    }
}
