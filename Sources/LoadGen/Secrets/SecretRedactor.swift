import Foundation

/// Replaces the secrets of a run (the API key, and the password, user and query values of its base URL) by
/// `[redacted]` in whatever a server sent back: a server may echo the key it was sent in an error's message, `type`
/// or `code`, or in an answer's text. Every record passes through one before any sink sees it (`RedactingSink`), so
/// nothing a server wrote reaches requests.csv, responses.jsonl, report.md, stdout or stderr with a secret in it.
///
/// A secret is also found in the forms a server's text may carry it: JSON-escaped (`\"`, `\\`, `\/`) and
/// percent-encoded. Secrets shorter than `minimumLength` (the key) or `minimumURLSecretLength` (parts of the URL,
/// where `?stream=true` is no secret) are not searched for: replacing every `1` of a text would hide it and not the key.
public struct SecretRedactor: Sendable, Equatable {
    public static let mark = "[redacted]"
    public static let minimumLength = 4
    public static let minimumURLSecretLength = 6

    /// Every form of every secret, longest first (so a secret inside a longer one goes with it).
    public let forms: [String]

    /// No secrets: redacts nothing.
    public static let none = SecretRedactor(secrets: [])

    public init(secrets: [String]) {
        var forms = Set<String>()
        for secret in secrets where secret.count >= Self.minimumLength {
            forms.insert(secret)
            forms.insert(Self.jsonEscaped(secret))
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.insert(encoded) }
            if let decoded = secret.removingPercentEncoding, decoded.count >= Self.minimumLength { forms.insert(decoded) }
        }
        self.forms = forms.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// The API key and the secrets of the base URL (`URLRedaction.secrets(in:)`).
    public init(apiKey: String?, baseURL: String) {
        self.init(secrets: (apiKey.map { [$0] } ?? []) + URLRedaction.secrets(in: baseURL))
    }

    public var isEmpty: Bool { forms.isEmpty }

    /// `text` with every secret replaced by `[redacted]`. Repeated until none is left, since the mark can complete a
    /// secret with what surrounds it (a key ending in `[` right before another copy of itself); a secret the mark
    /// itself keeps rebuilding is then removed outright.
    public func redact(_ text: String) -> String {
        guard !forms.isEmpty else { return text }
        var result = text
        for _ in 0..<8 {
            var changed = false
            for form in forms where result.range(of: form) != nil {
                result = result.replacingOccurrences(of: form, with: Self.mark)
                changed = true
            }
            if !changed { return result }
        }
        // Each removal shortens the text, so this ends.
        for _ in 0..<1_000 {
            guard let form = forms.first(where: { result.range(of: $0) != nil }) else { break }
            result = result.replacingOccurrences(of: form, with: "")
        }
        return result
    }

    public func redact(_ text: String?) -> String? { text.map { redact($0) } }

    /// The record with every text a server wrote redacted: the error's message, type and code, and the answer.
    public func redact(_ record: RequestRecord) -> RequestRecord {
        guard !forms.isEmpty else { return record }
        var record = record
        record.errorMessage = redact(record.errorMessage)
        record.errorType = redact(record.errorType)
        record.errorCode = redact(record.errorCode)
        record.finishReason = redact(record.finishReason)
        if let output = record.output { record.output = redact(output) }
        return record
    }

    public func redact(_ output: CapturedOutput) -> CapturedOutput {
        var output = output
        output.text = redact(output.text)
        output.reasoning = redact(output.reasoning)
        output.reasoningSignature = redact(output.reasoningSignature)
        output.items = output.items.map(redact)
        output.toolCalls = output.toolCalls.map {
            var call = $0
            call.id = redact(call.id)
            call.name = redact(call.name)
            call.arguments = redact(call.arguments)
            return call
        }
        return output
    }

    /// A model list's entry, every text of which a server wrote.
    public func redact(_ model: ModelInfo) -> ModelInfo {
        guard !forms.isEmpty else { return model }
        return ModelInfo(id: redact(model.id), contextLength: model.contextLength, maxCompletionTokens: model.maxCompletionTokens,
                         promptPrice: redact(model.promptPrice), completionPrice: redact(model.completionPrice),
                         ownedBy: redact(model.ownedBy))
    }

    public func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(redact))
        case .object(let pairs): return .object(pairs.map { (redact($0.0), redact($0.1)) })
        default: return value
        }
    }

    /// How the secret reads inside a JSON string literal.
    static func jsonEscaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "/": result += "\\/"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// A sink that hands every record to `inner` with its secrets redacted (`SecretRedactor`): the run's files and the
/// live progress line only ever see redacted records.
public struct RedactingSink: RecordSink {
    public let inner: any RecordSink
    public let redactor: SecretRedactor

    public init(_ inner: any RecordSink, redactor: SecretRedactor) {
        self.inner = inner
        self.redactor = redactor
    }

    public func levelStarted(_ plan: LevelPlan, atNs: Int64) { inner.levelStarted(plan, atNs: atNs) }
    public func receive(_ record: RequestRecord) { inner.receive(redactor.redact(record)) }
    public func levelEnded(_ levels: [LevelResult]) { inner.levelEnded(levels) }
    public func finish() async throws { try await inner.finish() }
}
