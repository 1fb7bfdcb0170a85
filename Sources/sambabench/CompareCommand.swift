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
        let problems = try comparison.write(to: directory)
        for entry in comparison.unmatchedLevels {
            printError("note: levels of \(entry.run) not in every run: \(entry.levels.joined(separator: ", "))")
        }
        if comparison.commonLevels.isEmpty { printError("note: the runs share no level; compare.md says so and holds no table") }
        for problem in problems { printError("note: \(problem)") }
        print("comparison: \(directory)/compare.md")
    }
}
