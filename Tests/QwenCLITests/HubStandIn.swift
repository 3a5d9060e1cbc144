import Foundation

/// The local Hub stand-in (`Tests/Fixtures/hub/hub_standin.py`) as a subprocess on 127.0.0.1
/// (the same launcher as QwenKitTests', which this target cannot import).
final class HubStandIn {
    let endpoint: String
    private let process: Process
    /// The stand-in's stdin: it exits when this closes, even if the test process dies.
    private let input = Pipe()

    /// Starts the stand-in with extra `arguments` (e.g. `--token T`).
    init(_ arguments: [String] = []) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.fixtures.appendingPathComponent("hub/hub_standin.py").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
