import LoadGen
import MockServer

/// `sambabench mock`'s values that are not plain numbers: fault shares (`KIND=SHARE,...`) and ranges (`N` or `MIN-MAX`).
public enum MockFlags {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Every flag of `sambabench mock` in range.
    public static func check(ttft: String, decodeRate: Double, port: Int, threads: Int, reasoningShare: Double,
                             toolCallShare: Double, tokensPerChunk: String, outputTokens: String, faults: String?) throws(Invalid) {
        _ = try self.ttft(ttft)
        guard decodeRate.isFinite, MockSettings.decodeRateRange.contains(decodeRate) else {
            throw Invalid("--decode-rate: \(decodeRate) is out of range (tokens per second from 0.001 to 10000000)")
        }
        guard (0...65535).contains(port) else { throw Invalid("--port must be 0-65535") }
        guard threads >= 1 else { throw Invalid("--threads must be at least 1") }
        guard (0...1).contains(reasoningShare) else { throw Invalid("--reasoning-share must be within 0-1") }
        guard (0...1).contains(toolCallShare) else { throw Invalid("--tool-call-share must be within 0-1") }
        _ = try range(tokensPerChunk, option: "--tokens-per-chunk")
        _ = try self.faults(faults)
        _ = try range(outputTokens, option: "--output-tokens")
    }

    /// `--api-key`: when given, not empty and without control characters (it travels in a header); the message
    /// never repeats it.
    public static func checkAPIKey(_ key: String?) throws(Invalid) {
        guard let key else { return }
        guard !key.isEmpty else { throw Invalid("--api-key is empty (leave it out to accept any non-empty key)") }
        guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw Invalid("--api-key holds a space or control character; a key is one printable word")
        }
    }

    /// `--ttft`, read as the scenario's `mock.ttft` is (a duration from 0s to 1h).
    public static func ttft(_ text: String) throws(Invalid) -> Int64 {
        do {
            return try ScenarioOverrides.duration(text, flag: "--ttft", in: MockSettings.ttftRange)
        } catch {
            throw Invalid("\(error)")
        }
    }

    public static func faults(_ text: String?) throws(Invalid) -> MockFaults {
        guard let text, !text.isEmpty else { return .none }
        var settings = MockSettings.Faults()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let share = Double(parts[1]), (0...1).contains(share) else {
                throw Invalid("--faults: '\(pair)' is not KIND=SHARE with a share from 0 to 1")
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
                throw Invalid("--faults: unknown kind '\(parts[0])' (one of: \(MockSettings.Faults.keys.joined(separator: ", ")))")
            }
        }
        let total = settings.rateLimited + settings.overloaded + settings.streamError + settings.disconnect + settings.stall
            + settings.malformed + settings.drip
        guard total <= 1 + 1e-9 else { throw Invalid("--faults: the shares add up to \(total), above 1") }
        return MockFaults(settings)
    }

    public static func range(_ text: String, option: String) throws(Invalid) -> ClosedRange<Int> {
        let parts = text.split(separator: "-").map { Int($0) }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil, low >= 1, low <= high else {
            throw Invalid("\(option): '\(text)' is not N or MIN-MAX with 1 <= MIN <= MAX")
        }
        return low...high
    }
}
