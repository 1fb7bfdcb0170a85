import ArgumentParser
import Metrics

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Make one run of the shards of a sharded run (run --shard I/N).", discussion: """
        The records are the union, on one time axis (a shard column kept); summaries, HDR files, time series, plots and report
        come from them as `report` computes them. Shards of different scenarios are refused; failed and missing shards are
        named. Example: sambabench merge results/shards/* --output results/merged
        """)

    @Argument(help: "The shards' run directories.") var directories: [String]
    @Option(name: .shortAndLong, help: "The merged run's directory (must not exist yet).") var output: String

    func run() throws {
        do {
            let merged = try RunMerge.merge(directories: directories, output: output, commandLine: CommandLine.arguments)
            print(SummaryTable.text(merged.summaries) + "\nmerged \(merged.shards.filter { $0.status == "ok" }.count) of \(merged.shards.count) shards: \(output)")
            merged.problems.forEach { printError("note: \($0)") }
        } catch { throw failure(error) }
    }
}
