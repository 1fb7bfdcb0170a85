import Engine
import Foundation
import Testing
import LoadGen
import Metrics
import MockServer

/// Issue 18 through the real binary: N shards of one scenario as N processes against one mock (in this process),
/// started together by a barrier directory, then `merge`; the merged run is checked against the shards' own files.
@Suite(.serialized) struct ShardMergeTests {
    static func scenario(_ load: String, name: String = "shards") throws -> String {
        try BrokenInputBinaryTests.file("""
            name: \(name)
            base_url: http://127.0.0.1:1/v1
            model: gpt-oss-120b
            prompts: [one, two, three, four, five]
            request: {max_tokens: 12}
            load: \(load)

            """)
    }

    /// Runs shards `indices` of `count` of `scenario` at once against `baseURL`; returns their directories.
    static func runShards(_ scenario: String, count: Int, indices: [Int]? = nil, baseURL: String, root: String) throws -> [String] {
        let barrier = root + "/barrier"
        let children = try (indices ?? Array(0..<count)).map { index in
            try BrokenInputBinaryTests.start(["run", scenario, "--base-url", baseURL, "--shard", "\(index)/\(count)",
                                              "--barrier", barrier, "--output", root + "/shard\(index)", "--quiet"])
        }
        for child in children {
            let finished = child.wait()
            #expect(finished.status == 0, "\(finished.stderr)")
        }
        return (indices ?? Array(0..<count)).map { root + "/shard\($0)" }
    }

    static func rows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    static func milliseconds(_ text: String?) -> Int64 {
        let parts = (text ?? "").split(separator: ".")
        guard parts.count == 2, let whole = Int64(parts[0]), let fraction = Int64(parts[1]), parts[1].count == 6 else { return -1 }
        return whole * 1_000_000 + fraction
    }

    @Test func fourShardsOfAnOpenLoopMergeIntoTheOneProcessWorkload() async throws {
        let server = try await MockServer.start(profile: MockProfile(ttftNs: 5_000_000, decodeTokensPerSecond: 4000, outputTokens: 12...12))
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scenario = try Self.scenario("{rate: [80], arrival: poisson, requests: 40, warmup: 4}")
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let shards = try Self.runShards(scenario, count: 4, baseURL: server.baseURL, root: root)
        await server.shutdown()
        let merged = root + "/merged"
        let merge = try BrokenInputBinaryTests.run(["merge"] + shards + ["--output", merged])
        try #require(merge.status == 0, "\(merge.stderr)")

        // The union: the scenario's 4 + 40 requests, each sequence number of one process's run once, each shard's share.
        let rows = try Self.rows(merged + "/requests.csv")
        #expect(rows.count == 44)
        #expect(rows.compactMap { Int($0["seq"] ?? "") }.sorted() == Array(0..<44))
        #expect(rows.filter { $0["warmup"] == "1" }.count == 4)
        #expect(rows.filter { $0["error_class"] != "" }.isEmpty)
        for shard in 0..<4 {
            // Shard i sent arrivals i, i+4, i+8, ... of the one schedule.
            #expect(rows.filter { $0["shard"] == String(shard) }.allSatisfy { Int($0["seq"]!)! % 4 == shard })
            #expect(rows.filter { $0["shard"] == String(shard) }.count == 11)
        }
        // Merged by end time from each shard's file in turn: each shard's records keep their order (a shard's own
        // file is in the order its records were written, which end times follow only roughly).
        let manifestOrder = try (0..<4).map { shard in try Self.rows(shards[shard] + "/requests.csv").map { $0["seq"]! } }
        for shard in 0..<4 {
            #expect(rows.filter { $0["shard"] == String(shard) }.map { $0["seq"]! } == manifestOrder[shard])
        }
        let manifest = try RunManifest.read(directory: merged)
        #expect(manifest.shards.map(\.index) == [0, 1, 2, 3])
        #expect(manifest.shards.allSatisfy { $0.status == "ok" && $0.records == 11 && $0.levelLatenessNs.count == 1 })
        #expect(manifest.shards.map { $0.offsetNs ?? -1 }.min() == 0)
        #expect(manifest.shards.allSatisfy { $0.storageClockOffsetNs != nil })
        for shard in manifest.shards {
            let own = try Self.rows(shards[shard.index] + "/requests.csv")
            for row in own {
                let mergedRow = try #require(rows.first { $0["seq"] == row["seq"] })
                #expect(Self.milliseconds(mergedRow["sent_ms"]) == Self.milliseconds(row["sent_ms"]) + shard.offsetNs!)
                #expect(Self.milliseconds(mergedRow["end_ms"]) == Self.milliseconds(row["end_ms"]) + shard.offsetNs!)
            }
        }
        let levels = try RunFiles.levels(directory: merged)
        #expect(levels.count == 1 && levels[0].rate == 80 && levels[0].warmupDispatched == 4 && levels[0].measuredDispatched == 40)

        // The merged summary is what `report` computes from the union of the records.
        let copy = root + "/report-copy"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for file in ["requests.csv", "chunks.csv", "levels.csv", "run.json"] {
            try FileManager.default.copyItem(atPath: merged + "/" + file, toPath: copy + "/" + file)
        }
        let report = try BrokenInputBinaryTests.run(["report", copy])
        try #require(report.status == 0, "\(report.stderr)")
        for file in ["summary.csv", "summary.json", "timeseries.csv", "report.md"] {
            #expect(try String(contentsOfFile: copy + "/" + file, encoding: .utf8) == String(contentsOfFile: merged + "/" + file, encoding: .utf8), "\(file)")
        }
        let summary = try Self.rows(merged + "/summary.csv")
        #expect(summary.first { $0["metric"] == "ttft_ms" }?["count"] == "40")
        let text = try String(contentsOfFile: merged + "/report.md", encoding: .utf8)
        #expect(text.contains("## Shards") && text.contains("Merged from 4 of 4 shards"))
    }

