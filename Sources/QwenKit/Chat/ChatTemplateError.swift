/// Why a chat template could not be loaded or rendered.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// A JSON file is not valid JSON.
    case invalidJSON(path: String, JSONError)
    /// A field has the wrong shape (`field` is a JSON path like `chat_template[1].name`).
    case invalidField(path: String, field: String, reason: String)
    /// The model has no chat template.
    case missingTemplate(path: String)
    /// Named templates exist but none fits: no `default`, or the requested name is absent.
    case noTemplateSelected(available: [String], requested: String?)
    /// A message is not a JSON object.
    case invalidMessage(index: Int)
    /// The template failed to compile or render; `name` is the template's name (`default`, `tool_use`).
    case template(name: String, JinjaError)
    /// The template rendered no tokens for the messages, so there is nothing to generate from.
    case emptyPrompt

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidJSON(let path, let error): "\(path): \(error)"
        case .invalidField(let path, let field, let reason): "\(path): field '\(field)' \(reason)"
        case .missingTemplate(let path): "\(path): no chat_template (the model has no chat template)"
        case .noTemplateSelected(let available, let requested):
            if let requested {
                "no chat template named '\(requested)' (available: \(available.joined(separator: ", ")))"
            } else {
                "no 'default' chat template and no template was named (available: \(available.joined(separator: ", ")))"
            }
        case .invalidMessage(let index): "messages[\(index)] is not a JSON object"
        case .template(let name, let error): "chat template '\(name)': \(error)"
        case .emptyPrompt: "the chat template rendered an empty prompt for these messages"
        }
    }
}
