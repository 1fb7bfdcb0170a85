import Foundation
import LoadGen
import Metrics
import Synchronization

/// How a shard of a sharded run starts together with the others, without a coordinator: at an agreed wall-clock
/// instant (`--start-at`), and/or at a barrier on shared storage (`--barrier DIR`) before every level. A barrier
/// works by files: each shard writes `DIR/level-L/shard-I-of-N` holding its wall-clock time, waits until all N are
/// there, and starts the level at the latest of those times plus `marginNs`: every shard reads the same files, so
/// every shard computes the same instant.
public struct ShardSettings: Sendable {
    public var shard: Shard
    /// The agreed start of the first level, Unix nanoseconds.
    public var startAtNs: Int64?
    /// A directory on storage every shard sees (an NFS or cluster file system; a local one for processes on one host).
    public var barrierDirectory: String?
    /// How long a shard waits at a barrier for the others before it gives up (and stops, saying which are missing).
    public var barrierTimeoutNs: Int64 = 600_000_000_000
    /// From the last shard's arrival at a barrier to the level's start: time for every shard to see the last file.
    public var marginNs: Int64 = 1_000_000_000

    public init(shard: Shard, startAtNs: Int64? = nil, barrierDirectory: String? = nil) {
        self.shard = shard
        self.startAtNs = startAtNs
        self.barrierDirectory = barrierDirectory
    }

    /// `2026-12-01T12:00:00Z` (fractional seconds allowed) as Unix nanoseconds.
    public static func instant(_ text: String, flag: String = "--start-at") throws -> Int64 {
        // Whole seconds through the formatter, the fraction's digits exactly (a Date would round them).
        var whole = Substring(text)
        var fractionNs: Int64 = 0
        if let dot = text.lastIndex(of: "."), let time = text.firstIndex(of: "T"), dot > time {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            if (1...9).contains(digits.count), let value = Int64(digits + String(repeating: "0", count: 9 - digits.count)) {
                fractionNs = value
                whole = text[..<dot] + text[digits.endIndex...]
            }
        }
        guard let date = ISO8601DateFormatter().date(from: String(whole)) else {
            throw ScenarioError(file: flag, path: "", message: "'\(text)' is not an ISO 8601 instant",
                                hint: "give UTC with a zone, e.g. 2026-12-01T12:00:00Z or 2026-12-01T12:00:00.5Z")
        }
        return Int64(date.timeIntervalSince1970.rounded()) * 1_000_000_000 + fractionNs
    }

    /// Checks that every level can start together: several shards need a start time or a barrier, and a run of
    /// several levels a barrier (a start time synchronises only the first level; the others would start whenever each
    /// shard finished the one before).
    public func validate(levels: Int) throws {
        guard shard.count > 1 else { return }
        if startAtNs == nil && barrierDirectory == nil {
            throw ScenarioError(file: "--shard", path: "", message: "shard \(shard) of a sharded run needs a common start",
                                hint: "give --start-at TIME (ISO 8601 UTC, the same for every shard) or --barrier DIR (a directory every shard sees)")
        }
        if levels > 1 && barrierDirectory == nil {
            throw ScenarioError(file: "--start-at", path: "", message: "a sharded run of \(levels) levels cannot start its levels together with a start time alone: it synchronises only the first level",
                                hint: "add --barrier DIR (a directory every shard sees), so every level starts together")
        }
    }
}

/// The wall clock at a run's monotonic origin, read as close to it as the two clocks allow.
public struct ClockAnchor: Sendable {
    public let clock: RunClock
    /// Unix nanoseconds at `clock`'s origin, and half the interval between the wall-clock reads around it.
    public let wallNs: Int64
    public let uncertaintyNs: Int64

    public static func now() -> ClockAnchor {
        // Wall clock, monotonic origin, wall clock again: the origin sits between the two wall reads.
        let before = ClockAnchor.wallNanoseconds()
        let clock = RunClock()
        let after = ClockAnchor.wallNanoseconds()
        return ClockAnchor(clock: clock, wallNs: before + (after - before) / 2, uncertaintyNs: (after - before + 1) / 2)
    }

    public static func wallNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}

/// The level gate of a shard (`RunEngine`'s `levelGate`): waits for the agreed start of each level and notes how late
/// the shard got there.
final class ShardStart: Sendable {
    let settings: ShardSettings
    let anchor: ClockAnchor
    let timeline: Timeline<MonotonicSleepClock>
    let isStopped: @Sendable () -> Bool
    private let state = Mutex(State())

    private struct State {
        var latenessNs: [Int64] = []
        var storageOffsetNs: Int64?
        var agreedFirstNs: Int64?
    }

    init(settings: ShardSettings, anchor: ClockAnchor, timeline: Timeline<MonotonicSleepClock>, isStopped: @escaping @Sendable () -> Bool) {
        self.settings = settings
        self.anchor = anchor
        self.timeline = timeline
        self.isStopped = isStopped
    }

