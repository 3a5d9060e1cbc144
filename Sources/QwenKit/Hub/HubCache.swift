import Foundation

/// The Hugging Face cache on disk, laid out exactly as `huggingface_hub` lays it out, so models
/// downloaded by Python tools are found here and ours are found by them:
///
/// ```text
/// <cache>/models--ORG--NAME/
///   refs/main                      the commit hash "main" points at
///   blobs/<etag>                   file contents, named by ETag (sha256 for LFS files)
///   blobs/<etag>.incomplete        a download in progress
///   snapshots/<commit>/<file>      relative symlink → ../../blobs/<etag>
/// ```
///
/// ```swift
/// let cache = HubCache(directory: HubEnvironment().cacheDirectory)
/// let location = try cache.location(of: HubModelID(parsing: "Qwen/Qwen2.5-0.5B-Instruct"))
/// ```
public struct HubCache: Sendable {
    /// The `hub` folder that holds the `models--ORG--NAME` folders.
    public let directory: URL

    /// A cache rooted at `directory` (usually ``HubEnvironment/cacheDirectory``).
    public init(directory: URL) {
        self.directory = directory
    }

    /// `models--ORG--NAME` of a repository.
    public func repositoryFolder(_ repository: String) -> URL {
        directory.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"))
    }

    /// The folder of one commit's files.
    public func snapshotFolder(_ repository: String, commit: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("snapshots").appendingPathComponent(commit)
    }

    /// The commit a revision stands for: the revision itself when it is a full commit hash,
    /// else the content of `refs/<revision>`; nil when the cache does not know the revision.
    public func commit(_ repository: String, revision: String) -> String? {
        if Self.isCommitHash(revision) { return revision }
        let ref = repositoryFolder(repository).appendingPathComponent("refs").appendingPathComponent(revision)
        guard let text = try? String(contentsOf: ref, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isCommitHash(commit) ? commit : nil
    }

    /// The files of `id` in the cache as a ``ModelLocation``: the snapshot folder of a
    /// safetensors model, or the (first) GGUF file. Throws ``HubError/notCached(model:cache:offline:)``
    /// or ``HubError/incomplete(model:missing:snapshot:)`` when something needed is missing.
    public func location(of id: HubModelID, offline: Bool = false) throws(HubError) -> ModelLocation {
        guard let commit = commit(id.repository, revision: id.revision) else {
            throw .notCached(model: id.description, cache: directory.path, offline: offline)
        }
        return try location(of: id, commit: commit, offline: offline)
    }

    /// The files of `id` at `commit`; see ``location(of:offline:)``.
    func location(of id: HubModelID, commit: String, offline: Bool) throws(HubError) -> ModelLocation {
        let snapshot = snapshotFolder(id.repository, commit: commit)
        let names = Self.presentFiles(in: snapshot)
        guard !names.isEmpty else { throw .notCached(model: id.description, cache: directory.path, offline: offline) }
        if let gguf = try HubFileSelection.ggufFiles(among: names, repository: id.repository, quantization: id.quantization) {
            return .gguf(URL(fileURLWithPath: snapshot.appendingPathComponent(gguf[0]).path))
        }
        if let missing = HubFileSelection.missingFile(in: snapshot, names: names) {
            throw .incomplete(model: id.description, missing: missing, snapshot: snapshot.path)
        }
        return .directory(URL(fileURLWithPath: snapshot.path, isDirectory: true))
    }

    /// Records that `revision` points at `commit` (`refs/<revision>`), atomically.
    func setCommit(_ commit: String, for revision: String, repository: String) throws(HubError) {
        guard revision != commit else { return }
        let ref = repositoryFolder(repository).appendingPathComponent("refs").appendingPathComponent(revision)
        guard self.commit(repository, revision: revision) != commit else { return }
        do {
            try FileManager.default.createDirectory(at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: ref, options: .atomic)
        } catch {
            throw .fileSystem(path: ref.path, reason: "cannot write the ref (\(error.localizedDescription))")
        }
    }

    /// Where the content with `etag` is kept.
    func blob(_ repository: String, etag: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("blobs").appendingPathComponent(etag)
    }

    /// Where a download of the content with `etag` grows until it is complete.
    func incompleteBlob(_ repository: String, etag: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("blobs").appendingPathComponent(etag + ".incomplete")
    }

    /// `snapshots/<commit>/<file>`, whether or not it exists.
    func pointer(_ repository: String, commit: String, file: String) -> URL {
        snapshotFolder(repository, commit: commit).appendingPathComponent(file)
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink, replacing
    /// any older link atomically.
    func link(_ file: String, repository: String, commit: String, etag: String) throws(HubError) {
        let pointer = pointer(repository, commit: commit, file: file)
        let depth = file.split(separator: "/").count - 1
        let target = String(repeating: "../", count: depth + 2) + "blobs/" + etag
        let temporary = pointer.deletingLastPathComponent()
            .appendingPathComponent(".\(pointer.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: pointer.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: target)
            try FileSystemShim.replace(pointer, with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .fileSystem(path: pointer.path, reason: "cannot link the snapshot file (\(error.localizedDescription))")
        }
    }

    /// Top-level file names of a snapshot whose content is there (no dangling links).
    static func presentFiles(in snapshot: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshot.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: snapshot.appendingPathComponent($0).path) }.sorted()
    }

    /// Whether `text` is a full 40-hex-digit commit hash.
    static func isCommitHash(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
