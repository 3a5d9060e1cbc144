import QwenKit

/// The fields of a JSON request object, read with the type OpenAI's API gives them. A field that
/// is absent or `null` reads as nil; one of the wrong type throws an ``APIError`` naming it.
struct RequestFields {
    let object: JSONObject
    /// The path of this object in the request, prefixed to field names in errors (`messages[0]`).
    let path: String

    init(_ value: JSONValue, path: String = "") throws(APIError) {
        guard case .object(let object) = value else {
            throw path.isEmpty
                ? APIError(status: .badRequest, message: "request body must be a JSON object", type: "invalid_request_error")
                : .invalidValue(param: path, "must be an object")
        }
        self.object = object
        self.path = path
    }

    /// The name of `key` as errors show it.
    func name(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let string) = value else { throw .invalidValue(param: name(key), "must be a string") }
        return string
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let bool) = value else { throw .invalidValue(param: name(key), "must be a boolean") }
        return bool
    }

    /// An integer; a float with no fraction (`2.0`) is accepted, as Python clients may send one.
    func int(_ key: String) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let int): return int
        case .double(let double) where double.rounded() == double && abs(double) < 1e15: return Int(double)
        default: throw .invalidValue(param: name(key), "must be an integer")
        }
    }

    func number(_ key: String) throws(APIError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            throw .invalidValue(param: name(key), "must be a number")
        }
        return number
    }

    func float(_ key: String) throws(APIError) -> Float? {
        try number(key).map(Float.init)
    }

    func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let array) = value else { throw .invalidValue(param: name(key), "must be an array") }
        return array
    }

    func fields(_ key: String) throws(APIError) -> RequestFields? {
        guard let value = value(key) else { return nil }
        return try RequestFields(value, path: name(key))
    }

    /// A string or an array of strings (`stop`), as an array.
    func strings(_ key: String) throws(APIError) -> [String]? {
        guard let value = value(key) else { return nil }
        if case .string(let string) = value { return [string] }
        guard case .array(let array) = value else {
            throw .invalidValue(param: name(key), "must be a string or an array of strings")
        }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard case .string(let string) = element else {
                throw .invalidValue(param: "\(name(key))[\(index)]", "must be a string")
            }
            strings.append(string)
        }
        return strings
    }
}
