import Foundation

/// The model a response says answered (`model` in a chat or completions chunk, in `response` of a Responses event,
/// in `message` of a Messages `message_start`, at the top of every whole body), checked against the model asked. It
/// reads the stream's first event only and compares the bytes in place: no allocation unless the two differ.
extension StreamAccumulator {
    /// Checks the first event with data (or a whole body): `container` names the object member holding `model`, nil
    /// for a top-level one. Sets `responseModel` when the response names another model than `expectedModel`.
    @inline(__always)
    mutating func checkModel(_ data: UnsafeRawBufferPointer, in container: StaticString? = nil) {
        guard !modelChecked, let expected = expectedModel else { return }
        modelChecked = true
        var scanner = JSONScanner(data)
        guard let token = scanner.modelToken(in: container) else { return }
        if !token.escaped {
            var expected = expected
            let same = expected.withUTF8 { wanted in
                wanted.count == token.end - token.start
                    && (wanted.isEmpty || memcmp(wanted.baseAddress!, data.baseAddress! + token.start, wanted.count) == 0)
            }
            if !same { responseModel = scanner.text(token) }
            return
        }
        // Escapes (`meta-llama\/...`): decoded by Foundation, rare.
        let quoted = UnsafeRawBufferPointer(rebasing: data[(token.start - 1)...token.end])
        if let model = try? JSONDecoder().decode(String.self, from: Data(quoted)), model != expected { responseModel = model }
    }
}

extension JSONScanner {
    /// The `model` string member of the object at hand, or of its `container` object member; nil when there is none
    /// or the text is not such an object. Other members are skipped, not checked.
    mutating func modelToken(in container: StaticString?) -> StringToken? {
        var found: StringToken?
        _ = members { scanner, key in
            if let container, scanner.equals(key, container), scanner.peek() == UInt8(ascii: "{") {
                found = scanner.modelToken(in: nil)
                return false
            }
            if container == nil, scanner.equals(key, "model"), scanner.peek() == UInt8(ascii: "\"") {
                found = scanner.string()
                return false
            }
            return scanner.skipValue(depth: 1)
        }
        return found
    }
}
