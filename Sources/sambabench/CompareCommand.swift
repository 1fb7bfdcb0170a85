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
        } catch { throw failure(error) }
        let directory = output ?? RunOutput.defaultDirectory(output: "results", scenario: "compare", at: Date())
        do {
            for note in try comparison.writeNew(directory: directory) { printError("note: \(note)") }
        } catch { throw failure(error) }
        print("comparison: \(directory)/compare.md")
    }
}
