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

            Examples:
              qwen tokenize --model ./Qwen2.5-0.5B-Instruct --text "Hello world" --json
              qwen tokenize --model Qwen/Qwen2.5-0.5B-Instruct --text-file prompt.txt
              echo '{"text": "Hi"}' | qwen tokenize --model ./Qwen2.5-0.5B-Instruct --jsonl
            """
    )

    @Option(help: "A model directory, a .gguf file, or a Hub id (ORG/NAME[:QUANT]) in the Hugging Face cache.")
    var model: String

    @Option(help: "The text to tokenize.")
    var text: String?

    @Option(help: "A UTF-8 file whose whole contents are tokenized.")
    var textFile: String?

    @Flag(help: "Print {\"ids\": [...]} instead of space-separated ids.")
    var json = false

    @Flag(help: "Read JSON lines {\"text\": ...} from stdin and write JSON lines {\"ids\": [...]}.")
    var jsonl = false

    @Flag(help: "Print load and encode times (wall and CPU) to stderr as JSON, for benchmarks.")
    var timing = false

    func validate() throws {
        let inputs = [text != nil, textFile != nil, jsonl].filter { $0 }.count
        guard inputs == 1 else {
            throw ValidationError("give exactly one of --text, --text-file and --jsonl")
        }
    }

    func run() throws {
        var stopwatch = Stopwatch()
        let tokenizer = try loadTokenizer()
        let load = stopwatch.lap()
        if jsonl {
            let (encode, bytes) = try tokenizeLines(with: tokenizer)
            if timing { Self.reportTiming(load: load, encode: encode, bytes: bytes) }
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
        let encode = stopwatch.lap()
        print(json ? Self.jsonLine(ids) : ids.map(String.init).joined(separator: " "))
        if timing { Self.reportTiming(load: load, encode: encode, bytes: input.utf8.count) }
    }

    private func loadTokenizer() throws -> Tokenizer {
        try Tokenizer(location: ModelLocation.resolve(model))
    }

    private func readTextFile(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TokenizeError.unreadable(path) }
        // Decoded by hand: Foundation's UTF-8 decoding drops a leading byte order mark, which is text
        // to the tokenizer. Invalid bytes would be repaired, so the round trip detects them.
        let text = String(decoding: data, as: UTF8.self)
        guard text.utf8.elementsEqual(data) else { throw TokenizeError.notUTF8(path) }
        return text
    }

    /// Tokenizes JSON lines from stdin; returns the time spent encoding and the bytes encoded.
    private func tokenizeLines(with tokenizer: Tokenizer) throws -> (Stopwatch.Lap, Int) {
        var lineNumber = 0
        var encodeTime = Stopwatch.Lap(wall: 0, cpu: 0)
        var bytes = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            let request: LineRequest
            do {
                request = try JSONDecoder().decode(LineRequest.self, from: Data(line.utf8))
            } catch {
                throw TokenizeError.badLine(lineNumber)
            }
            var stopwatch = Stopwatch()
            let ids = tokenizer.encode(request.text)
            encodeTime += stopwatch.lap()
            bytes += request.text.utf8.count
            FileHandle.standardOutput.write(Data((Self.jsonLine(ids) + "\n").utf8))
        }
        return (encodeTime, bytes)
    }

    private static func reportTiming(load: Stopwatch.Lap, encode: Stopwatch.Lap, bytes: Int) {
        let report = "{\"load_seconds\":\(load.wall),\"load_cpu_seconds\":\(load.cpu),"
            + "\"encode_seconds\":\(encode.wall),\"encode_cpu_seconds\":\(encode.cpu),\"bytes\":\(bytes),"
            + "\"encode_megabytes_per_cpu_second\":\(Double(bytes) / 1e6 / encode.cpu)}\n"
        FileHandle.standardError.write(Data(report.utf8))
    }

    private struct LineRequest: Decodable {
        var text: String
    }

    static func jsonLine(_ ids: [Int]) -> String {
        "{\"ids\":[" + ids.map(String.init).joined(separator: ",") + "]}"
    }
}

/// Wall-clock and process CPU time between laps.
private struct Stopwatch {
    struct Lap {
        var wall: Double
        var cpu: Double

        static func += (total: inout Lap, lap: Lap) {
            total.wall += lap.wall
            total.cpu += lap.cpu
        }
    }

    private var wallStart = Date()
    private var cpuStart = clock()

    /// The time since the start or the previous lap.
    mutating func lap() -> Lap {
        let now = Date(), cpuNow = clock()
        defer { (wallStart, cpuStart) = (now, cpuNow) }
        return Lap(wall: now.timeIntervalSince(wallStart), cpu: Double(cpuNow - cpuStart) / Double(CLOCKS_PER_SEC))
    }
}

/// Why `qwen tokenize` could not run.
enum TokenizeError: Error, CustomStringConvertible {
    case unreadable(String)
    case notUTF8(String)
    case badLine(Int)

    var description: String {
        switch self {
        case .unreadable(let path): "\(path): cannot read the text file"
        case .notUTF8(let path): "\(path): the text file is not valid UTF-8"
        case .badLine(let line): "stdin line \(line): expected a JSON object {\"text\": \"...\"}"
        }
    }
}
