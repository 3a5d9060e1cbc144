import Foundation

extension ModelLocation {
    /// Resolves what a user names as a model: a local model directory or `.gguf` file when
    /// `spec` is an existing path, otherwise a Hub id (`ORG/NAME[@REVISION][:QUANT]`) found in the
    /// Hugging Face cache. Never uses the network: a model that is not cached gives an error
    /// saying that `qwen pull ID` downloads it.
    ///
    /// ```swift
    /// let local = try ModelLocation.resolve("~/models/Qwen2.5-0.5B-Instruct")
    /// let cached = try ModelLocation.resolve("Qwen/Qwen2.5-1.5B-Instruct-GGUF:q4_k_m")
    /// ```
    ///
    /// Throws ``ModelLocationError`` for paths and ``HubError`` for Hub ids.
    public static func resolve(_ spec: String, environment: HubEnvironment = HubEnvironment()) throws -> ModelLocation {
        let path = (spec as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: path) { return try ModelLocation(path: spec) }
        guard let id = try? HubModelID(parsing: spec), !spec.hasPrefix("."), !spec.hasPrefix("~") else {
            throw ModelLocationError.notFound(spec)
        }
        return try HubCache(directory: environment.cacheDirectory).location(of: id, offline: environment.isOffline)
    }
}
