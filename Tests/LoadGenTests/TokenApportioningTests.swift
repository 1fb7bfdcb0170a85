import Testing
@testable import LoadGen

@Suite struct TokenApportioningTests {
    @Test func proportionalLengthsAreExact() {
        // Five bytes per token: the shares are exactly the tokens of each chunk.
        #expect(TokenApportioning.apportion(total: 21, lengths: [30, 60, 15]) == [6, 12, 3])
    }

    @Test func largestRemainderEarlierFirstOnTies() {
        // Quotas 10/3 = 3.33 each: one token left, to the earliest chunk.
        #expect(TokenApportioning.apportion(total: 10, lengths: [1, 1, 1]) == [4, 3, 3])
        // Quotas 7*5/10 = 3.5, 7*3/10 = 2.1, 7*2/10 = 1.4: floors 3,2,1 and the one left goes to 0.5.
        #expect(TokenApportioning.apportion(total: 7, lengths: [5, 3, 2]) == [4, 2, 1])
    }

    @Test func everyNonEmptyChunkGetsAtLeastOne() {
        // Quotas 10*1/100 = 0.1 and 10*99/100 = 9.9: floors 0 and 9, remainder to the second, then one moves.
        #expect(TokenApportioning.apportion(total: 10, lengths: [1, 99]) == [1, 9])
    }

    @Test func fewerTokensThanChunksGoToTheLongest() {
        let shares = TokenApportioning.apportion(total: 2, lengths: [3, 10, 10, 1])
        #expect(shares == [0, 1, 1, 0])
    }

    @Test func alwaysSumsToTheTotal() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let lengths = (0..<Int.random(in: 1...40, using: &rng)).map { _ in Int.random(in: 1...300, using: &rng) }
            let total = Int.random(in: 0...2000, using: &rng)
            let shares = TokenApportioning.apportion(total: total, lengths: lengths)
            #expect(shares.reduce(0, +) == total)
            if total >= lengths.count { #expect(shares.allSatisfy { $0 >= 1 }) }
        }
    }

    @Test func noChunks() {
        #expect(TokenApportioning.apportion(total: 5, lengths: []) == [])
    }

    @Test func estimateIsFourBytesPerTokenAndOnePerChunkAtLeast() {
        #expect(TokenEstimator.estimate(chunkBytes: [5, 5, 5]) == 4)
        #expect(TokenEstimator.estimate(chunkBytes: [1, 1, 1, 1]) == 4)
        #expect(TokenEstimator.estimate(chunkBytes: [40]) == 10)
    }
}
