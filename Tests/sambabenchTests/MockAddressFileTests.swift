import Foundation
import Testing
@testable import sambabench
import MockServer

/// `--port 0 --address-file PATH`: the real binaries publish the port they bound, and the scripts' helper waits for it.
@Suite(.serialized) struct MockAddressFileTests {
    static func built(_ name: String) throws -> String {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(name) is built with the tests")
        return path
    }

    @Test(arguments: [["sambabench", "mock"], ["sambabench-mock-faults"]])
    func portZeroPublishesTheBoundAddress(command: [String]) async throws {
        let file = temporaryDirectory() + ".address"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.built(command[0]))
        process.arguments = Array(command.dropFirst()) + ["--port", "0", "--address-file", file]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: a test running a session in-process at the same time ignores SIGTERM, and children inherit that.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: file)
        }
        let url = try await MockAddressFile.wait(at: file, timeout: .seconds(60), isRunning: { process.isRunning })
        #expect(try String(contentsOfFile: file, encoding: .utf8) == url + "\n")
        let port = Int(url.replacingOccurrences(of: "http://127.0.0.1:", with: "").replacingOccurrences(of: "/v1", with: ""))
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/v1") && (port ?? 0) > 0, "\(url)")
        // It listens by the time the file exists.
        #expect(await sambabench(["models", "--base-url", url]) == 0)
    }

    @Test func waitingStopsWhenTheMockExitsOrTimeIsUp() async throws {
        let file = temporaryDirectory() + ".address"
        await #expect(throws: MockAddressFile.WaitError.exited(path: file)) {
            try await MockAddressFile.wait(at: file, timeout: .seconds(5), isRunning: { false })
        }
        await #expect(throws: MockAddressFile.WaitError.timedOut(path: file, seconds: 0.2)) {
            try await MockAddressFile.wait(at: file, timeout: .milliseconds(200))
        }
    }

    /// scripts/lib/mock-address.sh: the address of a real mock, and a clear failure when there will be none.
    @Test func theScriptsHelper() throws {
        let binary = try Self.built("sambabench")
        let script = """
            set -u
            . "$1/scripts/lib/mock-address.sh"
            work=$(mktemp -d)
            "$2" mock --port 0 --address-file "$work/address" >"$work/log" 2>&1 &
            mock=$!
            url=$(mock_address "$work/address" "$mock" "$work/log") || exit 1
            echo "url $url"
            # SIGKILL throughout: a test running a session in-process at the same time ignores SIGTERM, and so would these.
            kill -KILL "$mock"; wait "$mock" 2>/dev/null
            # A process that ends without writing the file: the helper says so at once.
            echo "the mock's last words" >"$work/log2"
            sh -c 'exit 3' & gone=$!
            wait "$gone"
            mock_address "$work/never" "$gone" "$work/log2" 60 && echo "unexpected success"
            echo "status $?"
            # One that never writes it: the helper gives up after the time given.
            sleep 30 & slow=$!
            mock_address "$work/never" "$slow" "" 1 && echo "unexpected success"
            echo "status $?"
            kill -KILL "$slow"
            rm -rf "$work"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, "bash", repositoryRoot, binary]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let start = ContinuousClock.now
        try process.run()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(out)\(err)")
        #expect(lines.first?.hasPrefix("url http://127.0.0.1:") == true && lines.first?.hasSuffix("/v1") == true, "\(out)")
        #expect(Array(lines.dropFirst()) == ["status 1", "status 1"], "\(out)")
        #expect(err.contains("exited before writing its address to "), "\(err)")
        #expect(err.contains("the mock's last words"), "\(err)")
        #expect(err.contains("wrote no address to ") && err.contains(" within 1 s"), "\(err)")
        #expect(ContinuousClock.now - start < .seconds(25), "the helper gave up at once when the process was gone")
    }
}
