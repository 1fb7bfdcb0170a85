import CCurl
import Synchronization

/// One request in flight. Owned by the transport thread from submission to completion; libcurl's callbacks reach
/// it through the userdata pointer (unretained: the transport's table of active transfers keeps it alive).
/// Ownership moves to the transport thread through the inbox mutex; only `cancelRequested` is shared after that.
final class Transfer: @unchecked Sendable {
    let id: UInt64
    let request: HTTPRequest
    let options: TransferOptions
    let clock: RunClock
    /// Set by the awaiting task before submission; resumed once, on the transport thread.
    var continuation: CheckedContinuation<TransferOutcome, Never>?
    /// Set from any thread when the awaiting task is cancelled.
    let cancelRequested = Atomic<Bool>(false)

    var outcome = TransferOutcome()
    var parser: SSEParser
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// Decided when the response headers are complete: a 2xx event stream is parsed as it arrives.
    var readingStream = false
    var chunksSeen = 0
    /// Arrival of the latest token-carrying chunk, for the idle timeout.
    var lastTokenNs: Int64?

    init(id: UInt64, request: HTTPRequest, options: TransferOptions, clock: RunClock) {
        self.id = id
        self.request = request
        self.options = options
        self.clock = clock
        self.parser = SSEParser(maxEventSize: options.maxEventBytes)
        if options.captureOutput { outcome.stream = StreamAccumulator(capture: true) }
        outcome.stream.expectedModel = options.expectedModel
    }

    static func from(callbackUserData pointer: UnsafeMutableRawPointer?) -> Transfer {
        Unmanaged<Transfer>.fromOpaque(pointer!).takeUnretainedValue()
    }

    var userData: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// One header line (libcurl calls this per line, the blank line last).
    func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        if bytes.starts(with: "HTTP/".utf8) {
            outcome.contentType = nil
            outcome.rateLimitHeaders.removeAll()
        } else if bytes.count <= 2 && bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) {
            // Capture point `headers`: status line and headers complete (the last block wins after a 1xx).
            outcome.headersNs = clock.now()
            var code = 0
            ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            outcome.status = code
            let isEventStream = outcome.contentType.map { $0.contains("text/event-stream") } ?? true
            readingStream = options.streaming && (200..<300).contains(code) && isEventStream
        } else if bytes.count > 13, Self.hasPrefixIgnoringCase(bytes, "content-type:") {
            let value = String(decoding: bytes[13...], as: UTF8.self)
            outcome.contentType = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        } else if bytes.count > 9, Self.hasPrefixIgnoringCase(bytes, "location:") {
            outcome.location = String(decoding: bytes[9...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else if bytes.count > 12, Self.hasPrefixIgnoringCase(bytes, "retry-after") || Self.hasPrefixIgnoringCase(bytes, "x-ratelimit-") {
            // Rate-limit headers are rare (429s, some gateways on every answer): kept as text, parsed later.
            outcome.rateLimitHeaders.append(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return bytes.count
    }

    /// Body bytes as they arrive. Returning less than `bytes.count` makes libcurl stop the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        // Capture point `firstByte` and `chunk[i]`: the bytes are here now, before any hop to another thread.
        let now = clock.now()
        outcome.bytesReceived += bytes.count
        if outcome.firstByteNs == nil { outcome.firstByteNs = now }
        outcome.lastByteNs = now
        if readingStream {
            let maxChunks = options.maxChunks
            do {
                try parser.feed(bytes, onComment: { comment in
                    // The mock's stamp of the first token-carrying chunk's send time, on the same clock.
                    if outcome.mockSentNs == nil, let stamp = SendStamp.parse(comment) {
                        outcome.mockSentNs = clock.offset(ofMonotonic: stamp)
                    }
                }) { event in
                    // The first failure decides: later events of the same read are not decoded, so the class does
                    // not depend on where the network cut the stream.
                    if outcome.stream.failure == nil {
                        options.decoder.decode(event: event, arrivalNs: now, into: &outcome.stream)
                        // The chunk cap: one comparison per event; the transfer stops at the first chunk past it.
                        if outcome.stream.chunks.count > maxChunks {
                            outcome.stream.failure = Self.tooManyChunks(maxChunks)
                        }
                    }
                }
            } catch {
                // A failing event earlier in this read came first.
                outcome.failure = outcome.stream.failure ?? StreamFailure(.eventTooLarge, message: "\(error)")
                return 0
            }
            if let failure = outcome.stream.failure {
                outcome.failure = failure
                return 0
            }
            if outcome.stream.chunks.count != chunksSeen {
                chunksSeen = outcome.stream.chunks.count
                lastTokenNs = now
            }
        } else {
            guard outcome.body.count + bytes.count <= options.maxBodyBytes else {
                outcome.failure = StreamFailure(.eventTooLarge, message: "response body larger than \(options.maxBodyBytes) bytes; the transfer was stopped to bound memory")
                return 0
            }
            outcome.body.append(contentsOf: bytes)
        }
        return bytes.count
    }

    /// The client-side timeout this transfer has passed at `now`, if any.
    func expiredTimeout(now: Int64) -> StreamFailure? {
        // After the terminator the answer is complete: a server slow to close is not a timeout of this request.
        guard outcome.stream.terminatorNs == nil else { return nil }
        let timeouts = options.timeouts
        if let limit = timeouts.firstTokenNs, chunksSeen == 0, now - outcome.sentNs > limit {
            return StreamFailure(.timeoutFirstToken, message: "no token within \(Self.milliseconds(limit)) of sending")
        }
        if let limit = timeouts.idleNs, let last = lastTokenNs, now - last > limit {
            return StreamFailure(.timeoutIdle, message: "no token for \(Self.milliseconds(limit)) after the previous chunk")
        }
        return nil
    }

    var watchesTimeouts: Bool { options.timeouts.firstTokenNs != nil || options.timeouts.idleNs != nil }

    static func milliseconds(_ ns: Int64) -> String { "\(Double(ns) / 1e6) ms" }

    /// Built only when the cap is passed, off the per-event path.
    @inline(never)
    static func tooManyChunks(_ limit: Int) -> StreamFailure {
        StreamFailure(.tooManyChunks, message: "more than \(limit) token-carrying chunks (limits.max_chunks_per_request); the transfer was stopped to bound memory")
    }

    private static func hasPrefixIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let expected = UnsafeRawBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard bytes.count >= expected.count else { return false }
        for index in 0..<expected.count where bytes[index] | 0x20 != expected[index] | 0x20 {
            return false
        }
        return true
    }
}

import Foundation
