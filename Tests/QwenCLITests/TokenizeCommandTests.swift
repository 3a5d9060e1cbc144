import Foundation
import Testing

@Suite struct TokenizeCommandTests {
    static let model = CLI.fixtures.appendingPathComponent("tokenizer/qwen2.5").path

    @Test func textAsJSON() throws {
        let result = try CLI.run(["tokenize", "--model", Self.model, "--text", "Hello world<|im_end|>", "--json"])
        #expect(result.status == 0)
        #expect(result.stdout == "{\"ids\":[9707,1879,151645]}\n")
    }

    @Test func ggufVocabularyGivesTheSameIDs() throws {
        let gguf = CLI.fixtures.appendingPathComponent("gguf/tiny-qwen2.5-q8_0.gguf").path
        let result = try CLI.run(["tokenize", "--model", gguf, "--text", "Hello world<|im_end|>", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "{\"ids\":[9707,1879,151645]}\n")
    }

    @Test func textAsPlainIDs() throws {
        let result = try CLI.run(["tokenize", "--model", Self.model, "--text", "Hello world"])
        #expect(result.status == 0)
        #expect(result.stdout == "9707 1879\n")
    }

    @Test func textFileIsTokenizedWhole() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-text-\(UUID().uuidString).txt")
        try Data("Hello world\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try CLI.run(["tokenize", "--model", Self.model, "--text-file", url.path, "--json"])
        #expect(result.status == 0)
        #expect(result.stdout == "{\"ids\":[9707,1879,198]}\n")
    }

    @Test func textFileKeepsByteOrderMark() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-bom-\(UUID().uuidString).txt")
        try Data([0xEF, 0xBB, 0xBF] + Array("Hello".utf8)).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try CLI.run(["tokenize", "--model", Self.model, "--text-file", url.path, "--json"])
        #expect(result.stdout == "{\"ids\":[3225,9707]}\n")
    }

    @Test func textFileMustBeUTF8() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-latin1-\(UUID().uuidString).txt")
        try Data([0x63, 0x61, 0x66, 0xE9]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try CLI.run(["tokenize", "--model", Self.model, "--text-file", url.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("not valid UTF-8"))
    }

    @Test func jsonLinesInOrder() throws {
        let input = #"{"text": "Hello world"}"# + "\n" + #"{"text": "<tool_call>\n"}"# + "\n" + #"{"text": ""}"# + "\n"
        let result = try CLI.run(["tokenize", "--model", Self.model, "--jsonl"], stdin: input)
        #expect(result.status == 0)
        #expect(result.stdout == "{\"ids\":[9707,1879]}\n{\"ids\":[151657,198]}\n{\"ids\":[]}\n")
    }

    @Test func badJSONLineFailsWithOneLineError() throws {
        let input = #"{"text": "ok"}"# + "\nnot json\n"
        let result = try CLI.run(["tokenize", "--model", Self.model, "--jsonl"], stdin: input)
        #expect(result.status != 0)
        #expect(result.stdout == "{\"ids\":[562]}\n")
        #expect(result.stderr.contains("stdin line 2"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingTextFile() throws {
        let result = try CLI.run(["tokenize", "--model", Self.model, "--text-file", "/nonexistent/input.txt"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/input.txt"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingModel() throws {
        let result = try CLI.run(["tokenize", "--model", "/nonexistent/model", "--text", "x"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/model"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func malformedTokenizerNamesFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{\"model\": [".utf8).write(to: directory.appendingPathComponent("tokenizer.json"))
        let result = try CLI.run(["tokenize", "--model", directory.path, "--text", "x"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("tokenizer.json"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func inputIsRequiredOnce() throws {
        let result = try CLI.run(["tokenize", "--model", Self.model, "--text", "a", "--jsonl"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("exactly one of"))
    }
}
