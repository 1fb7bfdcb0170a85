import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics
#if canImport(Glibc)
import Glibc
#endif

/// Issue 14's secrets through the real binary: every command runs with canaries in the environment's key, in an
/// `api_key_file`, in the base URL's userinfo and in its query, against a server that echoes everything secret it
/// received in every field it writes (error message, type, code; a 200 stream's text, a stream error event, a
/// malformed event). Nothing the commands write (files of the output directory, stdout, stderr) may hold a canary.
@Suite(.serialized) struct SecretsAcceptanceTests {
    static let envKey = #"CANARY-env-k3y.(+*)?[x]^$|{1}"#
    static let fileKey = #"CANARY-file-k3y\/"quoted""#
    static let password = "CANARYpw1234"
    static let queryValue = "CANARYq5678"
    static let variable = "SAMBABENCH_SECRETS_TEST_KEY"

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary with the canary key in the environment; both streams go to files read afterwards.
    static func sambabench(_ arguments: [String], timeout: Double = 120) throws -> Output {
        let binary = InterruptAndPolicyTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "the sambabench executable is built with the tests")
        let base = temporaryDirectory()
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment[variable] = envKey
        environment["SAMBANOVA_API_KEY"] = envKey
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("sambabench \(arguments.joined(separator: " ")) did not end in \(timeout) s")
        }
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
    }

    /// Where a canary (or a telling piece of one) appears in `text`.
    static func leaks(_ text: String) -> [String] {
        // Fragments of at least 7 bytes: a 3-byte one turns up by chance in compressed PNG bytes.
        ["CANARY", "env-k3y", "file-k3y", password, queryValue].filter { text.contains($0) }
    }

    /// Every file under `directory`, with what leaks in it.
    static func leaksInFiles(_ directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        for case let file as String in walker {
            let path = directory + "/" + file
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            let leaked = leaks(text)
            if !leaked.isEmpty { found.append("\(file): \(leaked)") }
        }
        return found
    }

    static func expectClean(_ output: Output, _ what: String) {
        #expect(leaks(output.stdout).isEmpty, "\(what): stdout leaks: \(output.stdout)")
        #expect(leaks(output.stderr).isEmpty, "\(what): stderr leaks: \(output.stderr)")
    }

    static func jsonEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// Echoes what is secret in a request: its target (with the query), its Authorization (decoded too when Basic)
    /// and x-api-key headers. Requests take turns: a 401 with the echo in message, type and code; a 200 stream whose
    /// text holds the echo; a 200 stream with an error event echoing it; a 200 stream whose second event is
    /// malformed JSON quoting the echo as answer text.
    static func echoServer() throws -> HostileServer {
        let counter = Counter()
        return try HostileServer { connection in
            let lines = connection.head.split(separator: "\r\n").map(String.init)
            var echo = [lines.first ?? ""]
            for line in lines.dropFirst() {
                let lower = line.lowercased()
                guard lower.hasPrefix("authorization:") || lower.hasPrefix("x-api-key:") else { continue }
                let value = line[line.index(after: line.firstIndex(of: ":")!)...].trimmingCharacters(in: .whitespaces)
                echo.append(value)
                if value.hasPrefix("Basic "), let data = Data(base64Encoded: String(value.dropFirst(6))) {
                    echo.append(String(decoding: data, as: UTF8.self))
                }
            }
            let said = jsonEscaped(echo.joined(separator: " "))
            let error = #"{"error":{"message":"Invalid API key: \#(said)","type":"\#(said)","code":"\#(said)"}}"#
            if (lines.first ?? "").hasPrefix("GET ") {
                connection.respond(status: "401 Unauthorized", contentType: "application/json", body: Array(error.utf8))
                return
            }
            func stream(_ events: [String]) {
                let body = events.map { "data: \($0)\n\n" }.joined()
                connection.respond(contentType: "text/event-stream", body: Array(body.utf8))
            }
            let chunk = { (text: String) in
                #"{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"\#(text)"},"finish_reason":null}]}"#
            }
            let usage = #"{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#
            switch counter.next() % 4 {
            case 0:
                connection.respond(status: "401 Unauthorized", contentType: "application/json", body: Array(error.utf8))
            case 1:
                stream([chunk("you sent \(said)"), usage, "[DONE]"])
            case 2:
                stream([chunk("hello"), error])
            default:
                stream([chunk("hello"), #"{"choices":[{"delta":{"content":"you sent \#(said)"}}],,"#])
            }
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { defer { value += 1 }; return value } }
    }

    static func scenario(port: Int, key: String) -> String {
        """
        name: secrets
        base_url: "http://user:\(password)@127.0.0.1:\(port)/v1?key=\(queryValue)"
        model: m
        \(key)
        prompts: [hi]
        record_text: true
        load: {concurrency: [1], requests: 8}

        """
    }

    @Test func noCommandWritesASecretAServerEchoed() async throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let work = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Self.fileKey.write(toFile: work + "/key.txt", atomically: true, encoding: .utf8)
        let envScenario = work + "/env.yaml"
        let fileScenario = work + "/file.yaml"
        try Self.scenario(port: server.port, key: "api_key_env: \(Self.variable)").write(toFile: envScenario, atomically: true, encoding: .utf8)
        try Self.scenario(port: server.port, key: "api_key_file: \(work)/key.txt").write(toFile: fileScenario, atomically: true, encoding: .utf8)

        // run, with the key from the environment and from a file.
        for (name, scenario) in [("env", envScenario), ("file", fileScenario)] {
            let directory = work + "/run-" + name
            let output = try Self.sambabench(["run", scenario, "--output", directory])
            Self.expectClean(output, "run (\(name))")
            #expect(output.stdout.contains("http://***@127.0.0.1:\(server.port)/v1?key=***"), "the banner: \(output.stdout)")
            #expect(Self.leaksInFiles(directory).isEmpty, "run (\(name)): \(Self.leaksInFiles(directory))")
            // The server did echo, and what it echoed was redacted where it is written.
            let requests = try String(contentsOfFile: directory + "/requests.csv", encoding: .utf8)
            #expect(requests.contains("Bearer [redacted]"), "\(requests)")
            #expect(requests.contains("malformed_event"), "\(requests)")
            let answers = try String(contentsOfFile: directory + "/responses.jsonl", encoding: .utf8)
            #expect(answers.contains("[redacted]"), "\(answers)")
            let manifest = try String(contentsOfFile: directory + "/run.json", encoding: .utf8)
            #expect(manifest.contains("?key=***"), "\(manifest)")
        }
        let runEnv = work + "/run-env"

        // report rebuilds every file of a run.
        let report = try Self.sambabench(["report", runEnv])
        Self.expectClean(report, "report")
        #expect(Self.leaksInFiles(runEnv).isEmpty, "report: \(Self.leaksInFiles(runEnv))")

        // compare writes a comparison of both.
        let compared = work + "/compare"
        let compare = try Self.sambabench(["compare", runEnv, work + "/run-file", "--output", compared])
        Self.expectClean(compare, "compare")
        #expect(FileManager.default.fileExists(atPath: compared))
        #expect(Self.leaksInFiles(compared).isEmpty, "compare: \(Self.leaksInFiles(compared))")

        // models: the 401 echoes the key; the URL has userinfo and a query.
        let models = try Self.sambabench(["models", "--base-url", "http://user:\(Self.password)@127.0.0.1:\(server.port)/v1?key=\(Self.queryValue)",
                                          "--api-key-env", Self.variable])
        #expect(models.status != 0)
        #expect(models.stderr.contains("HTTP 401"), "\(models.stderr)")
        Self.expectClean(models, "models")

        // validate: a good scenario, and a bad base URL holding the secrets.
        let validate = try Self.sambabench(["validate", envScenario])
        Self.expectClean(validate, "validate")
        let badScenario = work + "/bad.yaml"
        try Self.scenario(port: server.port, key: "api_key_env: \(Self.variable)")
            .replacingOccurrences(of: "http://", with: "ftp://").write(toFile: badScenario, atomically: true, encoding: .utf8)
        let invalid = try Self.sambabench(["validate", badScenario])
        #expect(invalid.status != 0)
        Self.expectClean(invalid, "validate (bad URL)")
        let invalidRun = try Self.sambabench(["run", badScenario, "--output", work + "/never"])
        #expect(invalidRun.status != 0)
        Self.expectClean(invalidRun, "run (bad URL)")

        // init: a starter scenario.
        let initFile = work + "/init.yaml"
        let initOutput = try Self.sambabench(["init", initFile, "--base-url", "mock"])
        Self.expectClean(initOutput, "init")
        #expect(Self.leaks((try? String(contentsOfFile: initFile, encoding: .utf8)) ?? "").isEmpty)

        // calibrate takes no key: the canary is in its environment all the same.
        let calibrate = try Self.sambabench(["calibrate", "--accuracy", "1", "--requests", "1", "--chunks", "1",
                                             "--streams", "0", "--seconds", "0.2", "--in-process-mock"])
        Self.expectClean(calibrate, "calibrate")
    }

    /// `sambabench mock` takes no key either: run with the canary in its environment, asked once, then stopped.
    @Test func standaloneMockWritesNoSecret() async throws {
        let binary = InterruptAndPolicyTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary))
        let base = temporaryDirectory()
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            for suffix in [".out", ".err", ".address"] { try? FileManager.default.removeItem(atPath: base + suffix) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["mock", "--port", "0", "--address-file", base + ".address"]
        var environment = ProcessInfo.processInfo.environment
        environment["SAMBANOVA_API_KEY"] = Self.envKey
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        var address: String?
        for _ in 0..<250 where address == nil {
            address = (try? String(contentsOfFile: base + ".address", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            if address == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let url = try #require(address)
        let transport = CurlTransport(clock: RunClock())
        _ = try? await ModelList.fetch(baseURL: url, apiKey: Self.envKey, transport: transport)
        transport.shutdown()
        kill(process.processIdentifier, SIGTERM)
        // Never wait forever on the child: SIGKILL after 5 s (the streams are read all the same).
        for _ in 0..<250 where process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let output = Output(status: process.terminationStatus,
                            stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
                            stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
        Self.expectClean(output, "mock")
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
