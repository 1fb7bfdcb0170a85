import Foundation
import Yams

/// Reads a scenario file strictly: every key known, every value checked, every error located by line and column.
public struct ScenarioReader {
    public let file: String
    private let yaml: String
    /// Where `${VAR}` references are looked up.
    private let environment: [String: String]
    /// Where each key path was written, for errors found after reading (a missing API-key variable).
    var locations: [String: Mark] = [:]

    public init(file: String, yaml: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.file = file
        self.yaml = yaml
        self.environment = environment
    }

    /// Relative paths in the scenario (datasets, the key file) are taken from the scenario file's directory.
    var directory: String {
        let parent = (file as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") || directory == "." ? expanded : directory + "/" + expanded
    }

    /// Loads and validates the scenario file at `path`.
    public static func load(path: String) throws -> Scenario {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: path, path: "", message: "no such scenario file",
                                hint: "give the path of a YAML scenario, for example scenarios/demo.yaml")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, path: "", message: "cannot read the file as UTF-8 text")
        }
        var reader = ScenarioReader(file: path, yaml: text)
        return try reader.read()
    }

    static let topKeys = ["name", "description", "api", "base_url", "model", "api_key_env", "api_key_file", "stream",
                          "request", "prompts", "matrix", "load", "timeouts", "mock", "output", "slo", "search",
                          "max_error_rate", "conversations", "tools", "auth", "anthropic_version", "record_text", "chunk_rows",
                          "retries", "abort", "follow_redirects", "limits", "tokenizer"]

    public mutating func read() throws -> Scenario {
        var root: Node
        do {
            try YAMLAliasLimit.check(yaml)
        } catch {
            // Before Yams: composing shares an alias's node, but walking (or hashing) the tree repeats it.
            throw ScenarioError(file: file, line: error.line, column: error.column, path: "",
                                message: "YAML aliases expand to more than \(YAMLAliasLimit.maxAliasedNodes) nodes by this one: refused as an alias bomb",
                                hint: "the aliases (*name) of a scenario may add at most \(YAMLAliasLimit.maxAliasedNodes) nodes in all; write the values out instead")
        }
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ScenarioError(file: file, path: "", message: "the file is empty",
                                    hint: "a scenario needs at least name, base_url, model and prompts")
            }
            root = node
        } catch let error as YamlError {
            throw yamlError(error)
        }
        try rejectInlineKeys(root, path: "")
        let (expanded, variablesUsed) = try Interpolation.apply(root, file: file, environment: environment)
        root = expanded
        let top = try mapping(root, path: "", allowed: Self.topKeys)
        let name = try string(required(top, "name", in: root, path: ""), path: "name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw located(top["name"], "name", "'\(name)' cannot name a results folder",
                          hint: "use letters, digits, '-', '_' and '.', not starting with '.'")
        }
        let baseURLNode = try required(top, "base_url", in: root, path: "")
        let baseURL = try Self.baseURL(baseURLNode, at: site(baseURLNode, "base_url"))
        let model = try string(required(top, "model", in: root, path: ""), path: "model")
        var scenario: Scenario
        if let node = top["conversations"] {
            if let prompts = top["prompts"] {
                throw located(prompts, "prompts", "prompts and conversations cannot both be given",
                              hint: "a conversation's first turn is its prompt: keep one of the two")
            }
            scenario = Scenario(name: name, baseURL: baseURL, model: model, prompts: [])
            scenario.conversations = try conversations(node)
        } else {
            let (prompts, promptSource) = try promptSection(required(top, "prompts", in: root, path: ""), model: model)
            scenario = Scenario(name: name, baseURL: baseURL, model: model, prompts: prompts)
            scenario.promptSource = promptSource
        }
        if let node = top["description"] { scenario.description = try string(node, path: "description") }
        if let node = top["api"] { scenario.api = try Self.api(node, at: site(node, "api")) }
        try apiKey(top, variablesUsed: variablesUsed, into: &scenario)
        if let node = top["stream"] { scenario.stream = try bool(node, path: "stream") }
        if let node = top["output"] { scenario.output = try string(node, path: "output") }
        if let node = top["request"] { scenario.request = try request(node) }
        if let node = top["load"] { scenario.load = try load(node) }
        if let node = top["matrix"] { scenario.matrix = try matrix(node, source: scenario.promptSource) }
        if let node = top["timeouts"] { scenario.timeouts = try timeouts(node, defaults: scenario.timeouts) }
        if let node = top["mock"] { scenario.mock = try mock(node) }
        if let node = top["tools"] { scenario.tools = try tools(node) }
        if let node = top["auth"] { scenario.auth = try choice(node, path: "auth", AuthStyle.self) }
        if let node = top["anthropic_version"] { scenario.anthropicVersion = try string(node, path: "anthropic_version") }
        if let node = top["record_text"] { scenario.recordText = try bool(node, path: "record_text") }
        if let node = top["chunk_rows"] { scenario.chunkRows = try chunkRows(node, path: "chunk_rows") }
        if let node = top["follow_redirects"] { scenario.followRedirects = try bool(node, path: "follow_redirects") }
        if let node = top["retries"] { scenario.retries = try retries(node) }
        if let node = top["abort"] { scenario.abort = try abort(node) }
        if let node = top["limits"] { scenario.limits = try limits(node) }
        scenario.tokenizer = try tokenizer(top["tokenizer"], model: model)
        try checkAPIFields(scenario, top: top)
        if let node = top["slo"] { scenario.slos = try slos(node) }
        if let node = top["max_error_rate"] { scenario.maxErrorRate = try double(node, path: "max_error_rate", in: 0...1) }
        if let node = top["search"] { scenario.search = try search(node, top: top, scenario: scenario) }
        scenario.source = ScenarioSource(file: file)
        scenario.source.locations = locations.mapValues { [$0.line, $0.column] }
        return scenario
    }

    // MARK: Top-level values the command line overrides too

    /// `base_url`: an http(s) URL, or `mock` for the embedded mock server.
    public static func baseURL(_ node: Node, at site: ValueSite) throws -> String {
        let baseURL = try ScenarioValue.string(node, at: site)
        if baseURL != "mock" {
            guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw site.error("'\(URLRedaction.masked(baseURL))' is not an http(s) URL",
                                 hint: "for example https://api.sambanova.ai/v1, or mock for the embedded mock server")
            }
        }
        return baseURL
    }

    /// `api`: chat, responses or messages.
    public static func api(_ node: Node, at site: ValueSite) throws -> APIKind {
        let text = try ScenarioValue.string(node, at: site)
        guard let api = APIKind(rawValue: text) else {
            throw site.error("unknown API '\(text)'", hint: "one of: \(APIKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return api
    }

    /// `model`: the model id, sent as it is.
    public static func model(_ node: Node, at site: ValueSite) throws -> String {
        try ScenarioValue.string(node, at: site)
    }

    /// Settings a chosen API has no field for are errors, not silently dropped.
    private func checkAPIFields(_ scenario: Scenario, top: [String: Node]) throws {
        if let problem = APIRegistry.problems(in: scenario).first {
            let mark = problem.anchors.lazy.compactMap { top[$0]?.mark }.first ?? locations[problem.path]
            throw ScenarioError(file: file, line: mark?.line, column: mark?.column, path: problem.path,
                                message: problem.message, hint: problem.hint)
        }
    }

    // MARK: Errors

    func located(_ node: Node?, _ path: String, _ message: String, hint: String? = nil) -> ScenarioError {
        site(node, path).error(message, hint: hint)
    }

    /// Where a value of this file is: the node's line and column, and its key path.
    func site(_ node: Node?, _ path: String) -> ValueSite {
        ValueSite(file: file, node: node, path: path)
    }

    private func yamlError(_ error: YamlError) -> ScenarioError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ScenarioError(file: file, line: mark.line, column: mark.column, path: "",
                                 message: "not valid YAML: \(problem)")
        default:
            return ScenarioError(file: file, path: "", message: "not valid YAML: \(error)")
        }
    }
}
