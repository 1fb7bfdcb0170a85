import ArgumentParser
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

    @OptionGroup var overrides: ScenarioOverrides

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

    func run() async throws {
        var loaded: Scenario
        do {
            loaded = try ScenarioReader.load(path: scenario)
            try overrides.apply(to: &loaded)
        } catch let error as ScenarioError {
            printError("error: \(error)")
            throw ExitCodes.invalidScenario
        }
        guard let graceNs = DurationText.nanoseconds(grace), graceNs >= 0 else {
            printError("error: command line: --grace: '\(grace)' is not a duration (a number with a unit: 10s, 500ms)")
            throw ExitCodes.invalidScenario
        }
        // Every stream in flight is a socket: thousands of them need more than the usual soft limit of 1024.
        ProcessResources.raiseOpenFileLimit()
        var session = BenchmarkSession(scenario: loaded, scenarioFile: scenario, outputDirectory: output,
                                       commandLine: CommandLine.arguments, console: Console(quiet: quiet, json: json))
        session.graceNs = graceNs
        session.handlesInterrupts = true
        session.force = force
        session.transportPriority = transportPriority
        do {
            let result = try await session.run()
            if json {
                print(try String(contentsOfFile: result.directory + "/summary.json", encoding: .utf8), terminator: "")
                printError("results: \(result.directory)")
            } else {
                print("")
                print(result.table, terminator: "")
                print("\nresults: \(result.directory)")
            }
            for problem in result.problems { printError("note: \(problem)") }
            if result.stopReason == "interrupted" {
                printError("exit 130: interrupted; the outputs hold everything measured before it")
                throw ExitCodes.interrupted
            }
            if let reason = result.stopReason, reason.hasPrefix("aborted") {
                printError("exit 4: \(reason)")
                throw ExitCodes.tooManyErrors
            }
            if let (code, reason) = BenchmarkSession.verdict(result, scenario: loaded) {
                printError("exit \(code.rawValue): \(reason)")
                throw code
            }
        } catch let code as ExitCode {
            throw code
        } catch let error as ScenarioError {
            printError("error: \(error)")
            throw ExitCodes.invalidScenario
        } catch {
            printError("error: \(error)")
            throw ExitCodes.runFailed
        }
    }
}

/// Command-line overrides of a scenario's settings.
struct ScenarioOverrides: ParsableArguments {
    @Option(help: "Concurrency levels, comma-separated (e.g. 1,8,32).")
    var concurrency: String?

    @Option(help: "Open-loop rates in requests/s, comma-separated (e.g. 5,10,20); switches the load to open loop.")
    var rate: String?

    @Option(help: "Open-loop arrivals: constant, poisson or gamma.")
    var arrival: String?

    @Option(help: "Measured requests per level.")
    var requests: Int?

    @Option(help: "Measurement duration per level (e.g. 30s).")
    var duration: String?

    @Option(help: "Warm-up requests per level.")
    var warmup: Int?

    @Option(help: "Pause of each virtual user between its requests (e.g. 0s, 2s).")
    var thinkTime: String?

    @Option(help: "API base URL, or mock.")
    var baseURL: String?

    @Option(help: "Model id.")
    var model: String?

    @Option(help: "max_tokens for every request (replaces a matrix's output_tokens).")
    var maxTokens: Int?

    @Option(help: "API: chat, responses, messages or completions.")
    var api: String?

    @Flag(inversion: .prefixedNo, help: "Stream the answers (--no-stream: whole bodies; TTFT columns stay empty).")
    var stream: Bool?

    @Flag(help: "Write every answer's text, reasoning and tool calls to responses.jsonl.")
    var recordText = false

    @Flag(help: "Answer from the embedded mock server, whatever base_url says.")
    var mock = false

    @Flag(help: "Skip TLS certificate verification (recorded in run.json).")
    var insecure = false

