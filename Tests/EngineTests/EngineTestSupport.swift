import Engine
import LoadGen
import LoadGenTesting
import Synchronization

/// Keeps every record and level end it receives, in arrival order.
final class CollectingSink: RecordSink {
    private let state = Mutex<(records: [RequestRecord], levelEnds: Int, finished: Bool)>(([], 0, false))

    func receive(_ record: RequestRecord) { state.withLock { $0.records.append(record) } }
    func levelEnded(_ levels: [LevelResult]) { state.withLock { $0.levelEnds += 1 } }
    func finish() async throws { state.withLock { $0.finished = true } }

    var records: [RequestRecord] { state.withLock { $0.records } }
    var levelEnds: Int { state.withLock { $0.levelEnds } }
    var finished: Bool { state.withLock { $0.finished } }
}

/// A scenario for the scripted transport (its URL is never reached).
func scriptedScenario(concurrency: [Int] = [2], requests: Int? = 6, warmup: Int = 0) -> Scenario {
    var scenario = Scenario(name: "scripted", baseURL: "http://scripted.invalid/v1", model: "m", prompts: [.text("hello")])
    scenario.load.concurrency = concurrency
    scenario.load.requests = requests
    scenario.load.warmup = warmup
    scenario.load.durationNs = nil
    scenario.load.cooldownNs = 0
    return scenario
}

/// An engine on a scripted transport and a manual clock.
func scriptedEngine(_ scenario: Scenario, sinks: [any RecordSink], graceNs: Int64 = 10_000_000_000,
                    script: @escaping @Sendable (Int, HTTPRequest) -> ScriptedTransport.Answer)
    -> (RunEngine<ScriptedTransport, ManualClock>, ScriptedTransport, ManualClock) {
    let clock = ManualClock()
    let transport = ScriptedTransport(clock: clock, script: script)
    let executor = RequestExecutor(transport: transport,
                                   factory: RequestFactory(scenario: scenario, baseURL: scenario.baseURL, apiKey: nil),
                                   timeline: transport.timeline)
    return (RunEngine(scenario: scenario, executor: executor, sinks: sinks, graceNs: graceNs), transport, clock)
}

/// 100 ms to the first chunk, then three more 10 ms apart: 3 + 3 + 3 + 1 tokens; 131 ms in all.
let steadyAnswer = ScriptedTransport.Answer(ttftNs: 100_000_000, chunkGapNs: 10_000_000, chunkTokens: [3, 3, 3, 1])
