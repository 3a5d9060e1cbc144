import Foundation
import QwenKit
import Testing

/// `ModelDownloader` and `HubClient` against the local Hub stand-in: file selection, cache
/// layout, reuse, resume, checksums and the Hub's errors.
@Suite struct HubDownloaderTests {
    static let tiny = "Qwen/Tiny-Qwen2.5"
    static let inferenceFiles = ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]

    /// Collects the downloader's events.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [ModelDownloader.Event] = []
        func record(_ event: ModelDownloader.Event) { lock.withLock { list.append(event) } }
        var all: [ModelDownloader.Event] { lock.withLock { list } }
        var planned: [ModelDownloader.PlannedFile] {
            all.compactMap { if case .planned(let files) = $0 { files } else { nil } }.first ?? []
        }
        var received: Int { all.filter { if case .received = $0 { true } else { false } }.count }
        var retries: Int { all.filter { if case .retrying = $0 { true } else { false } }.count }
    }

    func downloader(_ hub: HubStandIn, cache: URL, token: String? = nil) -> ModelDownloader {
        ModelDownloader(environment: HubEnvironment(cacheDirectory: cache, endpoint: hub.endpoint, token: token))
    }

    func snapshotFiles(_ location: ModelLocation) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: location.url.path).sorted()
    }

    @Test func downloadsOnlyInferenceFilesInTheHuggingFaceLayout() async throws {
        let hub = try HubStandIn()
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let events = Events()
        let location = try await downloader(hub, cache: cache).download(HubModelID(parsing: Self.tiny), onEvent: events.record)

        #expect(events.planned.map(\.name).sorted() == Self.inferenceFiles)
        #expect(try snapshotFiles(location) == Self.inferenceFiles)
        let folder = HubCache(directory: cache).repositoryFolder(Self.tiny)
        let commit = try String(contentsOf: folder.appendingPathComponent("refs/main"), encoding: .utf8)
        #expect(location == (try ModelLocation(path: folder.appendingPathComponent("snapshots/\(commit)").path)))
        for name in Self.inferenceFiles {
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: location.url.appendingPathComponent(name).path)
            let etag = String(link.dropFirst("../../blobs/".count))
            #expect(link.hasPrefix("../../blobs/"))
            #expect(etag.count == (["model.safetensors", "tokenizer.json"].contains(name) ? 64 : 40), "\(name) → \(link)")
            let original = try Data(contentsOf: Fixtures.url("models/tiny-qwen2.5/\(name)"))
            #expect(try Data(contentsOf: location.url.appendingPathComponent(name)) == original, "\(name)")
        }
        let blobs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("blobs").path)
        #expect(blobs.count == 5 && !blobs.contains { $0.hasSuffix(".incomplete") })

        let environment = HubEnvironment(cacheDirectory: cache, endpoint: "http://127.0.0.1:1", isOffline: true)
        #expect(try ModelLocation.resolve(Self.tiny, environment: environment) == location)
        #expect(try Tokenizer(directory: location.url).encode("Hello world") == [9707, 1879])
    }

    @Test func cachedModelIsNotDownloadedAgain() async throws {
        let hub = try HubStandIn()
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let first = try await downloader(hub, cache: cache).download(HubModelID(parsing: Self.tiny))
        let getsBefore = hub.requests().filter { $0.method == "GET" }.count
        let events = Events()
        let second = try await downloader(hub, cache: cache).download(HubModelID(parsing: Self.tiny), onEvent: events.record)
        #expect(second == first)
        #expect(events.planned.allSatisfy(\.isCached) && events.planned.count == 5)
        #expect(events.received == 0)
        let newRequests = hub.requests().filter { $0.method == "GET" }.dropFirst(getsBefore)
        #expect(newRequests.map(\.path) == ["/api/models/\(Self.tiny)/revision/main"])

        let offline = ModelDownloader(environment: HubEnvironment(cacheDirectory: cache, endpoint: hub.endpoint, isOffline: true))
        #expect(try await offline.download(HubModelID(parsing: Self.tiny)) == first)
        await #expect(throws: HubError.offline(model: "Qwen/Tiny-Qwen2.5-GGUF")) {
            try await offline.download(HubModelID(parsing: "Qwen/Tiny-Qwen2.5-GGUF"))
        }
    }

    @Test func brokenConnectionResumesWithARange() async throws {
        let hub = try HubStandIn(["--cut-after", "3000000", "--cuts", "1"])
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let events = Events()
        let location = try await downloader(hub, cache: cache).download(HubModelID(parsing: Self.tiny), onEvent: events.record)
        #expect(events.retries == 1)
        #expect(hub.requests().contains { $0.path.hasPrefix("/cdn/") && $0.range == "bytes=3000000-" })
        for name in ["model.safetensors", "tokenizer.json"] {
            let original = try Data(contentsOf: Fixtures.url("models/tiny-qwen2.5/\(name)"))
            #expect(try Data(contentsOf: location.url.appendingPathComponent(name)) == original)
        }
    }

    @Test func interruptedDownloadResumesInTheNextRun() async throws {
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let failing = try HubStandIn(["--cut-after", "2000000", "--cuts", "100"])
        var first = downloader(failing, cache: cache)
        first.concurrentDownloads = 1
        first.attempts = 2
        let error = await #expect(throws: HubError.self) { try await first.download(HubModelID(parsing: Self.tiny)) }
        guard case .interrupted(let file, let bytes, _) = error else {
            Issue.record("expected an interruption, got \(String(describing: error))")
            return
        }
        #expect(file == "tokenizer.json" && bytes == 4_000_000)
        failing.stop()
        let blobs = HubCache(directory: cache).repositoryFolder(Self.tiny).appendingPathComponent("blobs")
        let partial = try FileManager.default.contentsOfDirectory(atPath: blobs.path).filter { $0.hasSuffix(".incomplete") }
        #expect(partial.count == 1)
        #expect(HubCache(directory: cache).commit(Self.tiny, revision: "main") == nil)

        let working = try HubStandIn()
        let location = try await downloader(working, cache: cache).download(HubModelID(parsing: Self.tiny))
        #expect(working.requests().contains { $0.path.hasPrefix("/cdn/") && $0.range == "bytes=4000000-" })
        let original = try Data(contentsOf: Fixtures.url("models/tiny-qwen2.5/tokenizer.json"))
        #expect(try Data(contentsOf: location.url.appendingPathComponent("tokenizer.json")) == original)
    }

    @Test func corruptedDownloadIsDiscarded() async throws {
        let hub = try HubStandIn(["--corrupt"])
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        var client = downloader(hub, cache: cache)
        client.concurrentDownloads = 1
        let error = await #expect(throws: HubError.self) { try await client.download(HubModelID(parsing: Self.tiny)) }
        guard case .checksumMismatch(let file, let expected, let actual) = error else {
            Issue.record("expected a checksum mismatch, got \(String(describing: error))")
            return
        }
        #expect(file == "tokenizer.json")
        #expect(expected.count == 64 && actual.count == 64 && expected != actual)
        let blobs = HubCache(directory: cache).repositoryFolder(Self.tiny).appendingPathComponent("blobs")
        let names = try FileManager.default.contentsOfDirectory(atPath: blobs.path)
        #expect(!names.contains(expected) && !names.contains(expected + ".incomplete"))
        #expect(error?.description.contains("tokenizer.json: checksum mismatch") == true)
    }

    @Test func tokenIsRequiredWhenTheHubSaysSo() async throws {
        let hub = try HubStandIn(["--token", "hf_secret"])
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let error = await #expect(throws: HubError.self) {
            try await downloader(hub, cache: cache).download(HubModelID(parsing: Self.tiny))
        }
        guard case .unauthorized(let repository, let status, _) = error else {
            Issue.record("expected unauthorized, got \(String(describing: error))")
            return
        }
        #expect(repository == Self.tiny && status == 401)
        #expect(error?.description.contains("HF_TOKEN") == true)
        await #expect(throws: HubError.self) {
            try await downloader(hub, cache: cache, token: "wrong").download(HubModelID(parsing: Self.tiny))
        }
        let client = HubClient(environment: HubEnvironment(cacheDirectory: cache, endpoint: hub.endpoint, token: "hf_secret"))
        let info = try await client.modelInfo(Self.tiny, revision: "main")
        #expect(info.files.contains("model.safetensors") && info.commit.count == 40)
    }

    @Test func missingRepositoriesRevisionsAndFilesAre404s() async throws {
        let hub = try HubStandIn()
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        await #expect(throws: HubError.notFound(repository: "Qwen/Nope", revision: "main", file: nil)) {
            try await downloader(hub, cache: cache).download(HubModelID(parsing: "Qwen/Nope"))
        }
        await #expect(throws: HubError.notFound(repository: Self.tiny, revision: "v9", file: nil)) {
            try await downloader(hub, cache: cache).download(HubModelID(parsing: Self.tiny + "@v9"))
        }
        let client = HubClient(environment: HubEnvironment(cacheDirectory: cache, endpoint: hub.endpoint))
        await #expect(throws: HubError.notFound(repository: Self.tiny, revision: "main", file: "vocab.json")) {
            try await client.fileMetadata(Self.tiny, revision: "main", file: "vocab.json")
        }
        let small = try await client.fileMetadata(Self.tiny, revision: "main", file: "config.json")
        #expect(!small.isLFS && small.size == 677 && small.etag.count == 40)
        let weights = try await client.fileMetadata(Self.tiny, revision: "main", file: "model.safetensors")
        #expect(weights.isLFS && weights.size == 19_623_784 && weights.location.path.hasPrefix("/cdn/"))
    }

    /// A listing with a name that climbs out of the repository is refused before anything is
    /// fetched or linked (a `..` under `additional_chat_templates/` would be selected otherwise).
    @Test func listedPathsOutsideTheRepositoryAreRefused() async throws {
        for name in ["additional_chat_templates/../../../../../escaped.jinja", "/etc/escaped.jinja", "a//b.jinja"] {
            let hub = try HubStandIn(["--list-extra", name])
            let cache = temporaryCache()
            defer { try? FileManager.default.removeItem(at: cache) }
            await expectDownloadRefused(hub, cache: cache, saying: "which is not a path inside the repository", name)
            let stored = FileManager.default.enumerator(atPath: cache.path)?.allObjects as? [String] ?? []
            #expect(!stored.contains { $0.hasSuffix(".jinja") || $0.hasSuffix(".safetensors") }, "\(name): \(stored)")
        }
    }

    /// A model info that never ends is cut at the in-memory limit with an error, not held until
    /// memory runs out.
    @Test func endlessModelInfoIsCut() async throws {
        let hub = try HubStandIn(["--endless-info"])
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        await expectDownloadRefused(hub, cache: cache, saying: "the response is larger than 64 MiB")
    }

    /// Expects downloading the tiny model from `hub` to fail with an error whose text contains
    /// `text` (the refusal asked for, not any failure such as a 404).
    func expectDownloadRefused(_ hub: HubStandIn, cache: URL, saying text: String, _ context: String = "") async {
        do {
            _ = try await downloader(hub, cache: cache).download(HubModelID(parsing: Self.tiny))
            Issue.record("\(context): downloaded")
        } catch {
            #expect("\(error)".contains(text), "\(context): \(error)")
        }
    }

    @Test func unreachableHubIsReported() async throws {
        let cache = temporaryCache()
        let client = ModelDownloader(environment: HubEnvironment(cacheDirectory: cache, endpoint: "http://127.0.0.1:1"))
        let error = await #expect(throws: HubError.self) { try await client.download(HubModelID(parsing: Self.tiny)) }
        guard case .unreachable(let url, _) = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(url == "http://127.0.0.1:1/api/models/Qwen/Tiny-Qwen2.5/revision/main")
    }

    @Test func ggufRepositoryGivesTheQuantizationAskedFor() async throws {
        let hub = try HubStandIn()
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let location = try await downloader(hub, cache: cache).download(HubModelID(parsing: "Qwen/Tiny-Qwen2.5-GGUF:Q8_0"))
        guard case .gguf(let file) = location else { Issue.record("expected a GGUF location"); return }
        #expect(file.lastPathComponent == "tiny-qwen2.5-q8_0.gguf")
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["tiny-qwen2.5-q8_0.gguf"])
        await #expect(throws: HubError.noMatchingGGUF(repository: "Qwen/Tiny-Qwen2.5-GGUF", quantization: "q5_k_m", available: ["q4_k_m", "q8_0"])) {
            try await downloader(hub, cache: cache).download(HubModelID(parsing: "Qwen/Tiny-Qwen2.5-GGUF:q5_k_m"))
        }
        let byDefault = try await downloader(hub, cache: cache).download(HubModelID(parsing: "Qwen/Tiny-Qwen2.5-GGUF"))
        #expect(byDefault.url.lastPathComponent == "tiny-qwen2.5-q4_k_m.gguf")
    }

    @Test func shardedModelGetsTheShardsItsIndexNames() async throws {
        let hub = try HubStandIn()
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let location = try await downloader(hub, cache: cache).download(HubModelID(parsing: "Qwen/Tiny-Qwen2.5-Sharded"))
        #expect(try snapshotFiles(location) == [
            "config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
            "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json",
        ])
    }
}
