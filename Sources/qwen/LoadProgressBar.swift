import Foundation
import QwenKit

/// Shows a model load on stderr: once loading has taken longer than half a second, one line
/// redrawn in place with a bar and the part being prepared; ``finish()`` erases it. Nothing is
/// shown when stderr is not a terminal, so logs and piped output stay clean.
///
/// ```swift
/// let qwen = try LoadProgressBar.showing { try LanguageModel(path: path, progress: $0) }
/// ```
final class LoadProgressBar {
    private let interactive: Bool
    private let start = Date()
    private var drawn = false

    /// A load display; `interactive` defaults to whether stderr is a terminal.
    init(interactive: Bool = isatty(FileHandle.standardError.fileDescriptor) != 0) {
        self.interactive = interactive
    }

    /// Runs `load` with a bar's ``handle(_:)`` as its progress callback, and erases the bar
    /// afterwards, also when `load` throws.
    static func showing<Model>(_ load: (@escaping (LoadProgress) -> Void) throws -> Model) rethrows -> Model {
        let bar = LoadProgressBar()
        defer { bar.finish() }
        return try load(bar.handle)
    }

    /// Takes one progress report of the loader.
    func handle(_ progress: LoadProgress) {
        guard interactive, Date().timeIntervalSince(start) > 0.5 else { return }
        drawn = true
        let percent = String(format: "%3d%%", Int(progress.fraction * 100))
        StandardStreams.writeError(
            "\r\u{1B}[K[\(ProgressBar.bar(progress.fraction))] \(percent)  loading model: "
                + "\(Self.describe(progress.step)) (\(progress.completed)/\(progress.total))")
    }

    /// Erases the bar, if one was drawn.
    func finish() {
        if drawn { StandardStreams.writeError("\r\u{1B}[K") }
    }

    private static func describe(_ step: LoadProgress.Step) -> String {
        switch step {
        case .embedding: "embedding"
        case .layer(let index): "layer \(index + 1)"
        case .outputHead: "output head"
        case .tokenizer: "tokenizer"
        }
    }
}
