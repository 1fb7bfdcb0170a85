import Foundation
import LoadGen
import PlotTemplates

/// Fills the gnuplot templates for a run, writes the scripts and their data beside the outputs, and renders
/// them to PNG and SVG with gnuplot when it is installed.
public struct PlotRenderer {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The scripts written, to be rendered.
    public private(set) var scripts: [String] = []
    /// The sample plots (`ttft_cdf`, `decode_rate`) read every `sampleEvery`-th row of requests.csv: gnuplot sorts
    /// what it reads (two million rows took it over ten minutes), and parsing a row costs it about 10 µs: 30,000 rows
    /// took 0.33 s, the longest wait at the end of a run, and a 600 KB SVG. 1 up to `sampleRows` requests.
    public var sampleEvery = 1
    public static let sampleRows = 10_000

    /// One line of a cumulative distribution drawn from the measured values themselves: the rows of a requests.csv
    /// that `filter` (a gnuplot expression over its columns) keeps.
    public struct SampleSeries: Sendable {
        /// The key's entry; nil: none (the key is made of `keyEntries` instead).
        public var label: String?
        public var requestsFile: String
        public var filter: String
        /// gnuplot line style (`lc 2 dt 3`), empty for the next default.
        public var style = ""

        public init(label: String?, requestsFile: String, filter: String, style: String = "") {
            self.label = label
            self.requestsFile = requestsFile
            self.filter = filter
            self.style = style
        }

        /// A run's measured requests of one level, by level index.
        public static func level(_ index: Int, label: String, requestsFile: String = "../requests.csv") -> SampleSeries {
            SampleSeries(label: label, requestsFile: requestsFile, filter: "column(\"level\") == \(index) && column(\"warmup\") == 0")
        }

        /// A run's measured requests of one level, by level name (another run's indices may differ).
        public static func levelNamed(_ name: String, label: String?, requestsFile: String, style: String = "") -> SampleSeries {
            SampleSeries(label: label, requestsFile: requestsFile,
                         filter: "strcol(\"level_name\") eq '\(quoted(name))' && column(\"warmup\") == 0", style: style)
        }
    }

    /// Writes `ttft_cdf.gp`: each level's TTFT samples as a step per request, read by gnuplot from requests.csv.
    public mutating func ttftCDF(title: String, series: [SampleSeries], logRange: ClosedRange<Double>?) throws {
        try sampleCDF("ttft_cdf.gp", title: title, column: "ttft_ms", series: series, logRange: logRange)
    }

    /// Writes `ttft_percentiles.gp`: the HDR percentile files on HdrHistogram's log 1/(1-p) axis, reaching only as far
    /// as the largest level's sample count resolves (1/(1-p) = n at the percentile of its last sample).
    public mutating func ttftPercentiles(title: String, series: [(label: String, dataFile: String)], largestCount: Int) throws {
        let lines = series.map { "'\($0.dataFile)' every ::1 using 4:1 with lines lw 2 title '\(Self.quoted($0.label))'" }
        let reach = Double(max(largestCount, 2))
        var tics = [(label: "0%", at: 1.0)]
        var decade = 10.0
        while decade < reach * 0.8 {
            tics.append((CSVFormat.number((1 - 1 / decade) * 100, digits: 3) + "%", decade))
            decade *= 10
        }
        tics.append((CSVFormat.number((1 - 1 / reach) * 100, digits: 2) + "%", reach))
        try write("ttft_percentiles.gp", values: [
            "TITLE": title, "SERIES": lines.joined(separator: ", \\\n     "), "XMAX": CSVFormat.number(reach),
            "XTICS": tics.map { "'\($0.label)%' \(CSVFormat.number($0.at))" }.joined(separator: ", "),
        ])
    }

    /// Writes `decode_rate.gp`: each level's per-request decode rates as steps, read from requests.csv.
    public mutating func decodeRate(title: String, series: [SampleSeries]) throws {
        try sampleCDF("decode_rate.gp", title: title, column: "decode_tps", series: series, logRange: nil)
    }

