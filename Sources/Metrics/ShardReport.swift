import LoadGen

/// report.md's section on shards: a shard's own run says which shard it is and how its clock stood; a merged run
/// lists every shard, with its skew, its place on the time axis and whether it failed or was missing.
enum ShardReport {
    static func section(_ manifest: RunManifest) -> String {
        func ms(_ ns: Int64?) -> String { ns.map { CSVFormat.number(Double($0) / 1e6, digits: 3) } ?? "-" }
        if let shard = manifest.shard {
            return "\n## Shard\n\nThis run is shard \(shard.index) of \(shard.count) (host \(shard.host)): its load is its share of the "
                + "scenario's, its figures are its own; `sambabench merge` makes one run of every shard. Start lateness per level "
                + "(ms after the agreed instant): \(shard.levelLatenessNs.map(ms).joined(separator: ", ")); storage clock offset "
                + "\(ms(shard.storageClockOffsetNs)) ms.\n"
        }
        guard !manifest.shards.isEmpty else { return "" }
        let count = manifest.shards.first?.count ?? 0
        let ok = manifest.shards.filter { $0.status == "ok" }.count
        var text = "\n## Shards\n\nMerged from \(ok) of \(count) shards that finished"
            + (ok == count ? "" : " (the others are marked below; their records, if any, are included)")
            + ". Every record's times moved by its shard's offset (its clock anchor less the earliest one's); every figure above "
            + "is computed from the union of the records, as `report` computes it. Start lateness: how long after the agreed "
            + "instant each shard started each level (its observed skew).\n\n"
        text += "| shard | host | status | records | offset ms | anchor uncertainty µs | start lateness ms (per level) | storage clock offset ms |\n"
        text += "|---|---|---|---|---|---|---|---|\n"
        for shard in manifest.shards {
            text += "| \(shard.index) | \(shard.host) | \(shard.status ?? "") | \(shard.records.map(String.init) ?? "-") | \(ms(shard.offsetNs)) | "
                + "\(shard.status == "missing" ? "-" : CSVFormat.number(Double(shard.anchorUncertaintyNs) / 1e3, digits: 3)) | "
                + "\(shard.levelLatenessNs.isEmpty ? "-" : shard.levelLatenessNs.map(ms).joined(separator: ", ")) | \(ms(shard.storageClockOffsetNs)) |\n"
        }
        return text
    }
}
