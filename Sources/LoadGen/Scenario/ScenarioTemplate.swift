import Foundation

/// The scenario `sambabench init` writes.
public enum ScenarioTemplate {
    /// Writes the starter scenario to `file` (its folders made as needed), named after the file when the file's name
    /// is a valid scenario name, else `starter`.
    public static func write(to file: String, model: String, baseURL: String) throws {
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = !stem.isEmpty && stem.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) && !stem.hasPrefix(".")
            ? stem : "starter"
        let directory = (file as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try starter(name: name, model: model, baseURL: baseURL).write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// A commented starter scenario that validates as written and runs offline with --mock.
    public static func starter(name: String, model: String, baseURL: String) -> String {
        """
        # A sambabench scenario: what to send, to whom, and under which load. Every key is described in
        # docs/scenarios.md; `sambabench validate FILE` checks a file without running it.
        # Values may use ${VAR} or ${VAR:-default} from the environment ($$ is a literal $).
        name: \(name)                      # names the results folder: results/\(name)/<timestamp>/
        description: \(quoted("Starter scenario for \(model)."))
        api: chat                            # Chat Completions
        base_url: \(quoted(baseURL))   # or mock for the embedded mock server (so is --mock)
        model: \(quoted(model))
        # The API key is never written here: it is read from this environment variable (or use
        # api_key_file: path/to/key instead), and never appears in any output.
        api_key_env: SAMBANOVA_API_KEY
        stream: true

        request:
          max_tokens: ${MAX_TOKENS:-512}     # per request; a matrix can vary it per level
          temperature: 0.7
          # extra_body fields are merged into every request body as they are, for example:
          # extra_body: {reasoning_effort: low}

        # Prompts: a list (used in turn), or a source:
        #   prompts: {source: jsonl, path: data/prompts.jsonl}          # {"prompt": "..."} or {"messages": [...]} per line
        #   prompts: {source: sharegpt, path: data/sharegpt.json}       # first human turn of each conversation
        #   prompts: {source: synthetic, input_tokens: 512, count: 64}  # generated from a seed
        #   prompts: {source: synthetic, input_tokens: {distribution: lognormal, mean: 800, stddev: 400, max: 4000}}
        # with sampling: random, seed: 7, and shared_prefix: {tokens: 1024} for prompt-cache studies.
        prompts:
          - "Explain the difference between latency and throughput in two paragraphs."
          - "Write a Python function that checks whether a string is a palindrome."
          - "Summarise the plot of a heist film you invent, in five sentences."

        load:
          concurrency: [1, 2, 4]   # closed loop: virtual users per level; or rate: [0.5/s, 1/s] for an open loop
          requests: 20             # measured requests per level; or duration: 2m
          warmup: 2                # per level, left out of the statistics
          think_time: 0s

        # A matrix runs every input length x output length x load level as its own level (in512-out128-c1, ...):
        # matrix: {input_tokens: [512, 2048], output_tokens: [128, 512]}   # input lengths need synthetic prompts

        timeouts: {connect: 10s, first_token: 60s, idle: 30s, total: 300s}

        # Objectives each level is checked against (the exit code is 3 when one is missed):
        slo:
          - "p99 ttft_ms < 2000"
          - "error_rate < 0.01"

        # The embedded mock's timing, used with base_url: mock or --mock.
        mock:
          ttft: 200ms
          decode_rate: 600          # tokens/s per request after the first chunk
          tokens_per_chunk: [4, 12]
          output_tokens: [200, 500]
          seed: 42

        """
    }

    /// A YAML double-quoted scalar, with `$` doubled: whatever a flag held (quotes, line breaks, `#`, `${VAR}`) reads
    /// back as exactly that value of that one key.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // The scenario reader interpolates ${VAR}; $$ is its literal $.
            case "$": out += "$$"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
