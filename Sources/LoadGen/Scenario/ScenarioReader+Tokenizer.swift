import Tokenizer
import Yams

/// `tokenizer:` — o200k_base, cl100k_base, a tokenizer.json (or .tiktoken) path relative to the scenario, or none.
/// Without the key, the model family's default is used when its data is installed (gpt-oss: o200k_base).
extension ScenarioReader {
    func tokenizer(_ node: Node?, model: String) throws -> ScenarioTokenizer? {
        guard let node else {
            guard let name = ScenarioTokenizer.familyDefault(model: model), TokenizerStore.available(name) else { return nil }
            // The default was installed by scripts/deps.sh; a file that is there but unreadable is still an error.
            do {
                return ScenarioTokenizer(spec: name, isDefault: true, tokenizer: try TokenizerStore.load(name))
            } catch let error as TokenizerError {
                throw ScenarioError(file: file, path: "tokenizer", message: "the model's default tokenizer \(name): \(error.problem) (\(error.path))",
                                    hint: "run scripts/deps.sh again to fetch it, or set tokenizer: none")
            }
        }
        let value = try string(node, path: "tokenizer")
        if value == "none" { return nil }
        guard !value.isEmpty else {
            throw located(node, "tokenizer", "the value is empty",
                          hint: "o200k_base, cl100k_base, the path of a Hugging Face tokenizer.json, or none")
        }
        let spec = Tokenizer.builtInNames.contains(value) ? value : resolve(value)
        do {
            return ScenarioTokenizer(spec: spec, tokenizer: try TokenizerStore.load(spec))
        } catch let error as TokenizerError {
            throw located(node, "tokenizer", "\(error.path): \(error.problem)",
                          hint: Tokenizer.builtInNames.contains(value)
                              ? "scripts/deps.sh fetches o200k_base and cl100k_base into .cache/tokenizers (or set SAMBABENCH_TOKENIZER_DIR)"
                              : "o200k_base, cl100k_base, or the path of a byte-level BPE tokenizer.json (Llama 3, DeepSeek, Qwen, SmolLM2 families)")
        }
    }
}
