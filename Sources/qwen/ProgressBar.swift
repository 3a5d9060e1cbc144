import Foundation
import QwenKit

/// Shows a model download on stderr: on a terminal, one line redrawn in place with a bar,
/// bytes, speed and ETA; otherwise plain lines (the plan, each finished file, retries, and a
/// progress line every few seconds) that read well in logs.
final class ProgressBar: @unchecked Sendable {
    private let interactive: Bool
    private let lock = NSLock()
    private let start = Date()
    private var sizes: [String: Int64] = [:]
    private var received: [String: Int64] = [:]
    private var total: Int64 = 0
    private var samples: [(time: TimeInterval, bytes: Int64)] = []
    private var lastDraw: TimeInterval = -.infinity
    private var cachedAtStart: Int64 = 0

    /// A progress display; `interactive` defaults to whether stderr is a terminal.
    init(interactive: Bool = isatty(FileHandle.standardError.fileDescriptor) != 0) {
        self.interactive = interactive
    }

    /// Takes one event of the downloader.
    func handle(_ event: ModelDownloader.Event) {
        lock.withLock {
            let now = Date().timeIntervalSince(start)
            switch event {
            case .planned(let files):
                for file in files {
                    sizes[file.name] = file.size
                    received[file.name] = file.isCached ? file.size : 0
                }
                total = files.reduce(0) { $0 + $1.size }
                cachedAtStart = received.values.reduce(0, +)
                let missing = files.filter { !$0.isCached }
                writeLine("\(files.count) files, \(Self.bytes(total)); \(missing.count) to download "
                    + "(\(Self.bytes(missing.reduce(0) { $0 + $1.size })))")
            case .received(let file, let bytes):
                received[file] = bytes
                draw(now: now, force: false)
            case .finished(let file):
                received[file] = sizes[file] ?? received[file] ?? 0
                if interactive {
                    draw(now: now, force: true)
                } else {
                    writeLine("downloaded \(file) (\(Self.bytes(sizes[file] ?? 0)))")
                }
            case .retrying(let file, let bytes, let reason):
                writeLine("\(file): connection lost after \(Self.bytes(bytes)) (\(reason)); resuming")
            }
        }
    }

    /// Ends the display with a summary line.
    func finish() {
        lock.withLock {
            let elapsed = max(Date().timeIntervalSince(start), 0.001)
            let done = received.values.reduce(0, +)
            let fetched = max(done - cachedAtStart, 0)
            if interactive { draw(now: elapsed, force: true) }
            writeLine("done: \(Self.bytes(fetched)) downloaded in \(String(format: "%.1f", elapsed)) s"
                + (fetched > 0 ? " (\(Self.bytes(Int64(Double(fetched) / elapsed)))/s)" : ""))
        }
    }

    /// Redraws the bar (terminal) or prints a progress line (log) when enough time has passed.
    private func draw(now: TimeInterval, force: Bool) {
        let minimumInterval = interactive ? 0.1 : 5
        guard force || now - lastDraw >= minimumInterval else { return }
        lastDraw = now
        let done = received.values.reduce(0, +)
        samples.append((now, done))
        samples.removeAll { now - $0.time > 5 && samples.count > 2 }
        let speed = samples.count >= 2
            ? Double(done - samples[0].bytes) / max(now - samples[0].time, 0.001) : 0
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 1
        let eta = speed > 0 ? Self.duration(Double(total - done) / speed) : "--:--"
        let numbers = "\(Self.bytes(done)) / \(Self.bytes(total))  \(Self.bytes(Int64(speed)))/s  ETA \(eta)"
        if interactive {
            let percent = String(format: "%3d%%", Int(fraction * 100))
            StandardStreams.writeError("\r\u{1B}[K[\(Self.bar(fraction))] \(percent)  \(numbers)")
        } else {
            StandardStreams.writeError(String(format: "%3d%%  ", Int(fraction * 100)) + numbers + "\n")
        }
    }

    /// A line of its own (on a terminal, the bar is redrawn below it).
    private func writeLine(_ line: String) {
        StandardStreams.writeError((interactive ? "\r\u{1B}[K" : "") + line + "\n")
        if interactive && total > 0 { lastDraw = -.infinity }
    }

    /// A bar of `width` cells, `fraction` (0...1) of them filled: `=====     `.
    static func bar(_ fraction: Double, width: Int = 30) -> String {
        let filled = Int(min(max(fraction, 0), 1) * Double(width))
        return String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
    }

    /// `19.6 MB`, `812 kB`, `300 B` (SI units, as the Hub shows sizes).
    static func bytes(_ count: Int64) -> String {
        let value = Double(count)
        switch value {
        case 1e9...: return String(format: "%.2f GB", value / 1e9)
        case 1e6...: return String(format: "%.1f MB", value / 1e6)
        case 1e3...: return String(format: "%.0f kB", value / 1e3)
        default: return "\(count) B"
        }
    }

    /// `1:05`, `1:02:03`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}
