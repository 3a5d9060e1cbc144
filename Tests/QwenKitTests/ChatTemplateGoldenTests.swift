import Foundation
import QwenKit
import Testing

/// Renders conversations with real model templates and compares with what transformers'
/// `apply_chat_template` produced (Tests/Fixtures/templates/make_goldens.py).
@Suite struct ChatTemplateGoldenTests {
    struct GoldenCase: Sendable, CustomTestStringConvertible {
        var template: String
        var name: String
        var json: JSONValue
        var testDescription: String { "\(template)/\(name)" }
    }

    static func loadJSON(_ path: String) throws -> JSONValue {
        try JSONValue(parsing: Data(contentsOf: Fixtures.url(path)))
    }

    static let goldens: JSONValue = (try? loadJSON("templates/goldens.json")) ?? .null

    static let cases: [GoldenCase] = (goldens["cases"]?.arrayValue ?? []).map { json in
        GoldenCase(
            template: json["template"]?.stringValue ?? "", name: json["name"]?.stringValue ?? "", json: json)
    }

    /// The pinned clock of the generator: 2026-01-02 12:00 local time.
    static let pinnedNow: Date = {
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour) = (2026, 1, 2, 12)
        return Calendar(identifier: .gregorian).date(from: components) ?? Date()
    }()

    @Test func qwen25TokenizerConfigGoldens() throws {
        let template = try ChatTemplate(
            tokenizerConfig: Data(contentsOf: Fixtures.url("tokenizer/qwen2.5/tokenizer_config.json")))
        let golden = try Self.loadJSON("chat-template-golden.json")
        let cases = try #require(golden["cases"]?.arrayValue)
        #expect(cases.count == 7)
        for testCase in cases {
            let rendered = try template.render(
                messages: testCase["messages"]?.arrayValue ?? [],
                tools: testCase["tools"]?.arrayValue,
                addGenerationPrompt: testCase["add_generation_prompt"] == .bool(true))
            #expect(rendered == testCase["rendered"]?.stringValue, "\(testCase["name"]?.stringValue ?? "")")
        }
    }

    @Test func goldenFileCoversEveryTemplate() {
        #expect(Self.cases.count > 200)
        #expect(Set(Self.cases.map(\.template)).count == 9)
    }

    @Test(arguments: cases) func rendersLikeTransformers(_ golden: GoldenCase) throws {
        let info = try #require(Self.goldens["templates"]?[golden.template])
        let source = try String(
            contentsOf: Fixtures.url("templates/" + (info["file"]?.stringValue ?? "")), encoding: .utf8)
        var specialTokens: [String: String] = [:]
        for (key, value) in info["special_tokens"]?.objectValue ?? [:] { specialTokens[key] = value.stringValue }
        var template = try ChatTemplate(source, specialTokens: specialTokens)
        let now = Self.pinnedNow
        template.now = { now }
        var extra: [String: JSONValue] = [:]
        for (key, value) in golden.json["extra_context"]?.objectValue ?? [:] { extra[key] = value }
        let render = {
            try template.render(
                messages: golden.json["messages"]?.arrayValue ?? [],
                tools: golden.json["tools"]?.arrayValue,
                addGenerationPrompt: golden.json["add_generation_prompt"] == .bool(true),
                extraContext: extra)
        }
        if let expected = golden.json["rendered"]?.stringValue {
            let rendered = try render()
            #expect(rendered == expected)
            return
        }
        let message = try #require(golden.json["error"]?.stringValue)
        do {
            let unexpected = try render()
            Issue.record("expected an error like \(message), rendered \(unexpected.debugDescription)")
        } catch let ChatTemplateError.template(_, .raised(raised, _)) {
            #expect(golden.json["raised"] == .bool(true), "raise_exception was not expected: \(raised)")
            #expect(raised == message)
        } catch let ChatTemplateError.template(_, error) {
            #expect(golden.json["raised"] == .bool(false), "expected raise_exception(\(message)), got \(error)")
        }
    }
}
