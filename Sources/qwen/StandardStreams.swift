import Foundation

/// Unbuffered writes to stdout and stderr, so streamed tokens appear as they are generated.
enum StandardStreams {
    static func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
