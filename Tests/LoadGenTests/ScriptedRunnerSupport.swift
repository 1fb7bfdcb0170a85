import LoadGen
import LoadGenTesting

/// An executor on a scripted transport and a manual clock: the runners' logic, tested in virtual time.
func scriptedExecutor(_ script: @escaping @Sendable (Int, HTTPRequest) -> ScriptedTransport.Answer)
    -> RequestExecutor<ScriptedTransport, ManualClock> {
    let transport = ScriptedTransport(clock: ManualClock(), script: script)
    let scenario = Scenario(name: "t", baseURL: "http://scripted.invalid/v1", model: "gpt-oss-120b", prompts: [.text("hello there")])
    return RequestExecutor(transport: transport, factory: RequestFactory(scenario: scenario, baseURL: scenario.baseURL, apiKey: nil),
                           timeline: transport.timeline)
}

/// A scripted answer of `tokens` tokens in chunks of 4 (the last shorter), the first after `ttftNs`, then 10 ms apart.
func answer(ttftNs: Int64, tokens: Int = 8) -> ScriptedTransport.Answer {
    let chunks = Array(repeating: 4, count: tokens / 4) + (tokens % 4 == 0 ? [] : [tokens % 4])
    return ScriptedTransport.Answer(ttftNs: ttftNs, chunkTokens: chunks)
}
