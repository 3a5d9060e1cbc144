import Foundation

/// Where the Hugging Face cache is and how to reach the Hub, read from the same environment
/// variables `huggingface_hub` reads, so that both share one cache.
///
/// | variable | default |
/// | --- | --- |
/// | `HF_HUB_CACHE` | `$HF_HOME/hub` |
/// | `HF_HOME` | `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` |
/// | `HF_ENDPOINT` | `https://huggingface.co` |
/// | `HF_TOKEN` | the token file `$HF_TOKEN_PATH` (default `$HF_HOME/token`) written by `hf auth login` |
/// | `HF_HUB_OFFLINE` | off; `1`, `ON`, `YES` or `TRUE` turn it on |
///
/// ```swift
/// let hub = HubEnvironment()
/// print(hub.cacheDirectory.path)   // ~/.cache/huggingface/hub
/// ```
public struct HubEnvironment: Sendable, Equatable {
    /// The `hub` cache folder holding `models--ORG--NAME` folders.
    public var cacheDirectory: URL
    /// The Hub's base URL as given (`HF_ENDPOINT`), without a trailing slash.
    public var endpoint: String
    /// The access token sent as `Authorization: Bearer`, if any.
    public var token: String?
    /// Whether network access is forbidden (only the cache is used).
    public var isOffline: Bool

    /// Reads the settings from `variables` (the process environment by default).
    public init(variables: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? {
            guard let value = variables[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func expanded(_ path: String) -> URL {
            URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        }
        let cacheHome = value("XDG_CACHE_HOME").map(expanded)
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        let home = value("HF_HOME").map(expanded) ?? cacheHome.appendingPathComponent("huggingface")
        cacheDirectory = (value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE")).map(expanded)
            ?? home.appendingPathComponent("hub")

        endpoint = Self.trimmed(value("HF_ENDPOINT") ?? "https://huggingface.co")

        let tokenFile = value("HF_TOKEN_PATH").map(expanded) ?? home.appendingPathComponent("token")
        token = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN") ?? (try? String(contentsOf: tokenFile, encoding: .utf8))
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 }

        let truthy: Set<String> = ["1", "ON", "YES", "TRUE"]
        isOffline = (value("HF_HUB_OFFLINE") ?? value("TRANSFORMERS_OFFLINE")).map { truthy.contains($0.uppercased()) } ?? false
    }

    /// Settings given explicitly (tests, apps that keep their own cache).
    public init(cacheDirectory: URL, endpoint: String, token: String? = nil, isOffline: Bool = false) {
        self.cacheDirectory = cacheDirectory
        self.endpoint = Self.trimmed(endpoint)
        self.token = token
        self.isOffline = isOffline
    }

    private static func trimmed(_ endpoint: String) -> String {
        var text = endpoint
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
