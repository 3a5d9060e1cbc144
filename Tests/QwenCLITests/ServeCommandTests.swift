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

    @Test func unusableBatchingOptionsAreRefused() throws {
        for (arguments, named) in [
            (["--parallel", "0"], "--parallel"), (["--prefill-chunk", "0"], "--prefill-chunk"),
            (["--kv-cache-memory", "lots"], "--kv-cache-memory"),
        ] {
            let result = try CLI.run(["serve", "--model", "x"] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(named), "\(arguments)")
        }
    }

    @Test func kvCacheMemoryBelowOneContextIsAOneLineError() throws {
        let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path
        let result = try CLI.run(["serve", "--model", model, "--port", "0", "--context-length", "64", "--kv-cache-memory", "1K"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot hold one sequence"), "\(result.stderr)")
        #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
    }
}
