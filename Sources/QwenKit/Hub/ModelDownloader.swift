import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads what inference needs of a Hub model into the Hugging Face cache: configuration,
/// generation configuration, tokenizer and chat template files, and the weights (safetensors, or
/// the GGUF file of the quantization asked for). Several files at once; an interrupted file
/// resumes from its `.incomplete` part (also in a later run); LFS files are checked against the
/// sha256 the Hub announces; files land in place atomically.
///
/// ```swift
/// let downloader = ModelDownloader()
/// let location = try await downloader.download(HubModelID(parsing: "Qwen/Qwen2.5-0.5B-Instruct")) { event in
///     if case .finished(let file) = event { print("got \(file)") }
/// }
/// let qwen = try LanguageModel(path: location.url.path)
/// ```
public struct ModelDownloader: Sendable {
    /// What a download is doing, for progress displays.
    public enum Event: Sendable, Equatable {
        /// The files of the model, before any weight is downloaded.
        case planned([PlannedFile])
        /// `bytes` of `file` are on disk (counting bytes resumed from an earlier attempt).
        case received(file: String, bytes: Int64)
        /// `file` is complete and in place.
        case finished(file: String)
        /// The connection broke after `bytes` of `file`; the download resumes from there.
        case retrying(file: String, bytes: Int64, reason: String)
    }

    /// One file of the model.
    public struct PlannedFile: Sendable, Equatable {
        /// The file's path in the repository.
        public let name: String
        /// Its size in bytes.
        public let size: Int64
        /// Whether the cache has it already (nothing to download).
        public let isCached: Bool
    }

    /// Cache folder, endpoint, token and offline mode.
    public let environment: HubEnvironment
    /// How many files download at once.
    public var concurrentDownloads = 4
    /// How many times a file's download is tried when the connection breaks.
    public var attempts = 3

    private var cache: HubCache { HubCache(directory: environment.cacheDirectory) }
    private var client: HubClient { HubClient(environment: environment) }

    /// A downloader for the cache and Hub of `environment`.
    public init(environment: HubEnvironment = HubEnvironment()) {
        self.environment = environment
    }

    /// Downloads the files of `id` that the cache lacks and returns where the model is.
    /// With `HF_HUB_OFFLINE`, returns the cached model or throws ``HubError/offline(model:)``.
    public func download(_ id: HubModelID, onEvent: @escaping @Sendable (Event) -> Void = { _ in }) async throws -> ModelLocation {
        if environment.isOffline {
            do { return try cache.location(of: id, offline: true) } catch { throw HubError.offline(model: id.description) }
        }
        let info = try await client.modelInfo(id.repository, revision: id.revision)
        let files: [String]
        if let gguf = try HubFileSelection.ggufFiles(among: info.files, repository: id.repository, quantization: id.quantization) {
            files = gguf
        } else {
            let configuration = HubFileSelection.configurationFiles(among: info.files)
            var index: SafetensorsIndex?
            if configuration.contains(HubFileSelection.indexFile) {
                let url = try await fetch(HubFileSelection.indexFile, of: id.repository, commit: info.commit) { _ in }
                index = try SafetensorsIndex(url: url)
            }
            let weights = HubFileSelection.weightFiles(among: info.files, index: index)
            guard !weights.isEmpty else { throw HubError.noWeights(repository: id.repository, files: info.files) }
            files = configuration + weights
        }

        let plan = try await concurrentMap(files) { file in
            try await self.plannedFile(file, of: id.repository, commit: info.commit)
        }
        onEvent(.planned(plan.map(\.file)))
        _ = try await concurrentMap(plan.filter { $0.metadata != nil }) { entry in
            try await self.fetch(entry.file.name, of: id.repository, commit: info.commit, metadata: entry.metadata, onEvent: onEvent)
        }
        try cache.setCommit(info.commit, for: id.revision, repository: id.repository)
        return try cache.location(of: id, commit: info.commit, offline: false)
    }

    /// A file's size and whether it is cached, with its metadata (from a HEAD request) when the
    /// snapshot lacks it.
    private func plannedFile(
        _ file: String, of repository: String, commit: String
    ) async throws -> (file: PlannedFile, metadata: HubFileMetadata?) {
        if let size = Self.fileSize(cache.pointer(repository, commit: commit, file: file)) {
            return (PlannedFile(name: file, size: size, isCached: true), nil)
        }
        let metadata = try await client.fileMetadata(repository, revision: commit, file: file)
        let isCached = Self.fileSize(cache.blob(repository, etag: metadata.etag)) == metadata.size
        return (PlannedFile(name: file, size: metadata.size, isCached: isCached), metadata)
    }

