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
/// Buffers are reused between events, so steady-state parsing allocates nothing.
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
        let count = bytes.count
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
        var lineStart = index
        while index < count {
            let byte = bytes[index]
            if byte != Self.lf && byte != Self.cr {
                index += 1
                continue
            }
            let piece = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<index])
            if line.isEmpty {
                try process(line: piece, onEvent)
            } else {
                line.append(contentsOf: piece)
                try checkSize()
                var carried: [UInt8] = []
                swap(&carried, &line)
                try carried.withUnsafeBytes { try process(line: $0, onEvent) }
                carried.removeAll(keepingCapacity: true)
                swap(&carried, &line)
            }
            if byte == Self.cr {
                if index + 1 < count {
                    if bytes[index + 1] == Self.lf { index += 1 }
                } else {
                    afterCR = true
                }
            }
            index += 1
            lineStart = index
        }
        if lineStart < count {
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<count]))
            try checkSize()
        }
    }

    private func checkSize() throws {
        if line.count + data.count > maxEventSize { throw SSEError.eventTooLarge(limit: maxEventSize) }
    }

    private mutating func process(line: UnsafeRawBufferPointer, _ onEvent: (SSEEvent) throws -> Void) throws {
        if line.isEmpty {
            try dispatch(onEvent)
            return
        }
        if line[0] == Self.colon {
            commentCount += 1
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
