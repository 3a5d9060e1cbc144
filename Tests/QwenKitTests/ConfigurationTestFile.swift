import Foundation

/// Writes a JSON configuration into a temporary directory for a test.
struct ConfigurationTestFile {
    let url: URL
    var path: String { url.path }

    init(_ json: String, name: String = "config.json") throws {
        let directory = try SafetensorsTestWriter.temporaryDirectory()
        url = directory.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
    }
}
