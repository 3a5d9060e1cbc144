import Foundation
import Testing

@Suite struct TemplateCommandTests {
    /// The Qwen2.5 golden case `tool-call-and-response` (Tests/Fixtures/templates/cli, taken from
    /// chat-template-golden.json with its key order kept), copied into a fresh temporary directory.
    struct CaseFiles {
        let directory: URL
        let messages: URL
        let tools: URL
        let expected: String

        init() throws {
            let source = CLI.fixtures.appendingPathComponent("templates/cli")
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-template-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            messages = directory.appendingPathComponent("messages.json")
            tools = directory.appendingPathComponent("tools.json")
            try FileManager.default.copyItem(at: source.appendingPathComponent("messages.json"), to: messages)
            try FileManager.default.copyItem(at: source.appendingPathComponent("tools.json"), to: tools)
            expected = try String(contentsOf: source.appendingPathComponent("expected.txt"), encoding: .utf8)
        }
    }

    static let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path

    @Test func rendersToolCallConversationExactly() throws {
        let files = try CaseFiles()
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let result = try CLI.run([
            "template", "--model", Self.model, "--messages-file", files.messages.path, "--tools-file", files.tools.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == files.expected)
        #expect(result.stderr.isEmpty)
    }

    @Test func rendersFromAGGUFFile() throws {
        let files = try CaseFiles()
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let gguf = CLI.fixtures.appendingPathComponent("gguf/tiny-qwen2.5-q8_0.gguf").path
        let result = try CLI.run([
            "template", "--model", gguf, "--messages-file", files.messages.path, "--tools-file", files.tools.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == files.expected)
    }

    @Test func noGenerationPromptFlag() throws {
        let files = try CaseFiles()
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let arguments = [
            "template", "--model", Self.model, "--messages-file", files.messages.path, "--tools-file", files.tools.path,
        ]
        let without = try CLI.run(arguments + ["--no-generation-prompt"])
        #expect(without.status == 0, "\(without.stderr)")
        #expect(files.expected.hasSuffix("<|im_start|>assistant\n"))
        #expect(without.stdout + "<|im_start|>assistant\n" == files.expected)
    }

    @Test func missingMessagesFileIsAOneLineError() throws {
        let result = try CLI.run(["template", "--model", Self.model, "--messages-file", "/nonexistent/messages.json"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("/nonexistent/messages.json"))
        #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
    }

    @Test func invalidMessagesJSONNamesFileAndOffset() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-bad-\(UUID().uuidString).json")
        try Data(#"[{"role": "user", "content": }]"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try CLI.run(["template", "--model", Self.model, "--messages-file", url.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains(url.path))
        #expect(result.stderr.contains("byte 29"))
        #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
    }

    @Test func missingModelIsAOneLineError() throws {
        let result = try CLI.run(["template", "--model", "/nonexistent/model", "--messages-file", "/tmp/x.json"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/model"))
        #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
    }
}

extension TemplateCommandTests {
    @Test func chatTemplateKwargsReachTheTemplate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-kwargs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"chat_template": "{{ messages|length }} thinking={{ enable_thinking is defined and enable_thinking }}"}"#.utf8)
            .write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let messages = directory.appendingPathComponent("messages.json")
        try Data(#"[{"role": "user", "content": "hi"}]"#.utf8).write(to: messages)
        let base = ["template", "--model", directory.path, "--messages-file", messages.path]
        #expect(try CLI.run(base).stdout == "1 thinking=False")
        #expect(try CLI.run(base + ["--chat-template-kwargs", #"{"enable_thinking": true}"#]).stdout == "1 thinking=True")
        let bad = try CLI.run(base + ["--chat-template-kwargs", "[1]"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--chat-template-kwargs"))
    }
}
