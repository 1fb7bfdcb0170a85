import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into calls while a run is going: the handler gets the count so far (1 for the first)
/// and the signal's name. Restores the default handling when cancelled.
/// The sources are created once and only cancelled afterwards.
public final class InterruptWatcher: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    public init(handler: @escaping @Sendable (_ count: Int, _ name: String) -> Void) {
        let count = Mutex(0)
        sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            // The default action (terminate) is replaced; the source still sees the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let seen = count.withLock { value -> Int in
                    value += 1
                    return value
                }
                handler(seen, name)
            }
            source.resume()
            return source
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
