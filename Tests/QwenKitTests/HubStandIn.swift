import Foundation

/// The local Hub stand-in (`Tests/Fixtures/hub/hub_standin.py`) running as a subprocess on
/// 127.0.0.1 for one test; `stop()` ends it.
final class HubStandIn {
    let endpoint: String
    private let process: Process
    /// The stand-in's stdin: it exits when this closes, even if the test process dies.
    private let input = Pipe()
    private let logURL: URL

    /// Starts the stand-in with extra `arguments` (`--token`, `--cut-after`, `--cuts`, `--corrupt`).
    init(_ arguments: [String] = []) throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("hub-standin-\(UUID().uuidString).log")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.url("hub/hub_standin.py").path, "--log", logURL.path] + arguments
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
            throw StandInError.noPort
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    deinit { stop() }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: logURL)
    }

    /// The requests served so far: method, path, range.
    func requests() -> [(method: String, path: String, range: String?)] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let method = object["method"] as? String, let path = object["path"] as? String
            else { return nil }
            return (method, path, object["range"] as? String)
        }
    }

    enum StandInError: Error { case noPort }
}

/// A fresh, empty cache folder for one test.
func temporaryCache() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("hub-cache-\(UUID().uuidString)")
}
