import Foundation
import Testing
import LoadGen
@testable import MockServer

/// Sends one chat request on a shared transport, so concurrent requests share a clock; the body comes back raw.
/// The default limit turns a leaked slot into a failure instead of a hang.
func chat(_ transport: CurlTransport, _ server: MockServer, stream: Bool, maxTokens: Int? = nil,
          timeouts: TransferTimeouts = TransferTimeouts(totalNs: 5_000_000_000)) async -> TransferOutcome {
    let limit = maxTokens.map { #","max_tokens":\#($0)"# } ?? ""
    let body = #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"hi"}],"stream":\#(stream)\#(limit)}"#
    let request = HTTPRequest(url: server.baseURL + "/chat/completions",
                              headers: ["Content-Type: application/json", "Authorization: Bearer \(testKey)"],
                              body: Array(body.utf8))
    let options = TransferOptions(streaming: false, decoder: ChatCompletionsDecoder(), timeouts: timeouts)
    return await transport.perform(request, options: options)
}

/// The usage block of a streamed answer.
func streamedUsage(_ outcome: TransferOutcome) throws -> [String: Any] {
    try #require(try events(of: outcome.body).compactMap { $0["usage"] as? [String: Any] }.first)
}

@Suite(.serialized) struct MockCapacityTests {
    @Test func decodeRateFallsLinearlyToItsValueAtCapacity() {
        let capacity = MockCapacity(slots: 5, maxQueue: 0, decodeRateAtCapacity: 200)
        #expect(capacity.decodeRate(active: 1, singleRate: 1000) == 1000)
        #expect(capacity.decodeRate(active: 2, singleRate: 1000) == 800)
        #expect(capacity.decodeRate(active: 3, singleRate: 1000) == 600)
        #expect(capacity.decodeRate(active: 5, singleRate: 1000) == 200)
        // One slot: the only possible load is one request, at the single-request rate.
        let single = MockCapacity(slots: 1, maxQueue: 0, decodeRateAtCapacity: 200)
        #expect(single.decodeRate(active: 1, singleRate: 1000) == 1000)
        var completion = MockCompletion(profile: MockProfile(), maxTokens: nil, requestNumber: 1)
        completion.chunkTokens = [6, 10]
        // 10 tokens at 800 tokens/s.
        #expect(completion.intervalNs(beforeChunk: 1, rate: 800) == 12_500_000)
    }

    @Test func requestsBeyondTheSlotsQueueForAServiceTime() async throws {
        // 20 tokens in 4 chunks: 50 ms TTFT, then 15 tokens at 500 tokens/s (two active) = 30 ms.
        let profile = MockProfile(ttftNs: 50_000_000, decodeTokensPerSecond: 1000, tokensPerChunk: 5...5,
                                  outputTokens: 20...20, seed: 3,
                                  capacity: MockCapacity(slots: 2, maxQueue: 8, decodeRateAtCapacity: 500))
        // Two event loops: connections alternate between them, so slots pass from one loop to the other.
        let server = try await MockServer.start(profile: profile, threads: 2)
        defer { Task { await server.shutdown() } }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let outcomes = await withTaskGroup(of: TransferOutcome.self) { group in
            for _ in 0..<4 { group.addTask { await chat(transport, server, stream: true) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        struct Seen {
            var ttft, total, start, end, wait, lastByte: Double
        }
        let seen = try outcomes.map { outcome in
            #expect(outcome.status == 200)
            let usage = try streamedUsage(outcome)
            let total = try #require(usage["total_latency"] as? Double)
            let lastByte = Double(try #require(outcome.lastByteNs)) / 1e9
            return Seen(ttft: try #require(usage["time_to_first_token"] as? Double), total: total,
                        start: try #require(usage["start_time"] as? Double),
                        end: try #require(usage["end_time"] as? Double),
                        wait: lastByte - Double(outcome.sentNs) / 1e9 - total, lastByte: lastByte)
        }.sorted { $0.wait < $1.wait }
        // The server's TTFT counts from when a request got its slot, so it is the configured one for all four (a busy
        // machine writes the first chunk late, hence the loose upper bound), and a queued request's does not hold
        // its wait for the slot: counted from arrival it would exceed the wait by the 50 ms.
        #expect(seen.allSatisfy { $0.ttft >= 0.050 && $0.ttft < 0.100 })
        let (first, queued) = (seen.prefix(2), seen.suffix(2))
        #expect(queued.allSatisfy { $0.ttft < $0.wait + 0.050 })
        let service = try #require(first.map(\.total).min())
        // Not queued: their wait beyond the server's time is the client's and the loopback's, well under a service
        // time (about 80 ms) however busy the machine.
        #expect(first.allSatisfy { $0.wait < service / 2 })
        // Both ran together from their second chunk on: 15 tokens at the rate at capacity.
        // (A busy machine writes chunks late, never early: the upper bound is loose, the lower one exact.)
        #expect(first.allSatisfy { $0.total - $0.ttft >= 0.030 && $0.total - $0.ttft < 0.070 })
        // The queued ones waited about one service time (less the few ms by which their sends trailed the first ones').
        #expect(queued.allSatisfy { $0.wait >= service - 0.010 && $0.wait < service + 0.100 })
        // A queued request starts only when a first one has ended, so it ends a whole service time after that. The
        // mock's start and end are wall-clock stamps beside its monotonic timing, which a busy machine skews by a few
        // ms; 20 ms still tells a queued start (after the first's end) from an unqueued one (80 ms before it).
        let firstEnd = try #require(first.map(\.end).min())
        let firstLastByte = try #require(first.map(\.lastByte).min())
        #expect(queued.allSatisfy { $0.start >= firstEnd - 0.020 && $0.lastByte >= firstLastByte + $0.total - 0.020 })
    }

    @Test func aFullQueueAnswers429() async throws {
        let profile = MockProfile(ttftNs: 50_000_000, decodeTokensPerSecond: 1000, tokensPerChunk: 5...5,
                                  outputTokens: 20...20, seed: 3,
                                  capacity: MockCapacity(slots: 1, maxQueue: 0, decodeRateAtCapacity: 1000))
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        async let held = chat(transport, server, stream: false)
        try await Task.sleep(for: .milliseconds(15))
        let refused = await chat(transport, server, stream: false)
        #expect(refused.status == 429)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(refused.body)) as? [String: Any])
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["type"] as? String == "rate_limit_error")
        #expect(error["code"] as? String == "queue_full")
        #expect(error["param"] is NSNull)
        #expect(error["message"] is String)
        #expect(json["request_id"] is String)
        // Refused at once, not after the held request's 65 ms.
        #expect(Double(try #require(refused.lastByteNs) - refused.sentNs) / 1e9 < 0.020)
        #expect(await held.status == 200)
        // The non-streamed answer gave its slot back when it was written.
        #expect(await chat(transport, server, stream: false).status == 200)
    }

    @Test func aClientLeavingMidStreamFreesItsSlotAtOnce() async throws {
        // 10-token chunks at 20 tokens/s: the second chunk of the long answer is due 500 ms after the first.
        let profile = MockProfile(ttftNs: 20_000_000, decodeTokensPerSecond: 20, tokensPerChunk: 10...10,
                                  outputTokens: 100...100, seed: 3,
                                  capacity: MockCapacity(slots: 1, maxQueue: 4, decodeRateAtCapacity: 20))
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        async let leaving = chat(transport, server, stream: true, timeouts: TransferTimeouts(totalNs: 100_000_000))
        try await Task.sleep(for: .milliseconds(15))
        let next = await chat(transport, server, stream: true, maxTokens: 10)
        let left = await leaving
        // It left after the first content chunk and before the end.
        let leftEvents = try events(of: left.body)
        #expect(leftEvents.count == 2 && leftEvents.last?["done"] == nil)
        #expect(next.status == 200)
        let usage = try streamedUsage(next)
        let ttft = try #require(usage["time_to_first_token"] as? Double)
        #expect(ttft >= 0.020 && ttft < 0.030)
        // Queued until the first client left at 100 ms, not until that answer's next chunk at 520 ms: it ended one
        // TTFT after the leaving.
        let afterLeaving = Double(try #require(next.lastByteNs) - left.completedNs) / 1e9
        #expect(afterLeaving >= ttft - 0.002 && afterLeaving < ttft + 0.030)
    }

    @Test func aClientLeavingTheQueueGivesUpItsPlace() async throws {
        // One 5-token chunk: each answer takes its 80 ms TTFT.
        let profile = MockProfile(ttftNs: 80_000_000, decodeTokensPerSecond: 1000, tokensPerChunk: 5...5,
                                  outputTokens: 5...5, seed: 3,
                                  capacity: MockCapacity(slots: 1, maxQueue: 1, decodeRateAtCapacity: 1000))
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        async let held = chat(transport, server, stream: true)
        try await Task.sleep(for: .milliseconds(10))
        let gaveUp = await chat(transport, server, stream: true, timeouts: TransferTimeouts(totalNs: 30_000_000))
        #expect(gaveUp.status == 0 && gaveUp.body.isEmpty)
        // The queue's one place is free again, and the one slot passes to this request when the first ends.
        let next = await chat(transport, server, stream: true)
        #expect(next.status == 200)
        #expect(await held.status == 200)
        // No slot leaked: alone now, a request starts at once.
        let alone = await chat(transport, server, stream: true)
        let usage = try streamedUsage(alone)
        let total = try #require(usage["total_latency"] as? Double)
        #expect(Double(try #require(alone.lastByteNs) - alone.sentNs) / 1e9 - total < 0.030)
    }
}
