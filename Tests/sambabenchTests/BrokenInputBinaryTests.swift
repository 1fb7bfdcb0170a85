import Engine
import Foundation
import Synchronization
import Testing
import LoadGen
import Metrics
#if canImport(Glibc)
import Glibc
#endif

/// Issue 14's crashes and hangs, through the real binary: an alias bomb, durations and rates out of range, a server's
/// enormous `retry-after-ms` and a server streaming forever. Before the fixes these died of SIGILL (exit 132), grew
/// past 1.4 GB, or grew 45 MB/s; now each exits 2 naming the field, or ends classified with bounded memory. The child
/// runs under `posix_spawn` and `wait4`, so its own peak RSS is measured.
@Suite(.serialized) struct BrokenInputBinaryTests {
    struct Finished {
        var status: Int32
        var seconds: Double
        /// The child's peak resident set, in MB.
        var maxRSSMB: Double
        var stderr: String
    }

    /// A started child: `pid`, and where its standard error goes.
    struct Child {
        var pid: pid_t
        var stderrPath: String
        var started: ContinuousClock.Instant

        /// Waits for the child; a signal's death is 128 + the signal, as a shell reports it (SIGILL: 132).
        func wait() -> Finished {
            var status: Int32 = 0
            var usage = rusage()
            while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
            let elapsed = ContinuousClock.now - started
            let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: stderrPath)
            return Finished(status: code, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                            maxRSSMB: Double(usage.ru_maxrss) / 1024, stderr: text)
        }
    }

    static func start(_ arguments: [String]) throws -> Child {
        let binary = InterruptAndPolicyTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "the sambabench executable is built with the tests")
        let stderrPath = temporaryDirectory() + ".stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // A key for the servers of these tests (the mock needs none).
        var environment = ProcessInfo.processInfo.environment
        environment["SAMBANOVA_API_KEY"] = "test-key"
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let result = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        try #require(result == 0, "posix_spawn: \(result)")
        return Child(pid: pid, stderrPath: stderrPath, started: started)
    }

    static func run(_ arguments: [String]) throws -> Finished { try start(arguments).wait() }

    static func file(_ text: String) throws -> String {
        let path = temporaryDirectory() + ".yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let valid = "name: t\nbase_url: mock\nmodel: gpt-oss-120b\nprompts: [hi]\nload: {concurrency: 1, requests: 1}\n"
        + "mock: {ttft: 1ms, decode_rate: 100000, output_tokens: 4}\n"

    // MARK: Item 5

    @Test func anAliasBombIsRefusedInUnderASecondAndLittleMemory() throws {
        var lines = ["name: t", "base_url: mock", "model: gpt-oss-120b", "prompts: [hi]", "request:", "  extra_body:", "    a0: &a0 \"lol\""]
        for level in 1...9 {
            lines.append("    a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let path = try Self.file(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A spawned child's peak RSS includes its parent's up to exec (Linux keeps the old memory's high-water mark),
        // so the bomb is measured against the binary validating a small valid file, spawned the same way.
        let small = try Self.file(Self.valid)
        defer { try? FileManager.default.removeItem(atPath: small) }
        let baseline = try Self.run(["validate", small]).maxRSSMB
        for command in [["validate", path], ["run", path, "--output", temporaryDirectory()]] {
            let finished = try Self.run(command)
            #expect(finished.status == 2, "\(command[0]): exit \(finished.status): \(finished.stderr)")
            #expect(finished.stderr.contains("\(path):12:") && finished.stderr.contains("alias bomb"), "\(finished.stderr)")
            #expect(finished.seconds < 1, "\(command[0]) took \(finished.seconds) s")
            #expect(finished.maxRSSMB - baseline < 60, "\(command[0]) peaked at \(finished.maxRSSMB) MB, \(baseline) MB for a small file")
            print("alias bomb, \(command[0]): exit \(finished.status) in \(String(format: "%.3f", finished.seconds)) s, peak RSS \(String(format: "%.1f", finished.maxRSSMB)) MB")
        }
    }

    // MARK: Item 6

    @Test func durationsAndRatesOutOfRangeExit2NamingTheField() throws {
        let scenario = try Self.file(Self.valid)
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let output = temporaryDirectory()
        let flags: [([String], String)] = [
            (["--duration", "1e30s"], "command line: --duration: 1e30s is out of range"),
            (["--grace", "1e30s"], "command line: --grace: 1e30s is out of range"),
            (["--think-time", "1e30s"], "command line: --think-time: 1e30s is out of range"),
            (["--warmup", "1e30s"], "command line: --warmup: 1e30s is out of range"),
            (["--rate", "1e-30"], "command line: --rate: 1e-30 is out of range"),
        ]
        for (flag, message) in flags {
            let finished = try Self.run(["run", scenario, "--output", output] + flag)
            #expect(finished.status == 2 && finished.stderr.contains(message), "\(flag): exit \(finished.status): \(finished.stderr)")
        }
        let keys: [(String, String)] = [
            ("load: {concurrency: 1, duration: 1e30s}", "load.duration: 1e30s is out of range"),
            ("load: {concurrency: 1, think_time: 1e30s}", "load.think_time: 1e30s is out of range"),
            ("load: {concurrency: 1, warmup: 1e30s}", "load.warmup: 1e30s is out of range"),
            ("load: {rate: [1e-30], requests: 1}", "load.rate[0]: 1e-30 is out of range"),
            ("load: {concurrency: 1}\ntimeouts: {total: 1e30s}", "timeouts.total: 1e30s is out of range"),
            ("load: {concurrency: 1}\nmock: {ttft: 1e30s}", "mock.ttft: 1e30s is out of range"),
            // Yams reads a base-60 integer with unchecked arithmetic: this one trapped inside Yams.
            ("load: {concurrency: 1:0:0:0:0:0:0:0:0:0:0:0}", "load.concurrency: expected an integer, got '1:0:0:0:0:0:0:0:0:0:0:0'"),
        ]
        for (key, message) in keys {
            let path = try Self.file("name: t\nbase_url: mock\nmodel: gpt-oss-120b\nprompts: [hi]\n\(key)\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            for command in [["validate", path], ["run", path, "--output", output]] {
                let finished = try Self.run(command)
                #expect(finished.status == 2 && finished.stderr.contains("\(path):") && finished.stderr.contains(message),
                        "\(command[0]) \(key): exit \(finished.status): \(finished.stderr)")
            }
        }
        let mock = try Self.run(["mock", "--ttft", "1e30s", "--port", "0"])
        #expect(mock.status == 2 && mock.stderr.contains("--ttft: 1e30s is out of range"), "mock: exit \(mock.status): \(mock.stderr)")
        let rate = try Self.run(["mock", "--decode-rate", "1e-300", "--port", "0"])
        #expect(rate.status == 2 && rate.stderr.contains("--decode-rate"), "mock: exit \(rate.status): \(rate.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aServersEnormousRetryAfterIsClampedAndRecordedAsSent() throws {
        let server = try TinyHTTPServer { connection in
            let body = #"{"error":{"message":"slow down"}}"#
            connection.write("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
                             + "retry-after-ms: 99999999999999999999\r\nContent-Length: \(body.utf8.count)\r\n"
                             + "Connection: close\r\n\r\n" + body)
        }
        defer { server.stop() }
        let path = try Self.file("""
            name: t
            base_url: \(server.baseURL)
            model: m
            prompts: [hi]
            load: {concurrency: 1, requests: 1, drain_timeout: 1s}
            retries: {max: 2, on: [rate_limited]}
            max_error_rate: 1

            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The first attempt is written, then the wait before the second (clamped to 5 minutes) begins; the level's
        // drain timeout (1 s) cancels it and the run ends. It used to trap computing the wait (exit 132).
        let finished = try Self.run(["run", path, "--output", directory, "--quiet"])
        #expect(finished.status == 0, "exit \(finished.status): \(finished.stderr)")
        #expect(finished.seconds < 30)
        let records = try RunFiles.records(directory: directory)
        #expect(records.count == 1, "no second attempt within the wait")
        #expect(records.first?.errorClass == .rateLimited)
        #expect(records.first?.rateLimit.retryAfterMs == 1e20, "recorded as sent")
    }

    // MARK: Item 7

    @Test func aServerStreamingForeverIsCutAtTheChunkCapWithBoundedMemory() throws {
        let server = try TinyHTTPServer { connection in
            guard connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n") else { return }
            let block = String(repeating: #"data: {"choices":[{"index":0,"delta":{"content":"a"}}]}"# + "\n\n", count: 500)
            while connection.write(block) {}
        }
        defer { server.stop() }
        let path = try Self.file("""
            name: t
            base_url: \(server.baseURL)
            model: m
            prompts: [hi]
            load: {concurrency: 1, requests: 1}
            timeouts: {total: 120s}
            max_error_rate: 1

            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let finished = try Self.run(["run", path, "--output", directory, "--quiet"])
        print("endless stream: exit \(finished.status) in \(String(format: "%.2f", finished.seconds)) s, peak RSS \(String(format: "%.1f", finished.maxRSSMB)) MB")
        #expect(finished.status == 0, "exit \(finished.status): \(finished.stderr)")
        let record = try #require(try RunFiles.records(directory: directory).first)
        #expect(record.errorClass == .tooManyChunks, "\(record.errorMessage ?? "")")
        #expect(record.chunks.count == RequestLimits.defaultMaxChunks + 1)
        // Bounded by the cap, not by the stream: one record of a million chunks (40 MB, more while its array grows),
        // read by the files' thread and the aggregate's at once (debug build): 69 MB alone. A spawned child's peak
        // RSS includes its parent's up to exec, which in a full suite run is 150-190 MB of the test process, so the
        // bound is over the binary validating a small file, spawned the same way (as the alias bomb's).
        let small = try Self.file(Self.valid)
        defer { try? FileManager.default.removeItem(atPath: small) }
        let baseline = try Self.run(["validate", small]).maxRSSMB
        #expect(finished.maxRSSMB - baseline < 150, "peak RSS \(finished.maxRSSMB) MB, \(baseline) MB for a small file")
        #expect(finished.seconds < 60)
    }
}

/// A plain TCP server on 127.0.0.1 for the binary's tests: each connection's request is read (head and
/// Content-Length body), then `script` writes whatever it likes; the connection is closed after it.
final class TinyHTTPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let stopping = Atomic(false)
    private let done = DispatchGroup()

    init(_ script: @escaping @Sendable (TinyConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(fd >= 0 && bound == 0 && listen(fd, 16) == 0, "listening: errno \(errno)")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        done.enter()
        Thread { [self] in
            defer { done.leave() }
            while !stopping.load(ordering: .relaxed) {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { if errno == EINTR { continue } else { break } }
                done.enter()
                Thread { [self] in
                    defer { done.leave(); close(client) }
                    let connection = TinyConnection(fd: client, server: self)
                    guard connection.readRequest() else { return }
                    script(connection)
                }.start()
            }
        }.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = done.wait(timeout: .now() + 10)
    }
}

struct TinyConnection: Sendable {
    let fd: Int32
    let server: TinyHTTPServer

    /// Reads the request head and its Content-Length body; false when the client left first.
    func readRequest() -> Bool {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - end >= length { return true }
            }
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { return false }
            received += buffer[..<count]
        }
    }

    /// Writes all of `text`; false once the client is gone (or the server stops).
    @discardableResult
    func write(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            guard !server.isStopping else { return false }
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
