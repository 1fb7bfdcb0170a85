import Foundation

/// Appends whole rows to a file, flushing at most every `interval` or when the buffer grows, so an interrupted
/// run leaves complete rows on disk.
public final class IncrementalWriter {
    public let path: String
    private let handle: FileHandle
    private var buffer = ""
    private var lastFlush = Date()
    private let interval: TimeInterval
    private static let bufferLimit = 64 << 10

    /// File-system errors are `OutputError`s naming the file.
    public init(path: String, header: String, interval: TimeInterval = 0.25) throws {
        self.path = path
        self.interval = interval
        handle = try OutputError.during("create", path) {
            try Data(header.utf8).write(to: URL(fileURLWithPath: path))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            return handle
        }
    }

    public func append(_ rows: String) throws {
        buffer += rows
        if buffer.utf8.count >= Self.bufferLimit || Date().timeIntervalSince(lastFlush) >= interval { try flush() }
    }

    public func flush() throws {
        lastFlush = Date()
        guard !buffer.isEmpty else { return }
        try OutputError.during("write", path) { try handle.write(contentsOf: Data(buffer.utf8)) }
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        try OutputError.during("write", path) { try handle.close() }
    }
}
