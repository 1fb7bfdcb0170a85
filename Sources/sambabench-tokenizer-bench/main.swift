// Tokenizer throughput: sambabench-tokenizer-bench TOKENIZER TEXT_FILE [SECONDS]
// TOKENIZER is o200k_base, cl100k_base (read from $SAMBABENCH_TOKENIZER_DIR, else .cache/tokenizers) or a
// tokenizer.json path. The file is split into lines (documents) and each is encoded separately, single-threaded,
// as tiktoken's side of scripts/tokenizer/bench.sh does. Prints one line: name, bytes, tokens, MB/s.
import Foundation
import Tokenizer

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: sambabench-tokenizer-bench TOKENIZER TEXT_FILE [SECONDS]\n".utf8))
    exit(2)
}
let directory = ProcessInfo.processInfo.environment["SAMBABENCH_TOKENIZER_DIR"] ?? ".cache/tokenizers"
do {
    let tokenizer = try Tokenizer.load(arguments[1], dataDirectory: directory)
    guard let text = try? String(contentsOfFile: arguments[2], encoding: .utf8) else {
        FileHandle.standardError.write(Data("\(arguments[2]): cannot be read as UTF-8 text\n".utf8))
        exit(2)
    }
    let seconds = arguments.count > 3 ? Double(arguments[3]) ?? 3 : 3
    let documents = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
    let bytes = documents.reduce(0) { $0 + $1.utf8.count }
    var tokens = 0
    for document in documents { tokens += tokenizer.count(document) }  // warm-up pass, also the token count
    let clock = ContinuousClock()
    var passes = 0
    let start = clock.now
    var elapsed = Duration.zero
    repeat {
        var sum = 0
        for document in documents { sum += tokenizer.count(document) }
        precondition(sum == tokens)
        passes += 1
        elapsed = clock.now - start
    } while elapsed < .seconds(seconds)
    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let megabytesPerSecond = Double(bytes * passes) / elapsedSeconds / 1e6
    print(String(format: "swift %@ bytes=%d tokens=%d MB/s=%.2f", arguments[1], bytes, tokens, megabytesPerSecond))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
