import ArgumentParser
import Foundation
import Testing
@testable import sambabench
import LoadGen

/// The run command's override flags: declared by the CLI, read by `LoadGen.ScenarioOverrides` (tested there value by
/// value); here, what only the real command line shows.
@Suite(.serialized) struct OverrideFlagsTests {
    /// A negative value is the flag's value, not taken for a flag: its range check answers, not "Missing value".
    @Test func negativeValuesAreParsedAsValues() throws {
        let parsed = try Sambabench.parseAsRoot(["run", "x.yaml", "--concurrency", "-1", "--requests", "-5", "--warmup", "-1",
                                                 "--max-tokens", "-3", "--rate", "-2/s", "--quiet"])
        let run = try #require(parsed as? RunCommand)
        #expect(run.overrides.overrides == ScenarioOverrides(concurrency: "-1", rate: "-2/s", requests: "-5", warmup: "-1", maxTokens: "-3"))
        #expect(run.quiet)
    }

    @Test func theBinaryNamesTheFlagAndItsRange() throws {
        let (status, errors) = try Self.sambabenchProcess(["run", repositoryRoot + "/scenarios/demo.yaml", "--concurrency", "-1"])
        #expect(status == 2)
        #expect(errors == "error: command line: --concurrency: -1 is out of range (an integer from 1 to 100000)\n")
    }

    /// `--rate 1200/m` runs one open-loop level of 20 requests/s, as `rate: 1200/m` does.
    @Test func rateInRequestsPerMinute() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await sambabench(["run", repositoryRoot + "/scenarios/demo.yaml", "--rate", "1200/m", "--requests", "2",
                                  "--warmup", "0", "--max-tokens", "8", "--output", directory, "--quiet"]) == 0)
        let summary = try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8)
        #expect(summary.contains("\n0,r20,"))
    }

    /// Runs the built `sambabench` with `arguments`; its exit status and standard error.
    static func sambabenchProcess(_ arguments: [String]) throws -> (Int32, String) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sambabench").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "the sambabench executable is built with the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
