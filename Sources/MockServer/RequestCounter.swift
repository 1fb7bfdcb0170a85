import Synchronization

/// Numbers the requests the mock receives, so each one's output is reproducible from the seed.
final class RequestCounter: Sendable {
    private let value = Atomic<UInt64>(0)

    func next() -> UInt64 { value.wrappingAdd(1, ordering: .relaxed).newValue }
}