    @Test func everyLevelStartsTogetherAndMissingOrForeignShardsAreNamed() async throws {
        let server = try await MockServer.start(profile: MockProfile(ttftNs: 5_000_000, decodeTokensPerSecond: 4000, outputTokens: 12...12))
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scenario = try Self.scenario("{concurrency: [4, 8], requests: 16, warmup: 2, cooldown: 0s}")
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let shards = try Self.runShards(scenario, count: 4, baseURL: server.baseURL, root: root)
        // A shard of another scenario (its load differs), started at a time already past.
        let other = try Self.scenario("{concurrency: [4], requests: 20}")
        defer { try? FileManager.default.removeItem(atPath: other) }
        let foreign = try BrokenInputBinaryTests.run(["run", other, "--base-url", server.baseURL, "--shard", "2/4",
                                                      "--start-at", "2026-01-01T00:00:00Z",
                                                      "--output", root + "/other2", "--quiet"])
        await server.shutdown()
        #expect(foreign.status == 0, "\(foreign.stderr)")

        // Both levels started at a barrier on every shard: a lateness each.
        for shard in shards {
            let info = try #require(try RunManifest.read(directory: shard).shard)
            #expect(info.levelLatenessNs.count == 2 && info.barrier == root + "/barrier")
        }
        // Shard 2 left out: merged with a note, and named in run.json and the report.
        let merged = root + "/merged"
        let merge = try BrokenInputBinaryTests.run(["merge", shards[0], shards[1], shards[3], "--output", merged])
        try #require(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stderr.contains("note: shard 2 of 4: missing"))
        let manifest = try RunManifest.read(directory: merged)
        #expect(manifest.shards.map { $0.status ?? "" } == ["ok", "ok", "missing", "ok"])
        #expect(try String(contentsOfFile: merged + "/report.md", encoding: .utf8).contains("| 2 |  | missing | - |"))
        let html = try String(contentsOfFile: merged + "/report.html", encoding: .utf8)
        #expect(html.contains("Merged from 3 of 4 shards that finished") && html.contains(">missing</td>"))
        // A shard's own report says which shard it is.
        #expect(try String(contentsOfFile: shards[1] + "/report.md", encoding: .utf8).contains("This run is shard 1 of 4"))
        let rows = try Self.rows(merged + "/requests.csv")
        let seqs = rows.compactMap { Int($0["seq"] ?? "") }
        #expect(Set(seqs).count == seqs.count && seqs.allSatisfy { $0 % 4 != 2 })
        let levels = try RunFiles.levels(directory: merged)
        #expect(levels.map(\.name) == ["c4", "c8"] && levels.map(\.concurrency) == [4, 8])
        #expect(levels.map(\.measuredDispatched) == [12, 12])

        // All four shards, but one of another scenario: refused, naming where they differ.
        let refused = try BrokenInputBinaryTests.run(["merge", shards[0], shards[1], shards[3], root + "/other2", "--output", root + "/refused"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("ran another scenario than") && refused.stderr.contains("differs at `load."), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/refused"))
        // The same shard twice, or a directory that is no shard, are refused as well.
        let twice = try BrokenInputBinaryTests.run(["merge", shards[0], shards[0], "--output", root + "/twice"])
        #expect(twice.status == 2 && twice.stderr.contains("are both shard 0 of 4"))
    }
}
