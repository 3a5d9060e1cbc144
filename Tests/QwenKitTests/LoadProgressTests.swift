import Foundation
import QwenKit
import Testing

@Suite struct LoadProgressTests {
    /// The fixture model has 2 layers: embedding, layer 0, layer 1, output head, then the tokenizer.
    @Test func languageModelReportsEveryStepInOrder() throws {
        var reports: [LoadProgress] = []
        _ = try LanguageModel(path: Fixtures.url("models/tiny-qwen2.5").path) { reports.append($0) }
        let steps: [LoadProgress.Step] = [.embedding, .layer(0), .layer(1), .outputHead, .tokenizer]
        #expect(reports == steps.enumerated().map { LoadProgress(step: $1, completed: $0 + 1, total: 5) })
        #expect(reports.last?.fraction == 1)
    }

    @Test func ggufModelReportsItsLayers() throws {
        var reports: [LoadProgress] = []
        let file = try GGUFFile(url: Fixtures.url("gguf/tiny-qwen2.5-q8_0.gguf"))
        let model = try Qwen2Model(gguf: file) { reports.append($0) }
        let layers = model.configuration.numHiddenLayers
        #expect(reports.map(\.step) == [.embedding] + (0..<layers).map { .layer($0) } + [.outputHead])
        #expect(reports.map(\.completed) == Array(1...layers + 2))
        #expect(reports.allSatisfy { $0.total == layers + 2 })
    }
}
