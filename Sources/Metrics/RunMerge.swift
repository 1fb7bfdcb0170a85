import Foundation
import LoadGen

/// `sambabench merge DIR... --output DIR`: the shards of a sharded run made into one run directory. Its records are
/// the union of the shards' (each time moved onto one axis: the shard's clock anchor minus the earliest shard's,
/// the shard kept in the `shard` column), merged in order of their end times; its levels' windows span the shards';
/// everything derived (summaries, HDR files, time series, plots, the report) is then written by `RunOutput.rebuild`,
/// exactly as `report` would from those records, so the merged figures are the union's, never averaged percentiles.
public enum RunMerge {
    public struct Outcome: Sendable {
        public var summaries: [LevelSummary]
        public var problems: [String]
        public var shards: [ShardInfo]
    }

    public struct MergeError: Error, CustomStringConvertible {
        public var description: String
    }

    /// One shard directory as read: its manifest and levels.
    struct Part {
        var directory: String
        var manifest: RunManifest
        var info: ShardInfo
        var levels: [LevelResult]
    }

    public static func merge(directories: [String], output: String, commandLine: [String]) throws -> Outcome {
        guard !directories.isEmpty else { throw MergeError(description: "merge needs at least one shard's directory") }
        if FileManager.default.fileExists(atPath: output) { throw RunOutputError.exists(output) }
        var parts: [Part] = []
        for directory in directories {
            let manifest = try RunManifest.read(directory: directory)
            guard let info = manifest.shard else {
                throw MergeError(description: "\(directory) is not a shard's run (its run.json has no `shard`): merge takes the directories of `sambabench run --shard I/N`")
            }
            let levels = FileManager.default.fileExists(atPath: directory + "/levels.csv") ? try RunFiles.levels(directory: directory) : []
            parts.append(Part(directory: directory, manifest: manifest, info: info, levels: levels))
        }
        try check(parts)
        parts.sort { $0.info.index < $1.info.index }
        let first = parts[0]
        let count = first.info.count
        if first.manifest.scenario.chunkRows != .all {
            throw MergeError(description: "\(first.directory) kept only some chunk rows (chunk_rows: \(first.manifest.scenario.chunkRows.text)): merge rebuilds every chunk figure from the rows, so it needs shards run with chunk_rows: all")
        }
        // One time axis: each shard's wall clock at its origin, less the earliest one's.
        let origin = parts.map(\.info.clockAnchorNs).min()!
        var infos: [ShardInfo] = []
        for part in parts {
            var info = part.info
            info.directory = part.directory
            info.offsetNs = info.clockAnchorNs - origin
            info.status = status(part.manifest)
            infos.append(info)
        }
        let present = Set(parts.map(\.info.index))
        for index in 0..<count where !present.contains(index) {
            var missing = ShardInfo(index: index, count: count, host: "", clockAnchorNs: 0, anchorUncertaintyNs: 0)
            missing.status = "missing"
            infos.append(missing)
        }
        infos.sort { $0.index < $1.index }

        try OutputError.during("create the output directory", output) {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        }
        let counts = try writeRecords(parts, offsets: parts.map { $0.info.clockAnchorNs - origin }, output: output)
        for index in infos.indices { infos[index].records = counts[infos[index].index] }
        try concatenateAnswers(parts, output: output)

        let plans = LevelPlan.levels(first.manifest.scenario.load, matrix: first.manifest.scenario.matrix)
        let levels = mergedLevels(parts, offsets: parts.map { $0.info.clockAnchorNs - origin }, plans: plans)
        try RunOutput.write(LevelsCSV.text(levels), to: output + "/levels.csv")
        try RunOutput.write(manifest(parts, plans: plans, shards: infos, origin: origin, commandLine: commandLine).pretty,
                            to: output + "/run.json")
        let (summaries, problems) = try RunOutput.rebuild(directory: output)
        let notes = infos.filter { $0.status != "ok" }.map { "shard \($0.index) of \(count): \($0.status ?? "")" }
        return Outcome(summaries: summaries, problems: notes + problems, shards: infos)
    }

