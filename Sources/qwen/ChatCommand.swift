import ArgumentParser
import Foundation
import QwenKit

/// `qwen chat`: a multi-turn conversation on the terminal, or over piped stdin.
///
/// ```sh
/// qwen chat --model ./Qwen2.5-0.5B-Instruct
/// printf 'Hello\n/exit\n' | qwen chat --model ./Qwen2.5-0.5B-Instruct
/// ```
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model: streamed replies, multi-turn history.",
        discussion: """
            Type a message and press Enter. Commands:
              /clear         forget the conversation (keeps the system message)
              /system TEXT   set the system message and start over
              /exit          leave (also Ctrl-D)
            Ctrl-C stops the reply being written (what was written stays in the
            conversation); at the prompt, Ctrl-C twice in a row leaves.
            When stdin is not a terminal, each line is one user message and end of
            input leaves.

            Examples:
              qwen pull Qwen/Qwen2.5-0.5B-Instruct && qwen chat
              qwen chat --model ./Qwen2.5-0.5B-Instruct --temperature 0.7
            """)

    @Option(help: "A model directory, a .gguf file, or a Hub id (ORG/NAME[:QUANT]) in the Hugging Face cache.")
    var model: String = HubModelID.defaultChatModel

    @OptionGroup var options: GenerationOptions

    @Option(help: "The system message (default: the chat template's own).")
    var system: String?

    func run() async throws {
        let qwen = try options.load(model: model)
        let parameters = options.parameters(for: qwen)
        let interactive = isatty(STDIN_FILENO) != 0
        var conversation = Conversation(system: system)
        let interrupts = try InterruptMonitor()

        while true {
            // At the prompt, a first Ctrl-C says how to leave and a second one in a row leaves.
            interrupts.reset { presses in
                if presses > 1 {
                    StandardStreams.write("\n")
                    Foundation.exit(0)
                }
                StandardStreams.writeError("\n(Ctrl-C again, Ctrl-D or /exit to leave)\n")
                if interactive { StandardStreams.write(">>> ") }
            }
            if interactive { StandardStreams.write(">>> ") }
            guard let line = readLine(strippingNewline: true) else { break }
            let input = line.trimmingCharacters(in: .whitespaces)
            switch ChatInput(input) {
            case .empty:
                continue
            case .exit:
                return
            case .clear:
                conversation.clear()
                StandardStreams.writeError("[conversation cleared]\n")
                continue
            case .system(let text):
                conversation = Conversation(system: text)
                StandardStreams.writeError("[system message set; conversation cleared]\n")
                continue
            case .message(let text):
                conversation.append(role: "user", content: text)
            }
            let prompt = try qwen.chatPrompt(messages: conversation.messages)
            let reply = try await respond(qwen: qwen, prompt: prompt, parameters: parameters, interrupts: interrupts)
            conversation.append(role: "assistant", content: reply)
        }
    }

    /// Streams one reply to stdout and returns its text. Ctrl-C stops it: the loop leaves the
    /// stream, which cancels the generation; what was written so far stays the reply.
    private func respond(
        qwen: LanguageModel, prompt: [Int], parameters: SamplingParameters, interrupts: InterruptMonitor
    ) async throws -> String {
        interrupts.reset()
        var reply = Reply()
        for try await event in qwen.generate(prompt: prompt, parameters: parameters) {
            guard interrupts.presses == 0 else { break }
            switch event {
            case .token(let token):
                reply.text += token.text
                reply.tokenCount += 1
                StandardStreams.write(token.text)
            case .finished(let summary):
                reply.summary = summary
            }
        }
        StandardStreams.write("\n")
        if let summary = reply.summary {
            StandardStreams.writeError(summary.speedLine + "\n")
        } else {
            StandardStreams.writeError("[interrupted after \(reply.tokenCount) tokens]\n")
        }
        return reply.text
    }
}

/// A reply as it streams: its text, its tokens, and the summary once generation finishes (none
/// when it was interrupted).
private struct Reply {
    var text = ""
    var tokenCount = 0
    var summary: GenerationSummary?
}

/// One line typed at the chat prompt.
enum ChatInput: Equatable {
    case empty
    case exit
    case clear
    case system(String)
    case message(String)

    init(_ line: String) {
        switch line {
        case "": self = .empty
        case "/exit", "/quit", "/bye": self = .exit
        case "/clear": self = .clear
        default:
            if line.hasPrefix("/system ") {
                self = .system(String(line.dropFirst("/system ".count)).trimmingCharacters(in: .whitespaces))
            } else {
                self = .message(line)
            }
        }
    }
}

/// The messages of a chat so far.
struct Conversation {
    private let system: String?
    private(set) var messages: [JSONValue] = []

    init(system: String?) {
        self.system = system
        clear()
    }

    mutating func clear() {
        messages = system.map { [["role": "system", "content": .string($0)]] } ?? []
    }

    mutating func append(role: String, content: String) {
        messages.append(["role": .string(role), "content": .string(content)])
    }
}
