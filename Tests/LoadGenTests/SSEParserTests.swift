import Testing
@testable import LoadGen

struct ParsedEvent: Equatable, CustomStringConvertible {
    var type: String
    var data: [UInt8]
    var description: String { "\(type.isEmpty ? "message" : type): \(String(decoding: data, as: UTF8.self))" }
}

/// Parses `bytes` fed in the pieces cut at `splits` (ascending offsets).
func parse(_ bytes: [UInt8], splits: [Int] = [], maxEventSize: Int = 1 << 20) throws -> (events: [ParsedEvent], parser: SSEParser) {
    var parser = SSEParser(maxEventSize: maxEventSize)
    var events: [ParsedEvent] = []
    var start = 0
    for end in splits + [bytes.count] {
        try bytes[start..<end].withUnsafeBytes { piece in
            try parser.feed(piece) { event in
                events.append(ParsedEvent(type: String(decoding: event.type, as: UTF8.self), data: Array(event.data)))
            }
        }
        start = end
    }
    return (events, parser)
}

func text(_ string: String) -> [UInt8] { Array(string.utf8) }

@Suite struct SSEParserTests {
    @Test(arguments: Fixtures.streams)
    func everySplitPointGivesTheSameEvents(fixture: String) throws {
        let bytes = try Fixtures.bytes(fixture)
        let whole = try parse(bytes).events
        #expect(!whole.isEmpty)
        for split in 0...bytes.count {
            #expect(try parse(bytes, splits: [split]).events == whole, "split at \(split)")
        }
        // Three pieces, every pair of cut points on the small fixtures.
        if bytes.count <= 200 {
            for first in 0...bytes.count {
                for second in first...bytes.count {
                    #expect(try parse(bytes, splits: [first, second]).events == whole, "splits at \(first), \(second)")
                }
            }
        }
        // One byte at a time.
        #expect(try parse(bytes, splits: Array(1..<bytes.count)).events == whole)
    }

    @Test func sambanovaStreamEvents() throws {
        let events = try parse(try Fixtures.bytes("chat_sambanova.sse")).events
        #expect(events.count == 6)
        #expect(events.last == ParsedEvent(type: "", data: text("[DONE]")))
        // A multi-byte UTF-8 text survives every split because the parser never decodes text.
        #expect(String(decoding: events[2].data, as: UTF8.self).contains("日本語 ✓"))
    }

    @Test func multiLineDataJoinsWithLineFeed() throws {
        let events = try parse(try Fixtures.bytes("chat_multiline_event.sse")).events
        #expect(events[0] == ParsedEvent(type: "message", data: text("{\"choices\":[{\"delta\":\n{\"content\":\"two lines\"},\"index\":0}]}")))
        #expect(events[1].data == text("{\"choices\":[{\"delta\":{\"content\":\"no space after colon\"},\"index\":0}]}"))
        // `data` with no colon is a data field with an empty value: an event whose data is empty.
        #expect(events[2] == ParsedEvent(type: "", data: []))
        // Unknown fields are ignored and an event without data is not dispatched.
        #expect(events[3] == ParsedEvent(type: "", data: text("[DONE]")))
        #expect(events.count == 4)
    }

    @Test func lineEndingsLFCRLFAndCR() throws {
        let events = try parse(text("data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n")).events
        #expect(events.map(\.data) == [text("a"), text("b"), text("c"), text("d")])
    }

    @Test func crAtTheEndOfAPieceFollowedByLFIsOneLineBreak() throws {
        let bytes = text("data: a\r\n\r\ndata: b\r\n\r\n")
        for split in 0...bytes.count {
            #expect(try parse(bytes, splits: [split]).events.map(\.data) == [text("a"), text("b")], "split at \(split)")
        }
    }

    @Test func leadingBOMIsDroppedOnceAndOnlyAtTheStart() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = bom + text("data: x\n\n")
        for split in 0...bytes.count {
            #expect(try parse(bytes, splits: [split]).events.map(\.data) == [text("x")])
        }
        // A second BOM is part of the field name, which is then unknown.
        #expect(try parse(bom + bom + text("data: x\n\n")).events.isEmpty)
        // Bytes that start like a BOM but are not one are kept.
        #expect(try parse([0xEF] + text("data: x\n\ndata: y\n\n")).events.map(\.data) == [text("y")])
    }

    @Test func commentsIdAndRetry() throws {
        let (events, parser) = try parse(text(": ping\nid: 42\nretry: 1500\nretry: soon\ndata: z\n\n: another\n"))
        #expect(events.map(\.data) == [text("z")])
        #expect(parser.lastEventID == text("42"))
        #expect(parser.retryMilliseconds == 1500)
        #expect(parser.commentCount == 2)
    }

    @Test func idWithNulIsIgnored() throws {
        let (_, parser) = try parse(try Fixtures.bytes("chat_multiline_event.sse"))
        #expect(parser.lastEventID.isEmpty)
    }

    @Test func eventTypeResetsAfterDispatch() throws {
        let events = try parse(text("event: error\ndata: {}\n\ndata: {}\n\n")).events
        #expect(events.map(\.type) == ["error", ""])
    }

    @Test func eventLargerThanTheLimitFailsInsteadOfGrowing() throws {
        let big = text("data: " + String(repeating: "x", count: 200) + "\n\n")
        #expect(throws: SSEError.eventTooLarge(limit: 100)) { try parse(big, maxEventSize: 100) }
        // Also without any line break, fed in small pieces.
        let endless = [UInt8](repeating: 0x61, count: 1000)
        #expect(throws: SSEError.eventTooLarge(limit: 100)) {
            try parse(endless, splits: Array(stride(from: 10, to: 1000, by: 10)), maxEventSize: 100)
        }
        // Many data lines adding up past the limit.
        let lines = text(String(repeating: "data: 0123456789\n", count: 20))
        #expect(throws: SSEError.eventTooLarge(limit: 100)) { try parse(lines, maxEventSize: 100) }
    }

    @Test func streamEndingMidEventLeavesAPartialEvent() throws {
        let (events, parser) = try parse(text("data: one\n\ndata: tw"))
        #expect(events.map(\.data) == [text("one")])
        #expect(parser.hasPartialEvent)
        #expect(!(try parse(text("data: one\n\n")).parser.hasPartialEvent))
    }
}
