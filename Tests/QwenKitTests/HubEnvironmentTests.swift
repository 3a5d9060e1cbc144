import Foundation
import QwenKit
import Testing

@Suite struct HubEnvironmentTests {
    let home = FileManager.default.homeDirectoryForCurrentUser

    @Test func defaultsMatchHuggingFaceHub() {
        let hub = HubEnvironment(variables: [:])
        #expect(hub.cacheDirectory.path == home.appendingPathComponent(".cache/huggingface/hub").path)
        #expect(hub.endpoint == "https://huggingface.co")
        #expect(!hub.isOffline)
    }

    @Test func cacheFolderPrecedence() {
        #expect(HubEnvironment(variables: ["XDG_CACHE_HOME": "/x"]).cacheDirectory.path == "/x/huggingface/hub")
        #expect(HubEnvironment(variables: ["XDG_CACHE_HOME": "/x", "HF_HOME": "/h"]).cacheDirectory.path == "/h/hub")
        #expect(HubEnvironment(variables: ["HF_HOME": "/h", "HF_HUB_CACHE": "/c"]).cacheDirectory.path == "/c")
        #expect(HubEnvironment(variables: ["HF_HOME": "~/hf"]).cacheDirectory.path == home.appendingPathComponent("hf/hub").path)
    }

    @Test func endpointLosesTrailingSlashes() {
        #expect(HubEnvironment(variables: ["HF_ENDPOINT": "http://127.0.0.1:8080//"]).endpoint == "http://127.0.0.1:8080")
    }

    @Test(arguments: [("1", true), ("true", true), ("YES", true), ("on", true), ("0", false), ("no", false), ("", false)])
    func offlineFlag(value: String, offline: Bool) {
        #expect(HubEnvironment(variables: ["HF_HUB_OFFLINE": value]).isOffline == offline)
    }

    @Test func tokenFromVariableOrTokenFile() throws {
        let folder = temporaryCache()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "hf_file_token\n".write(to: folder.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        #expect(HubEnvironment(variables: ["HF_HOME": folder.path]).token == "hf_file_token")
        #expect(HubEnvironment(variables: ["HF_HOME": folder.path, "HF_TOKEN": "hf_env"]).token == "hf_env")
        #expect(HubEnvironment(variables: ["HF_HOME": folder.appendingPathComponent("none").path]).token == nil)
    }
}