    /// Applies the flags; errors name the flag and what would be valid.
    func apply(to scenario: inout Scenario) throws {
        func invalid(_ flag: String, _ message: String, _ hint: String) -> ScenarioError {
            ScenarioError(file: "command line", path: flag, message: message, hint: hint)
        }
        if let concurrency {
            let levels = concurrency.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !levels.isEmpty, levels.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 100_000 }) else {
                throw invalid("--concurrency", "'\(concurrency)' is not a list of concurrencies", "positive integers separated by commas, e.g. 1,8,32")
            }
            guard Set(levels).count == levels.count else {
                throw invalid("--concurrency", "'\(concurrency)' lists a level twice", "each concurrency once")
            }
            scenario.load.concurrency = levels.map { $0! }
            scenario.load.mode = .closed
            scenario.load.ramp = nil
        }
        if let rate {
            let rates = rate.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "/s", with: "")) }
            guard !rates.isEmpty, rates.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 1_000_000 }), concurrency == nil else {
                throw invalid("--rate", "'\(rate)' is not a list of rates\(concurrency == nil ? "" : " (and --concurrency is given too)")",
                              "positive requests per second separated by commas, e.g. 5,10,20, without --concurrency")
            }
            guard Set(rates.map { LevelPlan.name(of: .rate($0!)) }).count == rates.count else {
                throw invalid("--rate", "'\(rate)' lists a rate twice", "each rate once")
            }
            scenario.load.rates = rates.map { $0! }
            scenario.load.mode = .open
            scenario.load.ramp = nil
        }
        if let arrival {
            guard let process = ArrivalProcess(rawValue: arrival) else {
                throw invalid("--arrival", "unknown arrival process '\(arrival)'", "constant, poisson or gamma")
            }
            scenario.load.arrival = process
        }
        if let requests {
            guard requests >= 1 else { throw invalid("--requests", "\(requests) is out of range", "an integer >= 1") }
            scenario.load.requests = requests
            if duration == nil { scenario.load.durationNs = nil }
        }
        if let duration {
            guard let ns = DurationText.nanoseconds(duration), ns > 0 else {
                throw invalid("--duration", "'\(duration)' is not a duration", "a number with a unit: 30s, 5m")
            }
            scenario.load.durationNs = ns
            if requests == nil { scenario.load.requests = nil }
        }
        if let warmup {
            guard warmup >= 0 else { throw invalid("--warmup", "\(warmup) is out of range", "an integer >= 0") }
            scenario.load.warmup = warmup
        }
        if let thinkTime {
            guard let ns = DurationText.nanoseconds(thinkTime) else {
                throw invalid("--think-time", "'\(thinkTime)' is not a duration", "a number with a unit: 0s, 500ms, 2s")
            }
            scenario.load.thinkTimeNs = ns
        }
        if let baseURL {
            guard baseURL == "mock" || URL(string: baseURL)?.scheme.map({ ["http", "https"].contains($0) }) == true else {
                throw invalid("--base-url", "'\(baseURL)' is not an http(s) URL", "for example https://api.sambanova.ai/v1, or mock")
            }
            scenario.baseURL = baseURL
        }
        if let model { scenario.model = model }
        if let maxTokens {
            guard maxTokens >= 1 else { throw invalid("--max-tokens", "\(maxTokens) is out of range", "an integer >= 1") }
            scenario.request.maxTokens = maxTokens
            // Every request: a matrix's output lengths give way (its input lengths stay).
            scenario.matrix?.outputTokens = []
            if scenario.matrix?.inputTokens.isEmpty == true { scenario.matrix = nil }
        }
        if mock { scenario.baseURL = "mock" }
        if insecure { scenario.insecure = true }
        if let stream { scenario.stream = stream }
        if recordText { scenario.recordText = true }
        if let api {
            guard let kind = APIKind(rawValue: api) else {
                throw invalid("--api", "unknown API '\(api)'", "one of: \(APIKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scenario.api = kind
            if let (key, hint) = scenario.unsupportedRequestFields().first {
                throw invalid("--api", "the scenario's request.\(key) has no field in the \(api) API", hint)
            }
            if kind == .messages, scenario.request.maxTokens == nil {
                throw invalid("--api", "the messages API requires max_tokens", "add --max-tokens N or request.max_tokens")
            }
            if kind != .messages { scenario.auth = .bearer }
        }
    }
}
