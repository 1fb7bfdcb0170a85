import Foundation
import Testing
@testable import LoadGen
@testable import Metrics

/// report.html: one self-contained page, and what a real browser makes of it.
@Suite(.serialized) struct ReportHTMLTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The golden fixture's run, written as `run` leaves it (requests.csv, then every derived file).
    static func writeFixtureRun() throws -> String {
        let (records, levels, manifest) = GoldenFileTests.fixture()
        let directory = NSTemporaryDirectory() + "sambabench-html-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try (RecordCSV.requestsHeader + records.map { RecordCSV.requestRow($0) }.joined())
            .write(toFile: directory + "/requests.csv", atomically: true, encoding: .utf8)
        _ = try RunOutput.writeDerived(directory: directory, records: records, levels: levels, manifest: manifest, search: nil)
        return directory
    }

    @Test func thePageIsSelfContainedWithEveryPlotInline() throws {
        let directory = try Self.writeFixtureRun()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        // Nothing fetched: no script, stylesheet link, image or remote address.
        for forbidden in ["<script", "<link", "<img", "src=\"http", "href=\"http"] {
            #expect(!html.contains(forbidden), "report.html holds \(forbidden)")
        }
        let svgs = try FileManager.default.contentsOfDirectory(atPath: directory + "/plots").filter { $0.hasSuffix(".svg") }
        #expect(html.components(separatedBy: "<figure id=\"plot-").count - 1 == svgs.count)
        #expect(html.components(separatedBy: "<svg").count - 1 == svgs.count)
        #expect(!html.contains("<?xml"))
        // The summary and the objectives' tables, the analysis and the notes.
        #expect(html.components(separatedBy: "<table>").count - 1 == 2)
        #expect(html.contains("<td>c1</td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">110</td>"))
        #expect(html.contains("The highest level meeting every objective (p99 ttft_ms &lt; 150) is <strong>c1</strong>."))
        #expect(html.contains("First <code>server_error</code> error: request 6: upstream unavailable"))
    }

    @Test func inlineMarksAndEscaping() {
        #expect(ReportHTML.inline("a `<b>` **c & d** e") == "a <code>&lt;b&gt;</code> <strong>c &amp; d</strong> e")
        #expect(ReportHTML.inline("2 * 3 `x*y`") == "2 * 3 <code>x*y</code>")
        #expect(ReportHTML.inline("unclosed `code") == "unclosed <code>code</code>")
        #expect(ReportHTML.escape("\"<'>&") == "&quot;&lt;'&gt;&amp;")
    }

    /// Loads report.html in headless Chromium (Debian's package, installed by `scripts/deps.sh --test`): every plot's
    /// SVG must lay out with a size and drawn paths, every table with rows; and saves a screenshot of the page.
    @Test func chromiumRendersEveryPlotAndTable() throws {
        guard let chromium = Self.find("chromium") ?? Self.find("chromium-browser"), PlotRenderer.findGnuplot() != nil else {
            // CI installs both (make test runs scripts/deps.sh --test): there their absence is a failure.
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "chromium or gnuplot is missing; scripts/deps.sh --test installs them")
            return
        }
        let directory = try Self.writeFixtureRun()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let expected = try FileManager.default.contentsOfDirectory(atPath: directory + "/plots").filter { $0.hasSuffix(".svg") }
            .map { String($0.dropLast(4)) }.sorted()
        #expect(expected.count >= 7, "the fixture renders every run plot: \(expected)")
        try Self.checkPage.write(toFile: directory + "/check.html", atomically: true, encoding: .utf8)
        let dom = try Self.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                                          "--virtual-time-budget=10000", "--dump-dom", "file://\(directory)/check.html"])
        let result = try #require(dom.range(of: "<pre id=\"result\">").map { dom[$0.upperBound...].prefix { $0 != "<" } })
        let fields = Dictionary(uniqueKeysWithValues: result.split(separator: ";").map { field in
            let parts = field.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        })
        #expect(fields["error"] == nil, "\(result)")
        #expect(fields["plots"]?.split(separator: ",").map(String.init).sorted() == expected, "\(result)")
        #expect(fields["drawn"]?.split(separator: ",").map(String.init).sorted() == expected, "\(result)")
        #expect(fields["tables"] == "2" && fields["filled"] == "2", "\(result)")
        #expect(fields["title"] == "sambabench report: golden")

        let screenshots = ProcessInfo.processInfo.environment["SAMBABENCH_SCREENSHOTS"] ?? Self.repositoryRoot + "/.build/screenshots"
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let screenshot = screenshots + "/report-html.png"
        try? FileManager.default.removeItem(atPath: screenshot)
        _ = try Self.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,4200",
                                    "--screenshot=\(screenshot)", "file://\(directory)/report.html"])
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "screenshot \(screenshot): \(png.count) bytes")
        print("report.html screenshot: \(screenshot)")
    }

    /// Loads report.html in a frame (the flag --allow-file-access-from-files lets it read the frame's page) and writes
    /// what rendered into #result, which --dump-dom prints.
    static let checkPage = """
    <!DOCTYPE html><html><body><pre id="result">pending</pre>
    <iframe id="f" src="report.html" style="width:1280px;height:3000px"></iframe>
    <script>
    document.getElementById('f').addEventListener('load', () => {
      let out;
      try {
        const d = document.getElementById('f').contentDocument;
        const figures = [...d.querySelectorAll('figure[data-plot]')];
        const drawn = figures.filter(f => { const s = f.querySelector('svg'); if (!s) return false;
          const b = s.getBoundingClientRect(); return b.width > 200 && b.height > 100 && s.querySelectorAll('path').length > 5; });
        const tables = [...d.querySelectorAll('table')];
        const filled = tables.filter(t => t.getBoundingClientRect().height > 20 && t.querySelectorAll('tbody tr').length > 0);
        out = 'plots=' + figures.map(f => f.dataset.plot).join(',') + ';drawn=' + drawn.map(f => f.dataset.plot).join(',')
          + ';tables=' + tables.length + ';filled=' + filled.length + ';title=' + d.title;
      } catch (e) { out = 'error=' + e; }
      document.getElementById('result').textContent = out;
    });
    </script></body></html>
    """

    static func find(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            if FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") { return "\(folder)/\(name)" }
        }
        return nil
    }

    /// Runs a program to its end (killed after 90 s), returning its standard output.
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return String(decoding: data, as: UTF8.self)
    }
}
