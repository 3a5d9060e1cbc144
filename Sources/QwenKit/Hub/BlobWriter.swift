import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Appends a download to `blobs/<etag>.incomplete`, hashing it with sha256 as it goes, and
/// resumes from what an earlier attempt left there.
final class BlobWriter: HTTPBodyReceiver, @unchecked Sendable {
    let url: URL
    private let lock = NSLock()
    private var handle: FileHandle
    private var hasher = SHA256()
    private var written: Int64 = 0
    private var isClosed = false
    private let onProgress: @Sendable (Int64) -> Void

    /// Opens (or creates) the partial file and hashes the bytes already in it.
    init(url: URL, onProgress: @escaping @Sendable (Int64) -> Void) throws {
        self.url = url
        self.onProgress = onProgress
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw HubError.fileSystem(path: url.path, reason: "cannot create the file")
            }
        }
        handle = try FileHandle(forUpdating: url)
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            hasher.update(data: chunk)
            written += Int64(chunk.count)
        }
    }

    deinit {
        if !isClosed { try? handle.close() }
    }

    /// The bytes the file holds.
    var size: Int64 { lock.withLock { written } }

    /// The sha256 of the bytes written, as 64 lowercase hex digits.
    var sha256: String {
        lock.withLock { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
    }

    /// Starts over when the server sends the whole file (200) instead of the range asked for, and
    /// refuses a range that does not start where the file ends.
    func begin(_ response: HTTPURLResponse) throws {
        try lock.withLock {
            if response.statusCode == 206 {
                let range = response.value(forHTTPHeaderField: "Content-Range") ?? ""
                guard range.hasPrefix("bytes \(written)-") else {
                    throw HubError.badResponse(
                        url: response.url?.absoluteString ?? url.lastPathComponent,
                        reason: "asked for bytes from \(written), got Content-Range \"\(range)\"")
                }
            } else if written > 0 {
                try handle.truncate(atOffset: 0)
                hasher = SHA256()
                written = 0
            }
        }
    }

    func append(_ data: Data) throws {
        let total = try lock.withLock {
            try handle.write(contentsOf: data)
            hasher.update(data: data)
            written += Int64(data.count)
            return written
        }
        onProgress(total)
    }

    /// Flushes and closes the file.
    func close() throws {
        try lock.withLock {
            guard !isClosed else { return }
            isClosed = true
            try handle.synchronize()
            try handle.close()
        }
    }
}
