import Tokenizer

/// The raw events of one stream: each event's type and data bytes, back to back in one buffer, and whether it
/// added a chunk. Filled on the transport thread with two appends per event; read once the record is built.
public struct KeptEvents: Sendable {
    var bytes: [UInt8] = []
    /// Per event: where its type ends and its data ends in `bytes`, and whether it added a chunk.
    var events: [(typeEnd: Int, dataEnd: Int, addedChunk: Bool)] = []
}

/// Wraps an API's decoder when the scenario has a tokenizer: decodes as the API's decoder does, and keeps each
/// event's bytes so `RecordBuilder` can tokenize the stream's text once, off the transport thread, and give each
/// token to the chunk whose bytes completed it.
public struct TextKeepingDecoder: StreamDecoder {
    public let inner: any StreamDecoder
    public let tokenizer: Tokenizer

    public init(_ inner: any StreamDecoder, tokenizer: Tokenizer) {
        self.inner = inner
        self.tokenizer = tokenizer
    }

    public func decode(event: SSEEvent, arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        let before = accumulator.chunks.count
        inner.decode(event: event, arrivalNs: arrivalNs, into: &accumulator)
        if accumulator.keptEvents == nil { accumulator.keptEvents = KeptEvents() }
        accumulator.keptEvents!.bytes.append(contentsOf: event.type)
        let typeEnd = accumulator.keptEvents!.bytes.count
        accumulator.keptEvents!.bytes.append(contentsOf: event.data)
        accumulator.keptEvents!.events.append((typeEnd, accumulator.keptEvents!.bytes.count, accumulator.chunks.count > before))
    }

    public func decode(body: [UInt8], arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        inner.decode(body: body, arrivalNs: arrivalNs, into: &accumulator)
    }

    public func parseError(body: [UInt8]) -> APIError? { inner.parseError(body: body) }

    /// The generated text of each chunk in order (answer, reasoning and tool-call names and arguments), as UTF-8
    /// bytes back to back with each chunk's end: the kept events decoded again with their text captured.
    func chunkText(_ kept: KeptEvents, chunkCount: Int) -> (bytes: [UInt8], ends: [Int]) {
        var replay = StreamAccumulator(capture: true)
        var bytes = [UInt8]()
        var ends = [Int]()
        ends.reserveCapacity(chunkCount)
        kept.bytes.withUnsafeBytes { raw in
            var start = 0
            for event in kept.events {
                let sse = SSEEvent(type: UnsafeRawBufferPointer(rebasing: raw[start..<event.typeEnd]),
                                   data: UnsafeRawBufferPointer(rebasing: raw[event.typeEnd..<event.dataEnd]))
                start = event.dataEnd
                // A fresh capture per event: what it holds afterwards is this event's text alone.
                replay.capture = CapturedOutput()
                replay.failure = nil
                inner.decode(event: sse, arrivalNs: 0, into: &replay)
                guard event.addedChunk, ends.count < chunkCount else { continue }
                if let capture = replay.capture {
                    bytes.append(contentsOf: capture.reasoning.utf8)
                    bytes.append(contentsOf: capture.text.utf8)
                    for call in capture.toolCalls {
                        bytes.append(contentsOf: call.name.utf8)
                        bytes.append(contentsOf: call.arguments.utf8)
                    }
                }
                ends.append(bytes.count)
            }
        }
        return (bytes, ends)
    }
}
