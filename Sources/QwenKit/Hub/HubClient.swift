import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Hugging Face Hub's HTTP API, as far as downloading a model needs it: a repository's
/// commit and file list, and each file's metadata and bytes. Errors are ``HubError``s.
///
/// ```swift
/// let client = HubClient(environment: HubEnvironment())
/// let info = try await client.modelInfo("Qwen/Qwen2.5-0.5B-Instruct", revision: "main")
/// let config = try await client.fileMetadata("Qwen/Qwen2.5-0.5B-Instruct", revision: info.commit, file: "config.json")
/// ```
public struct HubClient: Sendable {
    /// Endpoint and token.
    public let environment: HubEnvironment

    /// A client for the endpoint and token of `environment`.
    public init(environment: HubEnvironment = HubEnvironment()) {
        self.environment = environment
    }

    /// `GET {endpoint}/api/models/{repository}/revision/{revision}`: the commit the revision
    /// points at and the repository's files.
    public func modelInfo(_ repository: String, revision: String) async throws -> HubModelInfo {
        let url = try endpointURL("api/models/\(repository)/revision/\(Self.escaped(revision))")
        let result = try await send(request(url, method: "GET"), repository: repository, revision: revision, file: nil)
        struct Body: Decodable {
            struct Sibling: Decodable { let rfilename: String }
            let sha: String?
            let siblings: [Sibling]?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: result.body) else {
            throw HubError.badResponse(url: url.absoluteString, reason: "the model info is not the expected JSON")
        }
        guard let sha = body.sha, HubCache.isCommitHash(sha) else {
            throw HubError.badResponse(url: url.absoluteString, reason: "the model info has no commit \"sha\"")
        }
        let files = (body.siblings ?? []).map(\.rfilename)
        if let unsafe = files.first(where: { !RelativePath.staysInside($0) }) {
            throw HubError.badResponse(url: url.absoluteString, reason: "the model info lists \"\(unsafe)\", which is not a path inside the repository")
        }
        return HubModelInfo(commit: sha, files: files)
    }

    /// `HEAD {endpoint}/{repository}/resolve/{revision}/{file}`, following only redirects that stay
    /// on the Hub: the commit, ETag, size and download URL of one file.
    public func fileMetadata(_ repository: String, revision: String, file: String) async throws -> HubFileMetadata {
        let url = try endpointURL("\(repository)/resolve/\(Self.escaped(revision))/\(file)")
        var head = request(url, method: "HEAD")
        head.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let response = try await send(head, repository: repository, revision: revision, file: file).response
        func header(_ name: String) -> String? { response.value(forHTTPHeaderField: name) }
        guard let commit = header("X-Repo-Commit") else {
            throw HubError.badResponse(url: url.absoluteString, reason: "no X-Repo-Commit header (is HF_ENDPOINT a Hub?)")
        }
        let linkedETag = header("X-Linked-Etag").map(Self.normalizedETag)
        guard let etag = linkedETag ?? header("ETag").map(Self.normalizedETag), !etag.isEmpty,
            !etag.contains("/"), etag != ".", etag != ".."
        else {
            throw HubError.badResponse(url: url.absoluteString, reason: "no usable ETag header")
        }
        let isRedirect = (300..<400).contains(response.statusCode)
        guard let size = (header("X-Linked-Size") ?? (isRedirect ? nil : header("Content-Length"))).flatMap({ Int64($0) }),
            size >= 0
        else {
            throw HubError.badResponse(url: url.absoluteString, reason: "no X-Linked-Size or Content-Length header")
        }
        var location = response.url ?? url
        if isRedirect, let target = header("Location") {
            guard let resolved = URL(string: target, relativeTo: location)?.absoluteURL else {
                throw HubError.badResponse(url: url.absoluteString, reason: "unusable Location header \"\(target)\"")
            }
            location = resolved
        }
        return HubFileMetadata(
            commit: commit, etag: etag, size: size, location: location,
            isLFS: linkedETag != nil && linkedETag?.count == 64)
    }

