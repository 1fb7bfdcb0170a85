/// The transport thread's reading of a chat chunk without Foundation: the UTF-8 lengths of the generated text and the
/// finish reason, straight from the event's bytes. It reads every member `ChatChunk` declares with the same types
/// `JSONDecoder` would demand and declines (nil) whatever it is not sure of: invalid or lenient JSON, a usage or error
/// object, escaped keys, duplicate members, numbers that are not plain integers. The caller then decodes the event with
/// `JSONDecoder`, so the two paths never disagree.
struct ChatFastChunk: Equatable {
    var answerBytes = 0
    var reasoningBytes = 0
    var toolBytes = 0
    /// The last choice's non-null `finish_reason`.
    var finishReason: String?

    static func read(_ data: UnsafeRawBufferPointer) -> ChatFastChunk? {
        var scanner = JSONScanner(data)
        var chunk = ChatFastChunk()
        var seen: UInt8 = 0
        let valid = scanner.members { scanner, key in
            if scanner.equals(key, "choices") {
                guard claim(0, in: &seen) else { return false }
                if scanner.null() { return true }
                return scanner.elements(depth: 2) { scanner in readChoice(&scanner, into: &chunk) }
            }
            // Usage and errors are rare (one per stream at most): JSONDecoder reads them.
            if scanner.equals(key, "usage") {
                guard claim(1, in: &seen) else { return false }
                return scanner.null()
            }
            if scanner.equals(key, "error") {
                guard claim(2, in: &seen) else { return false }
                return scanner.null()
            }
            // llama.cpp's timings come once, on the last chunk.
            if scanner.equals(key, "timings") {
                guard claim(3, in: &seen) else { return false }
                return scanner.null()
            }
            return scanner.skipValue(depth: 1)
        }
        guard valid, scanner.atEnd() else { return nil }
        return chunk
    }

    /// Marks member `bit` as seen; false when it was already (a duplicate key, whose reading Foundation decides).
    @inline(__always)
    static func claim(_ bit: UInt8, in seen: inout UInt8) -> Bool {
        let mask: UInt8 = 1 << bit
        guard seen & mask == 0 else { return false }
        seen |= mask
        return true
    }

    /// Text lengths of one delta (or whole message).
    private struct DeltaBytes {
        var present = false
        var answer = 0
        var reasoning = 0
        var tool = 0
    }

    private static func readChoice(_ scanner: inout JSONScanner, into chunk: inout ChatFastChunk) -> Bool {
        var seen: UInt8 = 0
        var delta = DeltaBytes()
        var message = DeltaBytes()
        var finish: JSONScanner.StringToken?
        let valid = scanner.members(depth: 3) { scanner, key in
            if scanner.equals(key, "index") {
                return claim(0, in: &seen) && scanner.optionalInteger() != nil
            }
            if scanner.equals(key, "delta") {
                return claim(1, in: &seen) && readDelta(&scanner, into: &delta)
            }
            if scanner.equals(key, "message") {
                return claim(2, in: &seen) && readDelta(&scanner, into: &message)
            }
            if scanner.equals(key, "finish_reason") {
                guard claim(3, in: &seen), let token = scanner.optionalString() else { return false }
                finish = token
                return true
            }
            return scanner.skipValue(depth: 3)
        }
        guard valid else { return false }
        let used = delta.present ? delta : message
        chunk.answerBytes += used.answer
        chunk.reasoningBytes += used.reasoning
        chunk.toolBytes += used.tool
        if let finish {
            guard !finish.escaped else { return false }
            chunk.finishReason = scanner.text(finish)
        }
        return true
    }

    private static func readDelta(_ scanner: inout JSONScanner, into bytes: inout DeltaBytes) -> Bool {
        if scanner.null() { return true }
        bytes.present = true
        var seen: UInt8 = 0
        return scanner.members(depth: 4) { scanner, key in
            if scanner.equals(key, "content") {
                guard claim(0, in: &seen), let token = scanner.optionalString() else { return false }
                bytes.answer += token?.utf8Count ?? 0
                return true
            }
            if scanner.equals(key, "reasoning") {
                guard claim(1, in: &seen), let token = scanner.optionalString() else { return false }
                bytes.reasoning += token?.utf8Count ?? 0
                return true
            }
            if scanner.equals(key, "reasoning_content") {
                guard claim(2, in: &seen), let token = scanner.optionalString() else { return false }
                bytes.reasoning += token?.utf8Count ?? 0
                return true
            }
            if scanner.equals(key, "tool_calls") {
                guard claim(3, in: &seen) else { return false }
                if scanner.null() { return true }
                return scanner.elements(depth: 5) { scanner in readToolCall(&scanner, into: &bytes.tool) }
            }
            return scanner.skipValue(depth: 4)
        }
    }

    private static func readToolCall(_ scanner: inout JSONScanner, into tool: inout Int) -> Bool {
        var seen: UInt8 = 0
        return scanner.members(depth: 6) { scanner, key in
            if scanner.equals(key, "index") {
                return claim(0, in: &seen) && scanner.optionalInteger() != nil
            }
            if scanner.equals(key, "id") {
                return claim(1, in: &seen) && scanner.optionalString() != nil
            }
            if scanner.equals(key, "function") {
                guard claim(2, in: &seen) else { return false }
                if scanner.null() { return true }
                var functionSeen: UInt8 = 0
                return scanner.members(depth: 7) { scanner, key in
                    if scanner.equals(key, "name") || scanner.equals(key, "arguments") {
                        let bit: UInt8 = scanner.equals(key, "name") ? 0 : 1
                        guard claim(bit, in: &functionSeen), let token = scanner.optionalString() else { return false }
                        tool += token?.utf8Count ?? 0
                        return true
                    }
                    return scanner.skipValue(depth: 7)
                }
            }
            return scanner.skipValue(depth: 6)
        }
    }
}
