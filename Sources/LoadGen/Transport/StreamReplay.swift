/// Feeds a recorded response body through the transport's own write path (`Transfer.receiveBody`: timestamps, SSE
/// parsing, decoding) in reads of a given size, without a socket, so the hot path can be measured and profiled alone.
public struct StreamReplay: Sendable {
    public let body: [UInt8]
    public let decoder: any StreamDecoder
    /// Bytes per call, like libcurl's write callback (at most its buffer size, 16 KiB by default).
    public let readSize: Int

    public init(body: [UInt8], decoder: any StreamDecoder, readSize: Int = 16 << 10) {
        precondition(readSize > 0, "a read takes at least one byte")
        self.body = body
        self.decoder = decoder
        self.readSize = readSize
    }

    /// One response, as a fresh transfer would read it.
    public func run(clock: RunClock) -> TransferOutcome {
        let transfer = Transfer(id: 0, request: HTTPRequest(url: ""), options: TransferOptions(streaming: true, decoder: decoder),
                                clock: clock)
        transfer.readingStream = true
        body.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                let end = min(start + readSize, all.count)
                guard transfer.receiveBody(UnsafeRawBufferPointer(rebasing: all[start..<end])) == end - start else { break }
                start = end
            }
        }
        return transfer.outcome
    }
}
