import QwenKit

/// A `POST /v1/chat/completions` body, checked and turned into the prompt the model's chat
/// template renders.
///
/// Message `content` may be a string or an array of text parts; assistant `tool_calls` carry
/// `arguments` as a JSON string, which is parsed back into the object the template expects.
/// `tool_choice` `required` or a named function starts the assistant turn with the opening of a
/// call (`<tool_call>` and, for a named function, its name), so the model can only complete it.
///
/// ```swift
/// let request = try ChatCompletionRequest(body: data, model: qwen, configuration: configuration)
/// print(request.prompt)
/// ```
public struct ChatCompletionRequest: Sendable {
    /// The messages as the chat template receives them.
    public var messages: [JSONValue]
    /// The tools offered to the model, when any are and `tool_choice` is not `none`.
    public var tools: [JSONValue]?
    /// Text the assistant turn is forced to start with (the opening of a tool call), or "".
    public var forcedPrefix: String
    /// The rendered prompt, forced prefix included.
    public var prompt: String
    /// Whether `response_format` asks for one JSON object (`json_object`).
    public var isJSONMode: Bool
    /// Whether `<tool_call>` blocks in the output become `tool_calls`.
    public var parsesToolCalls: Bool { tools != nil }
    var sampling: SamplingRequest

    /// Parses and checks `body` against the model.
    /// - Throws: ``APIError`` naming the field at fault.
    public init(body: JSONValue, model: LanguageModel, configuration: ServerConfiguration) throws(APIError) {
        let fields = try RequestFields(body)
        _ = try fields.string("model")
        guard let rawMessages = try fields.array("messages"), !rawMessages.isEmpty else {
            throw .invalidValue(param: "messages", "must be a non-empty array")
        }
        messages = []
        for (index, message) in rawMessages.enumerated() {
            messages.append(try Self.normalized(message: message, path: "messages[\(index)]"))
        }
        isJSONMode = try Self.isJSONMode(fields)
        let offered = try fields.array("tools")
        for (index, tool) in (offered ?? []).enumerated() {
            let tool = try RequestFields(tool, path: "tools[\(index)]")
            guard try tool.fields("function")?.string("name") != nil else {
                throw .invalidValue(param: "tools[\(index)].function.name", "must be a string")
            }
        }
        let names = (offered ?? []).compactMap { $0["function"]?["name"]?.stringValue }
        (tools, forcedPrefix) = try Self.toolChoice(fields, offered: offered, names: names)
        sampling = try SamplingRequest(
            fields, defaults: model.defaultParameters, configuration: configuration,
            vocabularySize: model.model.configuration.vocabSize, logprobsStyle: .chat)
        guard let template = model.chatTemplate else {
            throw .unsupported(param: "messages", "this model has no chat template; use /v1/completions")
        }
        do {
            prompt = try template.render(messages: messages, tools: tools, addGenerationPrompt: true) + forcedPrefix
        } catch {
            throw .invalidValue(param: "messages", "cannot be rendered by the chat template: \(error)")
        }
        guard !prompt.isEmpty else { throw .invalidValue(param: "messages", "render to an empty prompt with this chat template") }
    }

    /// `response_format`: `text` (the default) or `json_object`.
    private static func isJSONMode(_ fields: RequestFields) throws(APIError) -> Bool {
        guard let format = try fields.fields("response_format") else { return false }
        switch try format.string("type") {
        case "text"?: return false
        case "json_object"?: return true
        case "json_schema"?: throw .unsupported(param: "response_format.type", "json_schema is not supported yet; use json_object")
        default: throw .invalidValue(param: "response_format.type", "must be text or json_object")
        }
    }

    /// The tools to render and the forced start of the reply for `tool_choice`.
    private static func toolChoice(
        _ fields: RequestFields, offered: [JSONValue]?, names: [String]
    ) throws(APIError) -> ([JSONValue]?, String) {
        let tools = offered?.isEmpty == false ? offered : nil
        guard let choice = fields.value("tool_choice") else { return (tools, "") }
        if case .string(let mode) = choice {
            switch mode {
            case "none": return (nil, "")
            case "auto": return (tools, "")
            case "required":
                guard tools != nil else { throw .invalidValue(param: "tool_choice", "is required but no tools are given") }
                return (tools, ToolCallParser.openTag + "\n")
            default: throw .invalidValue(param: "tool_choice", "must be none, auto, required or a named function")
            }
        }
        let named = try RequestFields(choice, path: "tool_choice")
        guard let name = try named.fields("function")?.string("name") else {
            throw .invalidValue(param: "tool_choice.function.name", "must be a string")
        }
        guard names.contains(name) else {
            throw .invalidValue(param: "tool_choice.function.name", "names no function in tools: \(name)")
        }
        let opening = JSONValue.string(name).serialized(.python())
        return (tools, ToolCallParser.openTag + "\n{\"name\": \(opening), \"arguments\": ")
    }

    /// A message as the template expects it: text parts joined, tool-call arguments as objects.
    private static func normalized(message: JSONValue, path: String) throws(APIError) -> JSONValue {
        let fields = try RequestFields(message, path: path)
        guard let role = try fields.string("role") else { throw .invalidValue(param: "\(path).role", "must be a string") }
        guard ["system", "developer", "user", "assistant", "tool"].contains(role) else {
            throw .invalidValue(param: "\(path).role", "must be system, developer, user, assistant or tool")
        }
        var object = fields.object
        object["role"] = .string(role == "developer" ? "system" : role)
        if let content = fields.value("content") {
            object["content"] = .string(try text(of: content, path: "\(path).content"))
        }
        _ = try fields.string("name")
        _ = try fields.string("tool_call_id")
        if let calls = try fields.array("tool_calls") {
            var rendered: [JSONValue] = []
            for (index, call) in calls.enumerated() {
                rendered.append(try toolCall(call, path: "\(path).tool_calls[\(index)]"))
            }
            object["tool_calls"] = .array(rendered)
        }
        return .object(object)
    }

    /// String content, or the texts of an array of `{"type": "text", "text": ...}` parts joined by newlines.
    private static func text(of content: JSONValue, path: String) throws(APIError) -> String {
        if case .string(let text) = content { return text }
        guard case .array(let parts) = content else {
            throw .invalidValue(param: path, "must be a string or an array of text parts")
        }
        var texts: [String] = []
        for (index, part) in parts.enumerated() {
            let part = try RequestFields(part, path: "\(path)[\(index)]")
            guard try part.string("type") == "text" else {
                throw .unsupported(param: part.name("type"), "only text parts are supported")
            }
            guard let text = try part.string("text") else { throw .invalidValue(param: part.name("text"), "must be a string") }
            texts.append(text)
        }
        return texts.joined(separator: "\n")
    }

    /// An assistant tool call with its `arguments` JSON string parsed into an object.
    private static func toolCall(_ call: JSONValue, path: String) throws(APIError) -> JSONValue {
        let fields = try RequestFields(call, path: path)
        guard let function = try fields.fields("function"), try function.string("name") != nil else {
            throw .invalidValue(param: "\(path).function.name", "must be a string")
        }
        var rendered = function.object
        if let arguments = function.value("arguments"), case .string(let text) = arguments {
            guard let parsed = try? JSONValue(parsing: text), case .object = parsed else {
                throw .invalidValue(param: function.name("arguments"), "must be a JSON object in a string")
            }
            rendered["arguments"] = parsed
        }
        var object = fields.object
        object["function"] = .object(rendered)
        return .object(object)
    }
}
