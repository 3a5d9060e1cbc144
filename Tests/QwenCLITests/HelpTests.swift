import Testing

@Suite struct HelpTests {
    @Test func helpExitsCleanly() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }

    @Test(arguments: ["tokenize", "template", "generate", "chat", "logits", "bench", "serve", "pull"])
    func subcommandHelpShowsUsageAndExamples(subcommand: String) throws {
        let result = try CLI.run([subcommand, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: qwen \(subcommand)"))
        #expect(result.stdout.contains("Examples:\n"))
        #expect(result.stdout.contains("\n  qwen \(subcommand) "))
    }
}
