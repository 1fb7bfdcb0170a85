import Foundation

enum Fixtures {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
        }
        return Array(try Data(contentsOf: url))
    }

    static let streams = ["chat_sambanova.sse", "chat_reasoning_tools.sse", "chat_multiline_event.sse",
                          "chat_mixed_line_endings.sse", "chat_bom.sse"]
}
