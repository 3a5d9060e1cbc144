import Foundation
import QwenKit
import Testing

/// Loading templates from model files and preparing messages as transformers does.
@Suite struct ChatTemplateTests {
    /// A model directory in a fresh temporary folder, holding `files` (name → contents).
    static func modelDirectory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-chat-\(UUID().uuidString)")
        for (name, contents) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        return directory
    }

    static let user: JSONValue = ["role": "user", "content": "hi"]
    static let tool: JSONValue = ["type": "function", "function": ["name": "f"]]

    @Test func listFormPicksToolUseWhenToolsArePassed() throws {
        let config = #"""
            {"chat_template": [{"name": "default", "template": "D{{ tools is none }}"},
                               {"name": "tool_use", "template": "T{{ tools|length }}"}]}
            """#
        let template = try ChatTemplate(tokenizerConfig: Data(config.utf8))
        #expect(try template.render(messages: [Self.user], addGenerationPrompt: true) == "DTrue")
        #expect(try template.render(messages: [Self.user], tools: [Self.tool], addGenerationPrompt: true) == "T1")
        #expect(try template.render(
            messages: [Self.user], tools: [Self.tool], addGenerationPrompt: true, templateName: "default") == "DFalse")
        #expect(throws: ChatTemplateError.noTemplateSelected(available: ["default", "tool_use"], requested: "rag")) {
            try template.render(messages: [Self.user], addGenerationPrompt: true, templateName: "rag")
        }
    }

    @Test func specialTokensAcceptStringsAndAddedTokenObjects() throws {
        let config = #"""
            {"chat_template": "{{ bos_token }}|{{ eos_token }}|{{ unk_token is defined }}|{{ pad_token }}",
             "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
             "eos_token": "</s>", "unk_token": null, "pad_token": "<pad>"}
            """#
        let template = try ChatTemplate(tokenizerConfig: Data(config.utf8))
        #expect(template.specialTokens == ["bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"])
        #expect(try template.render(messages: [], addGenerationPrompt: false) == "<s>|</s>|False|<pad>")
        let overridden = try template.render(messages: [], addGenerationPrompt: false, extraContext: ["bos_token": "B"])
        #expect(overridden == "B|</s>|False|<pad>")
    }

    @Test func messagesArePreparedLikeTransformers() throws {
        let template = try ChatTemplate("{{ messages[0]|tojson }}|{{ documents is none }}|{{ tools is none }}")
        let message: JSONValue = ["role": "assistant", "content": "x", "reasoning": "r", "tool_calls": nil]
        // Printed by transformers 5.24 for the same message.
        #expect(try template.render(messages: [message], addGenerationPrompt: false)
            == #"{"thinking": "r", "role": "assistant", "content": "x", "reasoning": "r", "reasoning_content": "r"}|True|True"#)
    }

    @Test func nonObjectMessageIsRejected() throws {
        let template = try ChatTemplate("{{ messages|length }}")
        #expect(throws: ChatTemplateError.invalidMessage(index: 1)) {
            try template.render(messages: [Self.user, "text"], addGenerationPrompt: true)
        }
    }

    @Test func raiseExceptionSurfacesAsTemplateError() throws {
        let template = try ChatTemplate("{% if messages[0].role != 'system' %}{{ raise_exception('need a system message') }}{% endif %}")
        #expect(throws: ChatTemplateError.template(name: "default", .raised("need a system message", line: 1))) {
            try template.render(messages: [Self.user], addGenerationPrompt: true)
        }
    }

    @Test func jinjaFilesOverrideTheConfigTemplate() throws {
        let directory = try Self.modelDirectory([
            "tokenizer_config.json": #"{"chat_template": "from config", "eos_token": "<e>"}"#,
            "chat_template.jinja": "from file {{ eos_token }}",
            "additional_chat_templates/tool_use.jinja": "tools {{ tools|length }}",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let template = try ChatTemplate(location: ModelLocation(path: directory.path))
        #expect(try template.render(messages: [Self.user], addGenerationPrompt: true) == "from file <e>")
        #expect(try template.render(messages: [Self.user], tools: [Self.tool], addGenerationPrompt: true) == "tools 1")
    }

    @Test func legacySpecialTokensMapOverridesConfig() throws {
        let directory = try Self.modelDirectory([
            "tokenizer_config.json": #"{"chat_template": "{{ bos_token }}{{ eos_token }}", "bos_token": "<old>"}"#,
            "special_tokens_map.json": #"{"bos_token": {"content": "<s>"}, "eos_token": "</s>"}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let template = try ChatTemplate(location: ModelLocation(path: directory.path))
        #expect(try template.render(messages: [], addGenerationPrompt: false) == "<s></s>")
    }

    @Test func loadingErrorsNameTheFileAndField() throws {
        let directory = try Self.modelDirectory(["tokenizer_config.json": #"{"eos_token": "</s>"}"#])
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("tokenizer_config.json").path
        #expect(throws: ChatTemplateError.missingTemplate(path: configPath)) {
            try ChatTemplate(location: ModelLocation(path: directory.path))
        }
        #expect(throws: ChatTemplateError.invalidJSON(path: "cfg.json", .unexpectedEnd(offset: 18))) {
            try ChatTemplate(tokenizerConfig: Data(#"{"chat_template": "#.utf8), path: "cfg.json")
        }
        #expect(throws: ChatTemplateError.invalidField(
            path: "cfg.json", field: "chat_template", reason: "must be a string or a list of named templates")) {
            try ChatTemplate(tokenizerConfig: Data(#"{"chat_template": 3}"#.utf8), path: "cfg.json")
        }
        #expect(throws: ChatTemplateError.invalidField(path: "cfg.json", field: "eos_token.content", reason: "must be a string")) {
            try ChatTemplate(tokenizerConfig: Data(#"{"chat_template": "x", "eos_token": {"id": 2}}"#.utf8), path: "cfg.json")
        }
        #expect(throws: ChatTemplateError.template(name: "default", .unknownFilter("nope", line: 1))) {
            try ChatTemplate("{{ x|nope }}")
        }
    }

    @Test func errorDescriptionsAreOneLineAndNameTheSource() {
        let error = ChatTemplateError.template(name: "tool_use", .raised("only one tool call", line: 12))
        #expect(error.description == "chat template 'tool_use': line 12: template raised an exception: only one tool call")
        #expect(ChatTemplateError.missingTemplate(path: "/m/tokenizer_config.json").description.hasPrefix("/m/tokenizer_config.json"))
    }
}
