import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's allocator, where a long run needs it to behave: glibc's `mallopt` and `malloc_trim` (in malloc.h,
/// which Swift's Glibc module leaves out, so they are found at run time). Elsewhere these do nothing.
public enum ProcessAllocator {
    /// glibc left to itself lets a long run's RSS creep: each freed large block (a batch of CSV rows, a queue's
    /// storage) raises its mmap threshold, so later large blocks come from the heaps and fragment them, and each
    /// thread that allocates may get a heap of its own. An hour at 1,000 requests/s rose from 71 to 83 MB that way;
    /// with the threshold fixed at 128 KiB and two heaps from the start, the same hour stayed within 8.5% of its first
    /// minute. Done once; the command line does it first thing, since a thread keeps the heap it took before the limit.
    /// A variable the environment sets (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_ARENA_MAX`, read by glibc at start) stays.
    public static func settle() { _ = settled }

    /// Hands the pages the process has freed back to the system (a few ms).
    public static func returnFreedMemory() { _ = mallocTrim?(0) }

    private static let settled: Void = {
        guard let mallopt = glibc("mallopt", as: (@convention(c) (Int32, Int32) -> Int32).self) else { return }
        let environment = ProcessInfo.processInfo.environment
        // M_MMAP_THRESHOLD and M_ARENA_MAX.
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = mallopt(-3, 128 * 1024) }
        if environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(-8, 2) }
    }()

    private static let mallocTrim = glibc("malloc_trim", as: (@convention(c) (Int) -> Int32).self)

    private static func glibc<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
        #else
        return nil
        #endif
    }
}
