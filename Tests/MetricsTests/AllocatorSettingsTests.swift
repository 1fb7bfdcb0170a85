import Foundation
import Testing
@testable import Metrics

/// The allocator settings a run makes before its load (`ProcessAllocator.settle`): with glibc's mmap threshold
/// left dynamic, freeing a large block raises it, and the next large blocks come from the heap, where they fragment
/// it for the rest of a long run. Settled, a large block after a larger one freed is still its own mapping.
/// Each check runs in a process of its own (an exit test): this one's heaps hold what earlier tests freed.
@Suite struct AllocatorSettingsTests {
    #if os(Linux)
    /// Exits 0 when a 1 MiB block allocated after an 8 MiB one was freed is a mapping of its own (and a small block is
    /// not), 1 otherwise.
    static func checkLargeBlockAfterLargerFreed(settle: Bool) -> Never {
        // glibc marks a chunk it mapped on its own with bit 2 of the size word just before the block.
        func isOwnMapping(_ block: UnsafeMutableRawPointer) -> Bool {
            block.load(fromByteOffset: -MemoryLayout<Int>.size, as: Int.self) & 2 != 0
        }
        if settle { ProcessAllocator.settle() }
        guard let larger = malloc(8 << 20) else { exit(2) }
        memset(larger, 1, 8 << 20)
        let largerMapped = isOwnMapping(larger)
        free(larger)
        // Left dynamic, the threshold is now 8 MiB and this block comes from the heap.
        guard let large = malloc(1 << 20), let small = malloc(4096) else { exit(2) }
        memset(large, 1, 1 << 20)
        exit(largerMapped && isOwnMapping(large) && !isOwnMapping(small) ? 0 : 1)
    }

    @Test func settledALargeBlockAfterALargerOneFreedIsStillMappedOnItsOwn() async {
        await #expect(processExitsWith: .success) {
            // A threshold from the environment would make `settle` leave it alone (and glibc has read it already).
            unsetenv("MALLOC_MMAP_THRESHOLD_")
            AllocatorSettingsTests.checkLargeBlockAfterLargerFreed(settle: true)
        }
    }

    /// The check itself can fail: glibc left to itself serves that block from the heap.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MALLOC_MMAP_THRESHOLD_"] == nil))
    func unsettledTheSameBlockComesFromTheHeap() async {
        await #expect(processExitsWith: .failure) {
            AllocatorSettingsTests.checkLargeBlockAfterLargerFreed(settle: false)
        }
    }
    #endif
}
