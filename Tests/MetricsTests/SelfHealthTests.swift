import Foundation
import Testing
@testable import LoadGen
@testable import Metrics

/// The client's own figures: its TTFT error against a stamping mock, and how busy its transport thread was.
@Suite struct SelfHealthTests {
    func level(transport: TransportUtilisation?, rate: Double? = nil) -> LevelResult {
        var level = LevelResult(index: 0, name: "c1", concurrency: rate == nil ? 1 : 0, rate: rate, startNs: 0, windowStartNs: 0,
                                windowEndNs: 1_000_000_000, endNs: 1_000_000_000, warmupDispatched: 0, measuredDispatched: 2,
                                stopReason: "requests")
        level.transport = transport
        return level
    }

    /// sent 10 ms, first chunk at 110 ms; the mock stamped it sent at 109.95 ms: the error is 50 µs.
    func stamped(lateByMs: Int64 = 0) -> RequestRecord {
        var sample = record(chunks: [(110, 4, true), (130, 6, true)], outputTokens: 10, endMs: 140)
        sample.scheduledNs = 10_000_000 - lateByMs * 1_000_000
        sample.mockSentNs = 109_950_000
        return sample
    }

    @Test func ttftErrorIsArrivalMinusTheMocksStamp() throws {
        #expect(RequestMetrics(stamped()).ttftErrorNs == 50_000)
        #expect(RequestMetrics(record(chunks: [(110, 4, true)], outputTokens: 4, endMs: 120)).ttftErrorNs == nil)
        let summary = LevelSummary(level: level(transport: nil), records: [stamped(), stamped()])
        let stats = try #require(summary.stats(.ttftError))
        #expect(stats.count == 2 && stats.p50 == 0.05 && stats.max == 0.05)
        // Without stamps there is no row for it.
        #expect(!SummaryExport.csv([LevelSummary(level: level(transport: nil), records: [record(chunks: [(110, 4, true)], outputTokens: 4, endMs: 120)])]).contains("ttft_error_ms"))
    }

    @Test func stampAndErrorColumnsRoundTrip() throws {
        let row = RecordCSV.requestRow(stamped())
        #expect(row.hasSuffix(",109.950000,0.050000,,,90,,,\n"))
        let directory = NSTemporaryDirectory() + "sambabench-stamp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try (RecordCSV.requestsHeader + row).write(toFile: directory + "/requests.csv", atomically: true, encoding: .utf8)
        try (RecordCSV.chunksHeader + RecordCSV.chunkRows(stamped())).write(toFile: directory + "/chunks.csv", atomically: true, encoding: .utf8)
        #expect(try RunFiles.records(directory: directory).first?.mockSentNs == 109_950_000)
    }

    @Test func transportFiguresAreScalarRowsAndSurviveLevelsCSV() throws {
        let summary = LevelSummary(level: level(transport: TransportUtilisation(busyFraction: 0.125, cpuFraction: 0.1)))
        let rows = Dictionary(uniqueKeysWithValues: SummaryExport.scalars(summary).map { ($0.name, $0.value) })
        #expect(rows["transport_busy_fraction"] == 0.125)
        #expect(rows["transport_cpu_fraction"] == 0.1)
        #expect(SummaryExport.scalars(LevelSummary(level: level(transport: nil))).allSatisfy { !$0.name.hasPrefix("transport") })

        let directory = NSTemporaryDirectory() + "sambabench-levels-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let levels = [level(transport: TransportUtilisation(busyFraction: 0.8125, cpuFraction: nil)), level(transport: nil)]
        try LevelsCSV.text(levels).write(toFile: directory + "/levels.csv", atomically: true, encoding: .utf8)
        #expect(try RunFiles.levels(directory: directory).map(\.transport) == levels.map(\.transport))
    }

    @Test func reportWarnsWhenTheClientMayBeTheLimit() {
        // Levels of 1 s: too short for the transport rule; a 3 s one below.
        let healthy = LevelSummary(level: level(transport: TransportUtilisation(busyFraction: 0.5, cpuFraction: 0.4)),
                                   records: [stamped()])
        #expect(ReportWriter.healthWarnings(healthy).isEmpty)
        var long = level(transport: TransportUtilisation(busyFraction: 0.9, cpuFraction: 0.85))
        long.endNs = 3_000_000_000
        #expect(ReportWriter.healthWarnings(LevelSummary(level: long, records: [stamped()])) == [
            "Level c1: transport_busy_fraction 90% over 3 s, on a CPU 85% of it, over the threshold (over 80% for at least 2 s): "
                + "the client's transport thread was saturated, so it may have delayed what it measured and the throughput may be "
                + "the client's. Run `sambabench calibrate` to see what this machine sustains, and rerun with fewer users or on a quieter machine.",
        ])
        #expect(ReportWriter.healthWarnings(LevelSummary(level: level(transport: TransportUtilisation(busyFraction: 0.9, cpuFraction: 0.85)),
                                                         records: [stamped()])).isEmpty)
        // One request of many late is an outlier; five of twenty are evidence.
        let oneLate = LevelSummary(level: level(transport: nil), records: [stamped(lateByMs: 3)] + Array(repeating: stamped(), count: 95))
        #expect(ReportWriter.healthWarnings(oneLate).isEmpty)
        let fiveLate = LevelSummary(level: level(transport: nil), records: Array(repeating: stamped(lateByMs: 3), count: 5)
                                    + Array(repeating: stamped(), count: 15))
        #expect(ReportWriter.healthWarnings(fiveLate).first?.hasPrefix(
            "Level c1: late_requests 5 of 20 (25%) sent over 1 ms after their virtual user was free, lateness p99 3 ms, over the "
                + "threshold (at least 5 requests and 5% of those sent)") == true)
        // The open loop names the in-flight cap.
        let open = LevelSummary(level: level(transport: nil, rate: 5), records: Array(repeating: stamped(lateByMs: 3), count: 5))
        #expect(ReportWriter.healthWarnings(open).first?.contains("after their scheduled time") == true)
        #expect(ReportWriter.healthWarnings(open).first?.contains("load.max_in_flight") == true)
    }
}
