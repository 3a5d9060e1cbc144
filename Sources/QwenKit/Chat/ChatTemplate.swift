import Foundation

/// A model's chat template: turns OpenAI-style `messages` (and `tools`) into the prompt text,
/// exactly as Hugging Face transformers' `apply_chat_template(..., tokenize=False)` does.
///
/// ```swift
/// let template = try ChatTemplate(location: ModelLocation(path: "Qwen2.5-0.5B-Instruct"))
/// let prompt = try template.render(
///     messages: [["role": "user", "content": "Who founded Alibaba?"]],
///     addGenerationPrompt: true)
/// // "<|im_start|>system\nYou are Qwen, ...<|im_end|>\n<|im_start|>user\nWho founded Alibaba?<|im_end|>\n<|im_start|>assistant\n"
/// ```
public struct ChatTemplate: Sendable {
    /// The compiled templates by name; a single template is named `default`.
    public let templates: [String: JinjaTemplate]
    /// `bos_token`, `eos_token`, ... as the template sees them (only the ones the model defines).
    public var specialTokens: [String: String]
    /// The clock `strftime_now` reads (templates like Llama 3's print today's date).
    public var now: @Sendable () -> Date = { Date() }

    /// The special-token names transformers passes to templates.
    public static let specialTokenNames = [
        "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token",
    ]

    /// A template from its Jinja source (e.g. GGUF's `tokenizer.chat_template`).
    public init(_ source: String, specialTokens: [String: String] = [:]) throws(ChatTemplateError) {
        try self.init(named: ["default": source], specialTokens: specialTokens)
    }

    /// Several named templates (transformers' list form: `default`, `tool_use`, ...).
    public init(named sources: [String: String], specialTokens: [String: String] = [:]) throws(ChatTemplateError) {
        var templates: [String: JinjaTemplate] = [:]
        for (name, source) in sources {
            do { templates[name] = try JinjaTemplate(source) } catch { throw .template(name: name, error) }
        }
        self.templates = templates
        self.specialTokens = specialTokens
    }

    /// The template and special tokens of a `tokenizer_config.json`; `path` names the file in errors.
    /// `chat_template` may be a string or a list of `{"name": ..., "template": ...}`.
    public init(tokenizerConfig data: Data, path: String = "tokenizer_config.json") throws(ChatTemplateError) {
        let config = try Self.object(data, path: path)
        guard let sources = try Self.templateSources(config["chat_template"], path: path) else {
            throw .missingTemplate(path: path)
        }
        try self.init(named: sources, specialTokens: try Self.specialTokens(config, path: path))
    }

    /// Loads the chat template of a GGUF file (see ``init(gguf:)``) or of a model directory as
    /// transformers does: `chat_template.jinja`
    /// (the `default` template) and `additional_chat_templates/NAME.jinja` when present, otherwise
    /// `chat_template` of `tokenizer_config.json`; special tokens from `tokenizer_config.json`
    /// (overridden by a legacy `special_tokens_map.json` when the config has no
    /// `added_tokens_decoder`).
    public init(location: ModelLocation) throws(ChatTemplateError) {
        if case .gguf(let url) = location {
            do {
                try self.init(gguf: GGUFFile(url: url))
                return
            } catch let error as ChatTemplateError {
                throw error
            } catch {
                throw .unreadable(path: url.path, reason: "\(error)")
            }
        }
        guard let configURL = location.file("tokenizer_config.json") else {
            throw .missingTemplate(path: location.url.path)
        }
        let config = try Self.object(try Self.read(configURL), path: configURL.path)
        var sources: [String: String] = [:]
        if let jinjaURL = location.existingFile("chat_template.jinja") {
            sources["default"] = String(decoding: try Self.read(jinjaURL), as: UTF8.self)
        }
        if let folder = location.existingFile("additional_chat_templates"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names.sorted() where name.hasSuffix(".jinja") {
                let url = folder.appendingPathComponent(name)
                sources[String(name.dropLast(".jinja".count))] = String(decoding: try Self.read(url), as: UTF8.self)
            }
        }
        if sources.isEmpty {
            guard let fromConfig = try Self.templateSources(config["chat_template"], path: configURL.path) else {
                throw .missingTemplate(path: configURL.path)
            }
            sources = fromConfig
        }
        var tokens = try Self.specialTokens(config, path: configURL.path)
        if config["added_tokens_decoder"] == nil, let mapURL = location.existingFile("special_tokens_map.json") {
            let map = try Self.object(try Self.read(mapURL), path: mapURL.path)
            tokens.merge(try Self.specialTokens(map, path: mapURL.path)) { _, legacy in legacy }
        }
        try self.init(named: sources, specialTokens: tokens)
    }

