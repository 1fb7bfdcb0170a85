import Engine
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

/// The calibration procedure end to end against the in-process mock: small levels, checked for what they measured,
/// never for how fast (that is scripts/bench.sh's job).
@Suite(.serialized) struct CalibrateTests {
    @Test func everyStepMeasuresItsFigures() async throws {
        var calibration = Calibration()
        calibration.accuracyLevels = [2]
        calibration.requestLevels = [2]
        calibration.chunkLevels = [2]
        calibration.streams = 20
        calibration.seconds = 0.3
        calibration.mock = .inProcess
        let (levels, memory) = try await calibration.run()
        #expect(levels.map(\.step) == ["accuracy", "requests", "chunks"])
        for level in levels {
            #expect(level.errors == 0, "\(level.step)")
            #expect(level.requests > 0 && level.chunks > 0, "\(level.step)")
            #expect(level.clientCPUNs > 0)
            #expect(level.mockCPUNs == nil)
            #expect(level.transport != nil)
        }
        // Every stream's first chunk was stamped by the mock and checked against it.
        let accuracy = try #require(levels.first)
        #expect((accuracy.ttftError?.count ?? 0) > 0)
        #expect((accuracy.ttftError?.min ?? -1) >= 0)
        #expect(memory?.streams == 20)
        let text = CalibrationReport.text(levels: levels, memory: memory)
        #expect(text.contains("TTFT error at 2 streams"))
        #expect(text.contains("open streams held"))
    }

    @Test func levelListsAreValidated() throws {
        #expect(try Calibration.levels("1, 16,64", option: "--accuracy") == [1, 16, 64])
        #expect(try Calibration.levels("", option: "--accuracy") == [])
        #expect(throws: (any Error).self) { try Calibration.levels("1,x", option: "--accuracy") }
        #expect(throws: (any Error).self) { try Calibration.levels("0", option: "--accuracy") }
    }
}
