import Testing
@testable import LoadGen

func offsets(_ pacer: some Pacer, count: Int) -> [Duration] {
    var pacer = pacer
    return (0..<count).compactMap { _ in pacer.next() }
}

func seconds(_ durations: [Duration]) -> [Double] { durations.map { Double($0.nanosecondsValue) / 1e9 } }

@Suite struct PacerTests {
    @Test func constantTenPerSecondForOneSecondOnAVirtualClock() async {
        let clock = VirtualClock()
        var pacer = ConstantPacer(rate: 10)
        var starts: [Duration] = []
        await ArrivalDriver(clock: clock).run(&pacer, start: clock.now, admit: { _, offset in offset < .seconds(1) ? () : nil }) { _, _ in
            starts.append(clock.now.offset)
        }
        #expect(starts == (0..<10).map { .milliseconds(100 * $0) })
    }

    @Test func lateDispatchKeepsTheIntendedTimesAndCatchesUp() async {
        // Each dispatch takes 250 ms on a 100 ms schedule: arrivals go out late, at once, with their intended times.
        let clock = VirtualClock()
        var pacer = ConstantPacer(rate: 10)
        var intended: [Duration] = []
        var actual: [Duration] = []
        await ArrivalDriver(clock: clock).run(&pacer, start: clock.now, admit: { _, offset in offset < .milliseconds(500) ? () : nil }) { _, offset in
            intended.append(offset)
            actual.append(clock.now.offset)
            clock.advance(by: .milliseconds(250))
        }
        #expect(intended == [0, 100, 200, 300, 400].map { .milliseconds($0) })
        #expect(actual == [0, 250, 500, 750, 1000].map { .milliseconds($0) })
    }

    @Test func admitEndsTheRunBeforeSleeping() async {
        let clock = VirtualClock()
        var pacer = ConstantPacer(rate: 100)
        var dispatched: [Int] = []
        await ArrivalDriver(clock: clock).run(&pacer, start: clock.now, admit: { index, _ in index < 5 ? index : nil }) { ticket, _ in
            dispatched.append(ticket)
        }
        #expect(dispatched == [0, 1, 2, 3, 4])
        // The refused sixth arrival (at 50 ms) was never slept for.
        #expect(clock.now.offset == .milliseconds(40))
    }

    @Test func poissonMeanAndDispersion() {
        let gaps = gapsOf(PoissonPacer(rate: 50, seed: 1), count: 10_000)
        let (mean, cv) = meanAndCV(gaps)
        // Over 10,000 arrivals: mean gap 20 ms within 3%, coefficient of variation 1 within 5%.
        #expect(abs(mean - 0.020) / 0.020 < 0.03)
        #expect(abs(cv - 1) < 0.05)
    }

    @Test(arguments: [0.25, 1.0, 4.0])
    func gammaMeanAndDispersion(burstiness: Double) {
        let gaps = gapsOf(GammaPacer(rate: 50, burstiness: burstiness, seed: 2), count: 10_000)
        let (mean, cv) = meanAndCV(gaps)
        let expectedCV = 1 / burstiness.squareRoot()
        // The mean within four standard errors (CV / sqrt(n)); the dispersion within 6%.
        #expect(abs(mean - 0.020) / 0.020 < 4 * expectedCV / 100, "mean \(mean)")
        #expect(abs(cv - expectedCV) / expectedCV < 0.06, "cv \(cv) vs \(expectedCV)")
    }

    @Test func gammaIsUnbiasedOverAMillionGaps() {
        let gaps = gapsOf(GammaPacer(rate: 50, burstiness: 0.25, seed: 3), count: 1_000_000)
        let (mean, cv) = meanAndCV(gaps)
        #expect(abs(mean - 0.020) / 0.020 < 0.01, "mean \(mean)")
        #expect(abs(cv - 2) < 0.03, "cv \(cv)")
    }

    @Test func sameSeedSameSchedule() {
        #expect(offsets(PoissonPacer(rate: 7, seed: 9), count: 100) == offsets(PoissonPacer(rate: 7, seed: 9), count: 100))
        #expect(offsets(GammaPacer(rate: 7, burstiness: 0.5, seed: 9), count: 100)
                == offsets(GammaPacer(rate: 7, burstiness: 0.5, seed: 9), count: 100))
        #expect(offsets(PoissonPacer(rate: 7, seed: 9), count: 100) != offsets(PoissonPacer(rate: 7, seed: 10), count: 100))
    }

    @Test func rampFromOneToNineOverTwoSeconds() {
        // Expected count n(t) = t + 2 t^2; arrivals where it reaches 0, 1, 2, ...: t = (-1 + sqrt(1 + 8i)) / 4.
        let times = seconds(offsets(RampPacer(from: 1, to: 9, overNs: 2_000_000_000), count: 100))
        #expect(times.count == 11)
        for (index, time) in times.enumerated() {
            #expect(abs(time - (-1 + (1 + 8 * Double(index)).squareRoot()) / 4) < 1e-9)
        }
        // A flat ramp is a constant rate.
        #expect(offsets(RampPacer(from: 4, to: 4, overNs: 1_000_000_000), count: 100) == offsets(ConstantPacer(rate: 4), count: 5))
    }
}

func gapsOf(_ pacer: some Pacer, count: Int) -> [Double] {
    let times = seconds(offsets(pacer, count: count + 1))
    return zip(times.dropFirst(), times).map { $0 - $1 }
}

func meanAndCV(_ values: [Double]) -> (mean: Double, cv: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot() / mean)
}
