import BenchSupport
import Foundation
import Testing
@testable import LoadGen

/// Issue 14's secrets: a key a server echoes in any field, the secrets of a base URL, the API path before a query,
/// and answer text kept out of `malformed_event` messages.
@Suite struct SecretsTests {
    // MARK: Item 1: every field a server writes

    @Test func echoedKeyIsRedactedInEveryServerField() {
        let key = "sk-canary.(+*)?[x]^$|\\1"
        let redactor = SecretRedactor(apiKey: key, baseURL: "http://h/v1")
        var record = RequestRecord(status: 401, errorClass: .httpStatus, errorType: "Bearer \(key)", errorCode: "Bearer \(key)",
                                   errorMessage: "Invalid API key: Bearer \(key)", finishReason: key)
        record.output = CapturedOutput(text: "your key is \(key)", reasoning: key,
                                       toolCalls: [CapturedToolCall(id: key, name: key, arguments: "{\"k\":\"\(key)\"}")])
        record.output?.items = [JSONValue.object([("text", JSONValue.string(key))])]
        let redacted = redactor.redact(record)
        #expect(redacted.errorType == "Bearer [redacted]")
        #expect(redacted.errorCode == "Bearer [redacted]")
        #expect(redacted.errorMessage == "Invalid API key: Bearer [redacted]")
        #expect(redacted.finishReason == "[redacted]")
        #expect(redacted.output?.text == "your key is [redacted]")
        #expect(redacted.output?.reasoning == "[redacted]")
        #expect(redacted.output?.toolCalls.first?.arguments == "{\"k\":\"[redacted]\"}")
        #expect(redacted.output?.items == [JSONValue.object([("text", JSONValue.string("[redacted]"))])])
        // JSON-escaped and percent-encoded echoes too.
        #expect(redactor.redact("{\"k\":\"sk-canary.(+*)?[x]^$|\\\\1\"}") == "{\"k\":\"[redacted]\"}")
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(redactor.redact("key=\(encoded)") == "key=[redacted]")
    }

    @Test func redactingSinkHandsOnlyRedactedRecords() {
        final class Collect: RecordSink, @unchecked Sendable {
            var records: [RequestRecord] = []
            func receive(_ record: RequestRecord) { records.append(record) }
        }
        let inner = Collect()
        let sink = RedactingSink(inner, redactor: SecretRedactor(apiKey: "sk-abcdef", baseURL: "mock"))
        sink.receive(RequestRecord(errorType: "Bearer sk-abcdef", errorCode: "sk-abcdef", errorMessage: "sk-abcdef"))
        #expect(inner.records.map(\.errorType) == ["Bearer [redacted]"])
        #expect(inner.records.map(\.errorCode) == ["[redacted]"])
        #expect(inner.records.map(\.errorMessage) == ["[redacted]"])
    }

    @Test func shortOrAbsentSecretsRedactNothing() {
        #expect(SecretRedactor(apiKey: nil, baseURL: "mock").isEmpty)
        #expect(SecretRedactor(apiKey: "abc", baseURL: "http://h/v1?stream=true").redact("abc true") == "abc true")
    }

    @Test func aSecretTheMarkCompletesOrRebuildsIsStillGone() {
        // A key ending in `[`, echoed just before another copy of itself: the mark's `[` would complete the first.
        let key = "abc|def["
        let text = "x abc|def" + key + "[o"
        #expect(!SecretRedactor(secrets: [key]).redact(text).contains(key))
        // A key the mark itself contains.
        #expect(!SecretRedactor(secrets: ["redacted"]).redact("a redacted b").contains("redacted"))
    }

    // MARK: Item 3: the URL's secrets