    /// Refuses shards that are not of one run: another scenario, another shard count, the same shard twice.
    static func check(_ parts: [Part]) throws {
        let first = parts[0]
        var seen: [Int: String] = [:]
        for part in parts {
            if part.info.count != first.info.count {
                throw MergeError(description: "\(part.directory) is shard \(part.info.index) of \(part.info.count), \(first.directory) of \(first.info.count): shards of one run have one count")
            }
            if let other = seen[part.info.index] {
                throw MergeError(description: "\(other) and \(part.directory) are both shard \(part.info.index) of \(part.info.count)")
            }
            seen[part.info.index] = part.directory
            for key in ["scenario", "mock", "base_url"] {
                let mine = part.manifest.recorded?[key]
                let theirs = first.manifest.recorded?[key]
                if mine != theirs {
                    throw MergeError(description: "\(part.directory) ran another scenario than \(first.directory) (run.json's `\(key)` differs\(differingKey(mine, theirs).map { " at `\($0)`" } ?? "")): only shards of one run merge")
                }
            }
        }
    }

    /// The first key path at which two JSON values differ, for the refusal's message.
    static func differingKey(_ a: JSONValue?, _ b: JSONValue?, path: String = "") -> String? {
        guard case .object(let left)? = a, case .object(let right)? = b else { return path.isEmpty ? nil : path }
        for (key, value) in left where value != b?[key] {
            return differingKey(value, b?[key], path: path.isEmpty ? key : path + "." + key) ?? (path.isEmpty ? key : path + "." + key)
        }
        for (key, _) in right where a?[key] == nil { return path.isEmpty ? key : path + "." + key }
        return path.isEmpty ? nil : path
    }

    static func status(_ manifest: RunManifest) -> String {
        if manifest.finishedAt == nil { return "failed: it did not finish (run.json has no finished_at)" }
        if let reason = manifest.stopReason { return "failed: stopped early (\(reason))" }
        if manifest.interrupted { return "failed: interrupted" }
        return "ok"
    }

    /// Writes requests.csv and chunks.csv: every shard's records, times moved by the shard's offset, taken in order
    /// of end time (ties: the lower shard first), each shard's in its own order. Returns the records per shard.
    static func writeRecords(_ parts: [Part], offsets: [Int64], output: String) throws -> [Int: Int] {
        let requests = try IncrementalWriter(path: output + "/requests.csv", header: RecordCSV.requestsHeader, interval: 1)
        let chunks = try IncrementalWriter(path: output + "/chunks.csv", header: RecordCSV.chunksHeader, interval: 1)
        let readers = try parts.map { try RunFiles.RecordReader(directory: $0.directory) }
        var heads: [RequestRecord?] = try readers.enumerated().map { index, reader in
            try reader.next().map { $0.shifted(by: offsets[index], shard: parts[index].info.index) }
        }
        var counts: [Int: Int] = [:]
        while true {
            var pick: Int?
            for index in heads.indices {
                guard let head = heads[index] else { continue }
                if let best = pick, heads[best]!.endNs <= head.endNs { continue }
                pick = index
            }
            guard let index = pick, let record = heads[index] else { break }
            if !record.chunks.isEmpty { try chunks.append(RecordCSV.chunkRows(record)) }
            try requests.append(RecordCSV.requestRow(record))
            counts[parts[index].info.index, default: 0] += 1
            heads[index] = try readers[index].next().map { $0.shifted(by: offsets[index], shard: parts[index].info.index) }
        }
        try requests.close()
        try chunks.close()
        return counts
    }

    /// responses.jsonl (answers, with `record_text`): the shards' lines one shard after another.
    static func concatenateAnswers(_ parts: [Part], output: String) throws {
        let paths = parts.map { $0.directory + "/responses.jsonl" }.filter { FileManager.default.fileExists(atPath: $0) }
        guard !paths.isEmpty else { return }
        var text = ""
        for path in paths {
            text += try OutputError.during("read", path) { try String(contentsOfFile: path, encoding: .utf8) }
        }
        try RunOutput.write(text, to: output + "/responses.jsonl")
    }

