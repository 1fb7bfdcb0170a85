/// What moves a request's bytes and timestamps them: libcurl's multi interface (`CurlTransport`) in a run, a scripted
/// transport in tests. Runners, the executor and the engine are generic over it, so their logic is tested without a
/// socket. Every timestamp of an outcome is in nanoseconds from the run's origin on the run's `Timeline`.
public protocol Transport: AnyObject, Sendable {
    /// Sends `request` and returns what came back, timestamped. Cancelling the calling task cancels the transfer
    /// (its outcome then says so).
    func perform(_ request: HTTPRequest, options: TransferOptions) async -> TransferOutcome
    /// Cancels every transfer in flight; each ends with `reason`.
    func cancelAll(reason: String)
    /// The transport's own effort so far (for the client's self-health), read before and after a level.
    func load() -> TransportLoad
    /// Transfers in flight now.
    var inFlight: Int { get }
}

extension CurlTransport: Transport {}
