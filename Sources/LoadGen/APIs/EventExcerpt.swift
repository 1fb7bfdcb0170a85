/// What a `malformed_event` message quotes of the event it could not read: its JSON structure, never its text. Answers
/// are written only when `record_text` asks, so an error message must not carry them (nor a key a server echoed):
/// the excerpt keeps object keys (up to `keyLength` bytes), punctuation, numbers and `true`/`false`/`null`, writes every
/// string value as `"…"` and every run of other bare bytes as `…`, and stops at `length` characters with a final `…`.
/// `{"choices":[{"delta":{"content":"Hello wor` reads `{"choices":[{"delta":{"content":"…`.
public enum EventExcerpt {
    public static let length = 48
    public static let keyLength = 24
    public static let elided = "…"

    public static func shape(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes.prefix(4_096))
        var out = ""
        var outCount = 0
        var index = 0
        var truncated = bytes.count > 4_096

        func emit(_ piece: String) -> Bool {
            let count = piece.count
            guard outCount + count <= length else { return false }
            out += piece
            outCount += count
            return true
        }

        scan: while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                // A string literal: to its closing quote (or the end of the bytes).
                var end = index + 1
                var escaped = false
                while end < bytes.count {
                    if escaped { escaped = false } else if bytes[end] == UInt8(ascii: "\\") { escaped = true }
                    else if bytes[end] == UInt8(ascii: "\"") { break }
                    end += 1
                }
                let closed = end < bytes.count
                var next = closed ? end + 1 : end
                while next < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                let isKey = closed && next < bytes.count && bytes[next] == UInt8(ascii: ":")
                let piece: String
                if isKey, end - index - 1 <= keyLength, bytes[(index + 1)..<end].allSatisfy(isKeyByte) {
                    piece = "\"" + String(decoding: bytes[(index + 1)..<end], as: UTF8.self) + "\""
                } else {
                    piece = "\"" + elided + (closed ? "\"" : "")
                }
                guard emit(piece) else { truncated = true; break scan }
                index = closed ? end + 1 : end
            case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ":"),
                 UInt8(ascii: ","), UInt8(ascii: " "):
                guard emit(String(UnicodeScalar(byte))) else { truncated = true; break scan }
                index += 1
            case 0x09, 0x0A, 0x0D:
                index += 1
            default:
                // A bare run: a number or a literal is kept, anything else elided.
                var end = index
                while end < bytes.count, !isDelimiter(bytes[end]) { end += 1 }
                let word = String(decoding: bytes[index..<end], as: UTF8.self)
                let kept = ["true", "false", "null"].contains(word) || (word.count <= 24 && Double(word) != nil)
                guard emit(kept ? word : elided) else { truncated = true; break scan }
                index = end
            }
        }
        return truncated ? out + elided : out
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        [UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
         UInt8(ascii: ":"), UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D].contains(byte)
    }

    /// Bytes a key is kept with: ASCII letters, digits and `_ - . $ @`.
    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "$"), UInt8(ascii: "@")].contains(byte)
    }
}