    /// The shard's facts for run.json so far.
    func info(host: String) -> ShardInfo {
        var info = ShardInfo(index: settings.shard.index, count: settings.shard.count, host: host,
                             clockAnchorNs: anchor.wallNs, anchorUncertaintyNs: anchor.uncertaintyNs)
        info.barrier = settings.barrierDirectory
        state.withLock { state in
            info.startAtNs = settings.startAtNs ?? state.agreedFirstNs
            info.levelLatenessNs = state.latenessNs
            info.storageClockOffsetNs = state.storageOffsetNs
        }
        return info
    }

    /// Waits until `plan` may start; returns why the run must stop instead, or nil.
    func beforeLevel(_ plan: LevelPlan) async -> String? {
        let agreedNs: Int64
        if plan.index == 0, let startAt = settings.startAtNs {
            agreedNs = startAt
        } else if let directory = settings.barrierDirectory {
            switch await barrier(directory: directory, level: plan.index) {
            case .success(let instant): agreedNs = instant
            case .failure(let failure): return failure.reason
            }
        } else {
            return nil
        }
        if plan.index == 0 { state.withLock { $0.agreedFirstNs = agreedNs } }
        // The agreed wall-clock instant on this shard's monotonic time line.
        let target = agreedNs - anchor.wallNs
        // In steps, so an interrupt while waiting (the start may be minutes away) is heard within 100 ms.
        while timeline.now() < target && !isStopped() && !Task.isCancelled {
            try? await timeline.sleep(untilNs: min(target, timeline.now() + 100_000_000))
        }
        let lateness = max(timeline.now() - target, 0)
        state.withLock { $0.latenessNs.append(lateness) }
        return nil
    }

    struct Failure: Error {
        var reason: String
    }

    /// Arrives at level `level`'s barrier and returns the level's agreed start (Unix ns).
    private func barrier(directory: String, level: Int) async -> Result<Int64, Failure> {
        let shard = settings.shard
        let folder = directory + "/level-\(level)"
        let manager = FileManager.default
        let mine = folder + "/shard-\(shard.index)-of-\(shard.count)"
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard !manager.fileExists(atPath: mine) else {
                return .failure(Failure(reason: "barrier: \(mine) exists already (an earlier run's?): give each run a fresh --barrier directory"))
            }
            let before = ClockAnchor.wallNanoseconds()
            try String(before).write(toFile: mine, atomically: true, encoding: .utf8)
            let after = ClockAnchor.wallNanoseconds()
            if state.withLock({ $0.storageOffsetNs == nil }),
               let modified = (try? manager.attributesOfItem(atPath: mine))?[.modificationDate] as? Date {
                let storage = Int64((modified.timeIntervalSince1970 * 1e9).rounded())
                state.withLock { $0.storageOffsetNs = storage - (before + (after - before) / 2) }
            }
        } catch {
            return .failure(Failure(reason: "barrier: cannot write \(mine): \(error.localizedDescription)"))
        }
        let deadline = timeline.now() + settings.barrierTimeoutNs
        while true {
            let names = ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("shard-") }
            if let other = names.first(where: { !$0.hasSuffix("-of-\(shard.count)") }) {
                return .failure(Failure(reason: "barrier: \(folder)/\(other) is a shard of another count than \(shard.count): give each run a fresh --barrier directory"))
            }
            if names.count >= shard.count {
                var latest: Int64 = 0
                for name in names {
                    guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8),
                          let written = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                        // Written atomically, so a file is whole or absent; an unreadable one is read again.
                        latest = -1
                        break
                    }
                    latest = max(latest, written)
                }
                if latest >= 0 { return .success(latest + settings.marginNs) }
            }
            if timeline.now() >= deadline || isStopped() || Task.isCancelled {
                let present = Set(names)
                let missing = (0..<shard.count).filter { !present.contains("shard-\($0)-of-\(shard.count)") }
                return .failure(Failure(reason: "barrier: level \(level) gave up after waiting for shards \(missing.map(String.init).joined(separator: ", ")) (\(names.count) of \(shard.count) arrived)"))
            }
            try? await timeline.sleep(forNs: 20_000_000)
        }
    }
}

extension ShardSettings {
    /// The command line's `--shard`, `--start-at` and `--barrier` (nil: a whole run); the environment gives `auto`'s
    /// index and count.
    public static func from(shard: String?, startAt: String?, barrier: String?, environment: [String: String]) throws -> ShardSettings? {
        guard let shard else {
            if startAt != nil || barrier != nil {
                throw ScenarioError(file: startAt != nil ? "--start-at" : "--barrier", path: "", message: "only a shard of a sharded run waits for a start",
                                    hint: "add --shard I/N (or auto), or leave it out to run the whole scenario now")
            }
            return nil
        }
        return ShardSettings(shard: try Shard.resolve(shard, environment: environment), startAtNs: try startAt.map { try instant($0) },
                             barrierDirectory: barrier)
    }
}
