/// Where the engine tells a person what it is doing: the CLI's console, or nothing in tests. Only receives.
public protocol RunObserver: Sendable {
    /// One line of news: a level started or ended, a warning, the search's step.
    func say(_ line: String)
    /// The live progress line (`final` at a level's end).
    func progress(_ line: String, final: Bool)
    /// How often the progress line is redrawn; nil: never (no progress ticker runs).
    var progressInterval: Duration? { get }
    /// The columns a progress line may use (a terminal's width); nil: no limit.
    var progressWidth: Int? { get }
}

extension RunObserver {
    public var progressWidth: Int? { nil }
}

/// Says nothing: for tests and calibration steps that report on their own.
public struct SilentObserver: RunObserver {
    public init() {}
    public func say(_ line: String) {}
    public func progress(_ line: String, final: Bool) {}
    public var progressInterval: Duration? { nil }
}