    /// Puts one file in the snapshot: links an existing blob, or downloads it first.
    @discardableResult
    private func fetch(
        _ file: String, of repository: String, commit: String, metadata known: HubFileMetadata? = nil,
        onEvent: @escaping @Sendable (Event) -> Void
    ) async throws -> URL {
        let pointer = cache.pointer(repository, commit: commit, file: file)
        if Self.fileSize(pointer) != nil { return pointer }
        let metadata: HubFileMetadata
        if let known {
            metadata = known
        } else {
            metadata = try await client.fileMetadata(repository, revision: commit, file: file)
        }
        let blob = cache.blob(repository, etag: metadata.etag)
        if Self.fileSize(blob) != metadata.size {
            try await downloadBlob(file, of: repository, commit: commit, metadata: metadata, to: blob, onEvent: onEvent)
        }
        try cache.link(file, repository: repository, commit: commit, etag: metadata.etag)
        onEvent(.finished(file: file))
        return pointer
    }

    /// Downloads into `blobs/<etag>.incomplete` (resuming what is there), verifies size and
    /// sha256, and renames the result to `blobs/<etag>`.
    private func downloadBlob(
        _ file: String, of repository: String, commit: String, metadata: HubFileMetadata, to blob: URL,
        onEvent: @escaping @Sendable (Event) -> Void
    ) async throws {
        let partial = cache.incompleteBlob(repository, etag: metadata.etag)
        do {
            try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw HubError.fileSystem(path: partial.deletingLastPathComponent().path, reason: "cannot create the folder")
        }
        if let size = Self.fileSize(partial), size > metadata.size { try? FileManager.default.removeItem(at: partial) }
        let writer: BlobWriter
        do {
            writer = try BlobWriter(url: partial) { bytes in onEvent(.received(file: file, bytes: bytes)) }
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError.fileSystem(path: partial.path, reason: "cannot open the partial download (\(error.localizedDescription))")
        }
        var attempt = 1
        while writer.size < metadata.size {
            do {
                try await client.download(
                    metadata.location, from: writer.size, to: writer, repository: repository, revision: commit, file: file)
                break
            } catch let error as URLError {
                guard attempt < attempts, error.code != .cancelled else {
                    throw HubError.interrupted(file: file, bytes: writer.size, reason: error.localizedDescription)
                }
                onEvent(.retrying(file: file, bytes: writer.size, reason: error.localizedDescription))
                try await Task.sleep(nanoseconds: UInt64(attempt) * 500_000_000)
                attempt += 1
            } catch let error as HubError {
                throw error
            } catch {
                throw HubError.fileSystem(path: partial.path, reason: "cannot write (\(error.localizedDescription))")
            }
        }
        do { try writer.close() } catch {
            throw HubError.fileSystem(path: partial.path, reason: "cannot write (\(error.localizedDescription))")
        }
        guard writer.size == metadata.size else {
            try? FileManager.default.removeItem(at: partial)
            throw HubError.sizeMismatch(file: file, expected: metadata.size, actual: writer.size)
        }
        if metadata.isLFS {
            let digest = writer.sha256
            guard digest == metadata.etag.lowercased() else {
                try? FileManager.default.removeItem(at: partial)
                throw HubError.checksumMismatch(file: file, expected: metadata.etag, actual: digest)
            }
        }
        do { try FileSystemShim.replace(blob, with: partial) } catch {
            throw HubError.fileSystem(path: blob.path, reason: "cannot move the download in place (\(error.localizedDescription))")
        }
    }

    /// Runs `transform` on every element, `concurrentDownloads` at a time, keeping the order.
    private func concurrentMap<T: Sendable, R: Sendable>(
        _ items: [T], _ transform: @escaping @Sendable (T) async throws -> R
    ) async throws -> [R] {
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            for (index, item) in items.enumerated() {
                if index >= max(1, concurrentDownloads) {
                    if let (done, result) = try await group.next() { results[done] = result }
                }
                group.addTask { (index, try await transform(item)) }
            }
            for try await (done, result) in group { results[done] = result }
            return results.compactMap { $0 }
        }
    }

    /// The size of the file at `url` (following symlinks), nil when there is none.
    private static func fileSize(_ url: URL) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path),
            attributes[.type] as? FileAttributeType == .typeRegular
        else { return nil }
        return (attributes[.size] as? NSNumber)?.int64Value
    }
}
