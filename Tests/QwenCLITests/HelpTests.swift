import Testing

@Suite struct HelpTests {
    @Test func helpExitsCleanly() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }
}
