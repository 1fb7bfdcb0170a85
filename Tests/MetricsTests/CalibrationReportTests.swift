import Testing
@testable import LoadGen
@testable import Metrics

@Suite struct CalibrationReportTests {
    func level(_ step: String, _ concurrency: Int, requests: Int, chunks: Int, busy: Double, errors: Int = 0,
               latenessP99: Double = 0.2) -> CalibrationLevel {
        let lateness = Stats(count: 10, mean: 0.1, stddev: 0, min: 0, p50: 0.1, p90: 0.1, p95: 0.1, p99: latenessP99, p999: latenessP99,
                             max: latenessP99)
        let error = Stats(count: 10, mean: 0.05, stddev: 0, min: 0.01, p50: 0.04, p90: 0.1, p95: 0.2, p99: 0.5, p999: 0.7, max: 0.8)
        return CalibrationLevel(step: step, concurrency: concurrency, windowSeconds: 2, windowRequests: requests, windowChunks: chunks,
                                requests: requests + 10, chunks: chunks + 40, errors: errors, ttftError: error, lateness: lateness,
                                transport: TransportUtilisation(busyFraction: busy, cpuFraction: busy / 2),
                                clientCPUNs: 600_000_000, transportCPUNs: 200_000_000, mockCPUNs: 300_000_000)
    }

    @Test func ratesAndCostsPerRequestAndChunk() {
        let sample = level("requests", 8, requests: 990, chunks: 3960, busy: 0.5)
        #expect(sample.requestRate == 495)
        #expect(sample.chunkRate == 1980)
        // 600 ms of client CPU over the 1,000 requests and 4,000 chunks the level ran.
        #expect(sample.clientCPUPerRequestUs == 600)
        #expect(sample.clientCPUPerChunkUs == 150)
        #expect(sample.transportCPUPerChunkUs == 50)
        #expect(sample.mockCPUPerChunkUs == 75)
        #expect(sample.healthy)
    }

    @Test func healthyMeansNoErrorsATransportWithRoomAndPromptDispatch() {
        #expect(!level("requests", 8, requests: 10, chunks: 40, busy: 0.81).healthy)
        #expect(!level("requests", 8, requests: 10, chunks: 40, busy: 0.5, errors: 1).healthy)
        #expect(!level("requests", 8, requests: 10, chunks: 40, busy: 0.5, latenessP99: 1.5).healthy)
        #expect(level("requests", 8, requests: 10, chunks: 40, busy: 0.8, latenessP99: 1).healthy)
        // An unhealthy level says why, with each figure beside its threshold.
        let sick = level("requests", 8, requests: 10, chunks: 40, busy: 0.91, errors: 2, latenessP99: 1.5)
        #expect(sick.unhealthyBecause == ["2 requests failed", "transport busy 91% > 80%", "lateness p99 1.5 ms > 1 ms"])
        #expect(CalibrationReport.text(levels: [sick], memory: nil)
            .contains("NO: 2 requests failed; transport busy 91% > 80%; lateness p99 1.5 ms > 1 ms"))
    }

    @Test func theHighestSustainableRateIsTheBestHealthyLevel() {
        let levels = [level("requests", 8, requests: 4000, chunks: 16000, busy: 0.5),
                      level("requests", 32, requests: 6000, chunks: 24000, busy: 0.7),
                      level("requests", 128, requests: 9000, chunks: 36000, busy: 0.9),
                      level("chunks", 8, requests: 4, chunks: 60000, busy: 0.3)]
        #expect(CalibrationReport.highest(levels, step: "requests", rate: \.requestRate)?.concurrency == 32)
        #expect(CalibrationReport.highest(levels, step: "chunks", rate: \.chunkRate)?.chunkRate == 30000)
        #expect(CalibrationReport.highest(levels, step: "accuracy", rate: \.requestRate) == nil)
        let text = CalibrationReport.text(levels: levels, memory: CalibrationMemory(streams: 1000, baselineBytes: 30 << 20,
                                                                                    openBytes: 60 << 20))
        #expect(text.contains("highest sustainable request rate: 3000 requests/s (short streams, 32 streams; client 99.8 µs CPU per request)"))
        #expect(text.contains("highest sustainable chunk rate: 30000 chunks/s (8 streams"))
        #expect(text.contains("memory: 1000 open streams held 60 MiB resident (30 MiB before): 30.7 KiB per stream"))
        #expect(text.contains("requests      128   4500     18000"))
    }

    @Test func memoryPerStream() {
        #expect(CalibrationMemory(streams: 100, baselineBytes: 1000, openBytes: 301_000).bytesPerStream == 3000)
        #expect(CalibrationMemory(streams: 0, baselineBytes: 0, openBytes: 0).bytesPerStream == nil)
    }
}
