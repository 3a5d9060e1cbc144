import Foundation

/// `model.safetensors.index.json` of a sharded checkpoint: which shard file holds each tensor.
struct SafetensorsIndex: Decodable {
    /// Tensor name → shard file name (relative to the index's directory).
    let weightMap: [String: String]

    enum CodingKeys: String, CodingKey {
        case weightMap = "weight_map"
    }

    /// Reads and decodes the index at `url`. Throws ``WeightsError/invalidIndex(file:reason:)``.
    init(url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WeightsError.invalidIndex(file: url.path, reason: "cannot read the file")
        }
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw WeightsError.invalidIndex(file: url.path, reason: "missing \"\(key.stringValue)\"")
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            throw WeightsError.invalidIndex(file: url.path, reason: "weight_map must map tensor names to file names")
        } catch DecodingError.valueNotFound {
            throw WeightsError.invalidIndex(file: url.path, reason: "weight_map must map tensor names to file names")
        } catch DecodingError.typeMismatch {
            throw WeightsError.invalidIndex(file: url.path, reason: "not a JSON object")
        } catch {
            throw WeightsError.invalidIndex(file: url.path, reason: "not valid JSON")
        }
        // Shards live beside the index: a name that is empty, absolute or climbs out with `..`
        // would read (or download) some other file.
        for (tensor, shard) in weightMap where !RelativePath.staysInside(shard) {
            throw WeightsError.invalidIndex(
                file: url.path, reason: "tensor \(tensor) names shard \"\(shard)\", which is not a file beside the index")
        }
    }
}
