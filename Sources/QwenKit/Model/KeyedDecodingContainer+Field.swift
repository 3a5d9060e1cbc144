extension KeyedDecodingContainer {
    /// `decodeIfPresent`, except that a value of the wrong kind (e.g. `1.5` for an `Int`) always
    /// surfaces as `DecodingError.typeMismatch` at `key`: Foundation may otherwise report it
    /// without a coding path or as an internal error type.
    func field<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        do {
            return try decodeIfPresent(type, forKey: key)
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context) where context.codingPath.isEmpty:
                throw DecodingError.typeMismatch(type, .init(codingPath: codingPath + [key], debugDescription: ""))
            default:
                throw error
            }
        } catch {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath + [key], debugDescription: "\(error)"))
        }
    }
}
