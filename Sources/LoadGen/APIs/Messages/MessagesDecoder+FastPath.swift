/// The transport thread's reading of a Messages event without Foundation: `content_block_delta` (its delta's type and
/// the UTF-8 length of its text, thinking or partial JSON), `content_block_stop`, `ping` and `message_stop`. Every
/// other event (they carry usage, a block, a message or an error) and anything it is not sure of is declined (nil)
/// and read by `JSONDecoder`. `MessagesEvent` is decoded strictly, so every member it declares must have its type.
struct MessagesFastEvent: Equatable {
    enum Kind: Equatable {
        case answer, reasoning, tool
        /// A delta without tokens (a signature) or an event without anything a record needs.
        case nothing
        case stop
    }

    var kind: Kind
    var bytes: Int

    static func read(_ data: UnsafeRawBufferPointer) -> MessagesFastEvent? {
        var scanner = JSONScanner(data)
        var seen: UInt8 = 0
        var type: JSONScanner.StringToken?
        var delta: Delta?
        let valid = scanner.members { scanner, key in
            if scanner.equals(key, "type") {
                guard ChatFastChunk.claim(0, in: &seen), let token = scanner.optionalString() else { return false }
                type = token
                return true
            }
            if scanner.equals(key, "index") {
                return ChatFastChunk.claim(1, in: &seen) && scanner.optionalInteger() != nil
            }
            if scanner.equals(key, "delta") {
                guard ChatFastChunk.claim(2, in: &seen) else { return false }
                if scanner.null() { return true }
                guard let read = Delta.read(&scanner) else { return false }
                delta = read
                return true
            }
            if scanner.equals(key, "message") || scanner.equals(key, "content_block") || scanner.equals(key, "usage")
                || scanner.equals(key, "error") || scanner.equals(key, "timings") {
                return scanner.null()
            }
            return scanner.skipValue(depth: 1)
        }
        guard valid, scanner.atEnd(), let type, !type.escaped else { return nil }
        if scanner.equals(type, "content_block_delta") {
            guard let delta else { return MessagesFastEvent(kind: .nothing, bytes: 0) }
            guard let deltaType = delta.type, !deltaType.escaped else {
                return delta.type == nil ? MessagesFastEvent(kind: .nothing, bytes: 0) : nil
            }
            if scanner.equals(deltaType, "text_delta") { return MessagesFastEvent(kind: .answer, bytes: delta.text) }
            if scanner.equals(deltaType, "thinking_delta") { return MessagesFastEvent(kind: .reasoning, bytes: delta.thinking) }
            if scanner.equals(deltaType, "input_json_delta") { return MessagesFastEvent(kind: .tool, bytes: delta.partialJSON) }
            return MessagesFastEvent(kind: .nothing, bytes: 0)
        }
        if scanner.equals(type, "message_stop") { return MessagesFastEvent(kind: .stop, bytes: 0) }
        if scanner.equals(type, "content_block_stop") || scanner.equals(type, "ping") {
            return MessagesFastEvent(kind: .nothing, bytes: 0)
        }
        return nil
    }

    /// A delta's type and the UTF-8 lengths of its text members (0 when absent or null).
    private struct Delta {
        var type: JSONScanner.StringToken?
        var text = 0
        var thinking = 0
        var partialJSON = 0

        static func read(_ scanner: inout JSONScanner) -> Delta? {
            var delta = Delta()
            var seen: UInt8 = 0
            let valid = scanner.members(depth: 2) { scanner, key in
                let bit: UInt8
                if scanner.equals(key, "type") { bit = 0 }
                else if scanner.equals(key, "text") { bit = 1 }
                else if scanner.equals(key, "thinking") { bit = 2 }
                else if scanner.equals(key, "partial_json") { bit = 3 }
                else if scanner.equals(key, "signature") { bit = 4 }
                else if scanner.equals(key, "stop_reason") { bit = 5 }
                else { return scanner.skipValue(depth: 2) }
                guard ChatFastChunk.claim(bit, in: &seen), let token = scanner.optionalString() else { return false }
                switch bit {
                case 0: delta.type = token
                case 1: delta.text = token?.utf8Count ?? 0
                case 2: delta.thinking = token?.utf8Count ?? 0
                case 3: delta.partialJSON = token?.utf8Count ?? 0
                default: break
                }
                return true
            }
            return valid ? delta : nil
        }
    }
}