    /// Each level over every shard that ran it: from the earliest start to the latest end, its window from the
    /// earliest opening to the latest closing, the dispatches summed; the load as the whole run offered it.
    static func mergedLevels(_ parts: [Part], offsets: [Int64], plans: [LevelPlan]) -> [LevelResult] {
        var merged: [Int: LevelResult] = [:]
        for (part, offset) in zip(parts, offsets) {
            for level in part.levels {
                guard var into = merged[level.index] else {
                    var start = level
                    start.startNs += offset
                    start.windowStartNs += offset
                    start.windowEndNs += offset
                    start.endNs += offset
                    start.nextSeq = nil
                    start.transport = nil
                    merged[level.index] = start
                    continue
                }
                into.startNs = min(into.startNs, level.startNs + offset)
                into.windowStartNs = min(into.windowStartNs, level.windowStartNs + offset)
                into.windowEndNs = max(into.windowEndNs, level.windowEndNs + offset)
                into.endNs = max(into.endNs, level.endNs + offset)
                into.warmupDispatched += level.warmupDispatched
                into.measuredDispatched += level.measuredDispatched
                into.windowToLastEnd = into.windowToLastEnd || level.windowToLastEnd
                if !into.stopReason.split(separator: "+").contains(Substring(level.stopReason)) {
                    into.stopReason += "+" + level.stopReason
                }
                merged[level.index] = into
            }
        }
        return merged.keys.sorted().map { index in
            var level = merged[index]!
            if let plan = plans.first(where: { $0.index == index }) {
                level.concurrency = plan.concurrency
                level.rate = plan.rate
            }
            return level
        }
    }

    /// run.json of the merged run: the first shard's, with the whole run's levels, the start at the time axis's origin,
    /// the latest end, the merge's command line and every shard (`shards`) in place of one.
    static func manifest(_ parts: [Part], plans: [LevelPlan], shards: [ShardInfo], origin: Int64, commandLine: [String]) -> JSONValue {
        let first = parts[0].manifest
        var whole = first
        whole.recorded = nil
        whole.levels = plans
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let finished = parts.compactMap(\.manifest.finishedAt).max()
        let failed = shards.filter { $0.status != "ok" }
        guard case .object(let pairs)? = first.recorded else { return whole.json }
        var object = JSONValue.object(pairs.filter { $0.0 != "shard" })
        object.set("started_at", .string(formatter.string(from: Date(timeIntervalSince1970: Double(origin) / 1e9))))
        object.set("finished_at", finished.map { .string(formatter.string(from: $0)) } ?? .null)
        object.set("interrupted", .bool(parts.contains { $0.manifest.interrupted }))
        object.set("stop_reason", failed.isEmpty ? .null : .string(failed.map { "shard \($0.index): \($0.status ?? "")" }.joined(separator: "; ")))
        object.set("command", .array(commandLine.map { .string(URLRedaction.maskingURLs(in: $0)) }))
        object.set("levels", whole.json["levels"] ?? .array([]))
        // What each process measured of itself, over every shard: the hosts, and the recorders' worst backlog and
        // summed waits (each shard's own are in its run.json).
        var hosts: [String] = []
        for part in parts where !hosts.contains(part.info.host) { hosts.append(part.info.host) }
        object.set("host", .string(hosts.joined(separator: ", ")))
        let recorders = parts.compactMap(\.manifest.recorded?["recorder"]).filter { !$0.isNull }
        if recorders.count == parts.count, case .object(var recorder)? = first.recorded?["recorder"] {
            func total(_ key: String, _ combine: ([Double]) -> Double) -> JSONValue {
                .number(combine(recorders.compactMap { $0[key]?.numberValue }))
            }
            recorder = recorder.map { pair in
                switch pair.0 {
                case "largest_backlog": return (pair.0, total(pair.0) { $0.max() ?? 0 })
                case "load_waited_ms": return (pair.0, total(pair.0) { $0.reduce(0, +) })
                default: return pair
                }
            }
            object.set("recorder", .object(recorder))
        }
        object.set("shards", .array(shards.map(\.json)))
        return object
    }
}

extension RequestRecord {
    /// The record with every time moved by `offsetNs` (onto a merged run's axis) and its shard noted.
    func shifted(by offsetNs: Int64, shard: Int) -> RequestRecord {
        var record = self
        record.shard = shard
        guard offsetNs != 0 else { return record }
        record.scheduledNs += offsetNs
        record.sentNs += offsetNs
        record.headersNs = headersNs.map { $0 + offsetNs }
        record.firstByteNs = firstByteNs.map { $0 + offsetNs }
        record.endNs += offsetNs
        record.mockSentNs = mockSentNs.map { $0 + offsetNs }
        for index in record.chunks.indices { record.chunks[index].arrivalNs += offsetNs }
        if var stored = storedChunkSummary {
            stored.firstArrivalNs = stored.firstArrivalNs.map { $0 + offsetNs }
            stored.lastArrivalNs = stored.lastArrivalNs.map { $0 + offsetNs }
            stored.firstAnswerNs = stored.firstAnswerNs.map { $0 + offsetNs }
            record.storedChunkSummary = stored
        }
        return record
    }
}
