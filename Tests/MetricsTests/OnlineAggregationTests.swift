import BenchSupport
import Foundation
import Histogram
import Testing
@testable import LoadGen
@testable import Metrics

/// Issue 13: figures aggregated as records arrive, in memory that does not grow with the records; `report` rebuilding
/// the same files in one pass; chunk rows kept, sampled or dropped with every figure still exact.
@Suite struct OnlineAggregationTests {
    /// A level of `count` requests at `concurrency`, each with `chunks` chunks of 1-8 tokens, deterministic.
    static func level(index: Int, name: String, count: Int, warmup: Int = 4, chunks: Int = 8, seed: UInt64 = 7,
                      startNs: Int64 = 0) -> (records: [RequestRecord], level: LevelResult) {
        var random = SplitMix64(seed: seed)
        var records: [RequestRecord] = []
        var lastDispatch: Int64 = startNs
        var windowStart: Int64?
        for n in 0..<(count + warmup) {
            let scheduled = startNs + Int64(n) * 2_000_000
            let sent = scheduled + Int64(random.next() % 300_000)
            let ttft = 50_000_000 + Int64(random.next() % 50_000_000)
            var arrival = sent + ttft
            var list: [ChunkRecord] = []
            var tokens = 0
            for _ in 0..<chunks {
                let k = 1 + Int(random.next() % 8)
                tokens += k
                list.append(ChunkRecord(arrivalNs: arrival, tokens: k, answerBytes: 4 * k))
                arrival += 1_000_000 + Int64(random.next() % 9_000_000)
            }
            let failed = random.next() % 50 == 0
            let warm = n < warmup
            if !warm {
                windowStart = windowStart ?? scheduled
                lastDispatch = scheduled
            }
            records.append(RequestRecord(
                level: index, levelName: name, seq: index * 1_000_000 + n, warmup: warm, model: "m", status: failed ? 500 : 200,
                errorClass: failed ? .serverError : nil, scheduledNs: scheduled, sentNs: sent, endNs: arrival,
                chunks: failed ? [] : list, inputTokens: 10, outputTokens: failed ? 0 : tokens,
                server: ServerUsage(timeToFirstToken: Double(ttft) / 1e9 - 0.0015)))
        }
        // Records reach the aggregate in the order they end.
        records.sort { $0.endNs < $1.endNs }
        let level = LevelResult(index: index, name: name, concurrency: 8, startNs: startNs, windowStartNs: windowStart!,
                                windowEndNs: lastDispatch, endNs: records.map(\.endNs).max()!, warmupDispatched: warmup,
                                measuredDispatched: count, stopReason: "requests")
        return (records, level)
    }

    /// The window's figures through the ledger (folding every 4,096 entries) equal a count over every record, and
    /// what the ledger holds at the end is the last moments of the level, not its length.
    @Test func windowFiguresThroughTheLedgerAreExactAndItsMemoryIsBounded() {
        let (records, level) = Self.level(index: 0, name: "c8", count: 40_000, chunks: 2)
        var online = LevelSummary(index: 0, name: "c8")
        for record in records { online.add(record) }
        #expect(online.pendingWindowEntries < 2 * WindowLedger.foldAt)
        online.close(level: level)
        let inWindow = records.filter { $0.succeeded && $0.endNs >= level.windowStartNs && $0.endNs <= level.windowEndNs }
        #expect(online.windowRequests == inWindow.count)
        #expect(online.windowOutputTokens == inWindow.reduce(0) { $0 + $1.outputTokens })
        // Some succeeded requests ended after the window (the drain): they are not counted.
        #expect(records.filter { $0.succeeded }.count > inWindow.count)
        #expect(online.requests == 40_000)
    }

    /// A second's lateness median: exact to the microsecond below a millisecond, 3 significant digits above.
    @Test func latenessMedianPerSecond() {
        #expect(TimeSeries.latenessKey(123_456) == 123)
        #expect(TimeSeries.latenessKey(-2_400) == -2)
        #expect(TimeSeries.latenessKey(12_345_678) == 12_300)
        #expect(TimeSeries.latenessKey(1_234_400) == 1_230)
        var series = TimeSeries()
        for (n, late) in [Int64(5_000), 7_000, 3_000, 900_000].enumerated() {
            series.add(RequestRecord(seq: n, scheduledNs: 100_000_000, sentNs: 100_000_000 + late, endNs: 200_000_000))
        }
        series.finish(levels: [])
        #expect(series.rows.count == 1)
        // Lower median of 3, 5, 7, 900 microseconds: 5.
        #expect(series.rows[0].latenessP50Ms == 0.005 && series.rows[0].latenessMaxMs == 0.9)
        #expect(series.rows[0].dispatched == 4 && series.rows[0].completed == 4)
    }

