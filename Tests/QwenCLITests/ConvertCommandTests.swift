import Foundation
import Testing

/// `qwen convert`: writes a GGUF the other commands load, and rejects bad input with one line.
@Suite struct ConvertCommandTests {
    static let directory = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func convertsAndTheResultRuns() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("tiny-q8_0.gguf").path
        let convert = try CLI.run(["convert", "--model", Self.directory, "--to", "q8_0", "--output", output])
        #expect(convert.status == 0, "\(convert.stderr)")
        let arguments = ["--ids", "9707,11,1879", "--top", "3", "--json"]
        let fromGGUF = try CLI.run(["logits", "--model", output] + arguments)
        let fromDirectory = try CLI.run(["logits", "--model", Self.directory] + arguments)
        #expect(fromGGUF.status == 0, "\(fromGGUF.stderr)")
        let expected = try JSONDecoder().decode(LogitsCommandTests.Output.self, from: fromDirectory.stdoutData)
        let converted = try JSONDecoder().decode(LogitsCommandTests.Output.self, from: fromGGUF.stdoutData)
        // Q8_0 rounding moves this random model's logits by up to 0.21 (measured), more than its top-1
        // margins (0.11 at the second position): the float model's top token stays among the three
        // highest, within 0.3.
        for (position, (floatTop, quantizedTop)) in zip(expected.top, converted.top).enumerated() {
            let best = try #require(floatTop.first)
            let match = quantizedTop.first { $0.id == best.id }
            #expect(match.map { abs($0.logit - best.logit) <= 0.3 } == true, "position \(position): \(quantizedTop) vs \(best)")
        }

        let again = try CLI.run(["convert", "--model", Self.directory, "--to", "f16", "--output", output])
        #expect(again.status != 0 && again.stderr == "Error: \(output) already exists (pass --force to overwrite it)\n")
        let forced = try CLI.run(["convert", "--model", Self.directory, "--to", "f16", "--output", output, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }

    @Test func badInputIsOneLine() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.gguf").path
        func expectError(_ arguments: [String], mentioning text: String) throws {
            let result = try CLI.run(["convert"] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr.hasPrefix("Error: ") && result.stderr.contains(text), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        try expectError(["--model", Self.directory, "--to", "q2_k", "--output", output], mentioning: "--to")
        try expectError(["--model", folder.appendingPathComponent("none").path, "--to", "f16", "--output", output], mentioning: "not found")
        try expectError(
            ["--model", CLI.fixtures.appendingPathComponent("gguf/tiny-qwen2.5-f16.gguf").path, "--to", "f16", "--output", output],
            mentioning: "not a model directory")
        try expectError(["--model", Self.directory, "--to", "f16", "--output", "/nonexistent-dir/x.gguf"], mentioning: "cannot write")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
