#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte-level BPE tokenizer: tiktoken's rank files (`o200k_base`, `cl100k_base`) or a Hugging Face
/// `tokenizer.json` with a byte-level BPE model. Pure Swift; immutable once loaded, so one instance serves every
/// thread.
///
/// Every token covers a contiguous run of the text's UTF-8 bytes, so besides the ids the tokenizer reports where
/// each token ends: a stream's tokens can then be given to the chunk whose bytes completed them.
public final class Tokenizer: Sendable {
    /// What the scenario called it: `o200k_base`, `cl100k_base`, or the tokenizer.json's path.
    public let name: String
    let model: Model
    let patterns: [PreTokenizerPattern]
    let addedTokens: AddedTokens?
    let addPrefixSpace: Bool

    enum Model: Sendable {
        /// tiktoken: a token's id is its rank.
        case ranks(ByteTable)
        /// Hugging Face BPE: ids of the 256 bytes, the merges, and the whole vocabulary (for `ignore_merges`).
        case merges(byteIDs: [UInt32], pairs: PairTable, vocabulary: ByteTable, ignoreMerges: Bool)
    }

    init(name: String, model: Model, patterns: [PreTokenizerPattern], addedTokens: AddedTokens?,
         addPrefixSpace: Bool) {
        self.name = name
        self.model = model
        self.patterns = patterns
        self.addedTokens = addedTokens
        self.addPrefixSpace = addPrefixSpace
    }

    /// The token ids of a text.
    public func encode(_ text: String) -> [Int] {
        var ids = [Int]()
        ids.reserveCapacity(text.utf8.count / 3)
        forEachToken(text) { id, _ in ids.append(Int(id)) }
        return ids
    }

    /// The token ids of raw bytes (not necessarily valid UTF-8: each invalid byte is a scalar of no class).
    public func encode(bytes: [UInt8]) -> [Int] {
        var ids = [Int]()
        bytes.withUnsafeBufferPointer { buffer in
            var scratch = EncodeScratch()
            encode(buffer, &scratch) { id, _ in ids.append(Int(id)) }
        }
        return ids
    }

    /// How many tokens a text has.
    public func count(_ text: String) -> Int {
        var count = 0
        forEachToken(text) { _, _ in count += 1 }
        return count
    }

    /// Each token's end, as a UTF-8 byte offset into the text (strictly increasing; the last is the text's length).
    public func tokenEnds(_ text: String) -> [Int] {
        var ends = [Int]()
        forEachToken(text) { _, end in ends.append(end) }
        return ends
    }

    /// Tokens per segment of a text given as consecutive segments (a stream's chunks): the concatenation is
    /// tokenized once and each token is counted in the segment holding its last byte. Empty segments get 0.
    public func tokensPerSegment(_ segments: [String]) -> [Int] {
        var bytes = [UInt8]()
        var segmentEnds = [Int]()
        segmentEnds.reserveCapacity(segments.count)
        for segment in segments {
            bytes.append(contentsOf: segment.utf8)
            segmentEnds.append(bytes.count)
        }
        return tokensPerSegment(bytes: bytes, segmentEnds: segmentEnds)
    }

    /// Tokens per segment of `bytes`, where segment i ends at `segmentEnds[i]` (non-decreasing, the last equal to
    /// the byte count).
    public func tokensPerSegment(bytes: [UInt8], segmentEnds: [Int]) -> [Int] {
        var counts = [Int](repeating: 0, count: segmentEnds.count)
        guard !segmentEnds.isEmpty else { return counts }
        var segment = 0
        bytes.withUnsafeBufferPointer { buffer in
            var scratch = EncodeScratch()
            encode(buffer, &scratch) { _, end in
                // The token's last byte is end - 1: it belongs to the first segment ending after it.
                while segment < segmentEnds.count - 1 && segmentEnds[segment] < end { segment += 1 }
                counts[segment] += 1
            }
        }
        return counts
    }

    @inline(__always)
    private func forEachToken(_ text: String, _ emit: (UInt32, Int) -> Void) {
        var text = text
        text.withUTF8 { buffer in
            var scratch = EncodeScratch()
            encode(buffer, &scratch, emit)
        }
    }

    /// The reusable buffers of one encode call.
    struct EncodeScratch {
        var text = ScalarText()
        var merge = MergeScratch()
        var pieces: [(Int, Int)] = []
        var next: [(Int, Int)] = []
        var byteIDs: [UInt32] = []
        var prefixed: [UInt8] = []
    }

