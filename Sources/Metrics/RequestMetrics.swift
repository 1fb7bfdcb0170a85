import LoadGen

/// The per-request figures of one record, exactly as README.md's "Metric definitions" defines them. Times in nanoseconds.
public struct RequestMetrics: Sendable, Equatable {
    public var ttftNs: Int64?
    public var ttftScheduledNs: Int64?
    /// TTFT - (k1 - 1) * TPOT (`ttft_token_ms`); TTFT itself when the first chunk holds one token.
    public var ttftTokenNs: Double?
    public var ttfoNs: Int64?
    public var e2eNs: Int64
    public var e2eScheduledNs: Int64
    /// Tokens per second after the first chunk; nil with fewer than two chunks or no later tokens.
    public var decodeRate: Double?
    public var tpotNs: Double?
    /// Per-token inter-token latency of each later chunk, with its token weight.
    public var itl: [WeightedGap]
    /// Gaps between consecutive chunks.
    public var iclNs: [Int64]
    public var e2eRate: Double?
    public var serverTTFTNs: Double?
    public var clientMinusServerTTFTNs: Double?
    /// First chunk's arrival - the mock's stamped send time of it (stamping mocks only).
    public var ttftErrorNs: Int64?

    /// `gaps`: also list every ITL and ICL gap (the aggregate walks the chunks itself instead, to keep no per-chunk
    /// array for a request of a million chunks).
    public init(_ record: RequestRecord, gaps: Bool = true) {
        let chunks = record.chunks
        // TTFT, TTFO and the decode rate read the chunks' summary, which requests.csv keeps even when the request's
        // chunk rows were not kept; ITL and ICL need every chunk.
        let summary = record.chunkSummary
        e2eNs = record.endNs - record.sentNs
        e2eScheduledNs = record.endNs - record.scheduledNs
        itl = []
        iclNs = []
        if let first = summary.firstArrivalNs {
            ttftNs = first - record.sentNs
            ttftScheduledNs = first - record.scheduledNs
            ttftErrorNs = record.mockSentNs.map { first - $0 }
        }
        if let firstAnswer = summary.firstAnswerNs {
            ttfoNs = firstAnswer - record.sentNs
        }
        if let first = summary.firstArrivalNs, let last = summary.lastArrivalNs, summary.count > 1 {
            let laterTokens = record.outputTokens - summary.firstTokens
            let span = last - first
            if laterTokens > 0 && span > 0 {
                decodeRate = Double(laterTokens) / (Double(span) / 1e9)
                tpotNs = Double(span) / Double(laterTokens)
            }
        }
        if gaps && chunks.count > 1 {
            iclNs.reserveCapacity(chunks.count - 1)
            for index in 1..<chunks.count {
                let gap = chunks[index].arrivalNs - chunks[index - 1].arrivalNs
                iclNs.append(gap)
                if chunks[index].tokens > 0 {
                    itl.append(WeightedGap(valueNs: Double(gap) / Double(chunks[index].tokens), tokens: chunks[index].tokens))
                }
            }
        }
        if let ttftNs, summary.count > 0 {
            if summary.firstTokens <= 1 {
                ttftTokenNs = Double(ttftNs)
            } else if let tpotNs {
                ttftTokenNs = Double(ttftNs) - Double(summary.firstTokens - 1) * tpotNs
            }
        }
        if e2eNs > 0 && record.outputTokens > 0 {
            e2eRate = Double(record.outputTokens) / (Double(e2eNs) / 1e9)
        }
        if let server = record.server.timeToFirstToken {
            serverTTFTNs = server * 1e9
            if let ttftNs { clientMinusServerTTFTNs = Double(ttftNs) - server * 1e9 }
        }
    }

    /// The value of a per-request metric in histogram units (see `Metric.scale`), or nil when it has none.
    public func value(_ metric: Metric, of record: RequestRecord) -> Double? {
        func rate(_ value: Double?) -> Double? { value.map { $0 * Metric.decodeRate.scale } }
        switch metric {
        case .ttft: return ttftNs.map(Double.init)
        case .ttftScheduled: return ttftScheduledNs.map(Double.init)
        case .ttftToken: return ttftTokenNs
        case .ttfo: return ttfoNs.map(Double.init)
        case .e2e: return Double(e2eNs)
        case .e2eScheduled: return Double(e2eScheduledNs)
        case .decodeRate: return rate(decodeRate)
        case .tpot: return tpotNs
        case .e2eRate: return rate(e2eRate)
        case .outputTokens: return Double(record.outputTokens)
        case .inputTokens: return record.inputTokens.map(Double.init)
        case .reasoningTokens: return record.reasoningTokens.map(Double.init)
        case .tokenizerVsUsage: return record.tokenizerVsUsage.map(Double.init)
        case .serverTTFT: return serverTTFTNs
        case .serverLatency: return record.server.totalLatency.map { $0 * 1e9 }
        case .serverDecodeRate: return rate(record.server.completionTokensAfterFirstPerSec)
        case .clientMinusServerTTFT: return clientMinusServerTTFTNs
        case .lateness: return Double(max(record.sentNs - record.scheduledNs, 0))
        case .ttftError: return ttftErrorNs.map(Double.init)
        case .dns: return record.connection.dnsNs.map(Double.init)
        case .connect: return record.connection.connectNs.map(Double.init)
        case .tls: return record.connection.tlsNs.map(Double.init)
        case .ttfb: return record.connection.ttfbNs.map(Double.init)
        case .itl, .icl, .tokensPerChunk: return nil
        }
    }
}

extension RequestRecord {
    /// Calls `body` with each later chunk's gap to the one before it and its tokens, in order (ITL and ICL).
    @inline(__always)
    func forEachChunkGap(_ body: (_ gapNs: Int64, _ tokens: Int) -> Void) {
        guard chunks.count > 1 else { return }
        var previous = chunks[0].arrivalNs
        for index in 1..<chunks.count {
            let chunk = chunks[index]
            body(chunk.arrivalNs - previous, chunk.tokens)
            previous = chunk.arrivalNs
        }
    }
}

/// One later chunk's gap divided over its tokens, weighted by them (ITL).
public struct WeightedGap: Sendable, Equatable {
    public var valueNs: Double
    public var tokens: Int
}
