import Foundation
import Testing

/// `qwen chat` on the tiny fixture model, over pipes and on a pseudo-terminal.
@Suite struct ChatCommandTests {
    static let model = GenerateCommandTests.model

    @Test func pipedTurnsClearAndExit() throws {
        let input = "Hello\nAnd again\n/clear\n/system Be brief.\nHi\n/exit\nnever sent\n"
        let result = try CLI.run(["chat", "--model", Self.model, "--max-tokens", "4", "--temperature", "0"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let replies = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(replies.count >= 3)
        let speedLines = result.stderr.split(separator: "\n").filter { $0.contains("tok/s") }
        #expect(speedLines.count == 3)
        // The second turn carries the first exchange: its prompt is longer than a fresh one.
        #expect(speedLines[1].contains("prompt tokens"))
        #expect(result.stderr.contains("conversation cleared"))
        // After /clear and /system the third turn starts fresh with the custom system message.
        #expect(speedLines[2].hasPrefix("[17 prompt tokens"), "\(speedLines[2])")
    }

    @Test func endOfInputExits() throws {
        let result = try CLI.run(["chat", "--model", Self.model, "--max-tokens", "2"], stdin: "")
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    /// Two turns, `/clear`, Ctrl-C at the prompt, and `/exit`, typed on a terminal.
    @Test func terminalTurnsClearAndExit() throws {
        let chat = try InteractiveProcess(
            ["chat", "--model", Self.model, "--max-tokens", "4", "--temperature", "0"], connection: .terminal)
        _ = try chat.expect(">>> ")
        chat.type("Hello\n")
        let first = try chat.expect(">>> ")
        chat.type("And again\n")
        let second = try chat.expect(">>> ")
        chat.type("/clear\n")
        #expect(try chat.expect(">>> ").contains("[conversation cleared]"))
        chat.type("Hello\n")
        let afterClear = try chat.expect(">>> ")

        let firstPrompt = try #require(Self.promptTokens(in: first), "\(first)")
        #expect(try #require(Self.promptTokens(in: second), "\(second)") > firstPrompt + 4)
        // After /clear the conversation starts over: the first turn's prompt and reply again.
        #expect(Self.promptTokens(in: afterClear) == firstPrompt)
        #expect(Self.reply(in: afterClear) == Self.reply(in: first))
        #expect(Self.reply(in: first)?.isEmpty == false)

        chat.interrupt()
        #expect(try chat.expect(">>> ").contains("(Ctrl-C again, Ctrl-D or /exit to leave)"))
        chat.type("/exit\n")
        #expect(try chat.waitForExit() == 0)
    }

    /// Ctrl-C while a long reply streams stops it, and the chat goes on: typed on a terminal
    /// (the ^C byte) or sent as SIGINT to a chat on pipes. On a terminal, Ctrl-C twice at the
    /// prompt leaves.
    @Test(arguments: [InteractiveProcess.Connection.terminal, .pipes])
    func interruptStopsTheReply(connection: InteractiveProcess.Connection) throws {
        let maxTokens = 20_000
        let chat = try InteractiveProcess(
            ["chat", "--model", Self.model, "--max-tokens", "\(maxTokens)", "--temperature", "0"], connection: connection)
        for message in ["Tell me a long story", "Go on"] {
            // On a terminal, the prompt first, then the echo of what is typed.
            if connection == .terminal { _ = try chat.expect(">>> ") }
            chat.type(message + "\n")
            if connection == .terminal { _ = try chat.expect(message + "\n") }
            try chat.waitForOutput()
            chat.interrupt()
            let turn = try chat.expect(" tokens]\n")
            let generated = try #require(Self.interruptedTokens(in: turn), "\(turn)")
            #expect(generated >= 1 && generated < maxTokens)
        }
        switch connection {
        case .terminal:
            // The prompt is shown once Ctrl-C means "leave" again.
            _ = try chat.expect(">>> ")
            chat.interrupt()
            _ = try chat.expect("(Ctrl-C again, Ctrl-D or /exit to leave)\n>>> ")
            chat.interrupt()
        case .pipes:
            chat.closeInput()
        }
        #expect(try chat.waitForExit() == 0)
    }

    /// The reply of a turn shown on a terminal: the lines between the echoed input and the
    /// speed line.
    static func reply(in turn: String) -> String? {
        let lines = turn.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3 else { return nil }
        return lines[1..<(lines.count - 2)].joined(separator: "\n")
    }

    /// The prompt size from a turn's speed line, "[N prompt tokens, ...".
    static func promptTokens(in turn: String) -> Int? {
        number(in: turn, after: "[", before: " prompt tokens")
    }

    /// The tokens of an interrupted reply, from "[interrupted after N tokens]".
    static func interruptedTokens(in turn: String) -> Int? {
        number(in: turn, after: "[interrupted after ", before: " tokens]")
    }

    private static func number(in text: String, after prefix: String, before suffix: String) -> Int? {
        guard let start = text.range(of: prefix, options: .backwards)?.upperBound,
              let end = text[start...].range(of: suffix)?.lowerBound
        else { return nil }
        return Int(text[start..<end])
    }
}
