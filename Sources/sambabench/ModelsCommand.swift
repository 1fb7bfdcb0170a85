import ArgumentParser
import Foundation
import LoadGen
import Metrics
import Engine

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models an endpoint serves (GET {base-url}/models).",
        discussion: """
            Prints each model's id, context length, largest completion and prices when the endpoint gives them.
            The key is read from the variable named by --api-key-env and sent only when it is set.
            Examples:
              sambabench models
              sambabench models --base-url mock
              sambabench models --base-url http://localhost:8000/v1 --api-key-env MY_KEY
            """
    )

    @Option(help: "The API base URL, or mock for the embedded mock server.")
    var baseURL = "https://api.sambanova.ai/v1"

    @Option(help: "The environment variable holding the API key (sent only if set).")
    var apiKeyEnv = "SAMBANOVA_API_KEY"

    @Flag(help: "Skip TLS certificate verification.")
    var insecure = false

    func validate() throws {
        guard baseURL == "mock" || URL(string: baseURL)?.scheme.map({ ["http", "https"].contains($0) }) == true else {
            throw ValidationError("--base-url: '\(URLRedaction.masked(baseURL))' is not an http(s) URL (for example https://api.sambanova.ai/v1, or mock)")
        }
    }

    func run() async throws {
        let key = ProcessInfo.processInfo.environment[apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
        do {
            print(ModelTable.text(try await ModelListing.fetch(baseURL: baseURL, apiKey: key, insecure: insecure)), terminator: "")
        } catch { throw failure(error) }
    }
}
