/// The transport thread's reading of a text completion chunk without Foundation: the UTF-8 length of the choices'
/// `text` and the finish reason, straight from the event's bytes. Like `ChatFastChunk` it reads every member
/// `CompletionChunk` declares with the types `JSONDecoder` would demand, and declines (nil) whatever it is not sure
/// of: invalid or lenient JSON, a usage or error object, a chat-shaped choice (`delta`, `message`), escaped keys,
/// duplicate members, numbers that are not plain integers. The caller then decodes the event with `JSONDecoder`, so
/// the two paths never disagree.
struct CompletionsFastChunk: Equatable {
    var textBytes = 0
    /// The last choice's non-null `finish_reason`.
    var finishReason: String?

    static func read(_ data: UnsafeRawBufferPointer) -> CompletionsFastChunk? {
        var scanner = JSONScanner(data)
        var chunk = CompletionsFastChunk()
        var seen: UInt8 = 0
        let valid = scanner.members { scanner, key in
            if scanner.equals(key, "choices") {
                guard ChatFastChunk.claim(0, in: &seen) else { return false }
                if scanner.null() { return true }
                return scanner.elements(depth: 2) { scanner in readChoice(&scanner, into: &chunk) }
            }
            // Usage and errors are rare (one per stream at most): JSONDecoder reads them.
            if scanner.equals(key, "usage") {
                guard ChatFastChunk.claim(1, in: &seen) else { return false }
                return scanner.null()
            }
            if scanner.equals(key, "error") {
                guard ChatFastChunk.claim(2, in: &seen) else { return false }
                return scanner.null()
            }
            if scanner.equals(key, "timings") {
                guard ChatFastChunk.claim(3, in: &seen) else { return false }
                return scanner.null()
            }
            return scanner.skipValue(depth: 1)
        }
        guard valid, scanner.atEnd() else { return nil }
        return chunk
    }

    private static func readChoice(_ scanner: inout JSONScanner, into chunk: inout CompletionsFastChunk) -> Bool {
        var seen: UInt8 = 0
        var text = 0
        var finish: JSONScanner.StringToken?
        let valid = scanner.members(depth: 3) { scanner, key in
            if scanner.equals(key, "index") {
                return ChatFastChunk.claim(0, in: &seen) && scanner.optionalInteger() != nil
            }
            if scanner.equals(key, "text") {
                guard ChatFastChunk.claim(1, in: &seen), let token = scanner.optionalString() else { return false }
                text += token?.utf8Count ?? 0
                return true
            }
            if scanner.equals(key, "finish_reason") {
                guard ChatFastChunk.claim(2, in: &seen), let token = scanner.optionalString() else { return false }
                finish = token
                return true
            }
            // A chat-shaped choice: JSONDecoder reads it.
            if scanner.equals(key, "delta") || scanner.equals(key, "message") { return false }
            return scanner.skipValue(depth: 3)
        }
        guard valid else { return false }
        chunk.textBytes += text
        if let finish {
            guard !finish.escaped else { return false }
            chunk.finishReason = scanner.text(finish)
        }
        return true
    }
}
