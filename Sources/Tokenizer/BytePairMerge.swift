/// The byte-pair merge loop shared by both vocabularies: a piece starts as parts (single bytes, or single-byte
/// tokens) and the adjacent pair with the lowest rank is merged, leftmost first on ties, until no pair merges.
/// This is tiktoken's `byte_pair_merge` and Hugging Face BPE's `merge_all`; they agree whenever the ranks do.
///
/// The scratch buffers are reused across pieces, so a piece costs no allocation once they have grown.
struct MergeScratch {
    var starts: [Int32] = []
    var ranks: [UInt32] = []
    var ids: [UInt32] = []
}

extension MergeScratch {
    /// tiktoken: the rank of a part is the rank of its bytes; `emit(rank, endOffset)` gets each token in order.
    @inline(__always)
    mutating func mergeByRank(_ piece: UnsafePointer<UInt8>, _ length: Int, _ table: ByteTable,
                              _ emit: (UInt32, Int) -> Void) {
        if length == 1 {
            emit(table.value(piece, 1), 1)
            return
        }
        starts.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        for index in 0...length {
            starts.append(Int32(index))
            ranks.append(index + 2 <= length ? table.value(piece + index, 2) : .max)
        }
        starts.withUnsafeMutableBufferPointer { starts in
            ranks.withUnsafeMutableBufferPointer { ranks in
                var count = length + 1
                // The rank of the part made by merging parts i and i+1, seen from i: bytes starts[i]..<starts[i+3].
                @inline(__always) func pairRank(_ i: Int) -> UInt32 {
                    guard i + 3 < count else { return .max }
                    let start = Int(starts[i])
                    return table.value(piece + start, Int(starts[i + 3]) - start)
                }
                while count > 1 {
                    guard let i = lowestRank(ranks, count - 1) else { break }
                    // Ranks first, skipping part i+1 (still present: i+3 reaches the part after the merge).
                    ranks[i] = pairRank(i)
                    if i > 0 { ranks[i - 1] = pairRank(i - 1) }
                    // Remove part i+1.
                    var j = i + 1
                    while j < count - 1 {
                        starts[j] = starts[j + 1]
                        ranks[j] = ranks[j + 1]
                        j += 1
                    }
                    count -= 1
                }
                for i in 0..<(count - 1) {
                    let start = Int(starts[i])
                    let end = Int(starts[i + 1])
                    emit(table.value(piece + start, end - start), end)
                }
            }
        }
    }

    /// Hugging Face BPE: parts are token ids (one per byte to start) and a pair's rank is its merge's line in
    /// `merges`; `emit(id, endOffset)` gets each token in order.
    @inline(__always)
    /// A byte whose id is `UInt32.max` (not in the vocabulary, no `unk_token`) is dropped, as Hugging Face does.
    mutating func mergeByPairs(_ byteIDs: UnsafePointer<UInt32>, _ byteCount: Int, _ pairs: PairTable,
                               _ emit: (UInt32, Int) -> Void) {
        starts.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        for index in 0..<byteCount where byteIDs[index] != .max {
            starts.append(Int32(index))
            ids.append(byteIDs[index])
        }
        let length = ids.count
        if length == 0 { return }
        if length == 1 {
            emit(ids[0], byteCount)
            return
        }
        for index in 0..<length {
            ranks.append(index + 1 < length ? pairs.merge(ids[index], ids[index + 1]).rank : .max)
        }
        starts.append(Int32(byteCount))
        starts.withUnsafeMutableBufferPointer { starts in
            ranks.withUnsafeMutableBufferPointer { ranks in
                ids.withUnsafeMutableBufferPointer { ids in
                    var count = length
                    while count > 1 {
                        guard let i = lowestRank(ranks, count - 1) else { break }
                        ids[i] = pairs.merge(ids[i], ids[i + 1]).merged
                        var j = i + 1
                        while j < count - 1 {
                            ids[j] = ids[j + 1]
                            ranks[j] = ranks[j + 1]
                            starts[j] = starts[j + 1]
                            j += 1
                        }
                        starts[count - 1] = starts[count]
                        count -= 1
                        ranks[i] = i + 1 < count ? pairs.merge(ids[i], ids[i + 1]).rank : .max
                        if i > 0 { ranks[i - 1] = pairs.merge(ids[i - 1], ids[i]).rank }
                    }
                    for i in 0..<count { emit(ids[i], Int(starts[i + 1])) }
                }
            }
        }
    }
}

/// The first of the `count` ranks that is lowest, or nil when none can merge (all are `.max`): the next pair
/// byte-pair encoding merges.
@inline(__always)
func lowestRank(_ ranks: UnsafeMutableBufferPointer<UInt32>, _ count: Int) -> Int? {
    var best = UInt32.max
    var bestIndex = 0
    for i in 0..<count where ranks[i] < best {
        best = ranks[i]
        bestIndex = i
    }
    return best == .max ? nil : bestIndex
}