    /// A second's lateness values are dropped once it is settled (a request ending the total timeout + 10 s after it
    /// has arrived): an hour at 1,000 requests/s holds a minute and a bit of them, not the hour.
    @Test func secondsAreSettledAfterTheLongestARequestLasts() {
        var series = TimeSeries()
        series.settleAfterNs = 5_000_000_000
        for n in 0..<600 {
            let sent = Int64(n) * 100_000_000
            series.add(RequestRecord(seq: n, scheduledNs: sent, sentNs: sent + Int64(n % 7) * 1_000, endNs: sent + 500_000_000))
        }
        // Ends reach 60.4 s: seconds up to 54 are settled; the rest hold their values.
        #expect(series.secondsHoldingLateness <= 7)
        // A straggler sent in second 0 (settled) counts as dispatched but not in that second's median.
        series.add(RequestRecord(seq: 999, scheduledNs: 0, sentNs: 900_000_000, endNs: 61_000_000_000))
        series.finish(levels: [])
        #expect(series.rows[0].dispatched == 11)
        #expect(series.rows[0].latenessP50Ms == 0.002 && series.rows[0].latenessMaxMs == 900)
        #expect(series.rows.count == 62 && series.secondsHoldingLateness == 0)
    }

    /// The live line's recent arrivals stay within its window even when no line is ever drawn (--quiet).
    @Test func liveProgressHoldsOnlyItsWindowWithoutLines() {
        let live = LiveProgress()
        for n in 0..<20_000 {
            let end = Int64(n) * 10_000_000
            live.add(RequestRecord(seq: n, sentNs: end - 5_000_000, endNs: end,
                                   chunks: [ChunkRecord(arrivalNs: end - 1_000_000, tokens: 4), ChunkRecord(arrivalNs: end, tokens: 4)]))
        }
        // 100 records a second, two chunks each, for 200 s: the window's 301 slots of 10 ms, whatever the rate.
        #expect(live.recentCount == 301)
        // From 196.99 s (slot 19,699) on: the last chunk of records 19,699 to 19,999 (301 x 4 tokens) and the one
        // 1 ms before it of records 19,700 to 19,999 (300 x 4; record 19,699's falls in slot 19,698).
        #expect(live.snapshot(at: 19_999 * 10_000_000).tokensPerSecond == Double(301 * 4 + 300 * 4) / 3)
    }