    /// `GET url` with `Range: bytes=offset-` when `offset > 0`, streaming the body to `receiver`.
    /// The token goes only to the Hub's own origin, never to a CDN.
    func download(
        _ url: URL, from offset: Int64, to receiver: HTTPBodyReceiver, repository: String, revision: String, file: String
    ) async throws {
        var get = URLRequest(url: url)
        get.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        get.setValue(Self.userAgent, forHTTPHeaderField: "User-Agent")
        if let endpoint = URL(string: environment.endpoint), HTTPTransfer.sameOrigin(endpoint, url), let token = environment.token {
            get.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        if offset > 0 { get.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let result = try await HTTPTransfer.perform(get, timeout: 60, followRedirect: { _, _ in true }, receiver: receiver)
        try check(result, url: url, repository: repository, revision: revision, file: file)
    }

    /// A request with the user agent and, when there is one, the token.
    private func request(_ url: URL, method: String) -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue(Self.userAgent, forHTTPHeaderField: "User-Agent")
        if let token = environment.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    /// Sends a request to the Hub, following redirects on the same origin only (as huggingface_hub does).
    private func send(_ request: URLRequest, repository: String, revision: String, file: String?) async throws -> HTTPTransfer.Result {
        let url = request.url ?? URL(fileURLWithPath: "/")
        let result: HTTPTransfer.Result
        do {
            result = try await HTTPTransfer.perform(request, timeout: 30, followRedirect: HTTPTransfer.sameOrigin)
        } catch let error as URLError {
            throw HubError.unreachable(url: url.absoluteString, reason: error.localizedDescription)
        }
        try check(result, url: url, repository: repository, revision: revision, file: file)
        return result
    }

    /// Maps HTTP failures to ``HubError``s, reading the Hub's `X-Error-Code` / `X-Error-Message`.
    private func check(_ result: HTTPTransfer.Result, url: URL, repository: String, revision: String, file: String?) throws {
        let status = result.response.statusCode
        guard status >= 400 else { return }
        let code = result.response.value(forHTTPHeaderField: "X-Error-Code") ?? ""
        let message = result.response.value(forHTTPHeaderField: "X-Error-Message")
            ?? String(decoding: result.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if status == 404, code == "EntryNotFound" || (code.isEmpty && file != nil) {
            throw HubError.notFound(repository: repository, revision: revision, file: file)
        }
        switch (status, code) {
        case (404, _), (401, "RepoNotFound"), (401, "RevisionNotFound"):
            throw HubError.notFound(repository: repository, revision: revision, file: nil)
        case (401, _), (403, _):
            throw HubError.unauthorized(repository: repository, status: status, detail: message)
        default:
            throw HubError.httpStatus(url: url.absoluteString, status: status, detail: message)
        }
    }

    private func endpointURL(_ path: String) throws -> URL {
        guard let base = URL(string: environment.endpoint), let scheme = base.scheme?.lowercased(),
            scheme == "http" || scheme == "https", base.host != nil,
            let url = URL(string: environment.endpoint + "/" + path)
        else {
            throw HubError.invalidEndpoint(environment.endpoint)
        }
        return url
    }

    /// A revision as one path segment (`refs/pr/1` → `refs%2Fpr%2F1`).
    private static func escaped(_ revision: String) -> String {
        revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? revision
    }

    /// `W/"abc"` or `"abc"` → `abc`.
    static func normalizedETag(_ etag: String) -> String {
        var text = Substring(etag)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    private static let userAgent = "qwenkit/1; hf_hub-compatible"
}

/// A repository at one commit: what `GET /api/models/{id}/revision/{rev}` tells.
public struct HubModelInfo: Sendable, Equatable {
    /// The full commit hash the revision points at.
    public let commit: String
    /// Every file of the repository (`siblings[].rfilename`), with folders (`onnx/model.onnx`).
    public let files: [String]
}

/// One file of a repository: what `HEAD .../resolve/{rev}/{file}` tells.
public struct HubFileMetadata: Sendable, Equatable {
    /// The commit the file was resolved at (`X-Repo-Commit`).
    public let commit: String
    /// `X-Linked-Etag` (the sha256 of an LFS file's content) or `ETag` (git's blob hash).
    public let etag: String
    /// The size of the content in bytes.
    public let size: Int64
    /// Where to GET the bytes: a CDN URL for LFS files, the resolve URL for small files.
    public let location: URL
    /// Whether the file is stored with LFS, so that ``etag`` is the sha256 of its content.
    public let isLFS: Bool
}
