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
            Requests need a key (Bearer, or x-api-key on /v1/messages): any, or the one --api-key gives. Models outside
            the catalogue (GET /v1/models) get 404; requests are checked against SambaNova's published specification.
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

    @Option(help: "The only key accepted (Authorization: Bearer KEY, or x-api-key on /v1/messages); without it any non-empty key is. Never printed.")
    var apiKey: String?

    @Flag(help: "Stamp each stream's first token chunk with its send time on CLOCK_MONOTONIC (an SSE comment), so a client on this machine measures its own TTFT error.")
    var stampSendTimes = false

    func validate() throws {
        do {
            try MockFlags.check(ttft: ttft, decodeRate: decodeRate, port: port, threads: threads, reasoningShare: reasoningShare,
                                toolCallShare: toolCallShare, tokensPerChunk: tokensPerChunk, outputTokens: outputTokens, faults: faults)
            try MockFlags.checkAPIKey(apiKey)
        } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let profile = MockProfile(ttftNs: try MockFlags.ttft(ttft), decodeTokensPerSecond: decodeRate,
                                  tokensPerChunk: try MockFlags.range(tokensPerChunk, option: "--tokens-per-chunk"),
                                  outputTokens: try MockFlags.range(outputTokens, option: "--output-tokens"), seed: seed,
                                  reasoningShare: reasoningShare, toolCallShare: toolCallShare,
                                  apiKey: apiKey, faults: try MockFlags.faults(faults), stampSendTimes: stampSendTimes)
        do {
            try await StandaloneMock.serve(profile, port: port, threads: threads, addressFile: addressFile,
                                           describing: "TTFT \(ttft), \(decodeRate) tokens/s, \(tokensPerChunk) tokens per chunk")
        } catch { throw failure(error) }
    }
}
