import Foundation
import Testing
@testable import MockServer

/// Runs scripts/sdk-compat/check.py, i.e. the official openai and anthropic SDKs, against the mock with reasoning and
/// tool calls, which the CLI's mock cannot be told to make. Opt-in, as it needs Python with the SDKs:
/// `SAMBABENCH_SDK_PYTHON=/path/to/venv/bin/python swift test --filter MockSDKCompatTests`
/// (the venv from `pip install -r scripts/sdk-compat/requirements.txt`).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SAMBABENCH_SDK_PYTHON"] != nil,
                             "set SAMBABENCH_SDK_PYTHON to a Python with the SDKs of scripts/sdk-compat/requirements.txt"))
struct MockSDKCompatTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/sdk-compat/check.py").standardized.path

    /// check.py's lines for `api`, against a fresh mock so request numbers start at 1.
    static func check(_ api: String, profile: MockProfile, tools: String) async throws -> [[String: Any]] {
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SAMBABENCH_SDK_PYTHON"] ?? "")
        process.arguments = [script, "--api", api, "--base-url", server.baseURL, "--requests", "6", "--max-tokens", "70",
                             "--prompt", "What is the weather?", "--tools", tools]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let lines = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "check.py --api \(api): \(message)")
        return try String(decoding: lines, as: UTF8.self).split(separator: "\n").map { try jsonObject(String($0)) }
    }

    @Test func officialSDKsReadEveryAPIAlike() async throws {
        let tools = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-compat-tools-\(getpid()).json")
        try Data(chatTools.utf8).write(to: tools)
        defer { try? FileManager.default.removeItem(at: tools) }
        let profile = quickProfile(outputTokens: 40...80, reasoningShare: 0.3, toolCallShare: 0.5)
        let chat = try await Self.check("chat", profile: profile, tools: tools.path)
        let responses = try await Self.check("responses", profile: profile, tools: tools.path)
        let messages = try await Self.check("messages", profile: profile, tools: tools.path)
        #expect(chat.count == 6 && responses.count == 6 && messages.count == 6)
        // Both kinds of answer occur, and every one has reasoning first.
        let calls = chat.map { ($0["tool_calls"] as? [[String: Any]])?.isEmpty == false }
        #expect(calls.contains(true) && calls.contains(false))
        #expect(chat.allSatisfy { !($0["reasoning"] as? String ?? "").isEmpty })
        func essence(_ line: [String: Any]) -> [String] {
            let usage = line["usage"] as? [String: Any] ?? [:]
            let call = (line["tool_calls"] as? [[String: Any]])?.first
            return [line["text"], line["reasoning"], call?["name"], call?["arguments"], usage["input_tokens"],
                    usage["output_tokens"]].map { "\($0 ?? "-")" }
        }
        #expect(responses.map(essence) == chat.map(essence))
        // Text completions read the same answers, reasoning as text; offered no tools, they answer text throughout.
        let completions = try await Self.check("completions", profile: profile, tools: tools.path)
        #expect(completions.count == 6)
        for (line, reference) in zip(completions, chat) where (reference["tool_calls"] as? [Any])?.isEmpty != false {
            #expect(line["text"] as? String == (reference["reasoning"] as? String ?? "") + (reference["text"] as? String ?? ""))
            #expect(essence(line)[4...] == essence(reference)[4...])
        }
        #expect(messages.map(essence) == chat.map(essence))
        #expect(responses.map { ($0["usage"] as? [String: Any])?["reasoning_tokens"] as? Int }
                == chat.map { ($0["usage"] as? [String: Any])?["reasoning_tokens"] as? Int })
        let finishes = zip(chat, zip(responses, messages)).map { c, rm in
            [c["finish_reason"], rm.0["finish_reason"], rm.1["finish_reason"]].map { $0 as? String ?? "" }
        }
        #expect(finishes.allSatisfy {
            [["stop", "completed", "end_turn"], ["length", "incomplete", "max_tokens"], ["tool_calls", "completed", "tool_use"]]
                .contains($0)
        })
    }
}