    private static func read(_ url: URL) throws(ChatTemplateError) -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    private static func object(_ data: Data, path: String) throws(ChatTemplateError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONValue(parsing: data) } catch { throw .invalidJSON(path: path, error) }
        guard case .object(let object) = value else {
            throw .invalidField(path: path, field: "(root)", reason: "must be a JSON object")
        }
        return object
    }

    /// The templates of a `chat_template` field, or nil when the field is absent or null.
    private static func templateSources(_ field: JSONValue?, path: String) throws(ChatTemplateError) -> [String: String]? {
        switch field {
        case .string(let source):
            return ["default": source]
        case .array(let entries):
            var sources: [String: String] = [:]
            for (index, entry) in entries.enumerated() {
                guard case .string(let name) = entry["name"] ?? .null,
                    case .string(let source) = entry["template"] ?? .null
                else {
                    throw .invalidField(
                        path: path, field: "chat_template[\(index)]",
                        reason: "must be an object with string 'name' and 'template'")
                }
                sources[name] = source
            }
            return sources
        case nil, .null:
            return nil
        default:
            throw .invalidField(path: path, field: "chat_template", reason: "must be a string or a list of named templates")
        }
    }

    private static func specialTokens(_ config: JSONObject, path: String) throws(ChatTemplateError) -> [String: String] {
        var tokens: [String: String] = [:]
        for name in specialTokenNames {
            switch config[name] {
            case nil, .null: continue
            case .string(let token): tokens[name] = token
            case .object(let added):
                guard case .string(let content) = added["content"] ?? .null else {
                    throw .invalidField(path: path, field: "\(name).content", reason: "must be a string")
                }
                tokens[name] = content
            default:
                throw .invalidField(path: path, field: name, reason: "must be a string or an AddedToken object")
            }
        }
        return tokens
    }

    /// The template `render` uses: `name` if given, else `tool_use` when tools are passed and it
    /// exists, else `default` (transformers' selection rule).
    public func template(named name: String? = nil, hasTools: Bool) throws(ChatTemplateError) -> (String, JinjaTemplate) {
        let available = templates.keys.sorted()
        if let name {
            guard let template = templates[name] else { throw .noTemplateSelected(available: available, requested: name) }
            return (name, template)
        }
        if hasTools, let template = templates["tool_use"] { return ("tool_use", template) }
        if let template = templates["default"] { return ("default", template) }
        if templates.count == 1, let (name, template) = templates.first { return (name, template) }
        throw .noTemplateSelected(available: available, requested: nil)
    }

    /// Renders the prompt for `messages` (OpenAI-style objects with `role`, `content`, optional
    /// `tool_calls`...) and `tools` (JSON schemas), as transformers does: message keys whose value
    /// is `null` are dropped, `reasoning_content`/`thinking`/`reasoning` are aliased, and the
    /// template sees `messages`, `tools`, `documents` (none), `add_generation_prompt`, the special
    /// tokens and `extraContext` (e.g. `["enable_thinking": false]`).
    public func render(
        messages: [JSONValue], tools: [JSONValue]? = nil, addGenerationPrompt: Bool,
        extraContext: [String: JSONValue] = [:], templateName: String? = nil
    ) throws(ChatTemplateError) -> String {
        var normalized: [JSONValue] = []
        for (index, message) in messages.enumerated() {
            guard case .object(let object) = message else { throw .invalidMessage(index: index) }
            normalized.append(.object(Self.normalized(object)))
        }
        var context: [String: JSONValue] = specialTokens.mapValues(JSONValue.string)
        context.merge(extraContext) { _, new in new }
        context["messages"] = .array(normalized)
        context["tools"] = tools.map(JSONValue.array) ?? .null
        context["documents"] = .null
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        let (name, template) = try template(named: templateName, hasTools: tools != nil)
        do { return try template.render(context, now: now) } catch { throw .template(name: name, error) }
    }

    /// transformers' message preparation: drop `null` values, then copy the reasoning (from
    /// `reasoning_content`, `thinking` or `reasoning`) to `thinking` (first) and `reasoning_content`.
    private static func normalized(_ message: JSONObject) -> JSONObject {
        var kept = JSONObject()
        for (key, value) in message where value != .null { kept[key] = value }
        guard let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap({ kept[$0] }).first else {
            return kept
        }
        var aliased: JSONObject = ["thinking": reasoning]
        for (key, value) in kept { aliased[key] = value }
        aliased["reasoning_content"] = reasoning
        return aliased
    }
}
