import LoadGen
import Histogram

/// The summary figures of one distribution, in the metric's reported unit.
public struct Stats: Sendable, Equatable, Codable {
    public var count: Int
    public var mean: Double
    public var stddev: Double
    public var min: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    public init(count: Int, mean: Double, stddev: Double, min: Double, p50: Double, p90: Double, p95: Double,
                p99: Double, p999: Double, max: Double) {
        self.count = count
        self.mean = mean
        self.stddev = stddev
        self.min = min
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }

    enum CodingKeys: String, CodingKey {
        case count, mean, stddev, min, p50, p90, p95, p99, p999 = "p99_9", max
    }
}

/// One metric's values at one level: an HdrHistogram (3 significant digits) for percentiles, beside exact count,
/// mean, standard deviation, min and max. Values are recorded in histogram units (see `Metric.scale`).
public struct Distribution: Sendable {
    public let metric: Metric
    public private(set) var histogram: Histogram<UInt64>
    public private(set) var count = 0
    private var sum = 0.0
    private var sumOfSquares = 0.0
    private var minimum = Double.infinity
    private var maximum = -Double.infinity
    /// Signed metrics only: the magnitudes of the negative values, in a second histogram (`histogram` holds the
    /// rest), so memory stays bounded whatever the count.
    public private(set) var negative: Histogram<UInt64>

    public init(metric: Metric) {
        self.metric = metric
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        self.histogram = histogram
        negative = histogram
    }

    /// Records `value` (histogram units) `weight` times.
    public mutating func record(_ value: Double, weight: Int = 1) {
        guard value.isFinite, weight > 0 else { return }
        let w = Double(weight)
        count += weight
        sum += value * w
        sumOfSquares += value * value * w
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
        if value < 0 && metric.signed {
            _ = negative.record(UInt64((-value).rounded()), count: UInt64(weight))
        } else {
            _ = histogram.record(UInt64(Swift.max(value, 0).rounded()), count: UInt64(weight))
        }
    }

    public mutating func add(_ other: Distribution) {
        count += other.count
        sum += other.sum
        sumOfSquares += other.sumOfSquares
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        histogram.add(other.histogram)
        negative.add(other.negative)
    }

    /// The exact figures kept beside the histogram, to write a distribution to the run's HDR log and restore it
    /// exactly (`report` on a run whose chunk rows were not all kept).
    public struct Moments: Sendable, Equatable {
        public var count: Int
        public var sum: Double
        public var sumOfSquares: Double
        public var min: Double
        public var max: Double
    }

    public var moments: Moments { Moments(count: count, sum: sum, sumOfSquares: sumOfSquares, min: minimum, max: maximum) }

    /// A distribution restored from its histogram and its exact figures (an unsigned metric).
    public init(metric: Metric, histogram: Histogram<UInt64>, moments: Moments) {
        self.init(metric: metric)
        self.histogram.add(histogram)
        count = moments.count
        sum = moments.sum
        sumOfSquares = moments.sumOfSquares
        minimum = moments.min
        maximum = moments.max
    }

    /// The value at `percentile` (0-100) in reported units.
    public func value(atPercentile percentile: Double) -> Double {
        let negatives = negative.totalCount
        guard negatives > 0 else { return Double(histogram.valueAtPercentile(percentile)) / metric.scale }
        // Signed: the value of rank ceil(p * n) among all, negatives first (the largest magnitude is the lowest).
        let total = negatives + histogram.totalCount
        let rank = Swift.min(Swift.max(1, UInt64((percentile / 100 * Double(total)).rounded(.up))), total)
        if rank <= negatives {
            let fromTop = negatives - rank + 1
            // The bucket's lowest magnitude is its highest signed value, as a positive bucket reports its upper edge.
            let magnitude = negative.valueAtPercentile(Double(fromTop) / Double(negatives) * 100)
            return -Double(negative.lowestEquivalentForValue(magnitude)) / metric.scale
        }
        let positiveRank = rank - negatives
        return Double(histogram.valueAtPercentile(Double(positiveRank) / Double(histogram.totalCount) * 100)) / metric.scale
    }

    public var stats: Stats? {
        guard count > 0 else { return nil }
        let n = Double(count)
        let mean = sum / n
        let variance = Swift.max(sumOfSquares / n - mean * mean, 0)
        let scale = metric.scale
        // Percentiles from the histogram are clamped into the exact [min, max] so a bucket's upper edge never
        // reports a value that was not observed.
        func percentile(_ p: Double) -> Double {
            Swift.min(Swift.max(value(atPercentile: p), minimum / scale), maximum / scale)
        }
        return Stats(count: count, mean: mean / scale, stddev: variance.squareRoot() / scale, min: minimum / scale,
                     p50: percentile(50), p90: percentile(90), p95: percentile(95), p99: percentile(99),
                     p999: percentile(99.9), max: maximum / scale)
    }

    /// HdrHistogram's percentile distribution in its CSV format (Value, Percentile, TotalCount, 1/(1-Percentile)),
    /// values in reported units.
    public func percentileDistributionCSV() -> String {
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: metric.scale, format: .csv)
        return text
    }
}
