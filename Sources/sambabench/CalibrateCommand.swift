import ArgumentParser
import Engine
import Foundation
import LoadGen
import Metrics

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure the client itself against the mock on loopback: its timestamp error, the rates it sustains, their cost.",
        discussion: """
            Runs four steps against `sambabench mock` started as a child process (send times stamped, on the same
            monotonic clock): open --streams slow streams at once and report resident memory per stream; run medium
            streams at rising concurrency (--accuracy) and report client TTFT minus the mock's stamped send time
            (median, p99); run short streams (--requests levels) and one-token chunks (--chunks levels) as fast as
            they go and report requests/s, chunks/s and CPU per request and per chunk (client, transport thread, mock).
            A level is healthy when nothing failed, the transport thread was busy at most 80% of the time and
            requests went out within 1 ms of being due at p99; the highest healthy rates are what this machine
            sustains. About 40 s with the defaults.
            Example: sambabench calibrate --streams 2000 --seconds 5
            """
    )

    @Option(help: "Concurrency levels of the accuracy step (comma-separated; empty skips it).") var accuracy = "1,16,64,256"
    @Option(help: "Concurrency levels of the request-rate step.") var requests = "8,32,128"
    @Option(help: "Concurrency levels of the chunk-rate step.") var chunks = "8,32,64"
    @Option(help: "Streams held open at once for the memory step (0 skips it).") var streams = 1000
    @Option(help: "Seconds measured per level (after 1 s of warm-up).") var seconds = 3.0
    @Option(help: "Event-loop threads of the mock.") var mockThreads = 1
    @Flag(help: "Run the mock inside this process (its CPU is then not told apart from the client's).") var inProcessMock = false
    @Option(help: "Scheduling of the thread that takes the timestamps: realtime (SCHED_FIFO), raised (nice -10) or normal. Default: realtime where permitted (root or CAP_SYS_NICE), else raised, else normal.") var transportPriority: TransportPriority?

    func calibration() throws(Calibration.Invalid) -> Calibration {
        try Calibration(accuracy: accuracy, requests: requests, chunks: chunks, streams: streams, seconds: seconds,
                        mockThreads: mockThreads, inProcessMock: inProcessMock, transportPriority: transportPriority)
    }

    func validate() throws {
        do { _ = try calibration() } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        if let note = Calibration.raiseOpenFileLimit(streams: streams) { printError("note: \(note)") }
        let console = Console(quiet: false)
        var calibration = try calibration()
        calibration.say = { console.say($0) }
        console.say("sambabench \(Sambabench.version) calibrate: " + calibration.setup(asked: transportPriority))
        let (levels, memory) = try await calibration.run()
        print("")
        print(CalibrationReport.text(levels: levels, memory: memory), terminator: "")
    }
}
