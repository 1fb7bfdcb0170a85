/// What one response may hold in the client's memory (`limits:`). Each passed limit is a classified error and the
/// transfer is stopped, so a server streaming forever costs a bounded amount of memory per request.
public struct RequestLimits: Sendable, Equatable {
    /// The default `max_chunks_per_request`: ten times a 20,000-token answer sent a token per chunk; the chunk times
    /// kept per request stay under about 10 MB.
    public static let defaultMaxChunks = 200_000
    /// The values `max_chunks_per_request` accepts.
    public static let maxChunksRange = 1...10_000_000

    /// Token-carrying chunks one response may stream; one more is `too_many_chunks`.
    public var maxChunksPerRequest = RequestLimits.defaultMaxChunks

    public init(maxChunksPerRequest: Int = RequestLimits.defaultMaxChunks) {
        self.maxChunksPerRequest = maxChunksPerRequest
    }
}
