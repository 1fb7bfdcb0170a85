import Foundation
import LoadGen
import MockServer

/// `sambabench mock`: the mock on loopback until it is closed (Ctrl-C ends the process).
public enum StandaloneMock {
    public struct AddressFileError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds, writes the base URL to `addressFile` once bound, prints one line for people and older scripts, and
    /// serves until the server closes.
    public static func serve(_ profile: MockProfile, port: Int, threads: Int, addressFile: String?,
                             describing settings: String) async throws {
        // Every stream it answers is a socket.
        ProcessResources.raiseOpenFileLimit()
        let server = try await MockServer.start(profile: profile, port: port, threads: threads)
        if let addressFile {
            do {
                try server.writeAddress(to: addressFile)
            } catch {
                await server.shutdown()
                throw AddressFileError(description: "--address-file: cannot write \(addressFile): \(error.localizedDescription)")
            }
        }
        let line = "mock server listening on \(server.baseURL) (\(settings)\(profile.stampSendTimes ? ", send times stamped" : "")); Ctrl-C stops it\n"
        // Written unbuffered.
        FileHandle.standardOutput.write(Data(line.utf8))
        try await server.waitUntilClosed()
    }
}
