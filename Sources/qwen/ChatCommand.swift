import ArgumentParser
import Dispatch
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
            Ctrl-C stops the reply being written without leaving.
            When stdin is not a terminal, each line is one user message.

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
        let interrupts = InterruptMonitor()

        while true {
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

    /// Streams one reply to stdout and returns its text; Ctrl-C ends it early.
    private func respond(
        qwen: LanguageModel, prompt: [Int], parameters: SamplingParameters, interrupts: InterruptMonitor
    ) async throws -> String {
        let task = Task {
            var text = ""
            var summary: GenerationSummary?
            for try await event in qwen.generate(prompt: prompt, parameters: parameters) {
                switch event {
                case .token(let token):
                    text += token.text
                    StandardStreams.write(token.text)
                case .finished(let finished):
                    summary = finished
                }
            }
            return (text, summary)
        }
        interrupts.onInterrupt { task.cancel() }
        defer { interrupts.onInterrupt(nil) }
        let (text, summary) = try await task.value
        StandardStreams.write("\n")
        if let summary { StandardStreams.writeError(summary.speedLine + "\n") }
        return text
    }
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

/// Turns Ctrl-C into a call of the current handler; with no handler, Ctrl-C exits as usual.
final class InterruptMonitor: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private let lock = NSLock()
    private var handler: (@Sendable () -> Void)?

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            lock.lock()
            let current = handler
            lock.unlock()
            if let current { current() } else { Foundation.exit(130) }
        }
        source.resume()
    }

    /// Sets (or clears, with nil) what Ctrl-C does.
    func onInterrupt(_ handler: (@Sendable () -> Void)?) {
        lock.lock()
        self.handler = handler
        lock.unlock()
    }
}
