// The mock server with injected faults, standalone, for scripts/soak.sh: `total` of the requests fail, spread evenly
// over the seven kinds of MockFaults (429, 503, mid-stream error event, disconnect, stall, malformed event, drip).
//
//   sambabench-mock-faults [--port 0] [--fault-rate 0.05] [--stall 3s|never] [--ttft 300ms] [--decode-rate 60]
//                          [--tokens-per-chunk 8-16] [--output-tokens 192-256] [--seed 42] [--threads 1]
//                          [--address-file PATH]
//
// Prints `mock server listening on http://127.0.0.1:PORT/v1 (...)` like `sambabench mock`, and with --address-file
// writes `http://127.0.0.1:PORT/v1` and a newline to PATH atomically once bound; then serves until killed.
import Foundation
import MockServer

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sambabench-mock-faults: \(message)\n".utf8))
    exit(2)
}

/// `--name value` pairs.
func parseOptions(_ arguments: [String]) -> [String: String] {
    var options: [String: String] = [:]
    var rest = arguments[...]
    while let name = rest.popFirst() {
        guard name.hasPrefix("--"), let value = rest.popFirst() else { fail("expected --name value, got '\(name)'") }
        options[String(name.dropFirst(2))] = value
    }
    return options
}

let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
let known: Set = ["port", "fault-rate", "stall", "ttft", "decode-rate", "tokens-per-chunk", "output-tokens", "seed", "threads", "address-file"]
if let unknown = options.keys.first(where: { !known.contains($0) }) { fail("unknown option --\(unknown)") }

/// `250ms`, `3s` or a bare number of seconds, in nanoseconds.
func nanoseconds(_ text: String) -> Int64? {
    let (number, scale): (Substring, Double) = text.hasSuffix("ms") ? (text.dropLast(2), 1e6)
        : text.hasSuffix("s") ? (text.dropLast(), 1e9) : (Substring(text), 1e9)
    return Double(number).flatMap { $0 >= 0 && $0 * scale < 9.2e18 ? Int64($0 * scale) : nil }
}

func range(_ text: String) -> ClosedRange<Int>? {
    let parts = text.split(separator: "-").compactMap { Int($0) }
    guard (1...2).contains(parts.count), let low = parts.first, let high = parts.last, low >= 1, low <= high else { return nil }
    return low...high
}

func option<T>(_ name: String, _ fallback: String, _ parse: (String) -> T?) -> T {
    let text = options[name] ?? fallback
    guard let value = parse(text) else { fail("--\(name): '\(text)' is not valid") }
    return value
}

let rate = option("fault-rate", "0.05") { Double($0).flatMap { (0...1).contains($0) ? $0 : nil } }
let stall: Int64?? = option("stall", "3s") { $0 == "never" ? .some(nil) : nanoseconds($0).map { .some($0) } }
let profile = MockProfile(ttftNs: option("ttft", "300ms", nanoseconds),
                          decodeTokensPerSecond: option("decode-rate", "60") { Double($0).flatMap { $0 > 0 ? $0 : nil } },
                          tokensPerChunk: option("tokens-per-chunk", "8-16", range),
                          outputTokens: option("output-tokens", "192-256", range),
                          seed: option("seed", "42") { UInt64($0) },
                          faults: .spread(rate, stallNs: stall ?? nil))
let server = try await MockServer.start(profile: profile, port: option("port", "0") { Int($0).flatMap { (0...65535).contains($0) ? $0 : nil } },
                                        threads: option("threads", "1") { Int($0).flatMap { $0 >= 1 ? $0 : nil } })
if let path = options["address-file"] {
    do {
        try server.writeAddress(to: path)
    } catch {
        fail("--address-file: cannot write \(path): \(error.localizedDescription)")
    }
}
let stallText = options["stall"] ?? "3s"
FileHandle.standardOutput.write(Data("mock server listening on \(server.baseURL) (faults \(rate) spread over 7 kinds, stall \(stallText))\n".utf8))
try await server.waitUntilClosed()
