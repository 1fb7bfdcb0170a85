import Foundation

/// What a response said about rate limits: `Retry-After` (seconds or an HTTP date), OpenAI's `retry-after-ms`, and
/// the `x-ratelimit-*` headers (limit, remaining and reset, per minute and per day on SambaNova).
public struct RateLimitHeaders: Sendable, Codable, Equatable {
    /// How long the server asked the client to wait, in milliseconds (`retry-after-ms` wins over `Retry-After`).
    public var retryAfterMs: Double?
    /// Every `x-ratelimit-*` header as `name=value`, in the order sent, names lower-cased.
    public var limits: [String] = []

    public init(retryAfterMs: Double? = nil, limits: [String] = []) {
        self.retryAfterMs = retryAfterMs
        self.limits = limits
    }

    public var isEmpty: Bool { retryAfterMs == nil && limits.isEmpty }

    /// Parses header lines (`Name: value`); `now` resolves an HTTP-date `Retry-After`.
    public static func parse(_ lines: [String], now: Date = Date()) -> RateLimitHeaders {
        var result = RateLimitHeaders()
        var retryAfter: Double?
        var retryAfterMs: Double?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "retry-after-ms":
                if let number = Double(value), number.isFinite, number >= 0 { retryAfterMs = number }
            case "retry-after":
                if let seconds = Double(value), seconds.isFinite, seconds >= 0, (seconds * 1000).isFinite {
                    retryAfter = seconds * 1000
                } else if let date = httpDate(value) {
                    retryAfter = max(0, date.timeIntervalSince(now) * 1000)
                }
            default:
                if name.hasPrefix("x-ratelimit-") { result.limits.append("\(name)=\(value)") }
            }
        }
        result.retryAfterMs = retryAfterMs ?? retryAfter
        return result
    }

    /// RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
