import ArgumentParser

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
              sambabench validate scenarios/*.yaml
              sambabench mock --port 8000 --ttft 150ms --decode-rate 700
            """,
        version: version,
        subcommands: [RunCommand.self, ValidateCommand.self, MockCommand.self]
    )
}

/// Exit codes (documented in the README).
enum ExitCodes {
    /// The scenario file or a scenario override is invalid.
    static let invalidScenario = ExitCode(2)
    /// The run could not start or its outputs could not be written.
    static let runFailed = ExitCode(1)
}