    /// HdrHistogram's compressed V2 encoding: what is encoded decodes to the same counts, values and percentiles.
    @Test func hdrEncodingRoundTrips() throws {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        var random = SplitMix64(seed: 3)
        for _ in 0..<10_000 { _ = histogram.record(1_000 + random.next() % 5_000_000_000) }
        _ = histogram.record(1, count: 17)
        let decoded = try HdrLog.decode(HdrLog.encode(histogram))
        #expect(decoded.totalCount == histogram.totalCount)
        // The encoding keeps buckets, not the exact maximum (an interval line carries it): every percentile falls in the
        // same bucket, and below the top one it is the same value.
        for p in [0.0, 1, 25, 50, 90, 99, 99.9, 100] {
            #expect(histogram.valuesAreEquivalent(decoded.valueAtPercentile(p), histogram.valueAtPercentile(p)), "p\(p)")
            if p < 99.99 { #expect(decoded.valueAtPercentile(p) == histogram.valueAtPercentile(p), "p\(p)") }
        }
        #expect(Array(decoded.recordedValues().map(\.count)) == Array(histogram.recordedValues().map(\.count)))
        #expect(throws: HdrLog.DecodeError.self) { try HdrLog.decode("SGVsbG8=") }
    }

    /// A run directory written through `RunOutput` from `records`.
    static func writeRun(_ records: [RequestRecord], levels: [LevelResult], chunkRows: ChunkRows) throws -> (String, [LevelSummary]) {
        var (_, _, manifest) = GoldenFileTests.fixture()
        manifest.scenario.chunkRows = chunkRows
        manifest.scenario.slos = []
        manifest.levels = levels.map { LevelPlan(index: $0.index, name: $0.name, load: .concurrency($0.concurrency), requests: $0.measuredDispatched, durationNs: nil) }
        let directory = NSTemporaryDirectory() + "sambabench-online-\(UUID().uuidString)"
        let output = try RunOutput(directory: directory, scenario: manifest.scenario, startedAt: manifest.startedAt)
        for record in records { try output.add(record) }
        let (summaries, _) = try output.finish(levels: levels, manifest: manifest)
        return (directory, summaries)
    }

    static func files(_ directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for name in ["summary.csv", "summary.json", "timeseries.csv", "levels.csv"] {
            files[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory + "/hdr") where name.hasSuffix(".csv") {
            files["hdr/" + name] = try String(contentsOfFile: directory + "/hdr/" + name, encoding: .utf8)
        }
        return files
    }

    /// Every chunk row kept, a 5% sample, none: the figures are the same in all three runs, and `report` rebuilds each
    /// directory's summary, HDR files and time series byte for byte.
    @Test(arguments: [ChunkRows.all, .sample(0.05), ChunkRows.none])
    func chunkRowsChangeNoFigureAndReportRebuildsThemExactly(rows: ChunkRows) throws {
        let first = Self.level(index: 0, name: "c8", count: 1_500, chunks: 12)
        let second = Self.level(index: 1, name: "c16", count: 1_500, chunks: 12, seed: 9, startNs: 20_000_000_000)
        let records = first.records + second.records
        let (reference, _) = try Self.writeRun(records, levels: [first.level, second.level], chunkRows: .all)
        defer { try? FileManager.default.removeItem(atPath: reference) }
        let (directory, _) = try Self.writeRun(records, levels: [first.level, second.level], chunkRows: rows)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try Self.files(directory)
        let expected = try Self.files(reference)
        for (name, text) in expected where name != "summary.json" {
            #expect(written[name] == text, "\(name) differs between chunk_rows: all and \(rows.text)")
        }
        let chunkRows = try String(contentsOfFile: directory + "/chunks.csv", encoding: .utf8).split(separator: "\n").count - 1
        let allRows = records.reduce(0) { $0 + $1.chunks.count }
        switch rows {
        case .all: #expect(chunkRows == allRows)
        case .none: #expect(chunkRows == 0)
        case .sample: #expect(chunkRows > allRows / 40 && chunkRows < allRows / 10, "\(chunkRows) of \(allRows)")
        }
        // report: rebuilt in one pass from the CSVs (and, without every chunk row, from the run's HDR log).
        let (_, problems) = try RunOutput.rebuild(directory: directory)
        #expect(problems.isEmpty)
        #expect(try Self.files(directory) == written)
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("## Chunk rows") == (rows != .all))
        if rows == .none { #expect(report.contains("chunks of 0 of the")) }
    }

    /// The plot's client/server pairs: every one up to the limit, then a sample of that many, the same on every pass.
    @Test func clientServerPointsAreBoundedAndDeterministic() throws {
        let (records, level) = Self.level(index: 0, name: "c8", count: 25_000, chunks: 1)
        func points() throws -> [Double] {
            let aggregate = try RunAggregate(slos: [], withTurns: false)
            for record in records { try aggregate.add(record) }
            let results = try aggregate.finish(levels: [level], plans: [])
            return results.points.map(\.client)
        }
        let once = try points()
        #expect(once.count == RunAggregate.pointLimit)
        #expect(try points() == once)
    }

    /// An error body with CRLF line breaks (an nginx error page) is quoted, and read back whole in one pass.
    @Test func crlfInAFieldIsQuotedAndReadBack() throws {
        var (records, level) = Self.level(index: 0, name: "c8", count: 3, warmup: 0, chunks: 2)
        records[0].errorMessage = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n</html>"
        #expect(CSVFormat.field("a\r\nb") == "\"a\r\nb\"")
        let (directory, _) = try Self.writeRun(records, levels: [level], chunkRows: .all)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let read = try RunFiles.records(directory: directory)
        #expect(read.count == 3 && read[0].errorMessage == records[0].errorMessage)
    }

    /// A chunks.csv whose rows do not belong where requests.csv says is refused with the file and line.
    @Test func chunkRowsOutOfPlaceAreRefusedWithTheLine() throws {
        let (records, level) = Self.level(index: 0, name: "c8", count: 10, warmup: 0, chunks: 3)
        let (directory, _) = try Self.writeRun(records, levels: [level], chunkRows: .all)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/chunks.csv"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines.remove(at: 2)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try RunOutput.rebuild(directory: directory)
        } throws: { error in
            let text = "\(error)"
            return text.contains("chunks.csv") && text.contains("has 3 chunks but 2 rows")
        }
    }
}

/// The chunk rows' hand-written path writes exactly what the columns' definitions write.
@Suite struct ChunkRowFastPathTests {
    @Test func fastChunkRowsEqualTheColumnsOwn() {
        var random = SplitMix64(seed: 11)
        for n in 0..<500 {
            let sent = Int64(bitPattern: random.next() % 4_000_000_000_000) - 1_000_000
            let chunks = (0..<Int(random.next() % 9)).map { _ in
                ChunkRecord(arrivalNs: sent + Int64(random.next() % 9_000_000_000) - 500_000, tokens: Int(random.next() % 70_000),
                            answerBytes: Int(random.next() % 1_000_000), reasoningBytes: Int(random.next() % 10),
                            toolBytes: Int(random.next() % 100_000))
            }
            let record = RequestRecord(seq: n * 7_919, sentNs: sent, chunks: chunks)
            #expect(RecordCSV.chunkRows(record) == RecordCSV.genericChunkRows(record))
        }
    }
}

/// A long run's sample plots read every n-th row of requests.csv (gnuplot sorting two million rows took minutes).
@Suite struct SamplePlotRowsTests {
    @Test func samplePlotsReadEveryNthRowOfALongRun() throws {
        let directory = NSTemporaryDirectory() + "sambabench-plots-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var renderer = PlotRenderer(directory: directory)
        try renderer.ttftCDF(title: "t", series: [.level(0, label: "c1")], logRange: nil)
        #expect(!(try String(contentsOfFile: directory + "/ttft_cdf.gp", encoding: .utf8)).contains(" every "))
        renderer.sampleEvery = 20
        try renderer.ttftCDF(title: "t", series: [.level(0, label: "c1")], logRange: nil)
        #expect(try String(contentsOfFile: directory + "/ttft_cdf.gp", encoding: .utf8).contains("' every 20 using"))
    }
}
