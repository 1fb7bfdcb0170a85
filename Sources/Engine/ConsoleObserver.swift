import Foundation

/// Where a run talks to the person running it. Progress goes to standard error: on a terminal one line redrawn at
/// most 4 times a second, elsewhere (CI, a pipe) a plain line every few seconds. With `--json` standard output
/// carries only the final summary, so every message goes to standard error too.
public struct Console: RunObserver {
    public enum Mode: Sendable {
        case quiet
        case normal
    }

    let mode: Mode
    let json: Bool
    let terminal: Bool

    public init(quiet: Bool, json: Bool = false, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.mode = quiet ? .quiet : .normal
        self.json = json
        self.terminal = terminal
    }

    public static let silent = Console(quiet: true)

    /// How often progress is shown.
    public var progressInterval: Duration? { mode == .quiet ? nil : terminal ? .milliseconds(250) : .seconds(5) }

    public func say(_ line: String) {
        guard mode == .normal else { return }
        write(line + "\n", toStandardError: json)
    }

    /// The terminal's width, read at each redraw so a resized window is followed; none off a terminal.
    public var progressWidth: Int? {
        guard terminal else { return nil }
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 80
    }

    /// A progress line: redrawn in place on a terminal (and ended with a line break when `final`), appended otherwise.
    public func progress(_ line: String, final: Bool) {
        guard mode == .normal else { return }
        if terminal {
            write("\r\u{1B}[2K" + line + (final ? "\n" : ""), toStandardError: true)
        } else {
            write(line + "\n", toStandardError: true)
        }
    }

    private func write(_ text: String, toStandardError: Bool) {
        (toStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
    }
}
