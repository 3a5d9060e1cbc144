import Foundation
import Testing

@Suite struct ServeCommandTests {
    @Test func missingModelIsAOneLineError() throws {
        let result = try CLI.run(["serve", "--model", "/nonexistent/model", "--port", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/model"))
        #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
    }

    @Test func outOfRangePortIsRefused() throws {
        let result = try CLI.run(["serve", "--model", "x", "--port", "70000"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--port"))
    }
}
