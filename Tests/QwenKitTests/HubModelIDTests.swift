import QwenKit
import Testing

@Suite struct HubModelIDTests {
    @Test(arguments: [
        ("Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-0.5B-Instruct", "main", nil),
        ("Qwen/Qwen2.5-1.5B-Instruct-GGUF:q4_k_m", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "main", "q4_k_m"),
        ("Qwen/Qwen2.5-0.5B-Instruct@v1.0", "Qwen/Qwen2.5-0.5B-Instruct", "v1.0", nil),
        ("bartowski/Qwen2.5-7B-Instruct-GGUF@refs/pr/1:Q8_0", "bartowski/Qwen2.5-7B-Instruct-GGUF", "refs/pr/1", "Q8_0"),
    ] as [(String, String, String, String?)])
    func parses(text: String, repository: String, revision: String, quantization: String?) throws {
        let id = try HubModelID(parsing: text)
        #expect(id.repository == repository)
        #expect(id.revision == revision)
        #expect(id.quantization == quantization)
        #expect(id.description == text.replacingOccurrences(of: "@main", with: ""))
    }

    @Test(arguments: [
        "Qwen2.5-0.5B-Instruct", "Qwen/", "/Qwen2.5", "a/b/c", "./models/qwen", "Qwen/Qwen--2.5", "Qwen/x..y",
        "Qwen/-x", "Qwen/x:", "Qwen/x:q4 k", "Qwen/x@", "Qwen/x@../main", "Qwen/ x", "Qwen/模型",
    ])
    func rejects(text: String) {
        #expect(throws: HubError.self) { try HubModelID(parsing: text) }
    }

    @Test func errorNamesTheText() {
        #expect(throws: HubError.invalidModelID("a/b/c", reason: "expected ORG/NAME, e.g. Qwen/Qwen2.5-0.5B-Instruct")) {
            try HubModelID(parsing: "a/b/c")
        }
    }
}
