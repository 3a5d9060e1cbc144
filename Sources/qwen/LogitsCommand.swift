import ArgumentParser
import Foundation
import QwenKit

/// `qwen logits`: the model's top-K next-token scores at every position of an input, and
/// optionally the full last-position logits as raw float32.
///
/// ```sh
/// qwen logits --model ./tiny-qwen2.5 --ids 9707,11,1879 --top 5 --json
/// # {"ids":[9707,11,1879],"top":[[{"id":..,"logit":..},...],...]}
/// ```
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Print the top-K logits at every position of a text or a list of token ids.",
        discussion: """
            With --json: {"ids":[...],"top":[[{"id":..,"logit":..},...] per position]}. --dump-last
            writes the last position's full logits as little-endian float32, for comparing with PyTorch.

            Examples:
              qwen logits --model ./Qwen2.5-0.5B-Instruct --ids 9707,11,1879 --top 5 --json
              qwen logits --model ./Qwen2.5-0.5B-Instruct --text Hi --dump-last last.f32
            """)

    @Option(help: "A model directory, a .gguf file, or a Hub id (ORG/NAME[:QUANT]) in the Hugging Face cache.")
    var model: String

    @Option(help: "Text to tokenize (no special tokens added; special-token text is matched).")
    var text: String?

    @Option(help: "Comma-separated token ids, e.g. 9707,11,1879.")
    var ids: String?

    @Option(help: "How many of the highest logits to print per position.")
    var top: Int = 5

    @Flag(help: "Print JSON: {\"ids\":[...],\"top\":[[{\"id\":..,\"logit\":..},...] per position]}.")
    var json = false

    @Option(name: .customLong("dump-last"), help: "Write the last position's full logits to this file as little-endian float32.")
    var dumpLast: String?

    @Option(help: "Threads to run on (default: the physical cores).")
    var threads: Int?

    func run() throws {
        guard top >= 1 else { throw LogitsCommandError.invalidTop(top) }
        let location = try ModelLocation.resolve(model)
        let tokens = try inputIDs(location: location)
        let qwen = try LoadProgressBar.showing { try Qwen2Model(location: location, threadCount: threads, progress: $0) }
        let cache = try qwen.makeCache(contextLength: tokens.count)
        let logits = try qwen.forward(tokens, cache: cache, positions: .all)
        let rows = (0..<logits.rowCount).map { Self.highest(top, of: logits[$0]) }
        print(json ? Self.json(ids: tokens, rows: rows) : Self.table(ids: tokens, rows: rows))
        if let dumpLast {
            let url = URL(fileURLWithPath: (dumpLast as NSString).expandingTildeInPath)
            do {
                try Self.littleEndianBytes(logits.last).write(to: url)
            } catch {
                throw LogitsCommandError.cannotWrite(url.path)
            }
        }
    }

    /// The token ids from `--ids`, or from tokenizing `--text`.
    private func inputIDs(location: ModelLocation) throws -> [Int] {
        switch (text, ids) {
        case (nil, let ids?):
            let fields = ids.split(separator: ",", omittingEmptySubsequences: false)
            return try fields.map { field in
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let id = Int(trimmed), id >= 0 else { throw LogitsCommandError.invalidID(String(field)) }
                return id
            }
        case (let text?, nil):
            let ids = try Tokenizer(location: location).encode(text)
            guard !ids.isEmpty else { throw LogitsCommandError.emptyText }
            return ids
        default:
            throw LogitsCommandError.needsOneInput
        }
    }

    /// The `count` highest logits of a row, highest first (lower id first on ties).
    static func highest(_ count: Int, of row: ArraySlice<Float>) -> [(id: Int, logit: Float)] {
        var best: [(id: Int, logit: Float)] = []
        best.reserveCapacity(count + 1)
        for (id, logit) in zip(0..., row) {
            guard best.count < count || logit > best[best.count - 1].logit else { continue }
            let slot = best.firstIndex { logit > $0.logit } ?? best.count
            best.insert((id, logit), at: slot)
            if best.count > count { best.removeLast() }
        }
        return best
    }

    static func json(ids: [Int], rows: [[(id: Int, logit: Float)]]) -> String {
        let top = rows.map { row in
            "[" + row.map { "{\"id\":\($0.id),\"logit\":\(jsonNumber($0.logit))}" }.joined(separator: ",") + "]"
        }
        return "{\"ids\":[" + ids.map(String.init).joined(separator: ",") + "],\"top\":[" + top.joined(separator: ",") + "]}"
    }

    private static func jsonNumber(_ value: Float) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    static func table(ids: [Int], rows: [[(id: Int, logit: Float)]]) -> String {
        zip(ids, rows).enumerated().map { position, entry in
            let (id, row) = entry
            let scores = row.map { "\($0.id) (\($0.logit))" }.joined(separator: "  ")
            return "\(position)\t\(id)\t→ \(scores)"
        }.joined(separator: "\n")
    }

    private static func littleEndianBytes(_ values: ArraySlice<Float>) -> Data {
        var data = Data(capacity: values.count * 4)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }
}

/// Why `qwen logits` could not run.
enum LogitsCommandError: Error, CustomStringConvertible {
    case needsOneInput
    case invalidID(String)
    case invalidTop(Int)
    case emptyText
    case cannotWrite(String)

    var description: String {
        switch self {
        case .needsOneInput: "give exactly one of --text and --ids"
        case .invalidID(let field): "--ids: \"\(field)\" is not a token id (expected comma-separated integers ≥ 0)"
        case .invalidTop(let top): "--top: \(top) must be at least 1"
        case .emptyText: "--text: the text encodes to no tokens"
        case .cannotWrite(let path): "--dump-last: cannot write \(path)"
        }
    }
}
