/// A token id field that may hold one id, a list of ids or null (`eos_token_id`).
struct TokenIDs: Codable, Equatable {
    var ids: [Int]

    init(ids: [Int]) { self.ids = ids }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            ids = []
        } else if let id = try? container.decode(Int.self) {
            ids = [id]
        } else {
            ids = try container.decode([Int].self)
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if ids.count == 1 { try container.encode(ids[0]) } else { try container.encode(ids) }
    }
}
