import ArgumentParser
import LoadGen

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files without running them.",
        discussion: """
            Reads each file as a run would (interpolating ${VAR}, reading datasets, building synthetic prompts) and
            prints each error as file:line:column: key.path: message (hint). Exits 2 if any file is invalid. A missing
            API key (variable or file) is printed as a note: it belongs to the environment the run happens in.
            """
    )

    @Argument(help: "Scenario files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let scenario = try ScenarioReader.load(path: file)
                let levels = scenario.search == nil
                    ? "levels " + LevelPlan.levels(scenario.load, matrix: scenario.matrix).map(\.name).joined(separator: ", ")
                    : "an SLO search over \(scenario.load.mode == .closed ? "concurrency" : "rate")"
                print("\(file): ok (\(scenario.name): \(scenario.api.rawValue) \(scenario.model), \(levels); "
                      + scenario.promptSource.summary(count: scenario.prompts.count) + ")")
                // The key belongs to the environment a run happens in, not to the file: a note, not an error.
                do {
                    _ = try scenario.apiKey()
                } catch {
                    printError("note: \(error); a run needs it (or --mock)")
                }
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
