#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One dispatched Server-Sent Event. Its buffers are views into the parser and valid only during the handler call.
public struct SSEEvent {
    /// The `event:` field; empty means the default type, `message`.
    public let type: UnsafeRawBufferPointer
    /// The joined `data:` lines without the final line feed.
    public let data: UnsafeRawBufferPointer

    public init(type: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) {
        self.type = type
        self.data = data
    }

    /// True when the event type equals `name` (ASCII, exact).
    public func typeIs(_ name: StaticString) -> Bool {
        guard type.count == name.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return type.elementsEqual(expected)
    }

    /// True when the data equals `text` exactly (for `[DONE]`).
    public func dataIs(_ text: StaticString) -> Bool {
        guard data.count == text.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return data.elementsEqual(expected)
    }
}

public enum SSEError: Error, Equatable, CustomStringConvertible {
    /// An event (or one line) grew past the parser's limit without ending.
    case eventTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .eventTooLarge(let limit):
            return "server-sent event larger than \(limit) bytes without ending; the transfer was stopped to bound memory"
        }
    }
}

/// Incremental Server-Sent-Events parser following the HTML standard's event-stream rules: bytes in, events out.
///
/// Chunks may split the stream anywhere, also inside a line terminator or a UTF-8 sequence: the parser works on
/// bytes and never decodes text. Fields: `data` (repeats join with LF), `event`, `id`, `retry`; lines starting
/// with `:` are comments. Lines end in LF, CRLF or CR; a blank line dispatches. A leading UTF-8 BOM is dropped.
/// Buffers are reused between events, so steady-state parsing allocates nothing; line ends are found with `memchr`,
/// and an event that is one `data:` line whole in the bytes fed is handed over in place, without a copy.
public struct SSEParser {
    public let maxEventSize: Int
    /// The last `id:` seen (bytes; empty if none).
    public private(set) var lastEventID: [UInt8] = []
    /// The last valid `retry:` in milliseconds.
    public private(set) var retryMilliseconds: Int?
    /// Comment lines seen (servers send them as keep-alives).
    public private(set) var commentCount = 0

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var eventType: [UInt8] = []
    private var afterCR = false
    private var bomMatched = 0
    private var bomDecided = false

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    public init(maxEventSize: Int = 1 << 20) {
        self.maxEventSize = maxEventSize
        line.reserveCapacity(256)
        data.reserveCapacity(1024)
    }

    /// True when bytes of an unfinished event are buffered (the stream ended mid-event if it closes now).
    public var hasPartialEvent: Bool { !line.isEmpty || !data.isEmpty }

