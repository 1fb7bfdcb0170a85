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

    /// Writes `ttft_cdf.gp` from the TTFT percentile files of each level (paths relative to the plots folder).
    public mutating func ttftCDF(title: String, series: [(label: String, dataFile: String)]) throws {
        let lines = series.map { "'\($0.dataFile)' every ::1 using 1:($2*100) with steps lw 2 title '\($0.label)'" }
        try write("ttft_cdf.gp", values: ["TITLE": title, "SERIES": lines.joined(separator: ", \\\n     ")])
    }

    /// Writes `ttft_percentiles.gp`: the same files on HdrHistogram's log 1/(1-p) axis.
    public mutating func ttftPercentiles(title: String, series: [(label: String, dataFile: String)], largestCount: Int) throws {
        let lines = series.map { "'\($0.dataFile)' every ::1 using 4:1 with lines lw 2 title '\($0.label)'" }
        // The axis reaches the percentile the largest level can resolve (1/(1-p) up to its count), at least 99.9%.
        let reach = max(1000, pow(10, ceil(log10(Double(max(largestCount, 1))))))
        try write("ttft_percentiles.gp", values: ["TITLE": title, "SERIES": lines.joined(separator: ", \\\n     "),
                                                  "XMAX": CSVFormat.number(reach)])
    }

    /// Writes `decode_rate.gp` from the decode-rate percentile files of each level.
    public mutating func decodeRate(title: String, series: [(label: String, dataFile: String)]) throws {
        let lines = series.map { "'\($0.dataFile)' every ::1 using 1:($2*100) with steps lw 2 title '\($0.label)'" }
        try write("decode_rate.gp", values: ["TITLE": title, "SERIES": lines.joined(separator: ", \\\n     ")])
    }

    /// Writes `tokens_per_chunk.gp` and its data: how many chunks carried each token count, a column per level.
    public mutating func tokensPerChunk(title: String, levels: [String], counts: [[Int: Int]]) throws {
        let largest = counts.flatMap(\.keys).max() ?? 1
        var data = "tokens " + levels.joined(separator: " ") + "\n"
        for tokens in 1...max(largest, 1) {
            data += "\(tokens) " + counts.map { String($0[tokens] ?? 0) }.joined(separator: " ") + "\n"
        }
        try data.write(toFile: directory + "/tokens_per_chunk.dat", atomically: true, encoding: .utf8)
        try write("tokens_per_chunk.gp", values: ["TITLE": title, "LASTCOLUMN": String(levels.count + 1)])
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
    public mutating func throughput(title: String, loadLabel: String, rows: [(load: Double, tokensPerSecond: Double, ttftP50: Double, ttftP99: Double)]) throws {
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
        try write("throughput.gp", values: ["TITLE": title, "XLABEL": loadLabel, "TTFT": hasTTFT ? ttft : "",
                                           "XSCALE": logScale ? "set logscale x 2" : "set xrange [0:*]"])
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
                                          cells: [(cell: String, rows: [(load: Double, tokensPerSecond: Double, ttftP99: Double)])]) throws {
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
                                                   "XSCALE": logScale ? "set logscale x 2" : "set xrange [0:*]"])
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

    /// Writes `compare_ttft.gp`: TTFT distributions of several runs (paths to their HDR files), overlaid.
    public mutating func compareTTFT(title: String, series: [(label: String, dataFile: String)]) throws {
        let lines = series.map { "'\($0.dataFile)' every ::1 using 1:($2*100) with steps lw 2 title '\($0.label)'" }
        try write("compare_ttft.gp", values: ["TITLE": title, "SERIES": lines.joined(separator: ", \\\n     ")])
    }

    /// Writes `compare_throughput.gp` and its data: a block of (load, output tokens/s) rows per run.
    public mutating func compareThroughput(title: String, loadLabel: String, runs: [(label: String, rows: [(Double, Double)])]) throws {
        let data = runs.map { run in
            "# \(run.label)\n" + run.rows.map { row in
                let value = CSVFormat.number(row.1, digits: 4)
                return "\(CSVFormat.number(row.0, digits: 4)) \(value.isEmpty ? "NaN" : value)\n"
            }.joined()
        }.joined(separator: "\n\n")
        try data.write(toFile: directory + "/compare_throughput.dat", atomically: true, encoding: .utf8)
        let series = runs.enumerated().map { index, run in
            "'compare_throughput.dat' index \(index) using 1:2 with linespoints lw 2 pt 7 title '\(run.label.replacingOccurrences(of: "'", with: ""))'"
        }
        let loads = runs.flatMap { $0.rows.map(\.0) }
        let logScale = (loads.min() ?? 0) > 0 && (loads.max() ?? 0) / (loads.min() ?? 1) >= 8
        try write("compare_throughput.gp", values: ["TITLE": title, "XLABEL": loadLabel, "SERIES": series.joined(separator: ", \\\n     "),
                                                    "XSCALE": logScale ? "set logscale x 2" : "set xrange [0:*]"])
    }

    /// Writes `timeseries.gp` over the run's `timeseries.csv`.
    public mutating func timeSeries(title: String) throws {
        try write("timeseries.gp", values: ["TITLE": title])
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
        for script in scripts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: gnuplot)
            process.arguments = [script]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            let name = String(script.dropLast(3))
            do {
                try process.run()
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
            } catch {
                problems.append("plots/\(name).png was not drawn: gnuplot could not be started (\(error))")
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
