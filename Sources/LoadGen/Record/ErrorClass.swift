/// Why a request did not succeed. Every failed record carries exactly one class; counts per class are reported.
public enum ErrorClass: String, Sendable, Codable, CaseIterable {
    /// The host name did not resolve.
    case dns
    /// TCP connection refused, reset before the response, or unreachable.
    case connect
    /// TLS handshake or certificate verification failed.
    case tls
    /// HTTP 4xx other than 429 (bad request, auth, not found, ...).
    case httpStatus = "http_status"
    /// HTTP 429.
    case rateLimited = "rate_limited"
    /// HTTP 5xx.
    case serverError = "server_error"
    /// An error event inside a 200 stream.
    case streamError = "stream_error"
    /// The stream closed before its terminator (`[DONE]` for Chat Completions).
    case truncated
    /// An event whose JSON could not be decoded.
    case malformedEvent = "malformed_event"
    /// An event larger than the configured maximum (the transfer is stopped to bound memory).
    case eventTooLarge = "event_too_large"
    /// More token-carrying chunks than `limits.max_chunks_per_request` (the transfer is stopped to bound memory).
    case tooManyChunks = "too_many_chunks"
    /// No connection within the connect timeout.
    case timeoutConnect = "timeout_connect"
    /// No token-carrying chunk within the first-token timeout after `sent`.
    case timeoutFirstToken = "timeout_first_token"
    /// No token-carrying chunk within the idle timeout after the previous one.
    case timeoutIdle = "timeout_idle"
    /// The whole request exceeded the total timeout.
    case timeoutTotal = "timeout_total"
    /// Cancelled by the user (interrupt) or the run.
    case cancelled
    /// Any other transport failure reported by libcurl.
    case transport
    /// Open loop only: not sent, because the in-flight cap was reached and the policy drops.
    case dropped
}
