import LoadGen

/// The reports' section on shards (report.md and report.html): a shard's own run says which shard it is and how its
/// clock stood; a merged run lists every shard, with its skew, its place on the time axis and whether it failed or was
/// missing.
enum ShardReport {
    struct Content {
        var heading: String
        var id: String
        var paragraph: String
        var headers: [String] = []
        var rows: [[String]] = []
    }

    static func content(_ manifest: RunManifest) -> Content? {
        func ms(_ ns: Int64?) -> String { ns.map { CSVFormat.number(Double($0) / 1e6, digits: 3) } ?? "-" }
        if let shard = manifest.shard {
            return Content(heading: "Shard", id: "shard",
                           paragraph: "This run is shard \(shard.index) of \(shard.count) (host \(shard.host)): its load is its share of the "
                               + "scenario's, its figures are its own; `sambabench merge` makes one run of every shard. Start lateness per level "
                               + "(ms after the agreed instant): \(shard.levelLatenessNs.isEmpty ? "-" : shard.levelLatenessNs.map(ms).joined(separator: ", ")); "
                               + "storage clock offset \(ms(shard.storageClockOffsetNs)) ms.")
        }
        guard !manifest.shards.isEmpty else { return nil }
        let count = manifest.shards.first?.count ?? 0
        let ok = manifest.shards.filter { $0.status == "ok" }.count
        let paragraph = "Merged from \(ok) of \(count) shards that finished"
            + (ok == count ? "" : " (the others are marked below; their records, if any, are included)")
            + ". Every record's times moved by its shard's offset (its clock anchor less the earliest one's); every figure "
            + "is computed from the union of the records, as `report` computes it. Start lateness: how long after the agreed "
            + "instant each shard started each level (its observed skew)."
        let rows = manifest.shards.map { shard -> [String] in
            [String(shard.index), shard.host, shard.status ?? "", shard.records.map(String.init) ?? "-", ms(shard.offsetNs),
             shard.status == "missing" ? "-" : CSVFormat.number(Double(shard.anchorUncertaintyNs) / 1e3, digits: 3),
             shard.levelLatenessNs.isEmpty ? "-" : shard.levelLatenessNs.map(ms).joined(separator: ", "), ms(shard.storageClockOffsetNs)]
        }
        return Content(heading: "Shards", id: "shards", paragraph: paragraph,
                       headers: ["shard", "host", "status", "records", "offset ms", "anchor uncertainty µs",
                                 "start lateness ms (per level)", "storage clock offset ms"], rows: rows)
    }

    /// report.md's section, or nothing for a one-process run.
    static func section(_ manifest: RunManifest) -> String {
        guard let content = content(manifest) else { return "" }
        var text = "\n## \(content.heading)\n\n\(content.paragraph)\n"
        guard !content.headers.isEmpty else { return text }
        text += "\n| " + content.headers.joined(separator: " | ") + " |\n"
        text += "|" + String(repeating: "---|", count: content.headers.count) + "\n"
        for row in content.rows { text += "| " + row.joined(separator: " | ") + " |\n" }
        return text
    }
}
