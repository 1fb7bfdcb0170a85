import ArgumentParser
import Foundation
import LoadGen
import Metrics
import MockServer

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
            throw ValidationError("--base-url: '\(baseURL)' is not an http(s) URL (for example https://api.sambanova.ai/v1, or mock)")
        }
    }

    func run() async throws {
        var mock: MockServer?
        if baseURL == "mock" { mock = try await MockServer.start(profile: MockProfile()) }
        let transport = CurlTransport(clock: RunClock())
        let key = ProcessInfo.processInfo.environment[apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
        let result: Result<[ModelInfo], Error>
        do {
            result = .success(try await ModelList.fetch(baseURL: mock?.baseURL ?? baseURL, apiKey: mock == nil ? key : nil,
                                                        transport: transport, insecure: insecure))
        } catch {
            result = .failure(error)
        }
        transport.shutdown()
        await mock?.shutdown()
        switch result {
        case .success(let models):
            print(ModelTable.text(models), terminator: "")
        case .failure(let error):
            printError("error: \(error)")
            throw ExitCodes.runFailed
        }
    }
}
