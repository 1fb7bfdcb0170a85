/// The mock's own record of when it sent a stream's first token-carrying chunk, so the client's timestamp error is
/// measured rather than assumed. Asked for (`stampSendTimes`), the mock writes an SSE comment just before that
/// chunk's events: `: x-mock-sent-ns <CLOCK_MONOTONIC nanoseconds>`, read on its clock the moment before the write.
/// The clock is system-wide, so a mock in another process on the same machine stamps on the client's time line.
/// Clients that know nothing of it ignore it (comments carry no event).
public enum SendStamp {
    /// The comment's text after its colon, up to the number.
    public static let marker: StaticString = " x-mock-sent-ns "

    /// The stamp in a comment's text (after the colon), or nil when the comment is not one.
    public static func parse(_ comment: UnsafeRawBufferPointer) -> Int64? {
        let count = marker.utf8CodeUnitCount
        guard comment.count > count, comment.count <= count + 19 else { return nil }
        for index in 0..<count where comment[index] != marker.utf8Start[index] { return nil }
        var value: Int64 = 0
        for byte in comment[count...] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }
}
