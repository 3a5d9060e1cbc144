import Foundation

/// Why a `config.json` or `generation_config.json` could not be used. Every case names the
/// file and, where one is at fault, the field (dotted for nested fields, e.g. `rope_scaling.factor`).
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The file is absent or unreadable.
    case cannotRead(file: String)
    /// The file is not a JSON object.
    case invalidJSON(file: String)
    /// A required field is absent or null.
    case missingField(file: String, field: String)
    /// A field holds the wrong kind of value (e.g. a string or a fraction for an integer).
    case wrongType(file: String, field: String)
    /// A field's value is out of range or inconsistent with others.
    case invalidValue(file: String, field: String, reason: String)

    /// One line naming the file, the field where relevant, and what is wrong.
    public var description: String {
        switch self {
        case .cannotRead(let file):
            "\(file): cannot read the file"
        case .invalidJSON(let file):
            "\(file): not a valid JSON object"
        case .missingField(let file, let field):
            "\(file): missing required field \"\(field)\""
        case .wrongType(let file, let field):
            "\(file): field \"\(field)\" has the wrong type"
        case .invalidValue(let file, let field, let reason):
            "\(file): field \"\(field)\": \(reason)"
        }
    }
}

extension ConfigurationError {
    /// Decodes a JSON configuration file, turning decoding failures into errors that name
    /// the file and field. Types report invalid values by throwing
    /// `DecodingError.dataCorrupted` whose coding path ends at the field.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let file = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigurationError.cannotRead(file: file)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch DecodingError.keyNotFound(let key, let context) {
            throw ConfigurationError.missingField(file: file, field: fieldName(context.codingPath + [key]))
        } catch DecodingError.valueNotFound(_, let context) {
            throw ConfigurationError.missingField(file: file, field: fieldName(context.codingPath))
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            throw ConfigurationError.wrongType(file: file, field: fieldName(context.codingPath))
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw ConfigurationError.invalidValue(
                file: file, field: fieldName(context.codingPath), reason: context.debugDescription)
        } catch {
            throw ConfigurationError.invalidJSON(file: file)
        }
    }

    private static func fieldName(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }
}
