import Foundation
import LoadGen
import Mustache

/// `report.html`: the report as one self-contained page, readable offline: the facts, the summary table, the
/// analysis, the objectives, every plot inline as SVG, the notes and the scenario as recorded in run.json. The same
/// page model renders `run`/`report`'s report and `compare`'s.
public enum ReportHTML {
    /// A page: sections of paragraphs, list items, tables and figures. Text fields hold HTML already escaped.
    struct Page {
        var title: String
        var subtitle: String?
        var sections: [Section]
    }

    struct Section {
        var heading: String
        var id: String
        var paragraphs: [String] = []
        var items: [String] = []
        var tables: [Table] = []
        var figures: [Figure] = []
        var preformatted: String?
    }

    struct Table {
        var headers: [String]
        var rows: [[String]]
    }

    struct Figure {
        var name: String
        var svg: String
    }

    /// The page for a run (`run` and `report`).
    static func runPage(_ run: DerivedRun) -> Page {
        let manifest = run.manifest
        var sections: [Section] = []
        var overview = Section(heading: "Scenario", id: "scenario")
        if let description = manifest.scenario.description { overview.paragraphs.append(inline(description)) }
        overview.items = ReportWriter.facts(manifest).map(inline)
        sections.append(overview)
        if let shards = ShardReport.content(manifest) {
            sections.append(Section(heading: shards.heading, id: shards.id, paragraphs: [inline(shards.paragraph)],
                                    tables: shards.headers.isEmpty ? [] : [Table(headers: shards.headers.map(escape),
                                                                                  rows: shards.rows.map { $0.map(escape) })]))
        }
        var summary = Section(heading: "Summary", id: "summary")
        summary.tables = [Table(headers: SummaryTable.headers.map(escape), rows: SummaryTable.rows(run.summaries).map { $0.map(escape) })]
        let footnote = SummaryTable.footnote(run.summaries)
        summary.paragraphs = (footnote.isEmpty ? [] : [inline(footnote)]) + [inline(ReportWriter.summaryExplanation)]
        sections.append(summary)
        let analysis = ReportWriter.analysis(manifest: manifest, summaries: run.summaries, coldStart: run.coldStart)
        if !analysis.isEmpty { sections.append(Section(heading: "Analysis", id: "analysis", items: analysis.map(inline))) }
        let slos = manifest.scenario.slos
        if !slos.isEmpty {
            var section = Section(heading: "Service-level objectives", id: "slos")
            let table = ReportWriter.sloTable(slos: slos, summaries: run.summaries)
            section.tables = [Table(headers: table.headers.map(escape), rows: table.rows.map { $0.map(escape) })]
            if let search = run.search { section.paragraphs.append(inline(ReportWriter.searchSentence(search))) }
            section.paragraphs.append(inline(ReportWriter.goodputExplanation))
            sections.append(section)
        }
        if !run.turnSummaries.isEmpty {
            var turns = Section(heading: "By conversation turn", id: "turns")
            turns.tables = [Table(headers: SummaryTable.headers.map(escape),
                                  rows: SummaryTable.rows(run.turnSummaries).map { $0.map(escape) })]
            sections.append(turns)
        }
        let figures = figures(directory: run.directory + "/plots", names: run.renderedPlots)
        if !figures.isEmpty { sections.append(Section(heading: "Plots", id: "plots", figures: figures)) }
        if let server = run.serverMetrics {
            var section = Section(heading: "Server metrics", id: "server-metrics", paragraphs: [inline(server.scrapedLine)])
            if !server.rows.isEmpty {
                section.paragraphs.append(escape(ServerMetricsReport.explanation))
                section.tables = [Table(headers: ServerMetricsReport.headers.map(escape), rows: server.rows.map { $0.map(escape) })]
            }
            sections.append(section)
        }
        let notes = ReportWriter.notes(summaries: run.summaries, plotProblems: run.plotProblems, firstErrors: run.firstErrors,
                                       mockQueue: manifest.scenario.usesMock && manifest.scenario.mock.capacity != nil)
        sections.append(Section(heading: "Notes", id: "notes", items: (notes.isEmpty ? [ReportWriter.nothingSuspect] : notes).map(inline)))
        var recorded = Section(heading: "Scenario as run (run.json)", id: "run-json")
        recorded.preformatted = escape(manifest.json.pretty)
        sections.append(recorded)
        sections.append(Section(heading: "Files", id: "files", paragraphs: [inline(ReportWriter.filesParagraph)]))
        return Page(title: "sambabench report: \(escape(manifest.scenario.name))",
                    subtitle: escape("\(manifest.scenario.model), \(manifest.scenario.api.rawValue) API, started "
                                     + RunManifest.iso8601(manifest.startedAt)),
                    sections: sections)
    }

