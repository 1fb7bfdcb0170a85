import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP server on 127.0.0.1 for tests of broken and hostile servers: it reads each request (head and
/// Content-Length body), then hands the connection to `script`, which writes whatever bytes it likes, pauses,
/// closes or resets. Each connection runs on a thread of its own; `stop()` ends them all.
final class HostileServer: Sendable {
    let port: Int
    private let listener: Int32
    private let stopping = Atomic(false)
    private let threads = DispatchGroup()
    /// The request heads received, in order.
    private let heads = Mutex<[String]>([])

    /// `accepting: false` listens without ever accepting (backlog `backlog`): connections beyond the queue hang.
    /// `readingRequest: false` hands the connection over before anything is read (for a client that waits for the
    /// server first, as in a TLS handshake).
    init(backlog: Int32 = 64, accepting: Bool = true, readingRequest: Bool = true,
         script: @escaping @Sendable (HostileConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HostileServerError.socket(errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            close(fd)
            throw HostileServerError.socket(errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        guard accepting else { return }
        threads.enter()
        Thread { [self] in
            defer { threads.leave() }
            acceptLoop(readingRequest: readingRequest, script)
        }.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var isStopping: Bool { stopping.load(ordering: .relaxed) }
    var requestHeads: [String] { heads.withLock { $0 } }

    /// Stops accepting, ends every connection's script at its next pause and waits for them.
    func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        _ = threads.wait(timeout: .now() + 10)
        close(listener)
    }

    private func acceptLoop(readingRequest: Bool, _ script: @escaping @Sendable (HostileConnection) -> Void) {
        while !isStopping {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            threads.enter()
            Thread { [self] in
                defer { threads.leave() }
                let connection = HostileConnection(fd: fd, server: self)
                if !readingRequest {
                    script(connection)
                } else if let head = connection.readRequest() {
                    heads.withLock { $0.append(head) }
                    connection.head = head
                    script(connection)
                }
                connection.close()
            }.start()
        }
    }
}

enum HostileServerError: Error {
    case socket(Int32)
}

/// One accepted connection, as the script sees it.
final class HostileConnection: @unchecked Sendable {
    private var fd: Int32
    private unowned let server: HostileServer
    /// The request head read before the script started (empty with `readingRequest: false`).
    var head = ""

    init(fd: Int32, server: HostileServer) {
        self.fd = fd
        self.server = server
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    var isStopping: Bool { server.isStopping }

    /// Reads the request head and its Content-Length body; nil when the client left first.
    func readRequest() -> String? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
                if received.count - end.upperBound >= length { return head }
            }
            guard waitReadable(ms: 5_000) else { return nil }
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            received += buffer[0..<count]
        }
    }

    /// Writes all of `bytes`; false when the client has gone (MSG_NOSIGNAL: EPIPE, not a signal that kills the tests).
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// A response head; `headers` are whole lines without their CRLF.
    @discardableResult
    func writeHead(status: String = "200 OK", _ headers: [String]) -> Bool {
        write("HTTP/1.1 \(status)\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    /// One chunk of a chunked body.
    @discardableResult
    func writeChunk(_ bytes: [UInt8]) -> Bool {
        write(Array(String(bytes.count, radix: 16).utf8) + [0x0D, 0x0A] + bytes + [0x0D, 0x0A])
    }

    /// A whole response with a Content-Length body.
    @discardableResult
    func respond(status: String = "200 OK", contentType: String, body: [UInt8], extraHeaders: [String] = []) -> Bool {
        writeHead(status: status, ["Content-Type: \(contentType)", "Content-Length: \(body.count)"] + extraHeaders)
            && write(body)
    }

    /// Pauses; false when the client left or the server is stopping (the script should end).
    func pause(ms: Int) -> Bool {
        let deadline = Date().addingTimeInterval(Double(ms) / 1000)
        while Date() < deadline {
            if server.isStopping || clientLeft() { return false }
            usleep(useconds_t(min(20, max(1, Int(deadline.timeIntervalSinceNow * 1000))) * 1000))
        }
        return !server.isStopping
    }

    /// Holds the connection open, sending nothing, until the client leaves or the server stops.
    func holdUntilClientLeaves() {
        while pause(ms: 1_000) {}
    }

    /// Closes with a TCP reset (SO_LINGER 0) instead of a FIN.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// True when the client has closed its end (readable with nothing to read) or reset it.
    private func clientLeft() -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        if poller.revents & Int16(POLLERR | POLLHUP) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }

    private func waitReadable(ms: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, ms) > 0
    }
}

/// A port on loopback with nothing listening: bound, then closed.
func closedLoopbackPort() throws -> Int {
    let server = try HostileServer(accepting: false) { _ in }
    let port = server.port
    server.stop()
    return port
}

/// Builds gzip members with deflate's fixed Huffman codes, literals only: real compressed data (the text does not
/// appear in it) without zlib.
enum Gzip {
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE 01: fixed Huffman codes
        for byte in data {
            if byte < 144 {
                bits.writeCode(0x30 + UInt32(byte), count: 8)
            } else {
                bits.writeCode(0x190 + UInt32(byte) - 144, count: 9)
            }
        }
        bits.writeCode(0, count: 7)  // end of block
        return [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF] + bits.bytes
            + littleEndian(crc32(data)) + littleEndian(UInt32(truncatingIfNeeded: data.count))
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }

    /// Deflate's bit order: fields least significant bit first, Huffman codes most significant bit first.
    private struct BitWriter {
        var bytes: [UInt8] = []
        private var used = 8

        mutating func write(_ value: UInt32, count: Int) {
            for bit in 0..<count {
                if used == 8 {
                    bytes.append(0)
                    used = 0
                }
                bytes[bytes.count - 1] |= UInt8((value >> UInt32(bit)) & 1) << UInt8(used)
                used += 1
            }
        }

        mutating func writeCode(_ code: UInt32, count: Int) {
            var reversed: UInt32 = 0
            for bit in 0..<count { reversed |= ((code >> UInt32(bit)) & 1) << UInt32(count - 1 - bit) }
            write(reversed, count: count)
        }
    }
}