    /// Encodes `bytes`, giving each token's id and end offset in order.
    func encode(_ bytes: UnsafeBufferPointer<UInt8>, _ scratch: inout EncodeScratch, _ emit: (UInt32, Int) -> Void) {
        guard let added = addedTokens else {
            encodeOrdinary(bytes, base: 0, &scratch, emit)
            return
        }
        var start = 0
        added.forEachMatch(in: bytes) { matchStart, matchEnd, id in
            if start < matchStart {
                encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[start..<matchStart]), base: start, &scratch, emit)
            }
            emit(id, matchEnd)
            start = matchEnd
        }
        if start < bytes.count {
            encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]), base: start, &scratch, emit)
        }
    }

    /// Text without added tokens: pre-tokenize, then BPE each piece. Offsets given out are `base` + the piece's.
    private func encodeOrdinary(_ bytes: UnsafeBufferPointer<UInt8>, base: Int, _ scratch: inout EncodeScratch,
                                _ emit: (UInt32, Int) -> Void) {
        if addPrefixSpace && bytes.first != 0x20 {
            // Hugging Face's ByteLevel(add_prefix_space): a space the text did not have; its bytes end with the
            // text's first token, so offsets shift back by one.
            var prefixed = scratch.prefixed
            prefixed.removeAll(keepingCapacity: true)
            prefixed.append(0x20)
            prefixed.append(contentsOf: bytes)
            scratch.prefixed = []
            prefixed.withUnsafeBufferPointer { buffer in
                encodePieces(buffer, &scratch) { id, end in emit(id, base + Swift.max(end - 1, 1)) }
            }
            scratch.prefixed = prefixed
            return
        }
        encodePieces(bytes, &scratch) { id, end in emit(id, base + end) }
    }

    private func encodePieces(_ bytes: UnsafeBufferPointer<UInt8>, _ scratch: inout EncodeScratch,
                              _ emit: (UInt32, Int) -> Void) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        scratch.text.load(bytes)
        var merge = scratch.merge
        scratch.merge = MergeScratch()
        defer { scratch.merge = merge }
        let offsets = scratch.text.offsets
        let scalarCount = scratch.text.values.count
        scratch.text.flags.withUnsafeBufferPointer { flags in
            scratch.text.values.withUnsafeBufferPointer { values in
                offsets.withUnsafeBufferPointer { offsets in
                    @inline(__always) func bpe(_ start: Int, _ end: Int) {
                        let byteStart = Int(offsets[start])
                        let byteEnd = Int(offsets[end])
                        encodePiece(base + byteStart, byteEnd - byteStart, &merge, &scratch.byteIDs) { id, pieceEnd in
                            emit(id, byteStart + pieceEnd)
                        }
                    }
                    if patterns.count == 1 {
                        patterns[0].split(flags, values, 0, scalarCount, bpe)
                        return
                    }
                    if patterns.isEmpty {
                        bpe(0, scalarCount)
                        return
                    }
                    var pieces = scratch.pieces
                    var next = scratch.next
                    pieces.removeAll(keepingCapacity: true)
                    pieces.append((0, scalarCount))
                    for pattern in patterns.dropLast() {
                        next.removeAll(keepingCapacity: true)
                        for (lo, hi) in pieces { pattern.split(flags, values, lo, hi) { next.append(($0, $1)) } }
                        swap(&pieces, &next)
                    }
                    let last = patterns[patterns.count - 1]
                    for (lo, hi) in pieces { last.split(flags, values, lo, hi, bpe) }
                    scratch.pieces = pieces
                    scratch.next = next
                }
            }
        }
    }

    @inline(__always)
    private func encodePiece(_ piece: UnsafePointer<UInt8>, _ length: Int, _ merge: inout MergeScratch,
                             _ byteIDs: inout [UInt32], _ emit: (UInt32, Int) -> Void) {
        switch model {
        case .ranks(let table):
            let whole = table.value(piece, length)
            if whole != .max {
                emit(whole, length)
                return
            }
            merge.mergeByRank(piece, length, table, emit)
        case .merges(let ids, let pairs, let vocabulary, let ignoreMerges):
            if ignoreMerges {
                let whole = vocabulary.value(piece, length)
                if whole != .max {
                    emit(whole, length)
                    return
                }
            }
            byteIDs.removeAll(keepingCapacity: true)
            for index in 0..<length { byteIDs.append(ids[Int(piece[index])]) }
            byteIDs.withUnsafeBufferPointer { buffer in
                merge.mergeByPairs(buffer.baseAddress!, length, pairs, emit)
            }
        }
    }
}

/// Hugging Face's added tokens (special tokens such as `<|im_start|>` among them): matched in the raw text before
/// anything else, the longest at the leftmost position, each becoming its own token.
struct AddedTokens: Sendable {
    /// Contents by first byte, longest first.
    let byFirstByte: [[(content: [UInt8], id: UInt32)]]

    init(_ tokens: [(content: [UInt8], id: UInt32)]) {
        var table = [[(content: [UInt8], id: UInt32)]](repeating: [], count: 256)
        for token in tokens where !token.content.isEmpty { table[Int(token.content[0])].append(token) }
        for index in table.indices { table[index].sort { $0.content.count > $1.content.count } }
        byFirstByte = table
    }

    func forEachMatch(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, UInt32) -> Void) {
        var index = 0
        let count = bytes.count
        outer: while index < count {
            let candidates = byFirstByte[Int(bytes[index])]
            if !candidates.isEmpty {
                for candidate in candidates where candidate.content.count <= count - index {
                    if candidate.content.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress! + index, $0.count) }) == 0 {
                        body(index, index + candidate.content.count, candidate.id)
                        index += candidate.content.count
                        continue outer
                    }
                }
            }
            index += 1
        }
    }
}
