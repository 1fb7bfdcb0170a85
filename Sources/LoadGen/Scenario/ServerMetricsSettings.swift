import Foundation
import Yams

/// `server_metrics:`: a Prometheus text endpoint of the server under test (llama.cpp's `/metrics` with `--metrics`,
/// vLLM's, SGLang's or TGI's), scraped every `interval` while the load runs, into `server_metrics.csv`.
public struct ServerMetricsSettings: Sendable, Equatable {
    /// The endpoint, `http://127.0.0.1:8080/metrics`; `mock` scrapes the embedded mock's own `/metrics`.
    public var url: String
    /// Time between scrapes.
    public var intervalNs: Int64

    public static let defaultIntervalNs: Int64 = 1_000_000_000
    /// 50 ms to 10 minutes: faster would load the server being measured; slower leaves a short level unseen.
    public static let intervalRange: ClosedRange<Int64> = 50_000_000...600_000_000_000

    public init(url: String, intervalNs: Int64 = Self.defaultIntervalNs) {
        self.url = url
        self.intervalNs = intervalNs
    }
}

extension ScenarioReader {
    static let serverMetricsKeys = ["url", "interval"]

    /// `server_metrics: {url, interval}`, or the URL alone (`server_metrics: http://127.0.0.1:8080/metrics`).
    mutating func serverMetrics(_ node: Node) throws -> ServerMetricsSettings {
        if case .scalar = node {
            return ServerMetricsSettings(url: try Self.serverMetricsURL(node, at: site(node, "server_metrics")))
        }
        let map = try mapping(node, path: "server_metrics", allowed: Self.serverMetricsKeys)
        guard let urlNode = map["url"] else {
            throw located(node, "server_metrics.url", "missing",
                          hint: "the server's Prometheus endpoint, for example http://127.0.0.1:8080/metrics")
        }
        var settings = ServerMetricsSettings(url: try Self.serverMetricsURL(urlNode, at: site(urlNode, "server_metrics.url")))
        if let interval = map["interval"] {
            settings.intervalNs = try duration(interval, path: "server_metrics.interval", in: ServerMetricsSettings.intervalRange)
        }
        return settings
    }

    /// An http(s) URL, or `mock` (the embedded mock's `/metrics`).
    public static func serverMetricsURL(_ node: Node, at site: ValueSite) throws -> String {
        let text = try ScenarioValue.string(node, at: site)
        if text == "mock" { return text }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw site.error("'\(URLRedaction.masked(text))' is not an http(s) URL",
                             hint: "the server's Prometheus text endpoint, for example http://127.0.0.1:8080/metrics (llama-server --metrics), or mock")
        }
        return text
    }
}
