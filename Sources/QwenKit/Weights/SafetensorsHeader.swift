import Foundation

/// The validated JSON header of a safetensors file.
struct SafetensorsHeader {
    let tensors: [String: TensorInfo]
    let metadata: [String: String]

    /// Parses and validates `json`; `dataStart` is the absolute offset of the data region
    /// and `dataSize` its length.
    init(json: Data, file: String, dataStart: Int, dataSize: Int) throws {
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: json)
        } catch DecodingError.typeMismatch {
            throw WeightsError.invalidHeader(file: file, reason: "not a JSON object")
        } catch {
            throw WeightsError.invalidHeader(file: file, reason: "not valid JSON")
        }
        switch raw.metadata {
        case .none: metadata = [:]
        case .valid(let map): metadata = map
        case .invalid: throw WeightsError.invalidMetadata(file: file)
        }
        var tensors: [String: TensorInfo] = [:]
        for (name, entry) in raw.entries.sorted(by: { $0.key < $1.key }) {
            switch entry {
            case .invalid(let reason):
                throw WeightsError.invalidTensor(file: file, tensor: name, reason: reason)
            case .valid(let entry):
                tensors[name] = try entry.validated(
                    name: name, file: file, dataStart: dataStart, dataSize: dataSize)
            }
        }
        try Self.checkNoOverlap(Array(tensors.values), file: file)
        self.tensors = tensors
    }

    private static func checkNoOverlap(_ tensors: [TensorInfo], file: String) throws {
        let nonEmpty = tensors.filter { !$0.byteRange.isEmpty }
            .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        var furthest: TensorInfo?
        for tensor in nonEmpty {
            if let previous = furthest, tensor.byteRange.lowerBound < previous.byteRange.upperBound {
                throw WeightsError.overlap(file: file, tensor: tensor.name, other: previous.name)
            }
            if tensor.byteRange.upperBound > furthest?.byteRange.upperBound ?? 0 { furthest = tensor }
        }
    }
}

/// The header as JSON, before validation. A malformed entry is kept as the reason it failed,
/// so that the error can name the tensor.
private struct RawHeader: Decodable {
    enum Entry<Value> {
        case valid(Value)
        case invalid(reason: String)
    }

    var entries: [String: Entry<RawTensor>] = [:]
    var metadata: Entry<[String: String]>?

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: NameKey.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                if try container.decodeNil(forKey: key) { continue }
                do {
                    metadata = .valid(try container.decode([String: String].self, forKey: key))
                } catch {
                    metadata = .invalid(reason: "not a map of strings")
                }
            } else {
                do {
                    entries[key.stringValue] = .valid(try container.decode(RawTensor.self, forKey: key))
                } catch {
                    entries[key.stringValue] = .invalid(reason: Self.reason(error))
                }
            }
        }
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _):
            return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let fields = context.codingPath.compactMap { RawTensor.CodingKeys(stringValue: $0.stringValue) }
            if let field = fields.last {
                return "\"\(field.stringValue)\" has the wrong type"
            }
            return "entry must be an object with dtype, shape and data_offsets"
        default:
            // A number that does not fit an Int (fractional, too large); Foundation reports it
            // as dataCorrupted or as its own JSON error depending on the platform.
            return "shape and data_offsets must be lists of integers"
        }
    }
}

private struct RawTensor: Decodable {
    let dtype: String
    let shape: [Int]
    let dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    func validated(name: String, file: String, dataStart: Int, dataSize: Int) throws -> TensorInfo {
        guard let type = TensorDType(rawValue: dtype) else {
            throw WeightsError.unknownDType(file: file, tensor: name, dtype: dtype)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw WeightsError.invalidTensor(file: file, tensor: name, reason: "negative dimension in shape \(shape)")
        }
        guard dataOffsets.count == 2 else {
            throw WeightsError.invalidTensor(file: file, tensor: name, reason: "data_offsets must be [begin, end]")
        }
        let begin = dataOffsets[0], end = dataOffsets[1]
        guard begin >= 0, begin <= end else {
            throw WeightsError.invalidTensor(
                file: file, tensor: name, reason: "data_offsets [\(begin), \(end)] are not an ascending pair")
        }
        guard end <= dataSize else {
            throw WeightsError.outOfBounds(file: file, tensor: name, end: end, dataSize: dataSize)
        }
        var byteCount = type.byteSize
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw WeightsError.invalidTensor(file: file, tensor: name, reason: "shape \(shape) is too large")
            }
            byteCount = product
        }
        guard byteCount == end - begin else {
            throw WeightsError.sizeMismatch(file: file, tensor: name, expected: byteCount, actual: end - begin)
        }
        return TensorInfo(name: name, dtype: type, shape: shape, byteRange: (dataStart + begin)..<(dataStart + end))
    }
}

private struct NameKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