    @Test func urlsAreMaskedInUserinfoQueryAndFragment() {
        #expect(URLRedaction.masked("http://user:secret@host:8080/v1") == "http://***@host:8080/v1")
        #expect(URLRedaction.masked("https://api.example.com/v1?key=secret&v=1") == "https://api.example.com/v1?key=***&v=***")
        #expect(URLRedaction.masked("http://u:p@h/v1?token#frag") == "http://***@h/v1?***#***")
        #expect(URLRedaction.masked("http://h/v1/") == "http://h/v1/")
        #expect(URLRedaction.masked("mock") == "mock")
        #expect(URLRedaction.masked("http://h/v1?a=&b") == "http://h/v1?a=&***")
        #expect(URLRedaction.maskingURLs(in: "--base-url=http://u:pw12345@h/v1?key=abcdefgh now")
                == "--base-url=http://***@h/v1?key=*** now")
        #expect(URLRedaction.maskingURLs(in: "'https://h/v1?k=sekrit' and http://x:y@z") == "'https://h/v1?k=***' and http://***@z")
        #expect(URLRedaction.secrets(in: "http://user:secret12@h/v1?key=abcdefgh&v=1") == ["secret12", "abcdefgh"])
        #expect(URLRedaction.secrets(in: "http://h/v1?key=abc%2Fdefgh").contains("abc/defgh"))
    }

    // MARK: Item 4: the API path before the query

    @Test func apiPathGoesBeforeTheQuery() {
        #expect(EndpointURL.appending("/chat/completions", to: "http://h/v1?key=X") == "http://h/v1/chat/completions?key=X")
        #expect(EndpointURL.appending("/models", to: "http://h/v1/?key=X#f") == "http://h/v1/models?key=X#f")
        #expect(EndpointURL.appending("/models", to: "http://h/v1/") == "http://h/v1/models")
        let paths: [APIKind: String] = [.chat: "/chat/completions", .responses: "/responses", .messages: "/messages",
                                        .completions: "/completions"]
        for kind in APIKind.allCases {
            var scenario = Scenario(name: "s", baseURL: "http://h/v1?key=X", model: "m", prompts: [.text("hi")])
            scenario.api = kind
            let request = APIRegistry.builder(for: scenario, baseURL: scenario.baseURL).request(for: .text("hi"), apiKey: nil)
            #expect(request.url == "http://h/v1\(paths[kind]!)?key=X", "\(kind)")
            #expect(paths[kind] == APIRegistry.path(of: kind))
        }
    }

    // MARK: Item 16: no answer text in malformed_event messages

    @Test func malformedEventMessagesQuoteOnlyTheShape() {
        let event = Array(#"{"choices":[{"delta":{"content":"The secret answer is forty-two"},"index":0}]"#.utf8)
        let failure = StreamFailure.malformed("chat event", event)
        #expect(failure.errorClass == .malformedEvent)
        #expect(!failure.message.contains("secret answer"))
        #expect(failure.message.hasPrefix("undecodable chat event (\(event.count) bytes): {\"choices\":[{\"delta\":{\"content\":\"…\""))
        #expect(EventExcerpt.shape(Array("plain text answer".utf8)) == "… … …")
        #expect(EventExcerpt.shape(Array(#"{"n": 12, "ok": true, "x": null}"#.utf8)) == #"{"n": 12, "ok": true, "x": null}"#)
        #expect(EventExcerpt.shape(Array(#"{"content":"unterminated answer"#.utf8)) == #"{"content":"…"#)
        let long = Array(("{" + (0..<40).map { "\"k\($0)\":1" }.joined(separator: ",") + "}").utf8)
        let shape = EventExcerpt.shape(long)
        #expect(shape.hasSuffix("…") && shape.count <= EventExcerpt.length + 1)
    }

    @Test func decodersNeverQuoteAnswerTextOfABrokenEvent() throws {
        let answer = "a private answer nobody asked to record"
        let broken = Array("data: {\"choices\":[{\"delta\":{\"content\":\"\(answer)\"}}],,}\n\n".utf8)
        for kind in APIKind.allCases {
            for fastPath in [true, false] {
                let result = try decodeStream(broken, decoder: APIRegistry.decoder(for: kind, fastPath: fastPath))
                let failure = try #require(result.failure, "\(kind)")
                #expect(!failure.message.contains("private answer"), "\(kind): \(failure.message)")
            }
        }
    }

    // MARK: Property: random keys anywhere

    /// Random keys (regex-special characters among them) at random positions of random strings, in several fields at
    /// once: none survives redaction, and a text without the key is left exactly as it was.
    @Test func redactionPropertyOverRandomKeysAndPlaces() {
        var random = SplitMix64(seed: 0x5EC2E7)
        let special = Array(#".*+?^$|()[]{}\/"'%&=:@# -_~"#)
        let plain = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let filler = Array("lorem ipsum dolor sit amet, {}[]\":,.\n\t-_ é 中")
        func string(_ alphabet: [Character], _ length: Int) -> String {
            String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        for round in 0..<500 {
            let key = string(plain + special, 8 + Int(random.next() % 24))
            let redactor = SecretRedactor(apiKey: key, baseURL: "mock")
            var fields: [String] = []
            for _ in 0..<4 {
                var text = string(filler, Int(random.next() % 40))
                for _ in 0..<Int(random.next() % 3) {
                    let at = text.index(text.startIndex, offsetBy: Int(random.next() % UInt64(text.count + 1)))
                    text.insert(contentsOf: random.next() % 2 == 0 ? key : "Bearer " + key, at: at)
                }
                fields.append(text)
            }
            var record = RequestRecord(errorType: fields[0], errorCode: fields[1], errorMessage: fields[2])
            record.output = CapturedOutput(text: fields[3])
            let redacted = redactor.redact(record)
            for (name, value) in [("type", redacted.errorType), ("code", redacted.errorCode),
                                  ("message", redacted.errorMessage), ("text", redacted.output?.text)] {
                #expect(value?.contains(key) == false, "round \(round): \(name) keeps the key \(key) in \(value ?? "") from \(fields) \(redactor.forms)")
            }
            // Text without the key (or any of its forms) is untouched.
            let clean = string(filler, Int(random.next() % 60))
            if !redactor.forms.contains(where: { clean.contains($0) }) {
                #expect(redactor.redact(clean) == clean, "round \(round)")
            }
            // The same key as a URL's password or query value is masked in the URL and found in text.
            let urlSafe = string(plain, 8 + Int(random.next() % 16))
            let url = "http://user:\(urlSafe)@h:1/v1?\(string(plain, 3))=\(urlSafe)&key=\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            #expect(!URLRedaction.masked(url).contains(urlSafe), "round \(round): \(url)")
            #expect(!URLRedaction.masked(url).contains(key), "round \(round): \(url)")
            let urlRedactor = SecretRedactor(apiKey: nil, baseURL: url)
            #expect(!urlRedactor.redact("echo: \(urlSafe) and \(key)").contains(urlSafe), "round \(round)")
            #expect(!urlRedactor.redact("echo: \(key) here").contains(key), "round \(round)")
        }
    }
}

/// Item 2 (and 4 for `GET /models`): a server that echoes the key in its 401 never gets it onto stderr, and the path
/// goes before the base URL's query.
@Suite(.serialized) struct ModelListSecretsTests {
    static let key = "sk-canary-models.(*)?"

    @Test func echoedKeyInA401IsRedactedAndTheURLMasked() async throws {
        let server = try HostileServer { connection in
            let authorization = connection.head.split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("authorization:") }?.dropFirst("authorization:".count)
                .trimmingCharacters(in: .whitespaces) ?? ""
            let body = #"{"error":{"message":"Invalid API key: \#(authorization)","type":"\#(authorization)","code":"\#(authorization)"}}"#
            connection.respond(status: "401 Unauthorized", contentType: "application/json", body: Array(body.utf8))
        }
        defer { server.stop() }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let baseURL = "http://user:pass-secret@127.0.0.1:\(server.port)/v1?token=query-secret"
        do {
            _ = try await ModelList.fetch(baseURL: baseURL, apiKey: Self.key, transport: transport)
            Issue.record("a 401 must throw")
        } catch let failure as ModelList.Failure {
            #expect(!failure.message.contains(Self.key), "\(failure.message)")
            #expect(failure.message.contains("HTTP 401: Invalid API key: Bearer [redacted]"), "\(failure.message)")
            #expect(!failure.message.contains("pass-secret") && !failure.message.contains("query-secret"), "\(failure.message)")
            #expect(failure.message.contains("GET http://***@127.0.0.1:\(server.port)/v1/models?token=***"), "\(failure.message)")
        }
        // The path went before the query.
        #expect(server.requestHeads.first?.hasPrefix("GET /v1/models?token=query-secret HTTP/1.1") == true,
                "\(server.requestHeads.first ?? "")")
    }
}
