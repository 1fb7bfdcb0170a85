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
        let checks = ScenarioCheck.check(files)
        for check in checks {
            switch check.outcome {
            case .valid(let summary, let note):
                print("\(check.file): ok (\(summary))")
                // The key belongs to the environment a run happens in, not to the file: a note, not an error.
                if let note { printError("note: \(note); a run needs it (or --mock)") }
            case .invalid(let error):
                printError(error)
            }
        }
        if checks.contains(where: \.failed) { throw ExitCodes.invalidScenario }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

import Foundation
