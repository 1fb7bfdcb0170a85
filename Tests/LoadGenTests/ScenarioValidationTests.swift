import Foundation
import Testing
@testable import LoadGen

/// A scenario read with its own environment (not the test process's).
func readScenario(_ yaml: String, file: String = "s.yaml", environment: [String: String]) throws -> Scenario {
    var reader = ScenarioReader(file: file, yaml: yaml, environment: environment)
    return try reader.read()
}

func scenarioError(_ yaml: String, file: String = "s.yaml", environment: [String: String]) -> String {
    do {
        _ = try readScenario(yaml, file: file, environment: environment)
        return "no error"
    } catch {
        return "\(error)"
    }
}

/// A fresh directory for dataset and key files.
func scratchDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "sambabench-scenario-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

let head = "name: t\nbase_url: mock\nmodel: m\n"

/// One test per class of mistake, each checking the whole message: file:line:column, key path, message, hint.
@Suite struct ScenarioValidationTests {
    @Test func unknownKeySuggestsTheNearestOne() {
        #expect(scenarioError(head + "prompts:\n  source: jsonl\n  pth: p.jsonl\n", environment: [:])
                == "s.yaml:6:3: prompts.pth: unknown key (did you mean 'path'? valid keys here: source, items, path, limit, input_tokens, count, shared_prefix, sampling, seed)")
        #expect(scenarioError(minimal + "matrx: {input_tokens: [1]}\n", environment: [:]).hasPrefix(
                "s.yaml:5:1: matrx: unknown key (did you mean 'matrix'? valid keys here: name,"))
        #expect(scenarioError(minimal + "api_key_fle: k\n", environment: [:]).hasPrefix(
                "s.yaml:5:1: api_key_fle: unknown key (did you mean 'api_key_file'?"))
    }

    @Test func wrongType() {
        #expect(scenarioError(head + "prompts: {source: synthetic, input_tokens: 64}\nmatrix:\n  input_tokens: [128, big]\n", environment: [:])
                == "s.yaml:6:23: matrix.input_tokens[1]: expected an integer, got 'big' (an integer from 1 to 10000000)")
        #expect(scenarioError(head + "prompts: {source: synthetic, input_tokens: {distribution: normal, mean: many, stddev: 3}}\n", environment: [:])
                == "s.yaml:4:73: prompts.input_tokens.mean: expected a number, got 'many' (a number from 1.0 to 1000000.0)")
        #expect(scenarioError(head + "prompts: {source: csv, path: p.csv}\n", environment: [:])
                == "s.yaml:4:19: prompts.source: unknown source 'csv' (one of: inline, jsonl, sharegpt, synthetic)")
    }

    @Test func outOfRange() {
        #expect(scenarioError(head + "prompts: {source: synthetic, input_tokens: 0}\n", environment: [:])
                == "s.yaml:4:44: prompts.input_tokens: 0 is out of range (an integer from 1 to 1000000)")
        #expect(scenarioError(head + "prompts: {source: synthetic, input_tokens: 8, shared_prefix: {tokens: -2}}\n", environment: [:])
                == "s.yaml:4:71: prompts.shared_prefix.tokens: -2 is out of range (an integer from 1 to 1000000)")
        #expect(scenarioError(head + "prompts: {source: synthetic, input_tokens: {distribution: uniform, min: 900, max: 100}}\n", environment: [:])
                == "s.yaml:4:73: prompts.input_tokens: min 900 is above max 100 (min <= max)")
    }

    @Test func contradictorySettings() {
        #expect(scenarioError(minimal + "api_key_env: A_KEY\napi_key_file: key.txt\n", environment: [:])
                == "s.yaml:6:15: api_key_file: api_key_env and api_key_file are both given (api_key_env at line 5) (one source for the key: the variable named by api_key_env, or the file named by api_key_file)")
        #expect(scenarioError(minimal + "matrix: {input_tokens: [128]}\n", environment: [:])
                == "s.yaml:5:24: matrix.input_tokens: input lengths need synthetic prompts, but prompts come from source inline (set prompts: {source: synthetic, input_tokens: 512}, or drop matrix.input_tokens)")
        #expect(scenarioError(head + "prompts: {source: synthetic, input_tokens: 8, path: x.jsonl}\n", environment: [:])
                == "s.yaml:4:53: prompts.path: applies to source jsonl or sharegpt, not synthetic (remove path, or set source: jsonl or sharegpt)")
        #expect(scenarioError(minimal + "matrix: {output_tokens: [64]}\nslo: [\"p99 ttft_ms < 5\"]\nsearch: {max: 8}\n", environment: [:])
                == "s.yaml:5:9: matrix: a matrix and a search are both given (a search picks its own levels; run one scenario per matrix cell, or drop the search)")
    }

    @Test func missingAPIKeyVariable() throws {
        let scenario = try readScenario("name: t\nbase_url: https://api.sambanova.ai/v1\nmodel: m\napi_key_env: MY_KEY\nprompts: [a]\n",
                                        environment: [:])
        #expect(throws: ScenarioError(file: "s.yaml", line: 4, column: 1, path: "api_key_env",
                                      message: "environment variable MY_KEY is not set",
                                      hint: "export MY_KEY=<your key>, or run against the mock with --mock")) {
            _ = try scenario.apiKey(environment: [:])
        }
        #expect(try scenario.apiKey(environment: ["MY_KEY": " sk-abc\n"]) == "sk-abc")
        #expect(throws: ScenarioError.self, "an empty variable is not a key") { _ = try scenario.apiKey(environment: ["MY_KEY": ""]) }
    }

    @Test func unsetVariableWithoutDefault() {
        #expect(scenarioError("name: t\nbase_url: mock\nmodel: ${MODEL_NAME}\nprompts: [a]\n", environment: [:])
                == "s.yaml:3:8: model: environment variable MODEL_NAME is not set (export MODEL_NAME=..., or give a default: ${MODEL_NAME:-value})")
        #expect(scenarioError(minimal + "description: \"run on ${HOST} today\"\n", environment: [:])
                == "s.yaml:5:22: description: environment variable HOST is not set (export HOST=..., or give a default: ${HOST:-value})")
        #expect(scenarioError(minimal + "description: ${9X}\n", environment: [:])
                == "s.yaml:5:14: description: '${9X}' does not name an environment variable (letters, digits and _, not starting with a digit: ${NAME} or ${NAME:-default})")
        #expect(scenarioError(minimal + "description: ${OPEN\n", environment: [:])
                == "s.yaml:5:14: description: '${' is not closed (write ${NAME} or ${NAME:-default}; $$ for a literal $)")
    }

    @Test func inlineAPIKeyIsRejected() {
        let message = scenarioError(minimal + "api_key: sk-live-123456\n", environment: [:])
        #expect(message == "s.yaml:5:1: api_key: an API key never goes in a scenario file (name the environment variable holding it with api_key_env (default SAMBANOVA_API_KEY), or a file holding it with api_key_file)")
        #expect(scenarioError(minimal + "request:\n  Authorization: Bearer sk-live-123456\n", environment: [:])
                == "s.yaml:6:3: request.Authorization: an API key never goes in a scenario file (name the environment variable holding it with api_key_env (default SAMBANOVA_API_KEY), or a file holding it with api_key_file)")
        // A key pasted where the variable's name goes is not repeated back.
        let pasted = scenarioError(minimal + "api_key_env: sk-live-123456\n", environment: [:])
        #expect(pasted == "s.yaml:5:14: api_key_env: the value is not an environment variable name (the name of the variable holding the key, for example SAMBANOVA_API_KEY; never the key itself)")
        // Interpolating the key's variable would copy the key into run.json.
        #expect(scenarioError(minimal + "description: \"key ${SAMBANOVA_API_KEY}\"\n", environment: ["SAMBANOVA_API_KEY": "sk-live-123456"])
                == "s.yaml:5:14: ${SAMBANOVA_API_KEY} would copy the API key into the scenario, and from there into run.json (the key is read from SAMBANOVA_API_KEY by api_key_env and only sent in the Authorization header)")
    }

    @Test func badDatasetLineNamesItsLine() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{\"prompt\": \"fine\"}\n\n{\"prompt\": 5}\n".write(toFile: directory + "/p.jsonl", atomically: true, encoding: .utf8)
        try "{\"prompt\": \"fine\"}\n{\"prompt\": \"unterminated}\n".write(toFile: directory + "/q.jsonl", atomically: true, encoding: .utf8)
        let hint = #"each line {"prompt": "..."}, {"messages": [{"role": "user", "content": "..."}]}, a JSON string or a messages array"#
        #expect(scenarioError(head + "prompts: {source: jsonl, path: p.jsonl}\n", file: directory + "/s.yaml", environment: [:])
                == "\(directory)/p.jsonl:3: \"prompt\" is not a string (\(hint))")
        #expect(scenarioError(head + "prompts: {source: jsonl, path: q.jsonl}\n", file: directory + "/s.yaml", environment: [:])
                == "\(directory)/q.jsonl:2: not valid JSON (\(hint))")
        try #"[{"conversations": [{"from": "human", "value": "hi"}]},"#.appending("\n  {\"turns\": []}\n]\n")
            .write(toFile: directory + "/g.json", atomically: true, encoding: .utf8)
        #expect(scenarioError(head + "prompts: {source: sharegpt, path: g.json}\n", file: directory + "/s.yaml", environment: [:])
                == "\(directory)/g.json:2: entry 1: no \"conversations\" list ({\"conversations\": [{\"from\": \"human\", \"value\": \"...\"}, {\"from\": \"gpt\", \"value\": \"...\"}]})")
        // A missing dataset is named where the scenario names it, with the path it resolved to.
        let lines = head.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(scenarioError(head + "prompts: {source: jsonl, path: missing.jsonl}\n", file: directory + "/s.yaml", environment: [:])
                == "\(directory)/s.yaml:\(lines):32: prompts.path: no such dataset file \(directory)/missing.jsonl (a path relative to the scenario file's directory, or an absolute one)")
        // A dataset that is not UTF-8 is named with its first broken line.
        try Data("{\"prompt\": \"fine\"}\n{\"prompt\": \"caf".utf8 + [0xE9] + "\"}\n".utf8).write(to: URL(fileURLWithPath: directory + "/l.jsonl"))
        #expect(scenarioError(head + "prompts: {source: jsonl, path: l.jsonl}\n", file: directory + "/s.yaml", environment: [:])
                == "\(directory)/l.jsonl:2: the dataset is not UTF-8 text (save it as UTF-8 (iconv -f LATIN1 -t UTF-8, for example))")
    }

    @Test func emptyDatasetIsRefused() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "\n  \n".write(toFile: directory + "/empty.jsonl", atomically: true, encoding: .utf8)
        try #"[{"conversations": [{"from": "gpt", "value": "no question"}]}]"#.write(toFile: directory + "/bots.json", atomically: true, encoding: .utf8)
        #expect(scenarioError(head + "prompts: {source: jsonl, path: empty.jsonl}\n", file: directory + "/s.yaml", environment: [:])
                == "\(directory)/empty.jsonl: the dataset holds no prompt (a run needs at least one prompt; check the file, or the path in \(directory)/s.yaml (prompts.path))")
        #expect(scenarioError(head + "prompts: {source: sharegpt, path: bots.json}\n", file: directory + "/s.yaml", environment: [:])
                == "\(directory)/bots.json: the dataset holds no prompt (1 conversations without a human turn) (a run needs at least one prompt; check the file, or the path in \(directory)/s.yaml (prompts.path))")
    }

    @Test func apiKeyFile() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let yaml = "name: t\nbase_url: https://api.sambanova.ai/v1\nmodel: m\napi_key_file: key.txt\nprompts: [a]\n"
        let scenario = try readScenario(yaml, file: directory + "/s.yaml", environment: [:])
        #expect(scenario.apiKeyFile == directory + "/key.txt")
        #expect(throws: ScenarioError(file: directory + "/s.yaml", line: 4, column: 1, path: "api_key_file",
                                      message: "the key file \(directory)/key.txt does not exist",
                                      hint: "write the key into it (chmod 600), or use api_key_env; run with --mock to need none")) {
            _ = try scenario.apiKey(environment: [:])
        }
        try "\n".write(toFile: directory + "/key.txt", atomically: true, encoding: .utf8)
        #expect(throws: ScenarioError(file: directory + "/s.yaml", line: 4, column: 1, path: "api_key_file",
                                      message: "the key file \(directory)/key.txt is empty", hint: "it should hold the API key alone")) {
            _ = try scenario.apiKey(environment: [:])
        }
        try "sk-one\nsk-two\n".write(toFile: directory + "/key.txt", atomically: true, encoding: .utf8)
        do {
            _ = try scenario.apiKey(environment: [:])
            Issue.record("two lines accepted")
        } catch {
            #expect("\(error)".hasSuffix("api_key_file: the key file \(directory)/key.txt holds more than one line or control characters (it should hold the API key alone, on one line)"))
            #expect(!"\(error)".contains("sk-one"))
        }
        try "sk-file-key\n".write(toFile: directory + "/key.txt", atomically: true, encoding: .utf8)
        #expect(try scenario.apiKey(environment: [:]) == "sk-file-key")
    }
}

@Suite struct InterpolationTests {
    @Test func variablesDefaultsAndEscapes() throws {
        let scenario = try readScenario(
            "name: ${RUN:-fallback}\nbase_url: ${URL:-mock}\nmodel: ${MODEL}\nprompts: [\"costs $$5 and $5, ${EMPTY:-none}, ${EMPTY}.\"]\nrequest:\n  max_tokens: ${MAX:-64}\n  top_k: \"${TOP_K:-5}\"\n",
            environment: ["MODEL": "gpt-oss-120b", "EMPTY": ""])
        #expect(scenario.name == "fallback")
        #expect(scenario.usesMock)
        #expect(scenario.model == "gpt-oss-120b")
        #expect(scenario.prompts == [.text("costs $5 and $5, none, .")])
        #expect(scenario.request.maxTokens == 64)
        #expect(scenario.request.topK == 5)
        #expect(scenarioError(minimal + "request:\n  max_tokens: ${MAX:-lots}\n", environment: [:])
                == "s.yaml:6:15: request.max_tokens: expected an integer, got 'lots' (an integer from 1 to 10000000)")
    }
}
