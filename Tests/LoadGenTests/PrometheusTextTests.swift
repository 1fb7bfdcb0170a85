import BenchSupport
import Testing
@testable import LoadGen

@Suite struct PrometheusTextTests {
    /// llama.cpp's shape: `:` in names, HELP and TYPE, counters and gauges.
    static let llamacpp = """
    # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
    # TYPE llamacpp:prompt_tokens_total counter
    llamacpp:prompt_tokens_total 166
    # HELP llamacpp:tokens_predicted_total Number of generation tokens processed.
    # TYPE llamacpp:tokens_predicted_total counter
    llamacpp:tokens_predicted_total 640
    # HELP llamacpp:requests_processing Number of requests processing.
    # TYPE llamacpp:requests_processing gauge
    llamacpp:requests_processing 3
    # TYPE llamacpp:requests_deferred gauge
    llamacpp:requests_deferred 2

    """

    /// vLLM's shape: labels, a histogram with buckets across two series, a v1 KV-cache gauge, a timestamp, an
    /// escaped label value and a comment that is neither HELP nor TYPE.
    static let vllm = """
    # a free comment
    # HELP vllm:num_requests_running Number of requests in model execution batches.
    # TYPE vllm:num_requests_running gauge
    vllm:num_requests_running{engine="0",model_name="m"} 4.0
    vllm:num_requests_running{engine="1",model_name="m"} 3.0
    # TYPE vllm:num_requests_waiting gauge
    vllm:num_requests_waiting{engine="0",model_name="m"} 7.0 1700000000123
    # TYPE vllm:kv_cache_usage_perc gauge
    vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25
    vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.5
    # TYPE vllm:generation_tokens_total counter
    vllm:generation_tokens_total{model_name="a \\"quoted\\" \\\\ name\\nline"} 1000.0
    # TYPE vllm:prompt_tokens_total counter
    vllm:prompt_tokens_total{model_name="m",} 300
    # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
    # TYPE vllm:time_to_first_token_seconds histogram
    vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="m"} 2.0
    vllm:time_to_first_token_seconds_bucket{le="1.0",model_name="m"} 9.0
    vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="m"} 10.0
    vllm:time_to_first_token_seconds_count{model_name="m"} 10.0
    vllm:time_to_first_token_seconds_sum{model_name="m"} 3.5
    # TYPE vllm:inter_token_latency_seconds histogram
    vllm:inter_token_latency_seconds_bucket{le="+Inf"} 990
    vllm:inter_token_latency_seconds_count 990
    vllm:inter_token_latency_seconds_sum 19.8
    """

