/// A dictionary with string keys that remembers insertion order, like a Python `dict`.
///
/// ```swift
/// var object = JSONObject()          // KeyOrderedDictionary<JSONValue>
/// object["name"] = "get_weather"
/// object["arguments"] = ["city": "Hangzhou"]
/// object.keys   // ["name", "arguments"]
/// ```
public struct KeyOrderedDictionary<Value>: Sequence {
    private var storage: [(key: String, value: Value)] = []
    private var positions: [String: Int] = [:]

    /// An empty dictionary.
    public init() {}

    /// A dictionary with `pairs` in order; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, Value)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The keys in insertion order.
    public var keys: [String] { storage.map(\.key) }
    /// The values in key order.
    public var values: [Value] { storage.map(\.value) }
    /// The number of keys.
    public var count: Int { storage.count }
    /// Whether there are no keys.
    public var isEmpty: Bool { storage.isEmpty }

    /// The value under `key`; setting `nil` removes the key, setting a new key appends it.
    public subscript(key: String) -> Value? {
        get { positions[key].map { storage[$0].value } }
        set {
            if let position = positions[key] {
                if let newValue {
                    storage[position].value = newValue
                } else {
                    storage.remove(at: position)
                    positions = Dictionary(uniqueKeysWithValues: storage.enumerated().map { ($1.key, $0) })
                }
            } else if let newValue {
                positions[key] = storage.count
                storage.append((key, newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> {
        storage.makeIterator()
    }

    /// A dictionary with the same keys in the same order and transformed values.
    public func mapValues<T>(_ transform: (Value) throws -> T) rethrows -> KeyOrderedDictionary<T> {
        var result = KeyOrderedDictionary<T>()
        for (key, value) in storage { result[key] = try transform(value) }
        return result
    }
}

extension KeyOrderedDictionary: Sendable where Value: Sendable {}

extension KeyOrderedDictionary: Equatable where Value: Equatable {
    /// Equal when both have the same keys with equal values, in any order (as Python compares dicts).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.storage.allSatisfy { rhs[$0.key] == $0.value }
    }
}

extension KeyOrderedDictionary: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for key in keys.sorted() {
            hasher.combine(key)
            hasher.combine(self[key])
        }
    }
}

/// A JSON object: string keys in insertion order.
public typealias JSONObject = KeyOrderedDictionary<JSONValue>

extension KeyOrderedDictionary: ExpressibleByDictionaryLiteral {
    /// Keys keep the order they are written in.
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements)
    }
}
