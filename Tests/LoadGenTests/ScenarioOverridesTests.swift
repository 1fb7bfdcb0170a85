import Foundation
import Testing
@testable import LoadGen

/// The command line's overrides are read by the scenario file's own value readers: each flag with a good value and a
/// bad one, checking the whole message, and the same value meaning the same thing in both places.
@Suite struct ScenarioOverridesTests {
    /// The minimal scenario with the overrides applied, or the error's text.
    func applied(_ overrides: ScenarioOverrides, yaml: String = minimal) throws -> Scenario {
        var scenario = try readScenario(yaml)
        try overrides.apply(to: &scenario)
        return scenario
    }

    func failure(_ overrides: ScenarioOverrides, yaml: String = minimal) -> String {
        do {
            _ = try applied(overrides, yaml: yaml)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func concurrency() throws {
        let scenario = try applied(ScenarioOverrides(concurrency: "1, 8,32"), yaml: minimal + "load: {rate: 5}\n")
        #expect(scenario.load.concurrency == [1, 8, 32] && scenario.load.mode == .closed)
        #expect(failure(ScenarioOverrides(concurrency: "-1"))
                == "command line: --concurrency: -1 is out of range (an integer from 1 to 100000)")
        #expect(failure(ScenarioOverrides(concurrency: "1,x"))
                == "command line: --concurrency: expected an integer, got 'x' (an integer from 1 to 100000)")
        #expect(failure(ScenarioOverrides(concurrency: "8,4,8"))
                == "command line: --concurrency: level c8 is listed twice (each level once; to measure one load longer, raise requests or duration)")
    }

    @Test func rate() throws {
        let scenario = try applied(ScenarioOverrides(rate: "5,10/s,1200/m"))
        #expect(scenario.load.rates == [5, 10, 20] && scenario.load.mode == .open)
        #expect(failure(ScenarioOverrides(rate: "0"))
                == "command line: --rate: 0 is out of range (requests per second: 20, 20/s or 1200/m)")
        #expect(failure(ScenarioOverrides(rate: "5,fast"))
                == "command line: --rate: 'fast' is not a rate (requests per second: 20, 20/s or 1200/m)")
        #expect(failure(ScenarioOverrides(rate: "20/s,1200/m"))
                == "command line: --rate: level r20 is listed twice (each level once; to measure one load longer, raise requests or duration)")
        #expect(failure(ScenarioOverrides(concurrency: "2", rate: "5"))
                == "command line: --rate: --rate and --concurrency are both given (a closed loop (--concurrency) or an open loop (--rate), not both)")
    }

    @Test func arrival() throws {
        #expect(try applied(ScenarioOverrides(rate: "5", arrival: "gamma")).load.arrival == .gamma)
        #expect(failure(ScenarioOverrides(rate: "5", arrival: "uniform"))
                == "command line: --arrival: unknown value 'uniform' (one of: constant, poisson, gamma)")
        #expect(failure(ScenarioOverrides(arrival: "poisson"))
                == "command line: --arrival: applies to open-loop loads only (give --rate too, or remove --arrival)")
    }

    @Test func requestsAndDuration() throws {
        let counted = try applied(ScenarioOverrides(requests: "1_000"), yaml: minimal + "load: {duration: 1m}\n")
        #expect(counted.load.requests == 1000 && counted.load.durationNs == nil)
        let timed = try applied(ScenarioOverrides(duration: "90s"), yaml: minimal + "load: {requests: 5}\n")
        #expect(timed.load.durationNs == 90_000_000_000 && timed.load.requests == nil)
        let both = try applied(ScenarioOverrides(requests: "7", duration: "2m"))
        #expect(both.load.requests == 7 && both.load.durationNs == 120_000_000_000)
        #expect(failure(ScenarioOverrides(requests: "-5"))
                == "command line: --requests: -5 is out of range (an integer from 1 to 100000000)")
        #expect(failure(ScenarioOverrides(requests: "many"))
                == "command line: --requests: expected an integer, got 'many' (an integer from 1 to 100000000)")
        #expect(failure(ScenarioOverrides(duration: "0s")) == "command line: --duration: must be above zero (for example 30s or 5m)")
        #expect(failure(ScenarioOverrides(duration: "soon"))
                == "command line: --duration: 'soon' is not a duration (a number with a unit: 250ms, 30s, 5m, 1h)")
    }

    @Test func warmupIsACountOrATimeAndReplacesEither() throws {
        let counted = try applied(ScenarioOverrides(warmup: "4"), yaml: minimal + "load: {warmup: 10s}\n")
        #expect(counted.load.warmup == 4 && counted.load.warmupNs == 0)
        let timed = try applied(ScenarioOverrides(warmup: "10s"), yaml: minimal + "load: {warmup: 3}\n")
        #expect(timed.load.warmupNs == 10_000_000_000 && timed.load.warmup == 0)
        #expect(failure(ScenarioOverrides(warmup: "-1")) == "command line: --warmup: -1 is out of range (an integer from 0 to 1000000)")
        #expect(failure(ScenarioOverrides(warmup: "later"))
                == "command line: --warmup: 'later' is not a duration (a number with a unit: 250ms, 30s, 5m, 1h)")
    }

    @Test func thinkTime() throws {
        #expect(try applied(ScenarioOverrides(thinkTime: "500ms")).load.thinkTimeNs == 500_000_000)
        #expect(failure(ScenarioOverrides(thinkTime: "-2s"))
                == "command line: --think-time: '-2s' is not a duration (a number with a unit: 250ms, 30s, 5m, 1h)")
    }

    @Test func baseURLAndModel() throws {
        let scenario = try applied(ScenarioOverrides(baseURL: "http://127.0.0.1:8000/v1", model: "DeepSeek-V3.1"))
        #expect(scenario.baseURL == "http://127.0.0.1:8000/v1" && scenario.model == "DeepSeek-V3.1")
        #expect(failure(ScenarioOverrides(baseURL: "ftp://example.com"))
                == "command line: --base-url: 'ftp://example.com' is not an http(s) URL (for example https://api.sambanova.ai/v1, or mock for the embedded mock server)")
        // As in the file, a URL needs a host.
        #expect(failure(ScenarioOverrides(baseURL: "http:/v1"))
                == "command line: --base-url: 'http:/v1' is not an http(s) URL (for example https://api.sambanova.ai/v1, or mock for the embedded mock server)")
        #expect(try applied(ScenarioOverrides(mock: true)).baseURL == "mock")
    }

    @Test func maxTokens() throws {
        let scenario = try applied(ScenarioOverrides(maxTokens: "64"),
                                   yaml: "name: t\nbase_url: mock\nmodel: m\nprompts: {source: synthetic, input_tokens: 8}\nmatrix: {output_tokens: [16, 32]}\n")
        #expect(scenario.request.maxTokens == 64 && scenario.matrix == nil)
        #expect(failure(ScenarioOverrides(maxTokens: "0")) == "command line: --max-tokens: 0 is out of range (an integer from 1 to 10000000)")
        #expect(failure(ScenarioOverrides(maxTokens: "1e3"))
                == "command line: --max-tokens: expected an integer, got '1e3' (an integer from 1 to 10000000)")
    }

    @Test func api() throws {
        #expect(try applied(ScenarioOverrides(api: "responses")).api == .responses)
        #expect(failure(ScenarioOverrides(api: "grpc"))
                == "command line: --api: unknown API 'grpc' (one of: \(APIKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        #expect(failure(ScenarioOverrides(api: "messages"))
                == "command line: --api: the messages API requires max_tokens (add --max-tokens N or request.max_tokens)")
        #expect(try applied(ScenarioOverrides(maxTokens: "32", api: "messages")).api == .messages)
        // What the chosen API cannot honour is refused as the file's api: key would be.
        let withTools = minimal + "tools:\n  functions:\n    - {name: get_weather, parameters: {type: object}, result: sunny}\n"
        #expect(failure(ScenarioOverrides(api: "completions"), yaml: withTools)
                == "command line: --api: the completions API has no tools (remove tools, or use api: chat (or responses, messages) for tool calling)")
    }

    @Test func contradictoryFlagsAreRefused() {
        #expect(failure(ScenarioOverrides(rate: "2", thinkTime: "1s"))
                == "command line: --think-time: a think time applies to a closed loop (virtual users); this load is open loop (rates) (drop --think-time, or use --concurrency)")
        #expect(failure(ScenarioOverrides(baseURL: "http://127.0.0.1:1/v1", mock: true))
                == "command line: --mock: --mock and --base-url both say where requests go (give one of them)")
    }

    @Test func flags() throws {
        let scenario = try applied(ScenarioOverrides(stream: false, recordText: true, insecure: true))
        #expect(!scenario.stream && scenario.recordText && scenario.insecure)
        #expect(try applied(ScenarioOverrides()) == (try readScenario(minimal)))
    }

    /// `--rate 1200/m` is `rate: 1200/m` (20/s); likewise the other forms the file takes.
    @Test func aFlagMeansWhatTheKeyMeans() throws {
        let pairs: [(ScenarioOverrides, String)] = [
            (ScenarioOverrides(rate: "1200/m"), "load: {rate: 1200/m}\n"),
            (ScenarioOverrides(rate: "5/s,1200/m"), "load: {rate: [5/s, 1200/m]}\n"),
            (ScenarioOverrides(concurrency: "1,8"), "load: {concurrency: [1, 8]}\n"),
            (ScenarioOverrides(requests: "0x10"), "load: {requests: 0x10}\n"),
            (ScenarioOverrides(duration: "1.5m"), "load: {duration: 1.5m}\n"),
            (ScenarioOverrides(warmup: "250ms", thinkTime: "2s"), "load: {warmup: 250ms, think_time: 2s}\n"),
            (ScenarioOverrides(maxTokens: "1_024"), "request: {max_tokens: 1_024}\n"),
        ]
        for (overrides, yaml) in pairs {
            var fromFlag = try applied(overrides)
            var fromFile = try readScenario(minimal + yaml)
            fromFlag.source = ScenarioSource(file: "")
            fromFile.source = ScenarioSource(file: "")
            #expect(fromFlag.load == fromFile.load && fromFlag.request == fromFile.request, "\(yaml)")
        }
        #expect(try applied(ScenarioOverrides(rate: "1200/m")).load.rates == [20])
    }

    /// The same mistake gets the same message and hint from the file and from the flag; only where differs.
    @Test func aBadValueFailsAlikeInBothPlaces() throws {
        let pairs: [(ScenarioOverrides, String)] = [
            (ScenarioOverrides(concurrency: "-1"), "load: {concurrency: -1}\n"),
            (ScenarioOverrides(concurrency: "1,0"), "load: {concurrency: [1, 0]}\n"),
            (ScenarioOverrides(rate: "2/h"), "load: {rate: 2/h}\n"),
            (ScenarioOverrides(rate: "5,5/s"), "load: {rate: [5, 5/s]}\n"),
            (ScenarioOverrides(rate: "5", arrival: "bursty"), "load: {rate: 5, arrival: bursty}\n"),
            (ScenarioOverrides(requests: "0"), "load: {requests: 0}\n"),
            (ScenarioOverrides(duration: "0ms"), "load: {duration: 0ms}\n"),
            (ScenarioOverrides(warmup: "x"), "load: {warmup: x}\n"),
            (ScenarioOverrides(thinkTime: "1d"), "load: {think_time: 1d}\n"),
            (ScenarioOverrides(maxTokens: "20000000"), "request: {max_tokens: 20000000}\n"),
        ]
        for (overrides, yaml) in pairs {
            var flagError: ScenarioError?
            var fileError: ScenarioError?
            do { _ = try applied(overrides) } catch let error as ScenarioError { flagError = error }
            do { _ = try readScenario(minimal + yaml) } catch let error as ScenarioError { fileError = error }
            let flag = try #require(flagError, "\(yaml)")
            let file = try #require(fileError, "\(yaml)")
            #expect(flag.message == file.message && flag.hint == file.hint, "\(yaml)")
            #expect(flag.file == "command line" && flag.line == nil && flag.path.hasPrefix("--"))
            #expect(file.file == "s.yaml" && file.line == 5 && (file.path.hasPrefix("load.") || file.path.hasPrefix("request.")))
        }
    }

    @Test func commaListsAreYAMLScalars() {
        #expect(ScenarioValue.commaList("8") == ScenarioValue.scalar("8"))
        #expect(ScenarioValue.commaList(" 1, 8 ,32") == .sequence(.init([ScenarioValue.scalar("1"), ScenarioValue.scalar("8"), ScenarioValue.scalar("32")])))
        #expect(ValueSite.commandLine("--rate").item(2, ScenarioValue.scalar("x")).path == "--rate")
        #expect(ValueSite(file: "s.yaml", path: "load.rate").item(2, ScenarioValue.scalar("x")).path == "load.rate[2]")
    }
}
