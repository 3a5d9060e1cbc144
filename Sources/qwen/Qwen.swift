import ArgumentParser

/// The `qwen` command: run Qwen2.5 models from the command line.
@main
struct Qwen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qwen",
        abstract: "Run Qwen2.5 language models: tokenize, render chat templates, generate, chat, serve.",
        subcommands: [TokenizeCommand.self, TemplateCommand.self, GenerateCommand.self, ChatCommand.self, LogitsCommand.self, ServeCommand.self]
    )
}
