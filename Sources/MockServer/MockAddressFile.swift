import Foundation

/// How a mock on `--port 0` tells other processes where it listens: its base URL and a newline
/// (`http://127.0.0.1:PORT/v1\n`) in a file, written atomically once the port is bound. `sambabench mock
/// --address-file PATH` and `sambabench-mock-faults --address-file PATH` write it; scripts wait for it with
/// `scripts/lib/mock-address.sh`, Swift callers with `MockAddressFile.wait`.
public enum MockAddressFile {
    /// Writes `baseURL` and a newline to `path` as a temporary file renamed over it, so a reader that finds the file
    /// finds the whole address.
    public static func write(_ baseURL: String, to path: String) throws {
        try Data((baseURL + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public enum WaitError: Error, CustomStringConvertible, Equatable {
        case timedOut(path: String, seconds: Double)
        case exited(path: String)

        public var description: String {
            switch self {
            case .timedOut(let path, let seconds):
                "the mock wrote no address to \(path) within \(seconds)s"
            case .exited(let path):
                "the mock exited before writing its address to \(path)"
            }
        }
    }

    /// Waits until `path` holds an address, and returns it (without the newline). Fails after `timeout`, or as soon
    /// as `isRunning` says the mock's process ended without writing it.
    public static func wait(at path: String, timeout: Duration = .seconds(30),
                            isRunning: () -> Bool = { true }) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard isRunning() else { throw WaitError.exited(path: path) }
            guard clock.now < deadline else {
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                throw WaitError.timedOut(path: path, seconds: seconds)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension MockServer {
    /// Publishes this server's bound address to `path` (see `MockAddressFile`).
    public func writeAddress(to path: String) throws {
        try MockAddressFile.write(baseURL, to: path)
    }
}
