import ArgumentParser
import Foundation
import QwenKit

/// `qwen tokenize`: the token ids of a text, as the model's tokenizer gives them.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text (no special tokens added; special-token text is matched).",
        discussion: """
            With --jsonl, each stdin line {"text": ...} gives one stdout line {"ids": [...]}, in order.
            """
    )

    @Option(help: "A model directory, or a Hub id (ORG/NAME) in the Hugging Face cache.")
    var model: String

    @Option(help: "The text to tokenize.")
    var text: String?

    @Option(help: "A UTF-8 file whose whole contents are tokenized.")
    var textFile: String?

    @Flag(help: "Print {\"ids\": [...]} instead of space-separated ids.")
    var json = false

    @Flag(help: "Read JSON lines {\"text\": ...} from stdin and write JSON lines {\"ids\": [...]}.")
    var jsonl = false

    func validate() throws {
        let inputs = [text != nil, textFile != nil, jsonl].filter { $0 }.count
        guard inputs == 1 else {
            throw ValidationError("give exactly one of --text, --text-file and --jsonl")
        }
    }

    func run() throws {
        let tokenizer = try loadTokenizer()
        if jsonl {
            try tokenizeLines(with: tokenizer)
            return
        }
        let input: String
        if let text {
            input = text
        } else if let textFile {
            input = try readTextFile(textFile)
        } else {
            return
        }
        let ids = tokenizer.encode(input)
        print(json ? Self.jsonLine(ids) : ids.map(String.init).joined(separator: " "))
    }

    private func loadTokenizer() throws -> Tokenizer {
        switch try ModelLocation.resolve(model) {
        case .directory(let url):
            return try Tokenizer(directory: url)
        case .gguf(let url):
            throw TokenizeError.ggufUnsupported(url.path)
        }
    }

    private func readTextFile(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TokenizeError.unreadable(path) }
        guard let text = String(data: data, encoding: .utf8) else { throw TokenizeError.notUTF8(path) }
        return text
    }

    private func tokenizeLines(with tokenizer: Tokenizer) throws {
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            let request: LineRequest
            do {
                request = try JSONDecoder().decode(LineRequest.self, from: Data(line.utf8))
            } catch {
                throw TokenizeError.badLine(lineNumber)
            }
            FileHandle.standardOutput.write(Data((Self.jsonLine(tokenizer.encode(request.text)) + "\n").utf8))
        }
    }

    private struct LineRequest: Decodable {
        var text: String
    }

    static func jsonLine(_ ids: [Int]) -> String {
        "{\"ids\":[" + ids.map(String.init).joined(separator: ",") + "]}"
    }
}

/// Why `qwen tokenize` could not run.
enum TokenizeError: Error, CustomStringConvertible {
    case unreadable(String)
    case notUTF8(String)
    case badLine(Int)
    case ggufUnsupported(String)

    var description: String {
        switch self {
        case .unreadable(let path): "\(path): cannot read the text file"
        case .notUTF8(let path): "\(path): the text file is not valid UTF-8"
        case .badLine(let line): "stdin line \(line): expected a JSON object {\"text\": \"...\"}"
        case .ggufUnsupported(let path): "\(path): reading a tokenizer from a GGUF file is not supported yet"
        }
    }
}
