/// The API a request spoke: the names of the APIs in `APIRegistry.all` (Codable in records, parsed from scenarios
/// and the command line). Only `APIRegistry` and the API types know what a name stands for.
public enum APIKind: String, Sendable, Codable, CaseIterable {
    /// Chat Completions, `POST /v1/chat/completions`.
    case chat
    /// OpenAI-style Responses, `POST /v1/responses`.
    case responses
    /// Anthropic-style Messages, `POST /v1/messages`.
    case messages
    /// SambaNova's legacy text completions, `POST /v1/completions`.
    case completions
}

/// Every API the client speaks, registered once. To add one: a type conforming to `APIDefinition` (its builder,
/// decoder and checks beside it in `APIs/<Name>/`), a case of `APIKind`, and an entry here.
public enum APIRegistry {
    public static let all: [any APIDefinition] = [
        ChatCompletionsDefinition(),
        ResponsesDefinition(),
        MessagesDefinition(),
        CompletionsDefinition(),
    ]

    /// The definition of `kind`.
    public static func definition(of kind: APIKind) -> any APIDefinition {
        guard let found = all.first(where: { $0.kind == kind }) else {
            preconditionFailure("APIKind.\(kind.rawValue) has no entry in APIRegistry.all")
        }
        return found
    }

    public static func builder(for scenario: Scenario, baseURL: String) -> any APIRequestBuilder {
        definition(of: scenario.api).builder(for: scenario, baseURL: baseURL)
    }

    public static func decoder(for kind: APIKind, fastPath: Bool = true) -> any StreamDecoder {
        definition(of: kind).decoder(fastPath: fastPath)
    }

    /// The path after the base URL.
    public static func path(of kind: APIKind) -> String { definition(of: kind).path }

    /// The names, for help texts and error hints: "chat, responses, messages".
    public static var names: String { all.map(\.kind.rawValue).joined(separator: ", ") }

    /// What the scenario's API cannot honour, in the order they are reported: request settings it has no field
    /// for, its own checks, then an `auth:` style it does not take.
    public static func problems(in scenario: Scenario) -> [APIScenarioProblem] {
        let api = definition(of: scenario.api)
        var found = api.unsupportedRequestFields(scenario.request).map { key, hint in
            APIScenarioProblem(path: "request.\(key)", message: "the \(api.kind.rawValue) API has no \(key) field", hint: hint)
        }
        found += api.problems(in: scenario)
        if scenario.auth != .bearer, scenario.auth != .none, !api.takesAuthStyle {
            let takers = all.filter(\.takesAuthStyle).map(\.kind.rawValue)
            found.append(APIScenarioProblem(
                path: "auth", anchors: ["auth"],
                message: "auth: \(scenario.auth.rawValue) applies to the \(takers.joined(separator: " and ")) API only",
                hint: "remove it, or use api: \(takers.joined(separator: " or api: "))"))
        }
        return found
    }

    /// A base URL without its trailing slash.
    static func trimmed(_ baseURL: String) -> String {
        baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }
}
