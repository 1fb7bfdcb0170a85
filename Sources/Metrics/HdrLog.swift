import CZlib
import Foundation
import Histogram

/// HdrHistogram's interval log (format version 1.3) and its compressed V2 histogram encoding, so the logs sambabench
/// writes are read by HdrHistogram's own tools (HistogramLogProcessor, HdrHistogram_py, hdrhistogram-rs) and merged
/// by adding intervals.
///
/// An encoded histogram: a 4-byte cookie (0x1c849314), the compressed length, then zlib's deflate of: cookie
/// 0x1c849313, payload length, normalizing index offset (0), significant digits, lowest discernible value, highest
/// trackable value, integer-to-double ratio (1.0), all big-endian, then the counts array from index 0 to the highest
/// non-zero one as ZigZag LEB128 numbers, a run of n > 1 empty buckets written as -n.
public enum HdrLog {
    static let encodingCookie: UInt32 = 0x1c84_9313
    static let compressedCookie: UInt32 = 0x1c84_9314

    public struct DecodeError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The layout of a histogram's counts array (HdrHistogram's index arithmetic), for lowest discernible value 1.
    struct Layout {
        let digits: Int
        let subBucketHalfCountMagnitude: Int
        let subBucketHalfCount: Int
        let subBucketMask: UInt64
        let leadingZeroCountBase: Int

        init(digits: Int) {
            self.digits = digits
            var largest = 2
            for _ in 0..<digits { largest *= 10 }
            let subBucketCountMagnitude = Int((log2(Double(largest))).rounded(.up))
            subBucketHalfCountMagnitude = subBucketCountMagnitude - 1
            subBucketHalfCount = 1 << subBucketHalfCountMagnitude
            subBucketMask = UInt64((1 << subBucketCountMagnitude) - 1)
            leadingZeroCountBase = 64 - subBucketCountMagnitude
        }

        func index(of value: UInt64) -> Int {
            let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
            let subBucket = Int(value >> UInt64(bucket))
            return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
        }

        func value(atIndex index: Int) -> UInt64 {
            var bucket = (index >> subBucketHalfCountMagnitude) - 1
            var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
            if bucket < 0 {
                subBucket -= subBucketHalfCount
                bucket = 0
            }
            return UInt64(subBucket) << UInt64(bucket)
        }
    }

    static func digits(_ histogram: Histogram<UInt64>) -> Int { Int(histogram.numberOfSignificantValueDigits.rawValue) }

    /// The histogram's compressed V2 encoding, base64.
    public static func encode(_ histogram: Histogram<UInt64>) -> String {
        let layout = Layout(digits: digits(histogram))
        var counts: [(index: Int, count: UInt64)] = []
        for bucket in histogram.recordedValues() {
            counts.append((layout.index(of: histogram.lowestEquivalentForValue(bucket.value)), UInt64(bucket.count)))
        }
        counts.sort { $0.index < $1.index }
        var payload: [UInt8] = []
        var next = 0
        for (index, count) in counts {
            let zeros = index - next
            if zeros == 1 { putZigZag(0, into: &payload) } else if zeros > 1 { putZigZag(-Int64(zeros), into: &payload) }
            putZigZag(Int64(count), into: &payload)
            next = index + 1
        }
        var plain: [UInt8] = []
        putUInt32(encodingCookie, into: &plain)
        putUInt32(UInt32(payload.count), into: &plain)
        putUInt32(0, into: &plain)
        putUInt32(UInt32(layout.digits), into: &plain)
        putUInt64(histogram.lowestDiscernibleValue, into: &plain)
        putUInt64(histogram.highestTrackableValue, into: &plain)
        putUInt64(Double(1).bitPattern, into: &plain)
        plain += payload
        var compressed = [UInt8](repeating: 0, count: sb_deflate_bound(plain.count))
        var length = compressed.count
        let rc = compressed.withUnsafeMutableBufferPointer { out in
            plain.withUnsafeBufferPointer { sb_deflate($0.baseAddress, $0.count, out.baseAddress, &length) }
        }
        precondition(rc == 0, "zlib's deflate failed on a buffer it sized itself")
        var encoded: [UInt8] = []
        putUInt32(compressedCookie, into: &encoded)
        putUInt32(UInt32(length), into: &encoded)
        encoded += compressed[..<length]
        return Data(encoded).base64EncodedString()
    }

    /// A histogram from its compressed V2 encoding (as `encode` or HdrHistogram writes it).
    public static func decode(_ base64: String) throws -> Histogram<UInt64> {
        guard let data = Data(base64Encoded: base64) else { throw DecodeError(message: "not base64") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8, readUInt32(bytes, 0) == compressedCookie else {
            throw DecodeError(message: "not a compressed V2 HdrHistogram encoding (cookie)")
        }
        let length = Int(readUInt32(bytes, 4))
        guard length <= bytes.count - 8 else { throw DecodeError(message: "the compressed length runs past the data") }
        var capacity = max(4096, length * 8)
        var plain: [UInt8] = []
        while true {
            plain = [UInt8](repeating: 0, count: capacity)
            var written = capacity
            let rc = plain.withUnsafeMutableBufferPointer { out in
                bytes.withUnsafeBufferPointer { sb_inflate($0.baseAddress! + 8, length, out.baseAddress, &written) }
            }
            if rc == 0 {
                plain.removeSubrange(written...)
                break
            }
            // Z_BUF_ERROR: the output did not fit.
            guard rc == -5, capacity < 1 << 28 else { throw DecodeError(message: "the compressed histogram does not inflate (zlib \(rc))") }
            capacity *= 4
        }
        guard plain.count >= 40, readUInt32(plain, 0) == encodingCookie else {
            throw DecodeError(message: "the inflated histogram has no V2 header")
        }
        let payloadLength = Int(readUInt32(plain, 4))
        let digits = Int(readUInt32(plain, 12))
        guard (0...5).contains(digits), let significant = SignificantDigits(rawValue: Int8(digits)),
              payloadLength <= plain.count - 40 else {
            throw DecodeError(message: "the histogram's header is not valid")
        }
        let layout = Layout(digits: digits)
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: significant)
        histogram.autoResize = true
        var position = 40
        let end = 40 + payloadLength
        var index = 0
        while position < end {
            let value = try readZigZag(plain, &position, end: end)
            if value < 0 {
                index += Int(-value)
            } else {
                if value > 0 { _ = histogram.record(layout.value(atIndex: index), count: UInt64(value)) }
                index += 1
            }
        }
        return histogram
    }

    static func putZigZag(_ value: Int64, into bytes: inout [UInt8]) {
        var encoded = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while encoded >= 0x80 {
            bytes.append(UInt8(encoded & 0x7f) | 0x80)
            encoded >>= 7
        }
        bytes.append(UInt8(encoded))
    }

    static func readZigZag(_ bytes: [UInt8], _ position: inout Int, end: Int) throws -> Int64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw DecodeError(message: "a count runs past the payload") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
    }

    static func putUInt32(_ value: UInt32, into bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func putUInt64(_ value: UInt64, into bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    /// The log's opening lines: the format version, the run's wall-clock start (the intervals' times count from it).
    public static func header(startEpochSeconds: Double, comment: String) -> String {
        let date = Date(timeIntervalSince1970: startEpochSeconds)
        let formatter = ISO8601DateFormatter()
        return "#[\(comment)]\n#[Histogram log format version 1.3]\n"
            + "#[StartTime: \(String(format: "%.3f", startEpochSeconds)) (seconds since epoch), \(formatter.string(from: date))]\n"
            + "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
    }

    /// One interval's line: its tag, start and length in seconds, its maximum in the metric's reported unit.
    public static func line(tag: String, startSeconds: Double, lengthSeconds: Double, histogram: Histogram<UInt64>, scale: Double) -> String {
        "Tag=\(tag),\(String(format: "%.3f", startSeconds)),\(String(format: "%.3f", lengthSeconds)),"
            + "\(String(format: "%.3f", Double(histogram.max) / scale)),\(encode(histogram))\n"
    }

    /// One interval of a log as read back.
    public struct Interval {
        public var tag: String?
        public var startSeconds: Double
        public var lengthSeconds: Double
        public var histogram: Histogram<UInt64>
    }

    /// The intervals of a log file's text; comment and header lines are skipped; a malformed line is an error naming it.
    public static func intervals(_ text: String, file: String) throws -> [Interval] {
        var result: [Interval] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("\"") { continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var tag: String?
            if fields.first?.hasPrefix("Tag=") == true { tag = String(fields.removeFirst().dropFirst(4)) }
            guard fields.count == 4, let start = Double(fields[0]), let length = Double(fields[1]) else {
                throw RunFiles.ReadError(file: file, line: number + 1, message: "not an interval line (Tag=..., start, length, max, histogram)")
            }
            do {
                result.append(Interval(tag: tag, startSeconds: start, lengthSeconds: length, histogram: try decode(fields[3])))
            } catch {
                throw RunFiles.ReadError(file: file, line: number + 1, message: "the histogram does not decode: \(error)")
            }
        }
        return result
    }
}
