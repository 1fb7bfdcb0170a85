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
        try write("throughput.gp", values: ["TITLE": title, "XLABEL": loadLabel,
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
            do {
                try process.run()
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                if process.terminationStatus != 0 {
                    problems.append("gnuplot failed on \(directory)/\(script): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
            } catch {
                problems.append("could not run gnuplot on \(script): \(error)")
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
