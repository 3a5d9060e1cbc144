import Foundation
import QwenKit
import Testing

/// The cache layout as huggingface_hub writes it (refs/main, blobs/<etag>, relative snapshot
/// symlinks), built by hand, and how models are found in it.
@Suite struct HubCacheTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// A cache holding `files` (name → fixture file) of `repository` at ``commit``, with refs/main.
    func makeCache(_ repository: String, files: [String: URL], ref: Bool = true) throws -> (HubCache, URL) {
        let root = temporaryCache()
        let cache = HubCache(directory: root)
        let folder = cache.repositoryFolder(repository)
        let snapshot = folder.appendingPathComponent("snapshots/\(Self.commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        for (index, (name, source)) in files.enumerated() {
            let etag = String(repeating: String(index % 10), count: 40)
            try FileManager.default.createSymbolicLink(
                at: folder.appendingPathComponent("blobs/\(etag)"), withDestinationURL: source)
            try FileManager.default.createSymbolicLink(
                atPath: snapshot.appendingPathComponent(name).path, withDestinationPath: "../../blobs/\(etag)")
        }
        if ref {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("refs"), withIntermediateDirectories: true)
            try Self.commit.write(to: folder.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
        }
        return (cache, snapshot)
    }

    func tinyFiles(_ names: [String] = ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"]) -> [String: URL] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, Fixtures.url("models/tiny-qwen2.5/\($0)")) })
    }

    @Test func folderNamesFollowHuggingFaceHub() {
        let cache = HubCache(directory: URL(fileURLWithPath: "/c"))
        #expect(cache.repositoryFolder("Qwen/Qwen2.5-0.5B-Instruct").path == "/c/models--Qwen--Qwen2.5-0.5B-Instruct")
        #expect(cache.snapshotFolder("Qwen/X", commit: Self.commit).path == "/c/models--Qwen--X/snapshots/\(Self.commit)")
    }

    @Test func completeModelResolvesToItsSnapshot() throws {
        let (cache, snapshot) = try makeCache("Qwen/Tiny", files: tinyFiles())
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        #expect(cache.commit("Qwen/Tiny", revision: "main") == Self.commit)
        #expect(try cache.location(of: HubModelID(parsing: "Qwen/Tiny")) == ModelLocation(path: snapshot.path))
        #expect(try cache.location(of: HubModelID(parsing: "Qwen/Tiny@\(Self.commit)")) == ModelLocation(path: snapshot.path))
        let environment = HubEnvironment(cacheDirectory: cache.directory, endpoint: "http://127.0.0.1:1")
        let location = try ModelLocation.resolve("Qwen/Tiny", environment: environment)
        #expect(location == (try ModelLocation(path: snapshot.path)))
        let tokenizer = try Tokenizer(directory: location.url)
        #expect(tokenizer.encode("Hello world") == [9707, 1879])
    }

    @Test func missingWeightsAreReported() throws {
        let (cache, snapshot) = try makeCache("Qwen/Tiny", files: tinyFiles(["config.json", "tokenizer.json"]))
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        #expect(throws: HubError.incomplete(model: "Qwen/Tiny", missing: "model.safetensors", snapshot: snapshot.path)) {
            try cache.location(of: HubModelID(parsing: "Qwen/Tiny"))
        }
    }

    @Test func danglingSnapshotLinkCountsAsMissing() throws {
        let (cache, snapshot) = try makeCache("Qwen/Tiny", files: tinyFiles(["config.json", "tokenizer.json"]))
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        try FileManager.default.createSymbolicLink(
            atPath: snapshot.appendingPathComponent("model.safetensors").path,
            withDestinationPath: "../../blobs/" + String(repeating: "e", count: 64))
        #expect(throws: HubError.incomplete(model: "Qwen/Tiny", missing: "model.safetensors", snapshot: snapshot.path)) {
            try cache.location(of: HubModelID(parsing: "Qwen/Tiny"))
        }
    }

    @Test func modelWithoutRefIsNotCached() throws {
        let (cache, _) = try makeCache("Qwen/Tiny", files: tinyFiles(), ref: false)
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        let error = #expect(throws: HubError.self) { try cache.location(of: HubModelID(parsing: "Qwen/Tiny")) }
        #expect(error == .notCached(model: "Qwen/Tiny", cache: cache.directory.path, offline: false))
        #expect(error?.description.contains("`qwen pull Qwen/Tiny` downloads it") == true)
    }

    @Test func ggufFileIsPickedByQuantization() throws {
        let placeholder = Fixtures.url("models/tiny-qwen2.5/config.json")
        let (cache, snapshot) = try makeCache(
            "Qwen/Tiny-GGUF", files: ["tiny-q8_0.gguf": placeholder, "tiny-Q5_K_M.gguf": placeholder])
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        #expect(try cache.location(of: HubModelID(parsing: "Qwen/Tiny-GGUF:Q8_0")) == .gguf(snapshot.appendingPathComponent("tiny-q8_0.gguf")))
        #expect(try cache.location(of: HubModelID(parsing: "Qwen/Tiny-GGUF:q5_k_m")) == .gguf(snapshot.appendingPathComponent("tiny-Q5_K_M.gguf")))
        #expect(throws: HubError.noMatchingGGUF(repository: "Qwen/Tiny-GGUF", quantization: nil, available: ["q5_k_m", "q8_0"])) {
            try cache.location(of: HubModelID(parsing: "Qwen/Tiny-GGUF"))
        }
        #expect(throws: HubError.noMatchingGGUF(repository: "Qwen/Tiny-GGUF", quantization: "q4_0", available: ["q5_k_m", "q8_0"])) {
            try cache.location(of: HubModelID(parsing: "Qwen/Tiny-GGUF:q4_0"))
        }
    }

    @Test func resolvePrefersLocalPaths() throws {
        let environment = HubEnvironment(cacheDirectory: temporaryCache(), endpoint: "http://127.0.0.1:1")
        let path = Fixtures.url("models/tiny-qwen2.5").path
        #expect(try ModelLocation.resolve(path, environment: environment) == ModelLocation(path: path))
        #expect(throws: ModelLocationError.notFound("./no/such")) { try ModelLocation.resolve("./no/such", environment: environment) }
        #expect(throws: ModelLocationError.notFound("/no/such/model")) {
            try ModelLocation.resolve("/no/such/model", environment: environment)
        }
        var offline = environment
        offline.isOffline = true
        #expect(throws: HubError.notCached(model: "Qwen/Nope", cache: environment.cacheDirectory.path, offline: true)) {
            try ModelLocation.resolve("Qwen/Nope", environment: offline)
        }
    }
}