    /// The page for `compare`: the runs, a table per common level, the overlaid plots.
    static func comparisonPage(_ comparison: Comparison, directory: String, plots: [String]) -> Page {
        var runs = Section(heading: "Runs", id: "runs")
        runs.items = comparison.runs.enumerated().map { index, run in
            inline("Run \(index)\(index == 0 ? " (baseline)" : ""): \(run.label), \(URLRedaction.masked(run.manifest.effectiveBaseURL)), `\(run.directory)`")
        }
        runs.paragraphs = [inline("Deltas and ratios are against run 0; for latencies and error rate a ratio below 1 is better, "
                                  + "for rates and throughput above 1.")]
        var sections = [runs]
        if comparison.commonLevels.isEmpty {
            sections.append(Section(heading: "Levels", id: "levels",
                                    paragraphs: [inline("**The runs share no level**, so there is nothing to compare level by level.")]))
        }
        for level in comparison.commonLevels {
            let table = comparison.table(level: level)
            sections.append(Section(heading: "Level \(escape(level))", id: "level-\(escape(level))",
                                    tables: [Table(headers: table.headers.map(escape), rows: table.rows.map { $0.map(escape) })]))
        }
        let unmatched = comparison.unmatchedLevels
        if !unmatched.isEmpty {
            sections.append(Section(heading: "Levels that do not line up", id: "unmatched",
                                    items: unmatched.map { inline("\($0.run): \($0.levels.joined(separator: ", ")) (not in every run; left out above)") }))
        }
        let figures = figures(directory: directory, names: plots)
        if !figures.isEmpty { sections.append(Section(heading: "Plots", id: "plots", figures: figures)) }
        return Page(title: "sambabench comparison", subtitle: escape(comparison.runs.map(\.label).joined(separator: " against ")),
                    sections: sections)
    }

    /// The SVG renders of `names`, in order, stripped of their XML prologue so they sit inline.
    static func figures(directory: String, names: [String]) -> [Figure] {
        names.compactMap { name in
            guard let text = try? String(contentsOfFile: "\(directory)/\(name).svg", encoding: .utf8),
                  let start = text.range(of: "<svg") else { return nil }
            return Figure(name: escape(name), svg: String(text[start.lowerBound...]))
        }
    }

    static func render(_ page: Page) throws -> String {
        let template = try MustacheTemplate(string: Self.template)
        let object: [String: Any] = [
            "title": page.title,
            "subtitle": page.subtitle ?? "",
            "hasSubtitle": page.subtitle != nil,
            "contents": page.sections.map { ["heading": $0.heading, "id": $0.id] },
            "sections": page.sections.map { section -> [String: Any] in
                [
                    "heading": section.heading, "id": section.id,
                    "paragraphs": section.paragraphs, "hasItems": !section.items.isEmpty, "items": section.items,
                    "tables": section.tables.map { table -> [String: Any] in
                        ["headers": table.headers.enumerated().map { ["text": $0.element, "numeric": $0.offset > 0] },
                         "rows": table.rows.map { row in ["cells": row.enumerated().map { ["text": $0.element, "numeric": $0.offset > 0] }] }]
                    },
                    "figures": section.figures.map { ["name": $0.name, "svg": $0.svg] },
                    "hasPreformatted": section.preformatted != nil, "preformatted": section.preformatted ?? "",
                ]
            },
        ]
        return template.render(object)
    }

    /// Writes `report.html` for a run.
    static func write(_ run: DerivedRun) throws {
        try render(runPage(run)).write(toFile: run.directory + "/report.html", atomically: true, encoding: .utf8)
    }

    /// HTML-escapes plain text.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The Markdown inline marks the report's sentences use, as HTML: `code` and **bold**; the rest escaped.
    static func inline(_ text: String) -> String {
        var out = ""
        var code = false
        var bold = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "`" {
                out += code ? "</code>" : "<code>"
                code.toggle()
            } else if !code, character == "*", text[text.index(after: index)...].hasPrefix("*") {
                out += bold ? "</strong>" : "<strong>"
                bold.toggle()
                index = text.index(after: index)
            } else {
                out += escape(String(character))
            }
            index = text.index(after: index)
        }
        if code { out += "</code>" }
        if bold { out += "</strong>" }
        return out
    }
}

extension DerivedRun {
    /// Each prompt's first request, when prompts cycle with the sequence number.
    var coldStart: ColdStartTally? { results.coldStart }
}
