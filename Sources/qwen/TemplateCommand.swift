import ArgumentParser
import Foundation
import QwenKit

/// `qwen template`: prints the prompt a model's chat template makes of a conversation.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a conversation with the model's chat template and print the prompt exactly.",
        discussion: """
            The prompt is written to stdout as the template renders it, with no newline added. Only the
            tokenizer files of the model directory (or a GGUF's metadata) are read, not the weights.

            Examples:
              echo '[{"role":"user","content":"Hello"}]' > messages.json
              qwen template --model ./Qwen2.5-0.5B-Instruct --messages-file messages.json
              qwen template --model Qwen/Qwen2.5-0.5B-Instruct --messages-file m.json \\
                --tools-file tools.json
            """)

    @Option(help: "A model directory or a cached Hub id (only tokenizer_config.json / chat_template.jinja are read).")
    var model: String

    @Option(name: .customLong("messages-file"), help: "JSON file with the OpenAI-style messages array.")
    var messagesFile: String

    @Option(name: .customLong("tools-file"), help: "JSON file with the tools array (function schemas).")
    var toolsFile: String?

    @Flag(name: .customLong("no-generation-prompt"), help: "Do not append the assistant turn header.")
    var noGenerationPrompt = false

    @Option(
        name: .customLong("chat-template-kwargs"),
        help: #"JSON object of extra template variables, e.g. '{"enable_thinking": false}'."#)
    var chatTemplateKwargs: String?

    func run() throws {
        let template = try ChatTemplate(location: ModelLocation.resolve(model))
        let messages = try Self.readArray(messagesFile, field: "messages")
        let tools = try toolsFile.map { try Self.readArray($0, field: "tools") }
        let extra = try chatTemplateKwargs.map(Self.parseKwargs) ?? [:]
        let prompt = try template.render(
            messages: messages, tools: tools, addGenerationPrompt: !noGenerationPrompt, extraContext: extra)
        FileHandle.standardOutput.write(Data(prompt.utf8))
    }

    private static func parseKwargs(_ text: String) throws -> [String: JSONValue] {
        let value: JSONValue
        do { value = try JSONValue(parsing: text) } catch {
            throw ChatTemplateError.invalidJSON(path: "--chat-template-kwargs", error)
        }
        guard let object = value.objectValue else {
            throw ChatTemplateError.invalidField(
                path: "--chat-template-kwargs", field: "(root)", reason: "must be a JSON object")
        }
        var kwargs: [String: JSONValue] = [:]
        for (key, value) in object { kwargs[key] = value }
        return kwargs
    }

    /// A JSON array from `path`: either the array itself or an object holding it under `field`.
    private static func readArray(_ path: String, field: String) throws -> [JSONValue] {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ChatTemplateError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let value: JSONValue
        do { value = try JSONValue(parsing: data) } catch { throw ChatTemplateError.invalidJSON(path: path, error) }
        if let array = value.arrayValue ?? value[field]?.arrayValue { return array }
        throw ChatTemplateError.invalidField(path: path, field: field, reason: "must be a JSON array")
    }
}
