import ArgumentParser
import Foundation
import LoadGen
import Metrics

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two or more runs level by level: a table with deltas and ratios, overlaid plots.",
        discussion: """
            Reads each run directory's files (requests.csv, chunks.csv, levels.csv, run.json), matches levels by name
            (c8, r20, ...) and writes compare.md, compare.csv and overlaid plots. The first run is the baseline. Runs
            may differ in API, model or provider; levels that are not in every run are listed and left out.
            Example: sambabench compare results/gpt-oss-120b/A results/gpt-oss-120b/B --output /tmp/ab
            """
    )

    @Argument(help: "Two or more run directories; the first is the baseline.")
    var directories: [String]

    @Option(name: .shortAndLong, help: "Where to write the comparison (must not exist yet).")
    var output: String?

    func validate() throws {
        guard directories.count >= 2 else { throw ValidationError("compare needs at least two run directories") }
    }

    func run() throws {
        let comparison: Comparison
        do {
            comparison = try Comparison(directories: directories)
        } catch let error as RunFiles.ReadError {
            printError("error: \(error)")
            throw ExitCodes.invalidScenario
        }
        let directory = output ?? RunOutput.defaultDirectory(output: "results", scenario: "compare", at: Date())
        guard !FileManager.default.fileExists(atPath: directory) else {
            printError("error: the output directory \(directory) already exists; give another with --output")
            throw ExitCodes.runFailed
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        var renderer = PlotRenderer(directory: directory)
        let common = comparison.commonLevels
        if !common.isEmpty {
            var series: [(String, String)] = []
            for (index, run) in comparison.runs.enumerated() {
                for level in common {
                    let file = absolute(run.directory) + "/hdr/\(Metric.ttft.rawValue).\(level).csv"
                    if FileManager.default.fileExists(atPath: file) { series.append(("run \(index) \(level)", file)) }
                }
            }
            if !series.isEmpty { try renderer.compareTTFT(title: "TTFT by run and level", series: series) }
            let open = comparison.runs.contains { $0.summaries.contains { $0.level.rate != nil } }
            try renderer.compareThroughput(
                title: "Output throughput by run", loadLabel: open ? "offered rate (requests/s)" : "concurrency",
                runs: comparison.runs.enumerated().map { index, run in
                    ("run \(index): \(run.label)",
                     run.summaries.sorted { $0.level.loadValue < $1.level.loadValue }.map { ($0.level.loadValue, $0.outputThroughput ?? .nan) })
                })
        }
        let problems = renderer.render()
        let plots = renderer.scripts.map { String($0.dropLast(3)) }
            .filter { FileManager.default.fileExists(atPath: "\(directory)/\($0).png") }
        try comparison.markdown(plots: plots).write(toFile: directory + "/compare.md", atomically: true, encoding: .utf8)
        try comparison.csv.write(toFile: directory + "/compare.csv", atomically: true, encoding: .utf8)
        for entry in comparison.unmatchedLevels {
            printError("note: levels of \(entry.run) not in every run: \(entry.levels.joined(separator: ", "))")
        }
        if common.isEmpty { printError("note: the runs share no level; compare.md says so and holds no table") }
        for problem in problems { printError("note: \(problem)") }
        print("comparison: \(directory)/compare.md")
    }
}
