import Foundation
import Testing

@Suite struct LogitsCommandTests {
    static let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path

    struct Output: Decodable {
        struct Entry: Decodable { let id: Int; let logit: Float }
        let ids: [Int]
        let top: [[Entry]]
    }

    struct Golden: Decodable {
        struct Prompt: Decodable {
            let name: String
            let text: String
            let input_ids: [Int]
            let top5_ids: [[Int]]
            let top5_logits: [[Float]]
        }
        let prompts: [Prompt]
    }

    static func golden() throws -> Golden.Prompt {
        let url = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5/golden/golden.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        return try #require(golden.prompts.first { $0.name == "plain" })
    }

    @Test func idsGiveTopKAtEveryPosition() throws {
        let prompt = try Self.golden()
        let ids = prompt.input_ids.map(String.init).joined(separator: ",")
        let result = try CLI.run(["logits", "--model", Self.model, "--ids", ids, "--top", "5", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONDecoder().decode(Output.self, from: result.stdoutData)
        #expect(output.ids == prompt.input_ids)
        #expect(output.top.count == prompt.input_ids.count)
        for (position, row) in output.top.enumerated() {
            #expect(row.count == 5)
            let expected = prompt.top5_logits[position]
            for (entry, logit) in zip(row, expected) { #expect(abs(entry.logit - logit) <= 1e-3) }
            if expected[0] - expected[1] >= 1e-3 { #expect(row.first?.id == prompt.top5_ids[position][0]) }
        }
    }

    @Test func textIsTokenizedWithTheModelTokenizer() throws {
        let prompt = try Self.golden()
        let result = try CLI.run(["logits", "--model", Self.model, "--text", prompt.text, "--top", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONDecoder().decode(Output.self, from: result.stdoutData)
        #expect(output.ids == prompt.input_ids)
        #expect(output.top.last?.first?.id == prompt.top5_ids.last?.first)
    }

    @Test func topControlsTheNumberOfEntries() throws {
        let result = try CLI.run(["logits", "--model", Self.model, "--ids", "9707, 11", "--top", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONDecoder().decode(Output.self, from: result.stdoutData)
        #expect(output.ids == [9707, 11])
        #expect(output.top.map(\.count) == [2, 2])
        #expect(output.top.allSatisfy { $0[0].logit >= $0[1].logit })
    }

    @Test func dumpLastWritesTheFullLastRow() throws {
        let prompt = try Self.golden()
        let dump = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-logits-\(UUID().uuidString).f32")
        defer { try? FileManager.default.removeItem(at: dump) }
        let ids = prompt.input_ids.map(String.init).joined(separator: ",")
        let result = try CLI.run(["logits", "--model", Self.model, "--ids", ids, "--top", "1", "--json", "--dump-last", dump.path])
        #expect(result.status == 0, "\(result.stderr)")
        let got = try Data(contentsOf: dump)
        let expected = try Data(contentsOf: CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5/golden/plain.last_logits.f32"))
        #expect(got.count == 151936 * 4)
        #expect(got.count == expected.count)
        let a = got.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let b = expected.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let maxError = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxError <= 1e-3)
    }

    @Test(arguments: [["--ids", "12,abc,3"], ["--ids", "1,,2"], ["--ids=-4"], ["--ids", "999999"], ["--top", "0", "--ids", "1"], []])
    func badInputIsAOneLineError(arguments: [String]) throws {
        let result = try CLI.run(["logits", "--model", Self.model] + arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
    }

    @Test func badIDNamesTheField() throws {
        let result = try CLI.run(["logits", "--model", Self.model, "--ids", "12,abc,3"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--ids"))
        #expect(result.stderr.contains("abc"))
    }

    @Test func missingModelIsAnError() throws {
        let result = try CLI.run(["logits", "--model", "/no/such/model", "--ids", "1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/no/such/model"))
    }
}
