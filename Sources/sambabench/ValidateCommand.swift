import ArgumentParser
import LoadGen

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files without running them.",
        discussion: "Prints each error as file:line:column: key.path: message (hint). Exits 2 if any file is invalid."
    )

    @Argument(help: "Scenario files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let scenario = try ScenarioReader.load(path: file)
                let levels = scenario.search == nil
                    ? "levels " + LevelPlan.levels(scenario.load).map(\.name).joined(separator: ", ")
                    : "an SLO search over \(scenario.load.mode == .closed ? "concurrency" : "rate")"
                print("\(file): ok (\(scenario.name): \(scenario.api.rawValue) \(scenario.model), \(levels))")
            } catch {
                failed = true
                printError("\(error)")
            }
        }
        if failed { throw ExitCodes.invalidScenario }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

import Foundation
