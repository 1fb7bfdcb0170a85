import Foundation

/// Reads a CSV file row by row in fixed-size blocks, so a file of any size is read in bounded memory. Quoted fields
/// may hold commas, quotes and line breaks; rows end at LF or CRLF. A row's fields are byte ranges of `row`, valid
/// until the next call.
final class CSVStream {
    let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var block = [UInt8](repeating: 0, count: 1 << 20)
    private var blockCount = 0
    private var position = 0
    private var atEnd = false
    /// The current row's bytes (quotes removed) and its fields' ranges.
    private(set) var row: [UInt8] = []
    private(set) var fields: [Range<Int>] = []
    /// The line the current row started on (1 = the header).
    private(set) var line = 0
    private var nextLine = 1

    init(path: String) throws {
        guard let file = fopen(path, "rb") else {
            throw RunFiles.ReadError(file: path, line: 0, message: "cannot read the file")
        }
        self.path = path
        self.file = file
    }

    deinit { fclose(file) }

    private func fill() -> Bool {
        guard !atEnd else { return false }
        blockCount = block.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        position = 0
        if blockCount == 0 { atEnd = true }
        return blockCount > 0
    }

    /// Moves to the next row; false at the end of the file. The loop works on locals (a class's stored properties
    /// would be checked for exclusive access at every byte).
    func next() -> Bool {
        var row = self.row
        var fields = self.fields
        self.row = []
        self.fields = []
        row.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        line = nextLine
        var lines = nextLine
        var fieldStart = 0
        var quoted = false
        var sawAny = false
        var position = self.position
        var count = blockCount
        var ended = false
        defer {
            self.row = row
            self.fields = fields
            self.position = position
            nextLine = lines
        }
        outer: while true {
            if position >= count {
                self.position = position
                guard fill() else { break }
                position = 0
                count = blockCount
            }
            let found: Bool = block.withUnsafeBufferPointer { bytes in
                while position < count {
                    let byte = bytes[position]
                    position += 1
                    sawAny = true
                    if quoted {
                        if byte == 0x22 {
                            // A quote at the block's end: the next byte decides, read below.
                            if position >= count { pendingQuote = true; return false }
                            if bytes[position] == 0x22 {
                                row.append(0x22)
                                position += 1
                            } else {
                                quoted = false
                            }
                        } else {
                            if byte == 0x0A { lines += 1 }
                            row.append(byte)
                        }
                        continue
                    }
                    switch byte {
                    case 0x22: quoted = true
                    case 0x2C:
                        fields.append(fieldStart..<row.count)
                        fieldStart = row.count
                    case 0x0A:
                        if row.last == 0x0D && fieldStart < row.count { row.removeLast() }
                        fields.append(fieldStart..<row.count)
                        lines += 1
                        return true
                    default: row.append(byte)
                    }
                }
                return false
            }
            if found {
                ended = true
                break outer
            }
            if pendingQuote {
                pendingQuote = false
                self.position = position
                if fill() {
                    position = 0
                    count = blockCount
                    if block[0] == 0x22 {
                        row.append(0x22)
                        position = 1
                    } else {
                        quoted = false
                    }
                } else {
                    quoted = false
                    break
                }
            }
        }
        if ended { return true }
        guard sawAny else { return false }
        if row.last == 0x0D && fieldStart < row.count { row.removeLast() }
        fields.append(fieldStart..<row.count)
        return true
    }

    private var pendingQuote = false

    func string(_ index: Int) -> String? {
        guard index < fields.count else { return nil }
        return String(decoding: row[fields[index]], as: UTF8.self)
    }

    /// A field of ASCII digits (and a leading minus), or nil.
    func int(_ index: Int) -> Int? {
        guard index < fields.count else { return nil }
        let range = fields[index]
        guard !range.isEmpty else { return nil }
        var value = 0
        var negative = false
        var start = range.lowerBound
        if row[start] == 0x2D {
            negative = true
            start += 1
            guard start < range.upperBound else { return nil }
        }
        for index in start..<range.upperBound {
            let digit = Int(row[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }

    /// Milliseconds with up to six decimals, as nanoseconds (exactly as written), or nil.
    func nanoseconds(_ index: Int) -> Int64? {
        guard index < fields.count else { return nil }
        let range = fields[index]
        guard !range.isEmpty else { return nil }
        var start = range.lowerBound
        let negative = row[start] == 0x2D
        if negative { start += 1 }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var decimals = 0
        var inFraction = false
        var digits = 0
        for index in start..<range.upperBound {
            let byte = row[index]
            if byte == 0x2E {
                guard !inFraction else { return nil }
                inFraction = true
                continue
            }
            let digit = Int64(byte) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            digits += 1
            if inFraction {
                if decimals < 6 {
                    fraction = fraction * 10 + digit
                    decimals += 1
                }
            } else {
                guard whole < Int64.max / 100_000_000 else { return nil }
                whole = whole * 10 + digit
            }
        }
        guard digits > 0 else { return nil }
        while decimals < 6 {
            fraction *= 10
            decimals += 1
        }
        let ns = whole * 1_000_000 + fraction
        return negative ? -ns : ns
    }
}
