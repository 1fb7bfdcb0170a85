import ArgumentParser
import LoadGen
import Metrics

@main
struct Sambabench: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "sambabench",
        abstract: "Benchmark and load generator for LLM endpoints speaking SambaNova's APIs.",
        discussion: """
            Every run starts from a scenario file. With `base_url: mock` (or --mock) the embedded mock server
            answers, so everything works offline.

            Examples:
              sambabench run scenarios/demo.yaml
              sambabench run scenarios/gpt-oss-120b.yaml --concurrency 1,4 --requests 20
              sambabench run scenarios/gpt-oss-120b.yaml --mock --duration 10s
              sambabench report results/demo/20261121-193000
              sambabench merge results/shards/* --output results/merged
              sambabench compare results/demo/RUN1 results/demo/RUN2 --output /tmp/ab
              sambabench validate scenarios/*.yaml
              sambabench init scenarios/my-model.yaml --model DeepSeek-V3.1
              sambabench models --base-url mock
              sambabench mock --port 8000 --ttft 150ms --decode-rate 700
              sambabench calibrate
            """,
        version: version,
        subcommands: [RunCommand.self, ReportCommand.self, MergeCommand.self, CompareCommand.self, ValidateCommand.self, InitCommand.self,
                      ModelsCommand.self, MockCommand.self, CalibrateCommand.self, BenchCommand.self]
    )

    /// ArgumentParser's own entry point, except that a command line it cannot parse exits 2 like an invalid
    /// scenario (not 64), so scripts see one code for "fix your input".
    static func main() async {
        ProcessAllocator.settle()  // before the run's threads first allocate: each would take a heap of its own
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                exit(withError: ExitCodes.invalidScenario)
            }
            exit(withError: error)
        }
    }
}

/// The exit codes the command line itself decides (a finished run's come from `RunVerdict`); all are in the README.
enum ExitCodes {
    /// The scenario file, an override or the command line is invalid.
    static let invalidScenario = ExitCode(2)
    /// The run could not start or its outputs could not be written.
    static let runFailed = ExitCode(1)
}

/// Prints `error` as the command's error and gives its exit code: 2 for input to fix (a scenario, an override, a
/// damaged run file), 1 for anything else; an exit code passes through.
func failure(_ error: Error) -> ExitCode {
    if let code = error as? ExitCode { return code }
    // An error may quote a URL (a base URL with a password or a key in its query): written masked.
    printError("error: " + URLRedaction.maskingURLs(in: "\(error)"))
    return error is ScenarioError || error is RunFiles.ReadError || error is RunMerge.MergeError ? ExitCodes.invalidScenario : ExitCodes.runFailed
}
