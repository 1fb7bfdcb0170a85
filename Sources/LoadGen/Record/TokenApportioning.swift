/// Spreads a token total over chunks by their text length, so the chunks always sum to the total.
///
/// Each chunk's quota is `total * length / allLengths`; quotas are floored and the tokens left over go to the
/// largest remainders (earlier chunk first on ties). Every non-empty chunk then gets at least one token, taken
/// from the chunk holding the most. When the total is smaller than the number of chunks, the longest chunks get
/// one token each so the sum still equals the total.
public enum TokenApportioning {
    public static func apportion(total: Int, lengths: [Int]) -> [Int] {
        let count = lengths.count
        guard count > 0 else { return [] }
        guard total > 0 else { return Array(repeating: 0, count: count) }
        let weights = lengths.map { Swift.max($0, 1) }
        if total < count {
            var result = Array(repeating: 0, count: count)
            let longest = weights.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
            for index in longest.prefix(total) { result[index] = 1 }
            return result
        }
        let sum = weights.reduce(0, +)
        var result = [Int](repeating: 0, count: count)
        var remainders = [(remainder: Int, index: Int)]()
        remainders.reserveCapacity(count)
        var assigned = 0
        for (index, weight) in weights.enumerated() {
            let product = total.multipliedFullWidth(by: weight)
            let (quotient, remainder) = sum.dividingFullWidth(product)
            result[index] = quotient
            assigned += quotient
            remainders.append((remainder, index))
        }
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        for slot in remainders.prefix(total - assigned) { result[slot.index] += 1 }
        for index in result.indices where result[index] == 0 {
            let donor = result.indices.max { result[$0] < result[$1] }!
            result[donor] -= 1
            result[index] = 1
        }
        return result
    }
}
