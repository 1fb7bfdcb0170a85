#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An immutable open-addressing hash table from byte strings to 32-bit values (a token's rank or id).
///
/// The keys live in one byte arena and the slots hold their hash, offset and length, so a lookup hashes the
/// bytes in place (eight at a time) and compares with `memcmp`: no `Array` is made per lookup, which is what the
/// BPE merge loop does for every adjacent pair.
final class ByteTable: @unchecked Sendable {
    private let arena: UnsafeMutablePointer<UInt8>
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int
    let count: Int

    struct Slot {
        var hash: UInt32
        var length: UInt32  // 0 marks an empty slot; keys are never empty
        var offset: UInt32
        var value: UInt32
    }

    /// Builds the table; a key given twice keeps its first value (`duplicates` counts the others).
    init(_ entries: [(key: [UInt8], value: UInt32)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        self.mask = mask
        let totalBytes = entries.reduce(0) { $0 + $1.key.count }
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: Swift.max(totalBytes, 1))
        self.arena = arena
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        self.slots = slots
        slots.initialize(repeating: Slot(hash: 0, length: 0, offset: 0, value: 0), count: capacity)
        var used = 0
        var stored = 0
        for entry in entries where !entry.key.isEmpty {
            let offset = used
            entry.key.withUnsafeBufferPointer { key in
                (arena + offset).update(from: key.baseAddress!, count: key.count)
            }
            let hash = ByteTable.hash(UnsafePointer(arena + offset), entry.key.count)
            var index = Int(truncatingIfNeeded: hash) & mask
            var duplicate = false
            while slots[index].length != 0 {
                let slot = slots[index]
                if slot.hash == UInt32(truncatingIfNeeded: hash), Int(slot.length) == entry.key.count,
                   memcmp(arena + Int(slot.offset), arena + offset, entry.key.count) == 0 {
                    duplicate = true
                    break
                }
                index = (index + 1) & mask
            }
            if duplicate { continue }
            slots[index] = Slot(hash: UInt32(truncatingIfNeeded: hash), length: UInt32(entry.key.count),
                                offset: UInt32(offset), value: entry.value)
            used += entry.key.count
            stored += 1
        }
        count = stored
    }

    deinit {
        arena.deallocate()
        slots.deallocate()
    }

    /// The value of the `length` bytes at `bytes`, or `UInt32.max` when they are not a key.
    @inline(__always)
    func value(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        let hash = ByteTable.hash(bytes, length)
        let short = UInt32(truncatingIfNeeded: hash)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.length == 0 { return .max }
            if slot.hash == short, Int(slot.length) == length,
               memcmp(arena + Int(slot.offset), bytes, length) == 0 {
                return slot.value
            }
            index = (index + 1) & mask
        }
    }

    /// A 64-bit hash reading eight bytes per step; the length is mixed in so prefixes differ.
    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: length)
        var index = 0
        let raw = UnsafeRawPointer(bytes)
        while index + 8 <= length {
            h = (h ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            index += 8
        }
        if index < length {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while index < length {
                word |= UInt64(bytes[index]) << shift
                shift += 8
                index += 1
            }
            h = (h ^ word) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 29)
    }
}

/// An immutable open-addressing table from a pair of token ids to the rank of their merge and the id it makes
/// (Hugging Face BPE's `merges`).
final class PairTable: @unchecked Sendable {
    private let keys: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<UInt64>
    private let mask: Int
    private static let empty = UInt64.max

    init(_ entries: [(left: UInt32, right: UInt32, rank: UInt32, merged: UInt32)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        self.mask = mask
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        self.keys = keys
        keys.initialize(repeating: PairTable.empty, count: capacity)
        let values = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        self.values = values
        values.initialize(repeating: 0, count: capacity)
        for entry in entries {
            let key = UInt64(entry.left) << 32 | UInt64(entry.right)
            var index = PairTable.slot(key) & mask
            while keys[index] != PairTable.empty && keys[index] != key { index = (index + 1) & mask }
            if keys[index] == key { continue }  // the first (lowest-ranked) merge of a pair wins
            keys[index] = key
            values[index] = UInt64(entry.rank) << 32 | UInt64(entry.merged)
        }
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always)
    private static func slot(_ key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    /// (rank, merged id) of the pair, or rank `UInt32.max` when the pair never merges.
    @inline(__always)
    func merge(_ left: UInt32, _ right: UInt32) -> (rank: UInt32, merged: UInt32) {
        let key = UInt64(left) << 32 | UInt64(right)
        var index = PairTable.slot(key) & mask
        while true {
            let stored = keys[index]
            if stored == key {
                let value = values[index]
                return (UInt32(truncatingIfNeeded: value >> 32), UInt32(truncatingIfNeeded: value))
            }
            if stored == PairTable.empty { return (.max, 0) }
            index = (index + 1) & mask
        }
    }
}
