/// The transport thread's reading of a Responses event without Foundation: its type and the UTF-8 length of its
/// `delta`. It takes the text deltas (answer, reasoning, tool arguments) and the events that carry nothing a record
/// needs (`content_part.added`, `output_text.done`, ...); it declines (nil) the events that end the stream, carry an
/// item or an error, and anything it is not sure of, which `JSONDecoder` then reads. `ResponsesEvent` reads every
/// member but `type` leniently (`try?`), so only `type` must have its declared type here.
struct ResponsesFastEvent: Equatable {
    enum Kind: Equatable {
        case answer, reasoning, tool
        /// An event without tokens, usage, items or errors.
        case nothing
    }

    var kind: Kind
    var deltaBytes: Int

    static func read(_ data: UnsafeRawBufferPointer) -> ResponsesFastEvent? {
        var scanner = JSONScanner(data)
        var seen: UInt8 = 0
        var type: JSONScanner.StringToken?
        var delta: JSONScanner.StringToken?
        let valid = scanner.members { scanner, key in
            if scanner.equals(key, "type") {
                guard ChatFastChunk.claim(0, in: &seen), let token = scanner.optionalString() else { return false }
                type = token
                return true
            }
            if scanner.equals(key, "delta") {
                // A non-string delta reads as none through `try?`; declined rather than mirrored.
                guard ChatFastChunk.claim(1, in: &seen), let token = scanner.optionalString() else { return false }
                delta = token
                return true
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
        // Without a type in the data the `event:` line decides: left to the full decoder.
        guard valid, scanner.atEnd(), let type, !type.escaped else { return nil }
        let kind: Kind
        if scanner.equals(type, "response.output_text.delta") || scanner.equals(type, "response.refusal.delta") {
            kind = .answer
        } else if scanner.equals(type, "response.reasoning_text.delta")
                    || scanner.equals(type, "response.reasoning_summary_text.delta")
                    || scanner.equals(type, "response.reasoning.delta") {
            kind = .reasoning
        } else if scanner.equals(type, "response.function_call_arguments.delta") {
            kind = .tool
        } else if scanner.equals(type, "response.output_item.added") || scanner.equals(type, "response.output_item.done")
                    || scanner.equals(type, "response.completed") || scanner.equals(type, "response.incomplete")
                    || scanner.equals(type, "response.failed") || scanner.equals(type, "error") {
            return nil
        } else {
            kind = .nothing
        }
        return ResponsesFastEvent(kind: kind, deltaBytes: delta?.utf8Count ?? 0)
    }
}
