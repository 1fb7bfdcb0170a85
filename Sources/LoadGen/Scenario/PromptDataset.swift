import Foundation

/// Reads prompt datasets named by a scenario. A bad entry is an error naming the dataset file and its line.
public enum PromptDataset {
    /// JSON Lines: each non-blank line a prompt string (`"..."`), a messages array (`[{"role": ..., "content": ...}]`),
    /// or an object with `prompt` (a string) or `messages` (an array); other fields of an object are ignored.
    public static func jsonl(path: String, shownAs name: String, limit: Int?) throws -> [Prompt] {
        let text = try read(path, shownAs: name)
        var prompts: [Prompt] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift: split on both line ends.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            if let limit, prompts.count >= limit { break }
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            func bad(_ message: String) -> ScenarioError {
                ScenarioError(file: name, line: lineNumber, path: "", message: message,
                              hint: #"each line {"prompt": "..."}, {"messages": [{"role": "user", "content": "..."}]}, a JSON string or a messages array"#)
            }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else {
                throw bad("not valid JSON")
            }
            switch value {
            case .string(let prompt):
                guard !prompt.isEmpty else { throw bad("the prompt is empty") }
                prompts.append(.text(prompt))
            case .array:
                prompts.append(.messages(try messages(value, bad)))
            case .object:
                if let prompt = value["prompt"] {
                    guard case .string(let string) = prompt else { throw bad("\"prompt\" is not a string") }
                    guard !string.isEmpty else { throw bad("the prompt is empty") }
                    prompts.append(.text(string))
                } else if let list = value["messages"] {
                    prompts.append(.messages(try messages(list, bad)))
                } else {
                    throw bad("the object has neither \"prompt\" nor \"messages\"")
                }
            default:
                throw bad("expected a prompt string, a messages array or an object")
            }
        }
        return prompts
    }

    /// ShareGPT: a JSON array of `{"conversations": [{"from": "human", "value": "..."}, {"from": "gpt", ...}]}`; each
    /// conversation gives its first human (or `user`) turn. Conversations without one are left out and counted.
    public static func shareGPT(path: String, shownAs name: String, limit: Int?) throws -> (prompts: [Prompt], skipped: Int) {
        let text = try read(path, shownAs: name)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw ScenarioError(file: name, path: "", message: "not valid JSON\(reason(error))",
                                hint: #"a ShareGPT file: [{"conversations": [{"from": "human", "value": "..."}, ...]}, ...]"#)
        }
        guard case .array(let entries) = value else {
            throw ScenarioError(file: name, line: 1, path: "", message: "expected a JSON array of conversations",
                                hint: #"[{"conversations": [{"from": "human", "value": "..."}, ...]}, ...]"#)
        }
        let lines = entryLines(text)
        var prompts: [Prompt] = []
        var skipped = 0
        for (index, entry) in entries.enumerated() {
            if let limit, prompts.count >= limit { break }
            func bad(_ message: String) -> ScenarioError {
                ScenarioError(file: name, line: index < lines.count ? lines[index] : nil, path: "",
                              message: "entry \(index): \(message)",
                              hint: #"{"conversations": [{"from": "human", "value": "..."}, {"from": "gpt", "value": "..."}]}"#)
            }
            guard case .object = entry else { throw bad("expected an object") }
            guard case .array(let turns)? = entry["conversations"] else { throw bad("no \"conversations\" list") }
            let human = turns.first { turn in
                if case .string(let from)? = turn["from"] { return from == "human" || from == "user" }
                return false
            }
            guard let human else {
                skipped += 1
                continue
            }
            guard case .string(let prompt)? = human["value"] else { throw bad("the first human turn has no \"value\" string") }
            guard !prompt.isEmpty else {
                skipped += 1
                continue
            }
            prompts.append(.text(prompt))
        }
        return (prompts, skipped)
    }

    static func read(_ path: String, shownAs name: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: name, path: "", message: "no such dataset file",
                                hint: "a path relative to the scenario file's directory, or an absolute one")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: name, path: "", message: "cannot read the dataset file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            // The first line that is not UTF-8, so the file can be fixed where it is broken.
            let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
            let bad = lines.firstIndex { String(validating: $0, as: UTF8.self) == nil }.map { lines.distance(from: lines.startIndex, to: $0) + 1 }
            throw ScenarioError(file: name, line: bad, path: "", message: "the dataset is not UTF-8 text",
                                hint: "save it as UTF-8 (iconv -f LATIN1 -t UTF-8, for example)")
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    static func messages(_ value: JSONValue, _ bad: (String) -> ScenarioError) throws -> [JSONValue] {
        guard case .array(let messages) = value, !messages.isEmpty else { throw bad("\"messages\" is not a non-empty array") }
        for (position, message) in messages.enumerated() {
            guard case .string? = message["role"], message["content"] != nil else {
                throw bad("message \(position) needs a role and content")
            }
        }
        return messages.map(sortedKeys)
    }

    /// Objects with their keys in order, so a body built from a dataset is the same on every run.
    static func sortedKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let pairs): return .object(pairs.sorted { $0.0 < $1.0 }.map { ($0.0, sortedKeys($0.1)) })
        case .array(let items): return .array(items.map(sortedKeys))
        default: return value
        }
    }

    /// The line on which each element of a top-level JSON array starts (for errors naming an entry).
    static func entryLines(_ text: String) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        var expectingElement = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: ","):
                if depth == 1 { expectingElement = true }
                continue
            default:
                break
            }
            if depth == 1 && expectingElement && byte != UInt8(ascii: "]") {
                lines.append(line)
                expectingElement = false
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth == 1 { expectingElement = true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return lines
    }

    static func reason(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            if let detail = underlying ?? (context.debugDescription.isEmpty ? nil : context.debugDescription) {
                return ": " + detail
            }
        }
        return ""
    }
}
