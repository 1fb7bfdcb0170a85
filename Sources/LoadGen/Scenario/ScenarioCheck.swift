/// `sambabench validate`: each file read as a run would read it.
public struct ScenarioCheck: Sendable {
    public enum Outcome: Sendable {
        /// What the scenario runs, and a note when its API key is not there (the environment's business).
        case valid(summary: String, note: String?)
        case invalid(String)
    }

    public var file: String
    public var outcome: Outcome

    public var failed: Bool { if case .invalid = outcome { true } else { false } }

    public static func check(_ files: [String]) -> [ScenarioCheck] {
        files.map { file in
            do {
                let scenario = try ScenarioReader.load(path: file)
                var note: String?
                do { _ = try scenario.apiKey() } catch { note = "\(error)" }
                return ScenarioCheck(file: file, outcome: .valid(summary: scenario.summary, note: note))
            } catch {
                return ScenarioCheck(file: file, outcome: .invalid("\(error)"))
            }
        }
    }
}
