import ArgumentParser
import LoadGen
import Engine
import Foundation
import MockServer

struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Run the mock server standalone on loopback until interrupted (Ctrl-C).",
        discussion: """
            Serves POST \(MockServer.apiPaths.joined(separator: ", ")) (streaming and not) and GET /v1/models
            in SambaNova's shapes.
            Example: sambabench mock --port 8000 --ttft 200ms --decode-rate 600 --tokens-per-chunk 4-12
            With --port 0 a free port is picked: --address-file PATH writes the bound base URL
            (http://127.0.0.1:PORT/v1 and a newline) to PATH, atomically, once the server accepts connections.
            """
    )

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port = 0

    @Option(help: "Time to first token, as a duration (250ms, 1s).")
    var ttft = "200ms"

    @Option(help: "Decode rate after the first chunk, tokens per second per request.")
    var decodeRate = 600.0

    @Option(help: "Tokens per chunk: N or MIN-MAX.")
    var tokensPerChunk = "4-12"

    @Option(help: "Output tokens per request: N or MIN-MAX (capped by the request's max_tokens).")
    var outputTokens = "256"

    @Option(help: "Seed for chunk sizes, lengths and text.")
    var seed: UInt64 = 42

    @Option(help: "Share of each answer's output tokens that is reasoning, streamed first (0-1).")
    var reasoningShare = 0.0

    @Option(help: "Share of requests offering tools that are answered with a tool call (0-1).")
    var toolCallShare = 1.0

    @Option(help: "Fault injection: KIND=SHARE pairs, comma-separated, KIND one of rate_limited, overloaded, stream_error, disconnect, stall, malformed, drip (e.g. rate_limited=0.01,disconnect=0.02); shares add up to at most 1.")
    var faults: String?

    @Option(help: "Event-loop threads.")
    var threads = 1

    @Option(help: "Once bound, write the base URL (http://127.0.0.1:PORT/v1 and a newline) to this file, atomically: how scripts learn the port --port 0 picked.")
    var addressFile: String?

    @Flag(help: "Stamp each stream's first token chunk with its send time on CLOCK_MONOTONIC (an SSE comment), so a client on this machine measures its own TTFT error.")
    var stampSendTimes = false

    func validate() throws {
        guard DurationText.nanoseconds(ttft) != nil else { throw ValidationError("--ttft: '\(ttft)' is not a duration (e.g. 200ms)") }
        guard decodeRate > 0 else { throw ValidationError("--decode-rate must be above 0") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard (0...1).contains(reasoningShare) else { throw ValidationError("--reasoning-share must be within 0-1") }
        guard (0...1).contains(toolCallShare) else { throw ValidationError("--tool-call-share must be within 0-1") }
        _ = try Self.range(tokensPerChunk, option: "--tokens-per-chunk")
        _ = try Self.faults(faults)
        _ = try Self.range(outputTokens, option: "--output-tokens")
    }

    static func faults(_ text: String?) throws -> MockFaults {
        guard let text, !text.isEmpty else { return .none }
        var settings = MockSettings.Faults()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let share = Double(parts[1]), (0...1).contains(share) else {
                throw ValidationError("--faults: '\(pair)' is not KIND=SHARE with a share from 0 to 1")
            }
            switch parts[0] {
            case "rate_limited": settings.rateLimited = share
            case "overloaded": settings.overloaded = share
            case "stream_error": settings.streamError = share
            case "disconnect": settings.disconnect = share
            case "stall": settings.stall = share
            case "malformed": settings.malformed = share
            case "drip": settings.drip = share
            default:
                throw ValidationError("--faults: unknown kind '\(parts[0])' (one of: \(MockSettings.Faults.keys.joined(separator: ", ")))")
            }
        }
        let total = settings.rateLimited + settings.overloaded + settings.streamError + settings.disconnect + settings.stall
            + settings.malformed + settings.drip
        guard total <= 1 + 1e-9 else { throw ValidationError("--faults: the shares add up to \(total), above 1") }
        return MockFaults(settings)
    }

    static func range(_ text: String, option: String) throws -> ClosedRange<Int> {
        let parts = text.split(separator: "-").map { Int($0) }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil, low >= 1, low <= high else {
            throw ValidationError("\(option): '\(text)' is not N or MIN-MAX with 1 <= MIN <= MAX")
        }
        return low...high
    }

    func run() async throws {
        let profile = MockProfile(ttftNs: DurationText.nanoseconds(ttft)!, decodeTokensPerSecond: decodeRate,
                                  tokensPerChunk: try Self.range(tokensPerChunk, option: "--tokens-per-chunk"),
                                  outputTokens: try Self.range(outputTokens, option: "--output-tokens"), seed: seed,
                                  reasoningShare: reasoningShare, toolCallShare: toolCallShare,
                                  faults: try Self.faults(faults), stampSendTimes: stampSendTimes)
        // Every stream it answers is a socket.
        ProcessResources.raiseOpenFileLimit()
        let server = try await MockServer.start(profile: profile, port: port, threads: threads)
        if let addressFile {
            do {
                try server.writeAddress(to: addressFile)
            } catch {
                FileHandle.standardError.write(Data("error: --address-file: cannot write \(addressFile): \(error.localizedDescription)\n".utf8))
                await server.shutdown()
                throw ExitCode(1)
            }
        }
        let line = "mock server listening on \(server.baseURL) (TTFT \(ttft), \(decodeRate) tokens/s, \(tokensPerChunk) tokens per chunk\(stampSendTimes ? ", send times stamped" : "")); Ctrl-C stops it\n"
        // Written unbuffered, for people and older scripts (scripts now read --address-file).
        FileHandle.standardOutput.write(Data(line.utf8))
        try await server.waitUntilClosed()
    }
}
