import Foundation
import Testing

/// `qwen pull` against the local Hub stand-in, and Hub ids in the other commands' `--model`.
@Suite struct PullCommandTests {
    static let tiny = "Qwen/Tiny-Qwen2.5"

    /// A fresh cache folder and the variables pointing `qwen` at it and at `hub`.
    func environment(_ hub: HubStandIn?, cache: URL, _ extra: [String: String] = [:]) -> [String: String] {
        ["HF_HUB_CACHE": cache.path, "HF_ENDPOINT": hub?.endpoint ?? "http://127.0.0.1:1", "HF_TOKEN": "", "HF_HUB_OFFLINE": ""]
            .merging(extra) { _, added in added }
    }

    func temporaryCache() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("qwen-pull-\(UUID().uuidString)")
    }

    func isOneLine(_ text: String) -> Bool {
        text.split(separator: "\n").count == 1 && text.hasSuffix("\n")
    }

    @Test func pullThenUseTheIdAsModel() throws {
        let hub = try HubStandIn()
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let env = environment(hub, cache: cache)
        let pull = try CLI.run(["pull", Self.tiny], environment: env)
        #expect(pull.status == 0, "\(pull.stderr)")
        let path = pull.stdout.trimmingCharacters(in: .newlines)
        #expect(path.hasPrefix(cache.appendingPathComponent("models--Qwen--Tiny-Qwen2.5/snapshots/").path))
        #expect(pull.stderr.contains("5 files, 31.1 MB; 5 to download"))
        #expect(pull.stderr.contains("downloaded model.safetensors (19.6 MB)"))
        #expect(pull.stderr.contains("done: 31.1 MB downloaded"))
        #expect(!pull.stderr.contains("\r"))

        let tokens = try CLI.run(["tokenize", "--model", Self.tiny, "--text", "Hello world", "--json"], environment: env)
        #expect(tokens.stdout == "{\"ids\":[9707,1879]}\n")
        let generate = ["generate", "--prompt", "Hello", "--raw", "--max-tokens", "4", "--temperature", "0", "--json"]
        let byID = try CLI.run(generate + ["--model", Self.tiny], environment: env)
        let byPath = try CLI.run(generate + ["--model", CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path])
        #expect(byID.status == 0, "\(byID.stderr)")
        #expect(Self.ids(byID.stdout) == Self.ids(byPath.stdout) && Self.ids(byID.stdout) != nil)

        let again = try CLI.run(["pull", "--quiet", Self.tiny], environment: env)
        #expect(again.status == 0 && again.stdout == pull.stdout && again.stderr.isEmpty)
    }

    @Test func unauthorizedPullSaysToSetHFToken() throws {
        let hub = try HubStandIn(["--token", "hf_secret"])
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let denied = try CLI.run(["pull", Self.tiny], environment: environment(hub, cache: cache))
        #expect(denied.status != 0)
        #expect(isOneLine(denied.stderr) && denied.stderr.contains("HTTP 401") && denied.stderr.contains("HF_TOKEN"))
        let allowed = try CLI.run(["pull", "--quiet", Self.tiny], environment: environment(hub, cache: cache, ["HF_TOKEN": "hf_secret"]))
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test func unknownRepositoryIsA404() throws {
        let hub = try HubStandIn()
        let cache = temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let result = try CLI.run(["pull", "Qwen/Nope"], environment: environment(hub, cache: cache))
        #expect(result.status != 0)
        #expect(isOneLine(result.stderr) && result.stderr.contains("Qwen/Nope (revision main) not found"))
    }

    @Test func offlineAndUncachedModelsSayHowToGetThem() throws {
        let cache = temporaryCache()
        let offline = try CLI.run(["pull", Self.tiny], environment: environment(nil, cache: cache, ["HF_HUB_OFFLINE": "1"]))
        #expect(offline.status != 0 && isOneLine(offline.stderr) && offline.stderr.contains("HF_HUB_OFFLINE is set"))

        let unreachable = try CLI.run(["pull", Self.tiny], environment: environment(nil, cache: cache))
        #expect(unreachable.status != 0 && isOneLine(unreachable.stderr) && unreachable.stderr.contains("cannot reach http://127.0.0.1:1"))

        let tokenize = try CLI.run(["tokenize", "--model", "Qwen/Nope", "--text", "x"], environment: environment(nil, cache: cache))
        #expect(tokenize.status != 0 && isOneLine(tokenize.stderr) && tokenize.stderr.contains("`qwen pull Qwen/Nope` downloads it"))

        let invalid = try CLI.run(["pull", "not-an-id"], environment: environment(nil, cache: cache))
        #expect(invalid.status != 0 && isOneLine(invalid.stderr) && invalid.stderr.contains("not a Hugging Face model id"))
    }

    @Test func chatDefaultsToQwen25Instruct() throws {
        let cache = temporaryCache()
        let help = try CLI.run(["chat", "--help"])
        #expect(help.stdout.contains("default: Qwen/Qwen2.5-0.5B-Instruct"))
        let chat = try CLI.run(["chat"], stdin: "Hi\n", environment: environment(nil, cache: cache))
        #expect(chat.status != 0 && isOneLine(chat.stderr))
        #expect(chat.stderr.contains("`qwen pull Qwen/Qwen2.5-0.5B-Instruct` downloads it"))
        let generateHelp = try CLI.run(["generate", "--help"])
        #expect(generateHelp.stdout.contains("--model <model>") && !generateHelp.stdout.contains("[--model <model>]"))
    }

    @Test func pullHelpHasExamples() throws {
        let help = try CLI.run(["pull", "--help"])
        #expect(help.status == 0 && help.stdout.contains("qwen pull Qwen/Qwen2.5-1.5B-Instruct-GGUF:q4_k_m"))
    }

    static func ids(_ json: String) -> [Int]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object["ids"] as? [Int]
    }
}