    /// A cumulative distribution per series of one requests.csv column: gnuplot filters the rows into a datablock
    /// per series (streaming the file; nothing is loaded here) and draws `smooth cnormal` steps over them.
    private mutating func sampleCDF(_ script: String, title: String, column: String, series: [SampleSeries],
                                    logRange: ClosedRange<Double>?, keyEntries: [String] = []) throws {
        let tables = series.enumerated().map { index, line in
            "set table $S\(index)\nplot '\(line.requestsFile)'" + (sampleEvery > 1 ? " every \(sampleEvery)" : "")
                + " using (column(\"\(column)\")):(1) with table if (\(line.filter))\nunset table"
        }
        let lines = series.enumerated().map { index, line in
            "$S\(index) using 1:2 smooth cnormal with steps lw 2" + (line.style.isEmpty ? "" : " " + line.style)
                + (line.label.map { " title '\(Self.quoted($0))'" } ?? " notitle")
        } + keyEntries
        try write(script, values: ["TITLE": title, "TABLES": tables.joined(separator: "\n"),
                                   "SERIES": lines.joined(separator: ", \\\n     "),
                                   "XSCALE": logRange.map { "set logscale x\nset xtics (\(Self.logTics($0)))" } ?? "unset logscale x"])
    }

    /// Ticks at 1, 2 and 5 times the powers of ten inside `range`: a log axis readable without counting decades.
    static func logTics(_ range: ClosedRange<Double>) -> String {
        guard range.lowerBound > 0 else { return "" }
        var tics: [Double] = []
        var decade = pow(10, floor(log10(range.lowerBound)))
        while decade <= range.upperBound {
            for step in [1.0, 2, 5] where decade * step >= range.lowerBound * 0.9 && decade * step <= range.upperBound * 1.1 {
                tics.append(decade * step)
            }
            decade *= 10
        }
        return tics.map { CSVFormat.number($0) }.joined(separator: ", ")
    }