    /// Feeds bytes; calls `onEvent` for each event completed by them.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ onEvent: (SSEEvent) throws -> Void) throws {
        try feed(bytes, onComment: { _ in }, onEvent)
    }

    /// Feeds bytes; calls `onComment` with the text after the colon of each comment line and `onEvent` for each
    /// event completed by them.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, onComment: (UnsafeRawBufferPointer) -> Void,
                              _ onEvent: (SSEEvent) throws -> Void) throws {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return }
        var index = 0
        if !bomDecided {
            while index < count && bomMatched < 3 {
                if bytes[index] == Self.bom[bomMatched] {
                    bomMatched += 1
                    index += 1
                } else {
                    // Not a BOM after all: the bytes taken for one are the start of the first line.
                    line.append(contentsOf: Self.bom[0..<bomMatched])
                    bomMatched = 3
                }
            }
            if bomMatched < 3 { return }
            bomDecided = true
        }
        if afterCR && index < count {
            if bytes[index] == Self.lf { index += 1 }
            afterCR = false
        }
        // Servers end lines with LF: when these bytes hold no CR, memchr finds each line end at memory speed.
        let lineFeedsOnly = index >= count || memchr(base + index, Int32(Self.cr), count - index) == nil
        var lineStart = index
        while index < count {
            var end: Int
            if lineFeedsOnly {
                guard let found = memchr(base + index, Int32(Self.lf), count - index) else { break }
                end = base.distance(to: UnsafeRawPointer(found))
            } else {
                end = index
                while end < count && bytes[end] != Self.lf && bytes[end] != Self.cr { end += 1 }
                if end == count { break }
            }
            let byte = bytes[end]
            let piece = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<end])
            if line.isEmpty {
                // The usual event, `data: ...` and a blank line, whole in these bytes: dispatched in place, uncopied.
                if byte == Self.lf, data.isEmpty, end + 1 < count, bytes[end + 1] == Self.lf,
                   let value = Self.dataValue(piece) {
                    guard value.count < maxEventSize else { throw SSEError.eventTooLarge(limit: maxEventSize) }
                    defer { eventType.removeAll(keepingCapacity: true) }
                    try eventType.withUnsafeBytes { typeBytes in try onEvent(SSEEvent(type: typeBytes, data: value)) }
                    index = end + 2
                    lineStart = index
                    continue
                }
                try process(line: piece, onComment, onEvent)
            } else {
                line.append(contentsOf: piece)
                try checkSize()
                var carried: [UInt8] = []
                swap(&carried, &line)
                try carried.withUnsafeBytes { try process(line: $0, onComment, onEvent) }
                carried.removeAll(keepingCapacity: true)
                swap(&carried, &line)
            }
            if byte == Self.cr {
                if end + 1 < count {
                    if bytes[end + 1] == Self.lf { end += 1 }
                } else {
                    afterCR = true
                }
            }
            index = end + 1
            lineStart = index
        }
        if lineStart < count {
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<count]))
            try checkSize()
        }
    }

    /// The value of a `data` line (`data:` then an optional space), or nil for any other line.
    @inline(__always)
    private static func dataValue(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard line.count >= 5, line[0] == 0x64, line[1] == 0x61, line[2] == 0x74, line[3] == 0x61,
              line[4] == colon else { return nil }
        let start = line.count > 5 && line[5] == space ? 6 : 5
        return UnsafeRawBufferPointer(rebasing: line[start...])
    }

    private func checkSize() throws {
        if line.count + data.count > maxEventSize { throw SSEError.eventTooLarge(limit: maxEventSize) }
    }

    private mutating func process(line: UnsafeRawBufferPointer, _ onComment: (UnsafeRawBufferPointer) -> Void,
                                  _ onEvent: (SSEEvent) throws -> Void) throws {
        if line.isEmpty {
            try dispatch(onEvent)
            return
        }
        if line[0] == Self.colon {
            commentCount += 1
            onComment(UnsafeRawBufferPointer(rebasing: line[1...]))
            return
        }
        var fieldEnd = line.count
        var valueStart = line.count
        if let colon = line.firstIndex(of: Self.colon) {
            fieldEnd = colon
            valueStart = colon + 1
            if valueStart < line.count && line[valueStart] == Self.space { valueStart += 1 }
        }
        let field = UnsafeRawBufferPointer(rebasing: line[0..<fieldEnd])
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<line.count])
        switch field.count {
        case 4 where field.elementsEqual("data".utf8):
            data.append(contentsOf: value)
            data.append(Self.lf)
            if data.count > maxEventSize { throw SSEError.eventTooLarge(limit: maxEventSize) }
        case 5 where field.elementsEqual("event".utf8):
            eventType.removeAll(keepingCapacity: true)
            eventType.append(contentsOf: value)
        case 2 where field.elementsEqual("id".utf8):
            if !value.contains(0) {
                lastEventID.removeAll(keepingCapacity: true)
                lastEventID.append(contentsOf: value)
            }
        case 5 where field.elementsEqual("retry".utf8):
            if !value.isEmpty && value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                retryMilliseconds = value.reduce(0) { $0 &* 10 &+ Int($1 - 0x30) }
            }
        default:
            break
        }
    }

    private mutating func dispatch(_ onEvent: (SSEEvent) throws -> Void) throws {
        if data.isEmpty {
            eventType.removeAll(keepingCapacity: true)
            return
        }
        data.removeLast()
        defer {
            data.removeAll(keepingCapacity: true)
            eventType.removeAll(keepingCapacity: true)
        }
        try data.withUnsafeBytes { dataBytes in
            try eventType.withUnsafeBytes { typeBytes in
                try onEvent(SSEEvent(type: typeBytes, data: dataBytes))
            }
        }
    }
}
