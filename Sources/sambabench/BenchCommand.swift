import ArgumentParser
import Foundation
import LoadGen

/// Microbenchmarks of the hot path on a recorded stream: the SSE parser alone, parsing and decoding (fast path and
/// JSONDecoder), and the transport's whole write path. Hidden: `scripts/bench.sh` runs it.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the SSE parser and the decoders on a recorded response body.",
        discussion: """
            FILE is a streamed response body as a server sent it (for example saved with curl -N from `sambabench mock`).
            Each figure is the best of three timed rounds of --seconds each. With --iterations N only the transport's
            write path runs, N times, untimed (for counting allocations under valgrind).
            """,
        shouldDisplay: false
    )

    @Argument(help: "A recorded response body (server-sent events).")
    var file: String

    @Option(help: "The API that produced it: \(APIRegistry.names).")
    var api: APIKind = .chat

    @Option(help: "Seconds per timed round.")
    var seconds = 0.5

    @Option(help: "Bytes per read (libcurl hands its write callback at most 16 KiB at a time).")
    var readSize = 16 << 10

    @Option(help: "Run only the write path this many times, untimed.")
    var iterations: Int?

    func validate() throws {
        guard seconds > 0 else { throw ValidationError("--seconds must be above 0") }
        guard readSize > 0 else { throw ValidationError("--read-size must be at least 1") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file), !data.isEmpty else {
            throw ValidationError("cannot read \(file), or it is empty")
        }
        let body = Array(data)
        let fast = APIRegistry.decoder(for: api)
        let slow = APIRegistry.decoder(for: api, fastPath: false)
        let clock = RunClock()
        if let iterations {
            var chunks = 0
            for _ in 0..<iterations { chunks += StreamReplay(body: body, decoder: fast, readSize: readSize).run(clock: clock).stream.chunks.count }
            print("replayed \(iterations) times: \(chunks) chunks")
            return
        }
        let reference = StreamReplay(body: body, decoder: slow, readSize: readSize).run(clock: clock)
        let check = StreamReplay(body: body, decoder: fast, readSize: readSize).run(clock: clock)
        guard reference.failure == nil, reference.stream.failure == nil else {
            throw ValidationError("\(file) does not decode as a \(api.rawValue) stream: \(reference.failure?.message ?? reference.stream.failure?.message ?? "")")
        }
        guard check.stream.chunks.map(\.bytes) == reference.stream.chunks.map(\.bytes),
              check.stream.finishReason == reference.stream.finishReason, check.stream.usage == reference.stream.usage else {
            throw ValidationError("the fast path and JSONDecoder disagree on \(file)")
        }
        let events = reference.stream.events
        let chunks = reference.stream.chunks.count
        print("stream            \(api.rawValue): \(body.count) bytes, \(events) events, \(chunks) token-carrying chunks, \(readSize)-byte reads")

        let parse = measure {
            var parser = SSEParser()
            var count = 0
            feed(body) { piece in try? parser.feed(piece) { _ in count += 1 } }
            return count
        }
        report("sse_parse", parse, body: body.count, events: events, unit: "events")
        for (name, decoder) in [("decode_fast", fast), ("decode_json", slow)] {
            let result = measure {
                var parser = SSEParser()
                var accumulator = StreamAccumulator()
                feed(body) { piece in
                    try? parser.feed(piece) { event in decoder.decode(event: event, arrivalNs: 0, into: &accumulator) }
                }
                return accumulator.chunks.count
            }
            report(name, result, body: body.count, events: events, unit: "chunks")
        }
        for (name, decoder) in [("write_path_fast", fast), ("write_path_json", slow)] {
            let replay = StreamReplay(body: body, decoder: decoder, readSize: readSize)
            let result = measure { replay.run(clock: clock).stream.chunks.count }
            report(name, result, body: body.count, events: events, unit: "chunks")
        }
    }

    /// Calls `body` with the stream cut into reads of `readSize`.
    private func feed(_ stream: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) {
        stream.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                let end = min(start + readSize, all.count)
                body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }

    /// The best of three rounds: passes over the stream per second, and what one pass counted.
    private func measure(_ pass: () -> Int) -> (passesPerSecond: Double, counted: Int) {
        var best = 0.0
        var counted = 0
        for _ in 0..<3 {
            let start = MonotonicClock.nanoseconds()
            let end = start + Int64(seconds * 1e9)
            var passes = 0
            var now = start
            repeat {
                counted = pass()
                passes += 1
                now = MonotonicClock.nanoseconds()
            } while now < end
            best = max(best, Double(passes) / (Double(now - start) / 1e9))
        }
        return (best, counted)
    }

    private func report(_ name: String, _ result: (passesPerSecond: Double, counted: Int), body: Int, events: Int, unit: String) {
        let megabytes = result.passesPerSecond * Double(body) / 1e6
        let perSecond = result.passesPerSecond * Double(result.counted)
        let nsPerEvent = 1e9 / (result.passesPerSecond * Double(events))
        print(name.padding(toLength: 17, withPad: " ", startingAt: 0)
              + String(format: " %9.1f MB/s  %12.0f ", megabytes, perSecond) + unit + String(format: "/s  %7.1f ns/event", nsPerEvent))
    }
}