    @Test func llamacppFamiliesAndSnapshot() throws {
        let exposition = try PrometheusExposition.parse(Self.llamacpp)
        #expect(exposition.families.map(\.name) == ["llamacpp:prompt_tokens_total", "llamacpp:tokens_predicted_total",
                                                    "llamacpp:requests_processing", "llamacpp:requests_deferred"])
        #expect(exposition.families.map(\.type) == [.counter, .counter, .gauge, .gauge])
        #expect(exposition.family("llamacpp:requests_processing")?.help == "Number of requests processing.")
        #expect(exposition.family("llamacpp:requests_deferred")?.help == nil)
        let snapshot = ServerMetricsSnapshot(exposition)
        #expect(snapshot == ServerMetricsSnapshot(kind: .llamacpp, running: 3, waiting: 2, promptTokensTotal: 166,
                                                  generationTokensTotal: 640))
    }

    @Test func vllmLabelsHistogramsEscapesAndTimestamps() throws {
        let exposition = try PrometheusExposition.parse(Self.vllm)
        let ttft = try #require(exposition.family("vllm:time_to_first_token_seconds"))
        #expect(ttft.type == .histogram)
        #expect(ttft.help == "Histogram of time to first token in seconds.")
        #expect(ttft.samples.map(\.name) == ["vllm:time_to_first_token_seconds_bucket", "vllm:time_to_first_token_seconds_bucket",
                                             "vllm:time_to_first_token_seconds_bucket", "vllm:time_to_first_token_seconds_count",
                                             "vllm:time_to_first_token_seconds_sum"])
        #expect(exposition.buckets("vllm:time_to_first_token_seconds").map(\.le) == [0.1, 1.0, .infinity])
        #expect(exposition.buckets("vllm:time_to_first_token_seconds").map(\.count) == [2, 9, 10])
        let waiting = try #require(exposition.family("vllm:num_requests_waiting")?.samples.first)
        #expect(waiting.timestampMs == 1_700_000_000_123)
        #expect(waiting.label("engine") == "0")
        let generated = try #require(exposition.family("vllm:generation_tokens_total")?.samples.first)
        #expect(generated.label("model_name") == "a \"quoted\" \\ name\nline")
        #expect(exposition.family("vllm:prompt_tokens_total")?.samples.first?.labels.map(\.name) == ["model_name"])
        let snapshot = ServerMetricsSnapshot(exposition)
        #expect(snapshot == ServerMetricsSnapshot(kind: .vllm, running: 7, waiting: 7, kvCacheUsage: 0.5, promptTokensTotal: 300,
                                                  generationTokensTotal: 1000, ttftSumSeconds: 3.5, ttftCount: 10,
                                                  itlSumSeconds: 19.8, itlCount: 990))
    }

    @Test func sglangAndTGINames() throws {
        let sglang = ServerMetricsSnapshot(try PrometheusExposition.parse("""
        # TYPE sglang:num_running_reqs gauge
        sglang:num_running_reqs{model_name="m"} 5
        sglang:num_queue_reqs{model_name="m"} 1
        sglang:token_usage{model_name="m"} 0.75
        sglang:prompt_tokens_total{model_name="m"} 40
        sglang:generation_tokens_total{model_name="m"} 400
        """))
        #expect(sglang == ServerMetricsSnapshot(kind: .sglang, running: 5, waiting: 1, kvCacheUsage: 0.75, promptTokensTotal: 40,
                                                generationTokensTotal: 400))
        let tgi = ServerMetricsSnapshot(try PrometheusExposition.parse("""
        # TYPE tgi_queue_size gauge
        tgi_queue_size 2
        # TYPE tgi_batch_current_size gauge
        tgi_batch_current_size 6
        # TYPE tgi_request_generated_tokens histogram
        tgi_request_generated_tokens_bucket{le="+Inf"} 3
        tgi_request_generated_tokens_sum 512
        tgi_request_generated_tokens_count 3
        # TYPE tgi_request_input_length histogram
        tgi_request_input_length_sum 90
        tgi_request_input_length_count 3
        """))
        #expect(tgi == ServerMetricsSnapshot(kind: .tgi, running: 6, waiting: 2, promptTokensTotal: 90, generationTokensTotal: 512))
        #expect(ServerMetricsSnapshot(try PrometheusExposition.parse("process_cpu_seconds_total 1.5\n")).kind == nil)
    }

    @Test func specialValuesAndUntypedSamples() throws {
        let exposition = try PrometheusExposition.parse("a NaN\nb +Inf\nc -Inf\r\nd 1.5e3\n\te\t2\t\n")
        #expect(exposition.families.map(\.type) == [.untyped, .untyped, .untyped, .untyped, .untyped])
        let values = exposition.families.map { $0.samples[0].value }
        #expect(values[0].isNaN && values[1] == .infinity && values[2] == -.infinity && values[3] == 1500 && values[4] == 2)
    }

    /// Each error names its line and column and what was wrong.
    @Test(arguments: [
        ("ok 1\n9bad 1\n", 2, 1, "expected a metric name"),
        ("m{a=\"x\"} 1\nm{a=\"x} 1\n", 2, 10, "no closing quote"),
        ("m{a=\"\\t\"} 1\n", 1, 6, "unknown escape \\t"),
        ("m{1a=\"x\"} 1\n", 1, 3, "expected a label name"),
        ("m{a=\"x\",a=\"y\"} 1\n", 1, 10, "label a given twice"),
        ("m{a \"x\"} 1\n", 1, 5, "expected = after label a"),
        ("m{a=x} 1\n", 1, 5, "expected a quoted value"),
        ("m{a=\"x\" b=\"y\"} 1\n", 1, 9, "expected , or }"),
        ("m one\n", 1, 6, "'one' is not a float value"),
        ("m\n", 1, 2, "expected a space before the value"),
        ("m 1 12.5\n", 1, 9, "'12.5' is not an integer timestamp"),
        ("m 1 2 3\n", 1, 7, "unexpected text after the sample"),
        ("# TYPE m countr\n", 1, 16, "unknown type 'countr'"),
        ("# TYPE m counter\n# TYPE m gauge\n", 2, 15, "a second # TYPE line for m"),
        ("m 1\n# TYPE m counter\n", 2, 17, "# TYPE for m after its samples"),
    ] as [(String, Int, Int, String)])
    func errorsNameLineAndColumn(text: String, line: Int, column: Int, message: String) {
        do {
            _ = try PrometheusExposition.parse(text)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    /// Property: any exposition written in the text format parses back to itself (seeded, 500 random expositions
    /// with every type, random labels with characters that need escaping, NaN and infinities, timestamps).
    @Test func randomExpositionsRoundTrip() throws {
        var random = SplitMix64(seed: 0x9E0_5EED)
        let alphabet = Array("ab_:Z9")
        let valueCharacters = Array("x \"\\\n{},=é日#")
        for round in 0..<500 {
            var families: [PrometheusExposition.Family] = []
            for f in 0..<Int(random.next() % 5) + 1 {
                let type = PrometheusExposition.MetricType.allCases[Int(random.next() % 5)]
                let name = "f\(f)_" + String((0..<Int(random.next() % 4)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
                var family = PrometheusExposition.Family(name: name, type: type,
                                                         help: random.next() % 2 == 0 ? nil : "help \\ with\nnewline \(round)")
                let sampleNames: [String]
                switch type {
                case .histogram: sampleNames = [name + "_bucket", name + "_sum", name + "_count"]
                case .summary: sampleNames = [name, name + "_sum", name + "_count"]
                default: sampleNames = [name]
                }
                for sampleName in sampleNames {
                    for series in 0..<Int(random.next() % 3) + 1 {
                        var labels: [(name: String, value: String)] = []
                        if random.next() % 3 != 0 {
                            labels.append(("s", "\(series)"))
                            labels.append(("v", String((0..<Int(random.next() % 6)).map { _ in
                                valueCharacters[Int(random.next() % UInt64(valueCharacters.count))]
                            })))
                        }
                        if sampleName.hasSuffix("_bucket") { labels.append(("le", random.next() % 2 == 0 ? "+Inf" : "0.5")) }
                        let values: [Double] = [.nan, .infinity, -.infinity, 0, 1.5e-7, -42, Double(random.next() % 1_000_000) / 8]
                        let timestamp: Int64? = random.next() % 4 == 0 ? Int64(random.next() % 2_000_000_000_000) : nil
                        family.samples.append(.init(name: sampleName, labels: labels,
                                                    value: values[Int(random.next() % UInt64(values.count))], timestampMs: timestamp))
                    }
                }
                families.append(family)
            }
            let exposition = PrometheusExposition(families: families)
            let parsed = try PrometheusExposition.parse(exposition.text)
            #expect(parsed == exposition, "round \(round):\n\(exposition.text)")
            if parsed != exposition { return }
        }
    }

    /// Fuzz: random edits of valid expositions (bytes dropped, repeated, replaced by the format's punctuation) either
    /// parse or fail with a located error; never a crash or a hang.
    @Test func mutatedExpositionsFailCleanly() {
        var random = SplitMix64(seed: 0xF022)
        let seeds = [Array(Self.llamacpp.utf8), Array(Self.vllm.utf8)]
        let punctuation = Array("{}=\",\\\n #+-.eE\t:".utf8)
        var failures = 0
        for _ in 0..<3_000 {
            var bytes = seeds[Int(random.next() % 2)]
            for _ in 0..<Int(random.next() % 4) + 1 where !bytes.isEmpty {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(bytes[at], at: at)
                default: bytes[at] = punctuation[Int(random.next() % UInt64(punctuation.count))]
                }
            }
            do {
                _ = try PrometheusExposition.parse(String(decoding: bytes, as: UTF8.self))
            } catch {
                failures += 1
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                #expect(error.line >= 1 && error.line <= lines && error.column >= 1)
            }
        }
        // The edits break most expositions: the parser is not lenient.
        #expect(failures > 1_000)
    }

    /// llama-server's `/slots` as it answers (fields shortened): KV-cache usage is the tokens the slots hold over
    /// their cells.
    @Test func llamaSlotsKVCacheUsage() {
        let slots = """
        [{"id":0,"n_ctx":1024,"speculative":false,"is_processing":false,"n_prompt_tokens":59},
         {"id":1,"n_ctx":1024,"is_processing":true,"n_prompt_tokens":84,"next_token":[{"n_decoded":38}]},
         {"id":2,"n_ctx":1024,"is_processing":false},
         {"id":3,"n_ctx":1024,"is_processing":false,"n_prompt_tokens":113}]
        """
        #expect(ServerMetricsSnapshot.llamaSlotsUsage(Array(slots.utf8)) == 256.0 / 4096)
        #expect(ServerMetricsSnapshot.llamaSlotsUsage(Array("[]".utf8)) == nil)
        #expect(ServerMetricsSnapshot.llamaSlotsUsage(Array("{\"error\":\"slots endpoint disabled\"}".utf8)) == nil)
        #expect(ServerMetricsSnapshot.llamaSlotsUsage(Array("[{\"id\":0}]".utf8)) == nil)
        #expect(ServerMetricsSnapshot.llamaSlotsUsage(Array("[{\"n_ctx\":10,\"n_prompt_tokens\":30}]".utf8)) == 1)
    }
}
