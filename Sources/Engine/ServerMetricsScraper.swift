import Foundation
import LoadGen
import Metrics
import Synchronization

/// Scrapes the server's Prometheus endpoint while the load runs (`server_metrics:`), on a task of its own: once at
/// the start, every `interval`, at each level's start and end, and once after the last request, so the counters'
/// deltas bracket every level. A scrape that fails (unreachable, an HTTP error, text that is not the exposition
/// format) is a row with its error; it never stops the run. As a sink it only receives the level boundaries.
public final class ServerMetricsScraper: RecordSink, Sendable {
    /// One GET of the endpoint: the status and body, or why there is none.
    public struct Fetched: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var error: String?

        public init(status: Int, body: [UInt8] = [], error: String? = nil) {
            self.status = status
            self.body = body
            self.error = error
        }
    }

    /// server_metrics.csv could not be written (the disk filled, ...): the run's other files still are.
    public struct WriteFailure: Error, CustomStringConvertible {
        public var description: String
    }

    private struct Level {
        var index = -1
        var name = ""
    }

    private let intervalNs: Int64
    private let fetch: @Sendable () async -> Fetched
    /// llama.cpp's `/slots`, read when its metrics have no KV-cache gauge.
    private let fetchSlots: (@Sendable () async -> Fetched)?
    private let now: @Sendable () -> Int64
    private let sleep: @Sendable (Int64) async throws -> Void
    private let writer: ServerMetricsWriter
    private let level = Mutex(Level())
    private let kicks: AsyncStream<Void>
    private let kick: AsyncStream<Void>.Continuation
    private let tasks = Mutex<(loop: Task<Void, Never>?, timer: Task<Void, Never>?)>((nil, nil))
    private let problem = Mutex<String?>(nil)

    public init(intervalNs: Int64, writer: ServerMetricsWriter, now: @escaping @Sendable () -> Int64,
                sleep: @escaping @Sendable (Int64) async throws -> Void, fetch: @escaping @Sendable () async -> Fetched,
                fetchSlots: (@Sendable () async -> Fetched)? = nil) {
        self.intervalNs = intervalNs
        self.fetchSlots = fetchSlots
        self.writer = writer
        self.now = now
        self.sleep = sleep
        self.fetch = fetch
        // Kicks that arrive while a scrape runs coalesce into one more scrape.
        (kicks, kick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The scrape over libcurl: a transport of its own (its own thread, normal priority), so the run's transport
    /// times nothing of it. Each GET gives up after the interval or 10 s, whichever is shorter (at least 1 s).
    public static func curl(url: String, intervalNs: Int64, insecure: Bool) -> (fetch: @Sendable () async -> Fetched,
                                                                               slots: (@Sendable () async -> Fetched)?,
                                                                               shutdown: @Sendable () -> Void) {
        let transport = CurlTransport(clock: RunClock(), priority: .normal)
        let totalNs = max(min(intervalNs, 10_000_000_000), 1_000_000_000)
        let options = TransferOptions(streaming: false, decoder: ChatCompletionsDecoder(),
                                      timeouts: TransferTimeouts(connectNs: min(totalNs, 5_000_000_000), totalNs: totalNs),
                                      insecure: insecure)
        func getter(_ url: String, accept: String) -> @Sendable () async -> Fetched {
            let request = HTTPRequest(url: url, method: "GET", headers: ["Accept: \(accept)"])
            return {
                let outcome = await transport.perform(request, options: options)
                if let failure = outcome.failure { return Fetched(status: outcome.status, error: failure.message) }
                if outcome.curlCode != 0 {
                    return Fetched(status: outcome.status, error: outcome.curlMessage ?? "libcurl error \(outcome.curlCode)")
                }
                return Fetched(status: outcome.status, body: outcome.body)
            }
        }
        // llama-server answers /slots beside /metrics.
        let slots = url.hasSuffix("/metrics") ? getter(String(url.dropLast("/metrics".count)) + "/slots", accept: "application/json") : nil
        return (getter(url, accept: "text/plain; version=0.0.4"), slots, { transport.shutdown() })
    }

    /// Starts scraping: one scrape at once, then the timer.
    public func start() {
        kick.yield()
        let loop = Task { [self] in
            for await _ in kicks { await scrape() }
        }
        let timer = Task { [self] in
            while !Task.isCancelled {
                do { try await sleep(intervalNs) } catch { return }
                kick.yield()
            }
        }
        tasks.withLock { $0 = (loop, timer) }
    }

    public func levelStarted(_ plan: LevelPlan, atNs: Int64) {
        level.withLock { $0 = Level(index: plan.index, name: plan.name) }
        kick.yield()
    }

    public func receive(_ record: RequestRecord) {}

    public func levelEnded(_ levels: [LevelResult]) { kick.yield() }

    /// The last scrape, after every request ended; then the file is closed. A write error of the file is thrown.
    public func finish() async throws {
        let (loop, timer) = tasks.withLock { $0 }
        timer?.cancel()
        kick.yield()
        kick.finish()
        await loop?.value
        try writer.close()
        if let problem = problem.withLock({ $0 }) { throw WriteFailure(description: problem) }
    }

    /// Stops scraping without a last scrape (a run that failed before its sinks finished); `finish` is the normal end.
    public func stop() {
        let (loop, timer) = tasks.withLock { $0 }
        timer?.cancel()
        loop?.cancel()
        kick.finish()
    }

    private func scrape() async {
        let (index, name) = level.withLock { ($0.index, $0.name) }
        let started = now()
        let fetched = await fetch()
        var row = ServerMetricsRow(timeNs: started, level: index, levelName: name, durationNs: now() - started,
                                   status: fetched.status)
        if let error = fetched.error {
            row.error = error
        } else if !(200..<300).contains(fetched.status) {
            row.error = "HTTP \(fetched.status)"
        } else {
            do {
                let exposition = try PrometheusExposition.parse(String(decoding: fetched.body, as: UTF8.self))
                row.snapshot = ServerMetricsSnapshot(exposition)
                if row.snapshot.kind == nil {
                    row.error = "no llama.cpp, vLLM, SGLang or TGI metric names in the exposition"
                }
                if row.snapshot.kind == .llamacpp, row.snapshot.kvCacheUsage == nil, let fetchSlots {
                    // Without it the KV-cache column stays empty (a server started with --no-slots).
                    let slots = await fetchSlots()
                    if slots.error == nil, (200..<300).contains(slots.status) {
                        row.snapshot.kvCacheUsage = ServerMetricsSnapshot.llamaSlotsUsage(slots.body)
                    }
                }
            } catch {
                row.error = "not Prometheus text: \(error)"
            }
        }
        do {
            try writer.append(row)
        } catch {
            problem.withLock { $0 = $0 ?? "\(error)" }
        }
    }
}

extension ServerMetricsScraper {
    /// The run's scraper when the scenario asks for one, started; `mock` scrapes the embedded mock's `/metrics`.
    static func start(_ scenario: Scenario, directory: String, mockBaseURL: String?,
                      timeline: Timeline<MonotonicSleepClock>) throws -> (scraper: ServerMetricsScraper, shutdown: @Sendable () -> Void)? {
        guard let settings = scenario.serverMetrics else { return nil }
        var url = settings.url
        if url == "mock" {
            guard let mockBaseURL else {
                throw scenario.source.error(at: "server_metrics.url", "server_metrics: mock scrapes the embedded mock, and this run does not start it",
                                            hint: "the server's own endpoint (http://127.0.0.1:8080/metrics), or run with --mock")
            }
            url = mockBaseURL + "/metrics"
        }
        let insecure = scenario.insecure
        let (fetch, slots, shutdown) = curl(url: url, intervalNs: settings.intervalNs, insecure: insecure)
        let scraper = ServerMetricsScraper(intervalNs: settings.intervalNs, writer: try ServerMetricsWriter(directory: directory),
                                           now: { timeline.now() }, sleep: { try await timeline.sleep(forNs: $0) }, fetch: fetch,
                                           fetchSlots: slots)
        scraper.start()
        return (scraper, {
            scraper.stop()
            shutdown()
        })
    }
}
