import CCurl
import Foundation
import Synchronization

/// libcurl's multi interface driven by one dedicated thread that owns the multi handle and every easy handle.
/// Tasks submit a transfer and await its outcome through a continuation; the thread never waits on a task.
/// Connections are kept alive in the multi handle's cache and reused by later transfers to the same host.
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
    private var active: [UInt64: Transfer] = [:]
    /// Active transfers with a first-token or idle timeout: kept as a count so the loop does not scan for them.
    private var watching = 0
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private let noProxy: String
    private static let maxIdleHandles = 4096
    private static let timeoutCheckIntervalNs: Int64 = 5_000_000

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

    public init(clock: RunClock) {
        _ = Self.globalInit
        self.clock = clock
        self.multi = curl_multi_init()
        let environment = ProcessInfo.processInfo.environment
        let fromEnvironment = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        // Loopback never goes through a proxy from the environment (the embedded mock lives there).
        self.noProxy = (["localhost", "127.0.0.1", "::1"] + [fromEnvironment].filter { !$0.isEmpty }).joined(separator: ",")
        let thread = Thread { [self] in run() }
        thread.name = "sambabench-transport"
        thread.start()
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
                    curl_multi_wakeup(multi)
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
            curl_multi_wakeup(multi)
        }
    }

    /// Cancels every transfer in flight (each finishes with class `cancelled` and `reason` as its message); transfers
    /// submitted later run normally.
    public func cancelAll(reason: String) {
        guard !stoppedOnce.withLock({ $0 }) else { return }
        inbox.withLock { $0.cancelAll = reason }
        curl_multi_wakeup(multi)
    }

    /// Cancels what is in flight, stops the thread and frees libcurl's handles. Idempotent.
    public func shutdown() {
        let first = stoppedOnce.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
        stopped.wait()
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
    }

    // MARK: The transport thread

    private func run() {
        var running: Int32 = 0
        var nextTimeoutCheck: Int64 = 0
        while true {
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
                break
            }
            curl_multi_perform(multi, &running)
            collectFinished()
            var pollMs: Int32 = 1000
            if watching > 0 {
                let now = clock.now()
                if now >= nextTimeoutCheck {
                    expireTimeouts(now: now)
                    nextTimeoutCheck = now + Self.timeoutCheckIntervalNs
                }
                pollMs = 5
            }
            curl_multi_poll(multi, nil, 0, pollMs, nil)
        }
        stopped.signal()
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
