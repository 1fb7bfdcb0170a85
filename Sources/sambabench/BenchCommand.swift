import ArgumentParser
import Engine
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

    @Argument(help: "A recorded response body (server-sent events).") var file: String
    @Option(help: "The API that produced it: \(APIRegistry.names).") var api: APIKind = .chat
    @Option(help: "Seconds per timed round.") var seconds = 0.5
    @Option(help: "Bytes per read (libcurl hands its write callback at most 16 KiB at a time).") var readSize = 16 << 10
    @Option(help: "Run only the write path this many times, untimed.") var iterations: Int?

    func validate() throws {
        guard seconds > 0 && seconds <= 3600 else { throw ValidationError("--seconds: \(seconds) is out of range (above 0, at most 3600)") }
        guard readSize > 0 else { throw ValidationError("--read-size must be at least 1") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file), !data.isEmpty else {
            throw ValidationError("cannot read \(file), or it is empty")
        }
        let benchmark = HotPathBenchmark(body: Array(data), api: api, seconds: seconds, readSize: readSize)
        if let iterations {
            print("replayed \(iterations) times: \(benchmark.replay(iterations: iterations)) chunks")
            return
        }
        do {
            for line in try benchmark.run(file: file) { print(line) }
        } catch {
            throw ValidationError(error.description)
        }
    }
}
