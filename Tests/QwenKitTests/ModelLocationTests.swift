import Foundation
import QwenKit
import Testing

@Suite struct ModelLocationTests {
    @Test func directoryIsRecognised() throws {
        let location = try ModelLocation(path: Fixtures.url("models/tiny-qwen2.5").path)
        guard case .directory = location else { Issue.record("expected a directory"); return }
        #expect(location.existingFile("config.json") != nil)
        #expect(location.existingFile("missing.json") == nil)
    }

    @Test func missingPathIsAnError() {
        #expect(throws: ModelLocationError.notFound("/no/such/model")) {
            try ModelLocation(path: "/no/such/model")
        }
    }

    @Test func plainFileIsRejected() {
        let path = Fixtures.url("models/tiny-qwen2.5/config.json").path
        #expect(throws: ModelLocationError.unsupportedFile(path)) { try ModelLocation(path: path) }
    }
}
