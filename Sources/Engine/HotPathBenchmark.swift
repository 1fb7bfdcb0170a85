import Foundation
import LoadGen

/// Microbenchmarks of the hot path on a recorded stream (`sambabench bench`): the SSE parser alone, parsing and
/// decoding (fast path and JSONDecoder), and the transport's whole write path. Each figure is the best of three timed
/// rounds; the fast path is first checked against JSONDecoder on the same stream.
public struct HotPathBenchmark {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let body: [UInt8]
    public let api: APIKind
    public let seconds: Double
    public let readSize: Int
    private let fast: any StreamDecoder
    private let slow: any StreamDecoder

    public init(body: [UInt8], api: APIKind, seconds: Double, readSize: Int) {
        self.body = body
        self.api = api
        self.seconds = seconds
        self.readSize = readSize
        fast = APIRegistry.decoder(for: api)
        slow = APIRegistry.decoder(for: api, fastPath: false)
    }

    /// The write path `iterations` times, untimed (for counting allocations under valgrind); the chunks it saw.
    public func replay(iterations: Int) -> Int {
        let clock = RunClock()
        var chunks = 0
        for _ in 0..<iterations { chunks += StreamReplay(body: body, decoder: fast, readSize: readSize).run(clock: clock).stream.chunks.count }
        return chunks
    }

    /// Every figure, a line each; `file` names the stream in messages.
    public func run(file: String) throws(Failure) -> [String] {
        let clock = RunClock()
        let reference = StreamReplay(body: body, decoder: slow, readSize: readSize).run(clock: clock)
        let check = StreamReplay(body: body, decoder: fast, readSize: readSize).run(clock: clock)
        guard reference.failure == nil, reference.stream.failure == nil else {
            throw Failure(description: "\(file) does not decode as a \(api.rawValue) stream: \(reference.failure?.message ?? reference.stream.failure?.message ?? "")")
        }
        guard check.stream.chunks.map(\.bytes) == reference.stream.chunks.map(\.bytes),
              check.stream.finishReason == reference.stream.finishReason, check.stream.usage == reference.stream.usage else {
            throw Failure(description: "the fast path and JSONDecoder disagree on \(file)")
        }
        let events = reference.stream.events
        var lines = ["stream            \(api.rawValue): \(body.count) bytes, \(events) events, \(reference.stream.chunks.count) token-carrying chunks, \(readSize)-byte reads"]
        let parse = measure {
            var parser = SSEParser()
            var count = 0
            feed { piece in try? parser.feed(piece) { _ in count += 1 } }
            return count
        }
        lines.append(line("sse_parse", parse, events: events, unit: "events"))
        for (name, decoder) in [("decode_fast", fast), ("decode_json", slow)] {
            let result = measure {
                var parser = SSEParser()
                var accumulator = StreamAccumulator()
                feed { piece in
                    try? parser.feed(piece) { event in decoder.decode(event: event, arrivalNs: 0, into: &accumulator) }
                }
                return accumulator.chunks.count
            }
            lines.append(line(name, result, events: events, unit: "chunks"))
        }
        for (name, decoder) in [("write_path_fast", fast), ("write_path_json", slow)] {
            let replay = StreamReplay(body: body, decoder: decoder, readSize: readSize)
            lines.append(line(name, measure { replay.run(clock: clock).stream.chunks.count }, events: events, unit: "chunks"))
        }
        return lines
    }

    /// Calls `body` with the stream cut into reads of `readSize`.
    private func feed(_ read: (UnsafeRawBufferPointer) -> Void) {
        body.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                let end = min(start + readSize, all.count)
                read(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }

    /// The best of three rounds: passes over the stream per second, and what one pass counted.
    private func measure(_ pass: () -> Int) -> (passesPerSecond: Double, counted: Int) {
        var best = 0.0
        var counted = 0
        for _ in 0..<3 {
            // Timed on CLOCK_MONOTONIC, read once per pass so the read costs nothing measurable.
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

    private func line(_ name: String, _ result: (passesPerSecond: Double, counted: Int), events: Int, unit: String) -> String {
        let megabytes = result.passesPerSecond * Double(body.count) / 1e6
        let perSecond = result.passesPerSecond * Double(result.counted)
        let nsPerEvent = 1e9 / (result.passesPerSecond * Double(events))
        return name.padding(toLength: 17, withPad: " ", startingAt: 0)
            + String(format: " %9.1f MB/s  %12.0f ", megabytes, perSecond) + unit + String(format: "/s  %7.1f ns/event", nsPerEvent)
    }
}
