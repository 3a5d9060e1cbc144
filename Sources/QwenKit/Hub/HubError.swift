/// Why a model could not be found in the cache or downloaded from the Hub.
public enum HubError: Error, CustomStringConvertible, Equatable {
    /// The text is not `ORG/NAME[@REVISION][:QUANT]`.
    case invalidModelID(String, reason: String)
    /// The model is not in the cache; `qwen pull` downloads it.
    case notCached(model: String, cache: String, offline: Bool)
    /// The cache holds the model only in part.
    case incomplete(model: String, missing: String, snapshot: String)
    /// `HF_HUB_OFFLINE` forbids the download.
    case offline(model: String)
    /// `HF_ENDPOINT` is not an http(s) URL.
    case invalidEndpoint(String)
    /// The Hub could not be reached at all.
    case unreachable(url: String, reason: String)
    /// HTTP 401 or 403: a private or gated repository, or a wrong token.
    case unauthorized(repository: String, status: Int, detail: String)
    /// HTTP 404 for the repository, its revision or one of its files.
    case notFound(repository: String, revision: String, file: String?)
    /// Another HTTP failure.
    case httpStatus(url: String, status: Int, detail: String)
    /// The Hub answered without something it always sends (a header, a JSON field).
    case badResponse(url: String, reason: String)
    /// The repository has no weights QwenKit can load.
    case noWeights(repository: String, files: [String])
    /// No GGUF file of the repository has the quantization asked for (or several could be meant).
    case noMatchingGGUF(repository: String, quantization: String?, available: [String])
    /// The downloaded bytes are not those the Hub announced (sha256 of an LFS file).
    case checksumMismatch(file: String, expected: String, actual: String)
    /// The download ended with a size other than the announced one.
    case sizeMismatch(file: String, expected: Int64, actual: Int64)
    /// The connection broke again and again; the partial file is kept for the next try.
    case interrupted(file: String, bytes: Int64, reason: String)
    /// A cache file could not be written or read.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidModelID(let text, let reason):
            "\"\(text)\" is not a Hugging Face model id: \(reason)"
        case .notCached(let model, let cache, let offline):
            "\(model) is not in the Hugging Face cache (\(cache))"
                + (offline ? " and HF_HUB_OFFLINE is set" : "") + "; `qwen pull \(model)` downloads it"
        case .incomplete(let model, let missing, let snapshot):
            "\(model) is only partly in the Hugging Face cache (\(snapshot) has no \(missing)); "
                + "`qwen pull \(model)` completes it"
        case .offline(let model):
            "cannot download \(model): HF_HUB_OFFLINE is set (unset it to use the network)"
        case .invalidEndpoint(let endpoint):
            "HF_ENDPOINT: \"\(endpoint)\" is not an http(s) URL"
        case .unreachable(let url, let reason):
            "cannot reach \(url) (\(reason)); check the network or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use the cache only"
        case .unauthorized(let repository, let status, let detail):
            "HTTP \(status) for \(repository): \(detail.isEmpty ? "access denied" : detail); the repository is private or "
                + "gated, or the token is wrong: set HF_TOKEN to a token that can read it (and accept its terms on the Hub)"
        case .notFound(let repository, let revision, let file?):
            "\(file) not found in \(repository) at revision \(revision) (HTTP 404)"
        case .notFound(let repository, let revision, nil):
            "\(repository) (revision \(revision)) not found on the Hub (HTTP 404); check the id"
        case .httpStatus(let url, let status, let detail):
            "HTTP \(status) from \(url)" + (detail.isEmpty ? "" : ": \(detail)")
        case .badResponse(let url, let reason):
            "unexpected answer from \(url): \(reason)"
        case .noWeights(let repository, let files):
            "\(repository) has no safetensors or GGUF weights (files: \(files.joined(separator: ", ")))"
        case .noMatchingGGUF(let repository, let quantization?, let available):
            "\(repository) has no single GGUF file for :\(quantization) (available: \(available.joined(separator: ", ")))"
        case .noMatchingGGUF(let repository, nil, let available):
            "\(repository) has several GGUF files: pick one with :QUANT (available: \(available.joined(separator: ", ")))"
        case .checksumMismatch(let file, let expected, let actual):
            "\(file): checksum mismatch (sha256 \(actual), the Hub says \(expected)); the download was discarded, run again"
        case .sizeMismatch(let file, let expected, let actual):
            "\(file): downloaded \(actual) bytes, the Hub says \(expected); the download was discarded, run again"
        case .interrupted(let file, let bytes, let reason):
            "\(file): download interrupted after \(bytes) bytes (\(reason)); run again to resume"
        case .fileSystem(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
