import ArgumentParser
import Foundation
import LoadGen

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter scenario.",
        discussion: """
            Writes FILE (scenario.yaml by default) with every common key explained; it validates as written and runs
            offline with --mock. An existing file is left alone unless --force is given.
            Example: sambabench init scenarios/my-model.yaml --model Meta-Llama-3.3-70B-Instruct
            """
    )

    @Argument(help: "The file to write.")
    var file = "scenario.yaml"

    @Option(help: "The model id to put in the scenario.")
    var model = "gpt-oss-120b"

    @Option(help: "The API base URL to put in the scenario (or mock).")
    var baseURL = "https://api.sambanova.ai/v1"

    @Flag(help: "Overwrite FILE if it exists.")
    var force = false

    func run() throws {
        guard force || !FileManager.default.fileExists(atPath: file) else {
            printError("error: \(file) already exists; give another name, or --force to overwrite it")
            throw ExitCodes.runFailed
        }
        try ScenarioTemplate.write(to: file, model: model, baseURL: baseURL)
        print("wrote \(file): check it with `sambabench validate \(file)`, try it offline with `sambabench run \(file) --mock`")
    }
}
