import BenchSupport
import Foundation
import Testing
import Yams
@testable import LoadGen

/// Inputs that used to crash or hang the client (issue 14, items 5-7), and property tests of their families: YAML
/// alias structures are bounded, every value reader gives a value in range or a `ScenarioError` (never a trap), a
/// server's numbers become bounded waits, and a stream's chunks are capped. Seeded (`SAMBABENCH_FUZZ_SEED`), scaled
/// by `SAMBABENCH_FUZZ_SCALE` like `FuzzTests`.
@Suite struct BrokenInputTests {
    static let scale = FuzzTests.scale
    static let seed = FuzzTests.seed

    // MARK: Item 5: alias bombs

    /// Nine levels of ten aliases: a billion scalars from a few hundred bytes. `indent` places it under a key.
    static func billionLaughs(indent: String) -> String {
        var lines = ["\(indent)a0: &a0 \"lol\""]
        for level in 1...9 {
            let aliases = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("\(indent)a\(level): &a\(level) [\(aliases)]")
        }
        return lines.joined(separator: "\n")
    }

    static func read(_ yaml: String) throws -> Scenario {
        var reader = ScenarioReader(file: "s.yaml", yaml: yaml, environment: [:])
        return try reader.read()
    }

    static func refusal(_ yaml: String) -> (error: ScenarioError?, seconds: Double) {
        let start = ContinuousClock.now
        var error: ScenarioError?
        do { _ = try read(yaml) } catch let caught as ScenarioError { error = caught } catch {}
        let elapsed = ContinuousClock.now - start
        return (error, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test func anAliasBombInsideExtraBodyIsRefusedAtOnceNamingItsLine() {
        let yaml = "name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\nrequest:\n  extra_body:\n"
            + Self.billionLaughs(indent: "    ") + "\n"
        let (error, seconds) = Self.refusal(yaml)
        let found = error
        #expect(found != nil)
        // The alias that passes 100,000 nodes: levels 1-4 add 12,340 nodes, each alias of level 5 (line 12) 11,111
        // more, so its eighth alias passes the limit.
        #expect(found?.file == "s.yaml" && found?.line == 12, "\(String(describing: found))")
        #expect(found?.message.contains("alias bomb") == true)
        #expect(found?.hint?.contains("at most 100000 nodes") == true)
        #expect(seconds < 1, "refused in \(seconds) s")
    }

    @Test func anAliasBombUnderAnyKeyOrAsAKeyIsRefused() {
        let bomb = Self.billionLaughs(indent: "  ")
        let places = [
            "name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\nmock:\n" + bomb + "\n",
            "name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\nunknown_key:\n" + bomb + "\n",
            "x:\n" + bomb + "\n",
            // Yams hashes mapping keys: a key that is an alias of the bomb would hang inside Yams itself.
            "x:\n" + bomb + "\n? *a9\n: 1\n",
        ]
        for yaml in places {
            let (error, seconds) = Self.refusal(yaml)
            #expect(error?.message.contains("alias bomb") == true, "\(String(describing: error)) for\n\(yaml)")
            #expect(seconds < 1)
        }
    }

    @Test func modestAliasesStillWork() throws {
        let scenario = try Self.read("""
            name: t
            base_url: mock
            model: m
            prompts: [&p "hello there", *p]
            request: {extra_body: {a: &body {x: [1, 2, 3]}, b: *body}}

            """)
        #expect(scenario.prompts.count == 2)
        #expect(scenario.request.extraBody.count == 2)
    }

    /// Random documents of anchors and aliases (each anchor a flow sequence of scalars and aliases of earlier
    /// anchors, names sometimes reused), against an oracle that expands them: the check refuses exactly those whose
    /// aliases add more nodes than the limit, and Yams' tree of every accepted one has the oracle's node count.
    @Test func randomAliasStructuresAreRefusedExactlyPastTheLimit() throws {
        var rng = SplitMix64(seed: Self.seed &+ 50)
        var refused = 0
        for _ in 0..<(300 * Self.scale) {
            let limit = 1 + rng.below(5000)
            var sizes: [String: Int] = [:]
            var textNodes = 1 // the root mapping
            var expanded = 1
            var definitions: [String] = []
            var names: [String] = []
            for index in 0..<(1 + rng.below(8)) {
                let name = !names.isEmpty && rng.chance(0.15) ? rng.pick(names) : "n\(index)"
                var items: [String] = []
                var size = 1
                for _ in 0..<rng.below(7) {
                    if !sizes.isEmpty && rng.chance(0.6) {
                        let target = rng.pick(Array(sizes.keys).sorted())
                        items.append("*\(target)")
                        size += sizes[target]!
                    } else {
                        items.append("v\(rng.below(100))")
                        size += 1
                        textNodes += 1
                    }
                }
                textNodes += 2 // the key and the sequence
                definitions.append("k\(index): &\(name) [\(items.joined(separator: ", "))]")
                expanded += 1 + size
                sizes[name] = size
                if !names.contains(name) { names.append(name) }
            }
            let yaml = definitions.joined(separator: "\n") + "\n"
            let aliased = expanded - textNodes
            do throws(YAMLAliasLimit.Exceeded) {
                try YAMLAliasLimit.check(yaml, limit: limit)
                #expect(aliased <= limit, "accepted \(aliased) > \(limit):\n\(yaml)")
                let root = try? Yams.compose(yaml: yaml)
                #expect(root.map(Self.count) == expanded, "\(yaml)")
            } catch {
                refused += 1
                #expect(aliased > limit, "refused \(aliased) <= \(limit):\n\(yaml)")
                #expect(error.nodes > limit && error.line >= 1)
            }
        }
        #expect(refused > 0)
    }

    static func count(_ node: Node) -> Int {
        switch node {
        case .scalar, .alias: return 1
        case .sequence(let items): return 1 + items.reduce(0) { $0 + count($1) }
        case .mapping(let map): return 1 + map.reduce(0) { $0 + count($1.key) + count($1.value) }
        }
    }

    /// Deep and wide random bombs through the whole reader: every one ends in well under a second.
    @Test func randomBombsThroughTheReaderEndFast() {
        var rng = SplitMix64(seed: Self.seed &+ 51)
        for _ in 0..<(20 * Self.scale) {
            let levels = 3 + rng.below(20)
            let fanOut = 2 + rng.below(20)
            var lines = ["    b0: &b0 [x]"]
            for level in 1..<levels {
                lines.append("    b\(level): &b\(level) [" + Array(repeating: "*b\(level - 1)", count: fanOut).joined(separator: ", ") + "]")
            }
            let yaml = "name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\nrequest:\n  extra_body:\n" + lines.joined(separator: "\n") + "\n"
            let start = ContinuousClock.now
            _ = try? Self.read(yaml)
            #expect(ContinuousClock.now - start < .seconds(1), "\(levels) levels of \(fanOut)")
        }
    }

    // MARK: Item 6: durations, rates and counts

    @Test func hugeDurationsAndTinyRatesAreOutOfRangeNamingTheKey() {
        let cases: [(String, String)] = [
            ("load: {duration: 1e30s}", "s.yaml:5:18: load.duration: 1e30s is out of range (a duration from 0s to 30 days (720h))"),
            ("load: {think_time: 1e30s}", "s.yaml:5:20: load.think_time: 1e30s is out of range (a duration from 0s to 30 days (720h))"),
            ("load: {warmup: 1e30s}", "s.yaml:5:16: load.warmup: 1e30s is out of range (a duration from 0s to 30 days (720h))"),
            ("timeouts: {total: 1e30s}", "s.yaml:5:19: timeouts.total: 1e30s is out of range (a duration from 0s to 30 days (720h))"),
            ("mock: {ttft: 1e30s}", "s.yaml:5:14: mock.ttft: 1e30s is out of range (a duration from 0s to 1h)"),
            ("load: {rate: [1e-30]}", "s.yaml:5:15: load.rate[0]: 1e-30 is out of range (requests per second from 0.000001 (one in 11.6 days) to 1000000: 20, 20/s or 1200/m)"),
            ("load: {duration: 31d}", "s.yaml:5:18: load.duration: '31d' is not a duration (a number with a unit: 250ms, 30s, 5m, 1h)"),
            ("load: {concurrency: 1:0:0:0:0:0:0:0:0:0:0:0}", "s.yaml:5:21: load.concurrency: expected an integer, got '1:0:0:0:0:0:0:0:0:0:0:0' (an integer from 1 to 100000)"),
            ("limits: {max_chunks_per_request: 0}", "s.yaml:5:34: limits.max_chunks_per_request: 0 is out of range (an integer from 1 to 10000000)"),
        ]
        for (line, message) in cases {
            let yaml = "name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\n\(line)\n"
            #expect(throws: ScenarioError.self) { try Self.read(yaml) }
            do { _ = try Self.read(yaml) } catch { #expect("\(error)" == message) }
        }
    }

    @Test func theLongestDurationOfEachKeyIsAccepted() throws {
        let scenario = try Self.read("""
            name: t
            base_url: mock
            model: m
            prompts: [hi]
            load: {duration: 720h, warmup: 2592000s, rate: [0.000001, 1000000/s]}
            timeouts: {total: 720h}
            mock: {ttft: 1h}
            retries: {max: 1, backoff: 1h, max_backoff: 60m}
            limits: {max_chunks_per_request: 10000000}

            """)
        #expect(scenario.load.durationNs == DurationText.maxNs && scenario.load.warmupNs == DurationText.maxNs)
        let closed = try Self.read("name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\nload: {think_time: 720h}\n")
        #expect(closed.load.thinkTimeNs == DurationText.maxNs)
        #expect(scenario.load.rates == [1e-6, 1e6])
        #expect(scenario.mock.ttftNs == 3_600_000_000_000 && scenario.limits.maxChunksPerRequest == 10_000_000)
    }

    @Test func commandLineDurationsAndRatesAreOutOfRangeNamingTheFlag() throws {
        func failure(_ overrides: ScenarioOverrides) -> String? {
            var scenario = Scenario(name: "t", baseURL: "mock", model: "m", prompts: [.text("hi")])
            do { try overrides.apply(to: &scenario) } catch { return "\(error)" }
            return nil
        }
        #expect(failure(ScenarioOverrides(duration: "1e30s")) == "command line: --duration: 1e30s is out of range (a duration from 0s to 30 days (720h))")
        #expect(failure(ScenarioOverrides(thinkTime: "1e30s"))?.hasPrefix("command line: --think-time: 1e30s is out of range") == true)
        #expect(failure(ScenarioOverrides(warmup: "1e30s"))?.hasPrefix("command line: --warmup: 1e30s is out of range") == true)
        #expect(failure(ScenarioOverrides(rate: "1e-30"))?.hasPrefix("command line: --rate: 1e-30 is out of range (requests per second from 0.000001") == true)
        #expect(failure(ScenarioOverrides(rate: "2000000"))?.hasPrefix("command line: --rate: 2000000 is out of range") == true)
        #expect(throws: ScenarioError.self) { try ScenarioOverrides.duration("1e30s", flag: "--grace") }
        #expect(try ScenarioOverrides.duration("720h", flag: "--grace") == DurationText.maxNs)
    }

    @Test func durationTextNeverTraps() {
        #expect(DurationText.nanoseconds("1e30s") == nil)
        #expect(DurationText.nanoseconds("9.3e18ns") == nil)
        #expect(DurationText.nanoseconds("9e18ns") == 9_000_000_000_000_000_000)
        #expect(DurationText.nanoseconds("1e300h") == nil)
        #expect(DurationText.nanoseconds("nan") == nil && DurationText.nanoseconds("infs") == nil)
        #expect(DurationText.nanoseconds("-0s") == 0 && DurationText.nanoseconds("1e-30s") == 0)
        #expect(DurationText.nanoseconds("1.5s") == 1_500_000_000 && DurationText.nanoseconds("90") == 90_000_000_000)
    }

    @Test func aServersRetryAfterIsClampedAndRecordedAsSent() {
        let headers = RateLimitHeaders.parse(["retry-after-ms: 99999999999999999999"])
        #expect(headers.retryAfterMs == 1e20)
        var policy = RetryPolicy()
        policy.maxRetries = 3
        #expect(policy.delayNs(afterAttempt: 1, retryAfterMs: headers.retryAfterMs) == RetryPolicy.maxRetryAfterNs)
        #expect(RateLimitHeaders.parse(["Retry-After: 1e308"]).retryAfterMs == nil)
        #expect(policy.delayNs(afterAttempt: 1, retryAfterMs: 1e300) == RetryPolicy.maxRetryAfterNs)
        #expect(policy.delayNs(afterAttempt: 1, retryAfterMs: 1500) == 1_500_000_000)
    }

    /// Numbers as people (and fuzzers) write them: huge, tiny, negative, NaN-ish, exponents, hex, base 60, units.
    static func nastyNumber(_ rng: inout SplitMix64) -> String {
        let specials = ["nan", "NaN", "-nan", "inf", "-inf", "+inf", "Infinity", ".inf", "-.inf", ".nan", ".NaN", "", " ",
                        "1e", "e5", ".", "-", "+", "0x", "0x7FFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFF", "-0x8000000000000000",
                        "0o777", "0b101", "0x1p1023", "0x1p-1074", "1_000", "1__0", "١٢", "9223372036854775807",
                        "9223372036854775808", "-9223372036854775809", "1e308", "1.8e308", "4.9e-324", "1e-400", "-0", "0.0",
                        "1:30", "1:0:0:0:0:0:0:0:0:0:0:0", "99999999999999:0:0", "-1:30", "1::2", ":", "true", "~", "null"]
        var text: String
        switch rng.below(4) {
        case 0:
            text = rng.pick(specials)
        case 1:
            let digits = (0..<(1 + rng.below(40))).map { _ in String(rng.below(10)) }.joined()
            text = (rng.chance(0.3) ? "-" : rng.chance(0.1) ? "+" : "") + digits
            if rng.chance(0.4) { text += "." + String(rng.below(1000)) }
            if rng.chance(0.5) { text += (rng.chance(0.5) ? "e" : "E") + (rng.chance(0.5) ? "-" : "") + String(rng.below(420)) }
        case 2:
            text = (0..<(2 + rng.below(14))).map { _ in String(rng.below(rng.chance(0.2) ? 1_000_000 : 60)) }.joined(separator: ":")
        default:
            text = String(Double(bitPattern: rng.next()))
        }
        let units = ["", "", "ns", "us", "µs", "ms", "s", "m", "h", "d", "/s", "/m", "/h", " s", "s ", "x", "sms"]
        return text + rng.pick(units)
    }

    /// Every value reader, fed random numbers: a value in its range, or a `ScenarioError`; never a trap or another error.
    @Test func everyValueReaderGivesAValueInRangeOrAnError() {
        var rng = SplitMix64(seed: Self.seed &+ 60)
        let site = ValueSite(file: "f", path: "k")
        func check<T>(_ text: String, _ read: () throws -> T, inRange: (T) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                let value = try read()
                #expect(inRange(value), "'\(text)' gave \(value)", sourceLocation: sourceLocation)
            } catch is ScenarioError {
            } catch {
                Issue.record("'\(text)': \(error)", sourceLocation: sourceLocation)
            }
        }
        for _ in 0..<(3000 * Self.scale) {
            let text = Self.nastyNumber(&rng)
            let node = ScenarioValue.scalar(text)
            let ranges: [ClosedRange<Int64>] = [DurationText.defaultRange, MockSettings.ttftRange, RetryPolicy.backoffRange, 1...1]
            for range in ranges {
                check(text, { try ScenarioValue.duration(node, at: site, in: range) }, inRange: { range.contains($0) })
            }
            if let ns = DurationText.nanoseconds(text) { #expect(ns >= 0) }
            if let value = DurationText.value(text) { #expect(value.isFinite && value >= 0) }
            check(text, { try ScenarioValue.rate(node, at: site) }, inRange: { ScenarioValue.rateRange.contains($0) })
            check(text, { try ScenarioValue.rate(node, at: site, allowZero: true) }, inRange: { $0 == 0 || ScenarioValue.rateRange.contains($0) })
            for range in [1...100_000, 0...Int.max, Int.min...Int.max, 1...10_000_000] {
                check(text, { try ScenarioValue.int(node, at: site, in: range) }, inRange: { range.contains($0) })
            }
            check(text, { try ScenarioValue.double(node, at: site, in: 0...1) }, inRange: { (0...1).contains($0) })
            check(text, { try ScenarioValue.intRange(node, at: site) }, inRange: { $0.lowerBound >= 1 && $0.upperBound <= 10_000_000 })
            check(text, { try ScenarioValue.json(node, at: site) }, inRange: { _ in true })
            check(text, { try ScenarioReader.measuredDuration(node, at: site) }, inRange: { $0 > 0 && $0 <= DurationText.maxNs })
            check(text, { try ScenarioReader.thinkTime(node, at: site) }, inRange: { DurationText.defaultRange.contains($0) })
            check(text, { try ScenarioReader.warmup(node, at: site) }, inRange: {
                switch $0 {
                case .requests(let count): return (0...1_000_000).contains(count)
                case .duration(let ns): return DurationText.defaultRange.contains(ns)
                }
            })
            check(text, { try ScenarioReader.requests(node, at: site) }, inRange: { (1...100_000_000).contains($0) })
            let list = ScenarioValue.commaList(text + "," + Self.nastyNumber(&rng))
            check(text, { try ScenarioReader.rates(list, at: site) }, inRange: { $0.allSatisfy { ScenarioValue.rateRange.contains($0) } })
            check(text, { try ScenarioReader.concurrencyLevels(list, at: site) }, inRange: { $0.allSatisfy { (1...100_000).contains($0) } })
            check(text, { try ScenarioOverrides.duration(text, flag: "--grace") }, inRange: { DurationText.defaultRange.contains($0) })
            _ = RateLimitHeaders.parse(["retry-after-ms: \(text)", "Retry-After: \(text)"])
            let header = RateLimitHeaders.parse(["retry-after-ms: \(text)"])
            let wait = RetryPolicy().delayNs(afterAttempt: 1 + rng.below(40), retryAfterMs: header.retryAfterMs)
            #expect(wait >= 0 && wait <= max(RetryPolicy().maxBackoffNs, RetryPolicy.maxRetryAfterNs))
        }
    }

    /// Whole scenarios with random numbers at every duration, rate and count key, and every override flag: each reads
    /// to a scenario whose values are in range, or fails with a `ScenarioError`.
    @Test func randomNumbersAtEveryKeyAndFlagNeverTrap() {
        var rng = SplitMix64(seed: Self.seed &+ 61)
        let keys = ["load: {duration: $}", "load: {think_time: $}", "load: {warmup: $}", "load: {drain_timeout: $}",
                    "load: {cooldown: $}", "load: {requests: $}", "load: {concurrency: [$]}", "load: {rate: [$]}",
                    "load: {rate: [1], max_in_flight: $}", "load: {ramp: {from: $, to: 5, over: $}}", "load: {seed: $}",
                    "timeouts: {connect: $, first_token: $, idle: $, total: $}", "mock: {ttft: $, decode_rate: $}",
                    "mock: {tokens_per_chunk: [$, $], output_tokens: $, seed: $}",
                    "mock: {faults: {stall: 0.1, stall_time: $, retry_after: $, after_chunks: $}}",
                    "retries: {max: $, backoff: $, max_backoff: $}", "abort: {error_rate: $, min_requests: $}",
                    "request: {max_tokens: $, temperature: $, top_k: $, seed: $}", "request: {extra_body: {x: $, y: [$]}}",
                    "limits: {max_chunks_per_request: $}", "max_error_rate: $"]
        for _ in 0..<(1500 * Self.scale) {
            var line = rng.pick(keys)
            while let marker = line.range(of: "$") {
                var value = Self.nastyNumber(&rng)
                if value.contains(where: { ",[]{}#&*!|>'\"%@`".contains($0) }) || value.trimmingCharacters(in: .whitespaces).isEmpty {
                    value = "\"" + value.replacingOccurrences(of: "\"", with: "") + "\""
                }
                line.replaceSubrange(marker, with: value)
            }
            let yaml = "name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\n\(line)\n"
            do {
                let scenario = try Self.read(yaml)
                Self.checkInRange(scenario, yaml)
            } catch is ScenarioError {
            } catch {
                Issue.record("\(yaml): \(error)")
            }
            var scenario = Scenario(name: "t", baseURL: "mock", model: "m", prompts: [.text("hi")])
            let overrides: ScenarioOverrides
            switch rng.below(6) {
            case 0: overrides = ScenarioOverrides(duration: Self.nastyNumber(&rng))
            case 1: overrides = ScenarioOverrides(rate: Self.nastyNumber(&rng) + "," + Self.nastyNumber(&rng))
            case 2: overrides = ScenarioOverrides(warmup: Self.nastyNumber(&rng), thinkTime: Self.nastyNumber(&rng))
            case 3: overrides = ScenarioOverrides(concurrency: Self.nastyNumber(&rng), requests: Self.nastyNumber(&rng))
            case 4: overrides = ScenarioOverrides(maxTokens: Self.nastyNumber(&rng))
            default: overrides = ScenarioOverrides(requests: Self.nastyNumber(&rng), duration: Self.nastyNumber(&rng))
            }
            do {
                try overrides.apply(to: &scenario)
                Self.checkInRange(scenario, "\(overrides)")
            } catch is ScenarioError {
            } catch {
                Issue.record("\(overrides): \(error)")
            }
        }
    }

    static func checkInRange(_ scenario: Scenario, _ source: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let load = scenario.load
        let durations = [load.durationNs, load.thinkTimeNs, load.warmupNs, load.drainTimeoutNs, load.cooldownNs, load.ramp?.overNs,
                         scenario.timeouts.connectNs, scenario.timeouts.firstTokenNs, scenario.timeouts.idleNs,
                         scenario.timeouts.totalNs, scenario.mock.ttftNs, scenario.mock.faults.stallNs,
                         scenario.retries.backoffNs, scenario.retries.maxBackoffNs].compactMap { $0 }
        let durationsInRange = durations.allSatisfy { DurationText.defaultRange.contains($0) }
        let ratesInRange = load.rates.allSatisfy { ScenarioValue.rateRange.contains($0) }
        let concurrencyInRange = load.concurrency.allSatisfy { (1...100_000).contains($0) }
        #expect(durationsInRange, "\(source)", sourceLocation: sourceLocation)
        #expect(ratesInRange, "\(source)", sourceLocation: sourceLocation)
        #expect(concurrencyInRange, "\(source)", sourceLocation: sourceLocation)
        #expect(RequestLimits.maxChunksRange.contains(scenario.limits.maxChunksPerRequest), sourceLocation: sourceLocation)
    }

    /// Pacers at the extremes of the rate range plan finite offsets, however many arrivals.
    @Test func pacersAtTheRateRangesEndsNeverTrap() {
        var rng = SplitMix64(seed: Self.seed &+ 62)
        for _ in 0..<(50 * Self.scale) {
            let rate = rng.pick([1e-6, 1e6, 1.0, 3e-6])
            var pacers: [any Pacer] = [ConstantPacer(rate: rate), PoissonPacer(rate: rate, seed: rng.next()),
                                       GammaPacer(rate: rate, burstiness: rng.pick([0.01, 1, 100]), seed: rng.next()),
                                       RampPacer(from: 0, to: rate, overNs: DurationText.maxNs)]
            for index in pacers.indices {
                for _ in 0..<200 { _ = pacers[index].next() }
            }
        }
    }

    // MARK: Item 7: chunks per request

    /// `count` chat chunks of one token each, then usage and `[DONE]` when `finished`.
    static func chatStream(chunks count: Int, finished: Bool) -> [UInt8] {
        var text = ""
        for _ in 0..<count { text += #"data: {"choices":[{"index":0,"delta":{"content":"a"}}]}"# + "\n\n" }
        if finished { text += "data: [DONE]\n\n" }
        return Array(text.utf8)
    }

    /// Random streams, caps and read boundaries through the transport's write path: a stream of at most `cap`
    /// chunks is whole; one more is `too_many_chunks` holding exactly `cap + 1` chunks, the transfer stopped.
    @Test func theChunkCapHoldsWhereverTheReadsAreCut() {
        var rng = SplitMix64(seed: Self.seed &+ 70)
        for _ in 0..<(200 * Self.scale) {
            let cap = 1 + rng.below(300)
            let count = rng.below(2 * cap + 2)
            let bytes = Self.chatStream(chunks: count, finished: true)
            let run = WritePath.run(bytes, api: .chat, cuts: rng.cuts(in: bytes.count, upTo: 30), maxChunks: cap)
            if count <= cap {
                #expect(run.record.errorClass == nil && run.outcome.stream.chunks.count == count)
            } else {
                #expect(run.record.errorClass == .tooManyChunks, "\(count) chunks, cap \(cap)")
                #expect(run.outcome.stream.chunks.count == cap + 1)
                #expect(run.outcome.curlCode != 0, "the transfer was stopped")
            }
        }
    }

    @Test func aServerStreamingForeverIsTooManyChunks() async throws {
        let cap = 20_000
        let server = try HostileServer { connection in
            guard connection.writeHead(HostileServerTests.sse) else { return }
            let block = Self.chatStream(chunks: 200, finished: false)
            while connection.writeChunk(block) && !connection.isStopping {}
        }
        defer { server.stop() }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        var scenario = Scenario(name: "t", baseURL: server.baseURL, model: "m", prompts: [.text("hi")])
        scenario.timeouts = TransferTimeouts(totalNs: 30_000_000_000)
        scenario.limits.maxChunksPerRequest = cap
        let factory = RequestFactory(scenario: scenario, baseURL: server.baseURL, apiKey: nil)
        let record = await RequestExecutor(transport: transport, factory: factory).execute(context(0, clock: transport.clock))
        #expect(record.errorClass == .tooManyChunks, "\(record.errorMessage ?? "")")
        #expect(record.chunks.count == cap + 1)
        #expect(record.errorMessage?.contains("limits.max_chunks_per_request") == true)
    }

    @Test func theLimitsKeyReachesTheTransfer() throws {
        let scenario = try Self.read("name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\nlimits: {max_chunks_per_request: 1234}\n")
        #expect(scenario.limits.maxChunksPerRequest == 1234)
        #expect(RequestFactory(scenario: scenario, baseURL: "http://127.0.0.1:1/v1", apiKey: nil).options.maxChunks == 1234)
        let defaults = try Self.read("name: t\nbase_url: mock\nmodel: m\nprompts: [hi]\n")
        #expect(defaults.limits.maxChunksPerRequest == RequestLimits.defaultMaxChunks)
    }
}
