import ArgumentParser
import Engine
import Foundation
import LoadGen

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and write CSVs, summaries, plots and a report.",
        discussion: """
            Results go to results/<scenario name>/<UTC timestamp>/ unless --output names a new directory.
            Flags override the scenario file for this run only.

            Examples:
              sambabench run scenarios/demo.yaml
              sambabench run scenarios/gpt-oss-120b.yaml --concurrency 1,8 --requests 50 --warmup 2
              sambabench run scenarios/gpt-oss-120b.yaml --mock --duration 20s
            """
    )

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(name: .shortAndLong, help: "The output directory (must not exist yet).")
    var output: String?

    @OptionGroup var overrides: ScenarioOverrideOptions

    @Flag(help: "Print only the final table (no progress, no level lines).")
    var quiet = false

    @Option(help: "Scheduling of the thread that takes the timestamps: realtime (SCHED_FIFO), raised (nice -10) or normal. Default: realtime where permitted (root or CAP_SYS_NICE), else raised, else normal.")
    var transportPriority: TransportPriority?

    @Flag(help: "Print the final summary as JSON on standard output (everything else goes to standard error).")
    var json = false

    @Flag(help: "Replace an existing output directory (only one that holds an earlier run's run.json, or is empty).")
    var force = false

    @Option(help: "After a first Ctrl-C or SIGTERM, how long requests in flight may finish before they are cancelled.")
    var grace = "10s"

    @Option(help: "Run shard I of N (from 0): its share of the load. auto: SLURM_PROCID of SLURM_NTASKS; auto/N: the index from JOB_COMPLETION_INDEX or SLURM_PROCID.") var shard: String?
    @Option(help: "A shard's start: an ISO 8601 UTC instant, the same for every shard (2026-12-01T12:00:00Z).") var startAt: String?
    @Option(help: "A shard's barrier: a fresh directory every shard sees; each level starts when every shard has reached it.") var barrier: String?

    func run() async throws {
        var loaded: Scenario
        let graceNs: Int64
        let shardSettings: ShardSettings?
        do {
            loaded = try ScenarioReader.load(path: scenario)
            try overrides.overrides.apply(to: &loaded)
            graceNs = try ScenarioOverrides.duration(grace, flag: "--grace")
            shardSettings = try ShardSettings.from(shard: shard, startAt: startAt, barrier: barrier, environment: ProcessInfo.processInfo.environment)
        } catch { throw failure(error) }
        // Every stream in flight is a socket: thousands of them need more than the usual soft limit of 1024.
        ProcessResources.raiseOpenFileLimit()
        var configuration = BenchmarkRun.Configuration(scenario: loaded, scenarioFile: scenario, outputDirectory: output,
                                                       commandLine: CommandLine.arguments, toolVersion: Sambabench.version)
        configuration.graceNs = graceNs
        configuration.handlesInterrupts = true
        configuration.force = force
        configuration.transportPriority = transportPriority
        configuration.shard = shardSettings
        do {
            let result = try await BenchmarkRun(configuration, observer: Console(quiet: quiet, json: json)).run()
            print(json ? try result.summaryJSON() : "\n" + result.table + "\nresults: \(result.directory)", terminator: json ? "" : "\n")
            if json { printError("results: \(result.directory)") }
            for problem in result.problems { printError("note: \(problem)") }
            if let verdict = result.verdict {
                printError("exit \(verdict.exitCode): \(verdict.reason)")
                throw ExitCode(verdict.exitCode)
            }
        } catch { throw failure(error) }
    }
}

/// Command-line overrides of a scenario's settings: declared here, read and applied by `LoadGen.ScenarioOverrides`
/// with the scenario file's own value readers. Values are taken as given (`.unconditional`), so `--concurrency -1`
/// is refused by its range rather than taken for a flag.
struct ScenarioOverrideOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Concurrency levels, comma-separated (e.g. 1,8,32).") var concurrency: String?

    @Option(parsing: .unconditional, help: "Open-loop rates, comma-separated, as in the file (e.g. 5,10/s,1200/m); switches the load to open loop.") var rate: String?

    @Option(parsing: .unconditional, help: "Open-loop arrivals: constant, poisson or gamma.") var arrival: String?

    @Option(parsing: .unconditional, help: "Measured requests per level.") var requests: String?

    @Option(parsing: .unconditional, help: "Measurement duration per level (e.g. 30s).") var duration: String?

    @Option(parsing: .unconditional, help: "Warm-up per level: requests (e.g. 4) or a time (e.g. 10s).") var warmup: String?

    @Option(parsing: .unconditional, help: "Pause of each virtual user between its requests (e.g. 0s, 2s).") var thinkTime: String?

    @Option(parsing: .unconditional, help: "API base URL, or mock.")
    var baseURL: String?

    @Option(parsing: .unconditional, help: "Model id.")
    var model: String?

    @Option(parsing: .unconditional, help: "max_tokens for every request (replaces a matrix's output_tokens).")
    var maxTokens: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("API: \(APIRegistry.names)."))
    var api: String?

    @Flag(inversion: .prefixedNo, help: "Stream the answers (--no-stream: whole bodies; TTFT columns stay empty).")
    var stream: Bool?

    @Flag(help: "Write every answer's text, reasoning and tool calls to responses.jsonl.")
    var recordText = false

    @Option(parsing: .unconditional, help: "Chunk rows to keep in chunks.csv: all, none, or a fraction of requests (0.01).")
    var chunkRows: String?

    @Flag(help: "Answer from the embedded mock server, whatever base_url says.")
    var mock = false

    @Flag(help: "Skip TLS certificate verification (recorded in run.json).")
    var insecure = false

    @Option(parsing: .unconditional, help: "How the key is sent: bearer, x-api-key (messages), or none (a local server that takes no key).")
    var auth: String?

    @Option(parsing: .unconditional, help: "Scrape this Prometheus endpoint during the run into server_metrics.csv (or mock).")
    var serverMetrics: String?

    /// The flags as given, for LoadGen to read and apply.
    var overrides: ScenarioOverrides {
        ScenarioOverrides(concurrency: concurrency, rate: rate, arrival: arrival, requests: requests, duration: duration,
                          warmup: warmup, thinkTime: thinkTime, baseURL: baseURL, model: model, maxTokens: maxTokens,
                          api: api, stream: stream, recordText: recordText, chunkRows: chunkRows, mock: mock, insecure: insecure,
                          auth: auth, serverMetrics: serverMetrics)
    }
}
