import ArgumentParser
import Foundation

/// The `qwen` command: run Qwen2.5 models from the command line.
@main
struct Qwen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qwen",
        abstract: "Run Qwen2.5 language models: tokenize, render chat templates, generate, chat, serve.",
        discussion: """
            Examples:
              qwen generate --model ./Qwen2.5-0.5B-Instruct --prompt "Who founded Alibaba?"
              qwen chat --model ./Qwen2.5-0.5B-Instruct
              qwen tokenize --model ./Qwen2.5-0.5B-Instruct --text "Hello world" --json
              qwen template --model ./Qwen2.5-0.5B-Instruct --messages-file messages.json
              qwen logits --model ./Qwen2.5-0.5B-Instruct --ids 9707,11,1879 --top 5 --json
            Run 'qwen help COMMAND' for a command's flags.
            """,
        subcommands: [TokenizeCommand.self, TemplateCommand.self, GenerateCommand.self, ChatCommand.self, LogitsCommand.self, BenchCommand.self, ServeCommand.self, PullCommand.self, ConvertCommand.self]
    )

    /// Runs the command line; errors are one line on stderr ("Error: ...") and a non-zero exit,
    /// help goes to stdout with exit 0.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