    /// gnuplot's single-quoted strings double a quote.
    static func quoted(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "''") }

    /// Writes `tokens_per_chunk.gp` and its data: how many chunks carried each token count, a column per level for
    /// every chunk but a request's last, and one column for the last chunks of all levels (the remainder: often short).
    public mutating func tokensPerChunk(title: String, levels: [String], counts: [[Int: Int]], lastChunks: [Int: Int]) throws {
        let largest = (counts.flatMap(\.keys) + lastChunks.keys).max() ?? 1
        var data = "tokens " + levels.map { "\"\($0)\"" }.joined(separator: " ") + " \"last chunk of a request (all levels)\"\n"
        for tokens in 1...max(largest, 1) {
            data += "\(tokens) " + counts.map { String($0[tokens] ?? 0) }.joined(separator: " ") + " \(lastChunks[tokens] ?? 0)\n"
        }
        try data.write(toFile: directory + "/tokens_per_chunk.dat", atomically: true, encoding: .utf8)
        let tallest = (counts.flatMap(\.values) + lastChunks.values).max() ?? 1
        try write("tokens_per_chunk.gp", values: ["TITLE": title, "LASTCOLUMN": String(levels.count + 1),
                                                  "LASTCHUNKS": String(levels.count + 2),
                                                  "YMAX": String(Int((Double(tallest) * 1.18).rounded(.up)))])
    }

    /// Writes `client_vs_server_ttft.gp` and its data (level index, client TTFT ms, server TTFT ms).
    public mutating func clientVersusServer(title: String, levels: [String], points: [(level: Int, client: Double, server: Double)]) throws {
        let data = points.map { "\($0.level) \(CSVFormat.number($0.client, digits: 3)) \(CSVFormat.number($0.server, digits: 3))\n" }.joined()
        try data.write(toFile: directory + "/ttft_client_server.dat", atomically: true, encoding: .utf8)
        let series = levels.enumerated().map { index, name in
            "'ttft_client_server.dat' using ($1 == \(index) ? $3 : 1/0):2 with points pt 7 ps 0.6 title '\(name)'"
        }
        try write("client_vs_server_ttft.gp", values: ["TITLE": title, "SERIES": series.joined(separator: ", \\\n     ")])
    }

    /// Writes `throughput.gp` and `throughput.dat` (load, output tokens/s, TTFT p50, TTFT p99).
    public mutating func throughput(title: String, loadLabel: String, rows: [(load: Double, tokensPerSecond: Double, ttftP50: Double, ttftP99: Double)],
                                    integralLoads: Bool, knee: (name: String, load: Double)? = nil) throws {
        var data = "# \(loadLabel) output_tps ttft_p50_ms ttft_p99_ms\n"
        for row in rows {
            data += [row.load, row.tokensPerSecond, row.ttftP50, row.ttftP99].map { CSVFormat.number($0, digits: 4) }
                .map { $0.isEmpty ? "NaN" : $0 }.joined(separator: " ") + "\n"
        }
        try data.write(toFile: directory + "/throughput.dat", atomically: true, encoding: .utf8)
        let loads = rows.map(\.load)
        let logScale = loads.count > 2 && (loads.min() ?? 0) > 0 && (loads.max() ?? 0) / (loads.min() ?? 1) >= 8
        // Without a TTFT anywhere (a run that did not stream) the TTFT lines are left out: gnuplot refuses to draw a
        // series with no defined point.
        let hasTTFT = rows.contains { $0.ttftP50.isFinite || $0.ttftP99.isFinite }
        let ttft = ", \\\n     '' using 1:3 with linespoints lw 2 pt 5 dt 2 title 'TTFT p50 (ms)' axes x1y2, \\\n"
            + "     '' using 1:4 with linespoints lw 2 pt 9 dt 3 title 'TTFT p99 (ms)' axes x1y2"
        let kneeMark = knee.map { knee in
            "set arrow 1 from \(CSVFormat.number(knee.load)), graph 0 to \(CSVFormat.number(knee.load)), graph 1 nohead dt 4 lw 1.5 lc rgb '#d73027'\n"
                + "set label 1 'knee: \(Self.quoted(knee.name))' at \(CSVFormat.number(knee.load)), graph 0.04 offset 0.6, 0 tc rgb '#d73027' noenhanced"
        } ?? ""
        try write("throughput.gp", values: ["TITLE": title, "XLABEL": loadLabel, "TTFT": hasTTFT ? ttft : "",
                                           "XSCALE": Self.loadAxis(loads, logScale: logScale, integral: integralLoads),
                                           "KNEE": kneeMark])
    }

    /// Writes `batch_size.gp` and `batch_size.dat` (load, mean, median and largest inferred batch size).
    public mutating func batchSize(title: String, loadLabel: String, rows: [(load: Double, mean: Double, median: Double, largest: Double)]) throws {
        var data = "# \(loadLabel) mean median largest\n"
        for row in rows {
            data += [row.load, row.mean, row.median, row.largest].map { CSVFormat.number($0, digits: 4) }
                .map { $0.isEmpty ? "NaN" : $0 }.joined(separator: " ") + "\n"
        }
        try data.write(toFile: directory + "/batch_size.dat", atomically: true, encoding: .utf8)
        let loads = rows.map(\.load)
        let logScale = loads.count > 2 && (loads.min() ?? 0) > 0 && (loads.max() ?? 0) / (loads.min() ?? 1) >= 8
        try write("batch_size.gp", values: ["TITLE": title, "XLABEL": loadLabel,
                                           "XSCALE": logScale ? "set logscale x 2" : "set xrange [0:*]"])
    }

    /// Writes `matrix_throughput.gp` and its data: per matrix cell, a block of (load, output tokens/s, TTFT p99) rows.
    public mutating func matrixThroughput(title: String, loadLabel: String,
                                          cells: [(cell: String, rows: [(load: Double, tokensPerSecond: Double, ttftP99: Double)])],
                                          integralLoads: Bool) throws {
        let data = cells.map { cell in
            "# \(cell.cell): \(loadLabel) output_tps ttft_p99_ms\n" + cell.rows.map { row in
                [row.load, row.tokensPerSecond, row.ttftP99].map { CSVFormat.number($0, digits: 4) }
                    .map { $0.isEmpty ? "NaN" : $0 }.joined(separator: " ") + "\n"
            }.joined()
        }.joined(separator: "\n\n")
        try data.write(toFile: directory + "/matrix_throughput.dat", atomically: true, encoding: .utf8)
        // As in `throughput`: no TTFT lines without a TTFT anywhere.
        let hasTTFT = cells.contains { $0.rows.contains { $0.ttftP99.isFinite } }
        let series = cells.enumerated().flatMap { index, cell in
            ["'matrix_throughput.dat' index \(index) using 1:2 with linespoints lw 2 pt 7 lc \(index + 1) title '\(cell.cell) tokens/s' axes x1y1",
             hasTTFT ? "'matrix_throughput.dat' index \(index) using 1:3 with linespoints lw 1 pt 5 dt 2 lc \(index + 1) title '\(cell.cell) TTFT p99' axes x1y2" : nil]
                .compactMap { $0 }
        }
        let loads = cells.flatMap { $0.rows.map(\.load) }
        let logScale = Set(loads).count > 2 && (loads.min() ?? 0) > 0 && (loads.max() ?? 0) / (loads.min() ?? 1) >= 8
        try write("matrix_throughput.gp", values: ["TITLE": title, "XLABEL": loadLabel, "SERIES": series.joined(separator: ", \\\n     "),
                                                   "XSCALE": Self.loadAxis(loads, logScale: logScale, integral: integralLoads)])
    }

    /// Writes `search.gp` and `search.dat` (load, the first objective's value, 1 when every objective was met).
    public mutating func search(title: String, loadLabel: String, slo: SLO, rows: [(load: Double, value: Double, met: Bool)]) throws {
        var data = "# \(loadLabel) value met_all\n"
        for row in rows {
            let value = CSVFormat.number(row.value, digits: 4)
            data += "\(CSVFormat.number(row.load, digits: 4)) \(value.isEmpty ? "NaN" : value) \(row.met ? 1 : 0)\n"
        }
        try data.write(toFile: directory + "/search.dat", atomically: true, encoding: .utf8)
        let unit = Metric(rawValue: slo.metric)?.unit.rawValue
        try write("search.gp", values: ["TITLE": title, "XLABEL": loadLabel,
                                        "YLABEL": slo.metric + (unit.map { " (\($0))" } ?? ""),
                                        "THRESHOLD": CSVFormat.number(slo.threshold), "SLO": "\(slo)"])
    }

    /// Writes `compare_ttft.gp`: the TTFT samples of several runs' levels (each run's requests.csv), overlaid.
    /// The key names each run by its dash pattern and each level by its colour (`runs` and `levels` in that order; a
    /// series' style says which it is), so it stays short however many lines there are.
    public mutating func compareTTFT(title: String, series: [SampleSeries], runs: [String], levels: [String],
                                     logRange: ClosedRange<Double>?) throws {
        let entries = runs.enumerated().map { index, run in
            "keyentry with lines lw 2 lc rgb '#333333' dt \(index + 1) title '\(Self.quoted(run))'"
        } + levels.enumerated().map { index, level in
            "keyentry with lines lw 2 lc \(index + 1) title '\(Self.quoted(level))'"
        }
        try sampleCDF("compare_ttft.gp", title: title, column: "ttft_ms", series: series, logRange: logRange, keyEntries: entries)
    }

    /// Writes `compare_throughput.gp` and its data: a block of (load, output tokens/s) rows per run.
    public mutating func compareThroughput(title: String, loadLabel: String, runs: [(label: String, rows: [(Double, Double)])],
                                           integralLoads: Bool) throws {
        let data = runs.map { run in
            "# \(run.label)\n" + run.rows.map { row in
                let value = CSVFormat.number(row.1, digits: 4)
                return "\(CSVFormat.number(row.0, digits: 4)) \(value.isEmpty ? "NaN" : value)\n"
            }.joined()
        }.joined(separator: "\n\n")
        try data.write(toFile: directory + "/compare_throughput.dat", atomically: true, encoding: .utf8)
        let series = runs.enumerated().map { index, run in
            "'compare_throughput.dat' index \(index) using 1:2 with linespoints lw 2 pt 7 title '\(Self.quoted(run.label))'"
        }
        let loads = runs.flatMap { $0.rows.map(\.0) }
        let logScale = (loads.min() ?? 0) > 0 && (loads.max() ?? 0) / (loads.min() ?? 1) >= 8
        try write("compare_throughput.gp", values: ["TITLE": title, "XLABEL": loadLabel, "SERIES": series.joined(separator: ", \\\n     "),
                                                    "XSCALE": Self.loadAxis(loads, logScale: logScale, integral: integralLoads)])
    }

    /// Writes `timeseries.gp` over the run's `timeseries.csv`, each level's start marked by a line and its name.
    public mutating func timeSeries(title: String, levelStarts: [(name: String, seconds: Double)]) throws {
        let marks = levelStarts.enumerated().map { index, level in
            let x = CSVFormat.number(level.seconds, digits: 3)
            return "set arrow \(index + 1) from \(x), graph 0 to \(x), graph 1 nohead dt 3 lw 1 lc rgb '#777777'\n"
                + "set label \(index + 1) '\(Self.quoted(level.name))' at \(x), graph 1 offset 0.4, -1 font ',9' tc rgb '#444444' noenhanced"
        }
        try write("timeseries.gp", values: ["TITLE": title, "LEVELS": marks.joined(separator: "\n")])
    }

    /// The load axis: ticks at the loads themselves when they are whole numbers (concurrency), a log-2 scale when
    /// they span 8x or more, and room either side so the end points are not on the frame.
    static func loadAxis(_ loads: [Double], logScale: Bool, integral: Bool) -> String {
        var lines = [logScale ? "set logscale x 2" : "unset logscale x"]
        let distinct = Set(loads.filter(\.isFinite)).sorted()
        if let low = distinct.first, let high = distinct.last {
            if logScale {
                lines.append("set xrange [\(CSVFormat.number(low / 1.25)):\(CSVFormat.number(high * 1.25))]")
            } else {
                let pad = max((high - low) * 0.05, integral ? 0.5 : 0)
                lines.append("set xrange [\(CSVFormat.number(max(low - pad, 0))):\(CSVFormat.number(high + pad))]")
            }
        }
        if integral && !distinct.isEmpty {
            lines.append("set xtics (" + distinct.map { CSVFormat.number($0.rounded()) }.joined(separator: ", ") + ")")
        }
        return lines.joined(separator: "\n")
    }

    private mutating func write(_ name: String, values: [String: String]) throws {
        var text = try PlotTemplates.text(named: name)
        for (key, value) in values { text = text.replacingOccurrences(of: "{{\(key)}}", with: value) }
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        scripts.append(name)
    }

    /// Runs gnuplot on every script. Returns the problems (empty when everything rendered).
    public func render() -> [String] {
        guard let gnuplot = Self.findGnuplot() else {
            return ["gnuplot is not installed, so the plot scripts in \(directory) were not rendered; install it "
                    + "(Debian/Ubuntu: sudo apt-get install gnuplot-nox) and run `gnuplot NAME.gp` in that folder"]
        }
        var problems: [String] = []
        // Every script's gnuplot starts at once (they are independent), then each is waited for in order: the plots
        // are drawn on every core, and the problems come in the scripts' order.
        var started: [(script: String, process: Process, errors: Pipe)] = []
        for script in scripts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: gnuplot)
            process.arguments = [script]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            do {
                try process.run()
                started.append((script, process, errors))
            } catch {
                problems.append("plots/\(script.dropLast(3)).png was not drawn: gnuplot could not be started (\(error))")
            }
        }
        for (script, process, errors) in started {
            let name = String(script.dropLast(3))
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // gnuplot opens the image before it draws: a failed script leaves an empty PNG, which is removed
            // rather than embedded in the report; its message's last line says why, in one line.
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name).png"))?[.size] as? NSNumber
            if process.terminationStatus != 0 || (size?.intValue ?? 0) == 0 {
                for image in ["png", "svg"] { try? FileManager.default.removeItem(atPath: "\(directory)/\(name).\(image)") }
                let reason = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .last { !$0.isEmpty } ?? "no image written"
                problems.append("plots/\(name).png was not drawn (gnuplot: \(reason)); \(script) and its data are in plots/")
            }
        }
        return problems
    }

    public static func findGnuplot() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/gnuplot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
