import Foundation
import Testing

/// `qwen chat` driven line by line through a pipe, as a user would: replies stream, Ctrl-C (SIGINT)
/// stops the reply being written without ending the chat, `/clear` forgets the conversation.
@Suite struct ChatCommandInterruptTests {
    @Test func interruptedRepliesLeaveTheChatRunning() throws {
        let chat = try ChatSession(arguments: [
            "chat", "--model", CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path,
            "--temperature", "0", "--max-tokens", "30000",
        ])
        defer { chat.terminate() }

        var replies = 0
        for line in ["Hello", "Tell me more", "/clear", "Hello again"] {
            let before = chat.stdout.utf8.count
            chat.send(line)
            if line == "/clear" {
                try chat.wait(for: "/clear") { $0.stderr.contains("[conversation cleared]") }
                continue
            }
            replies += 1
            try chat.wait(for: "reply \(replies) to stream") { $0.stdout.utf8.count > before + 20 }
            chat.interrupt()
            try chat.wait(for: "reply \(replies) to stop") { $0.stderr.count(of: "finish: cancelled") == replies }
        }
        chat.closeInput()
        let status = try chat.waitForExit()
        #expect(status == 0)
        #expect(chat.stderr.count(of: "finish: ") == 3)
        #expect(chat.stderr.count(of: "finish: cancelled") == 3)
        #expect(chat.stderr.contains("[conversation cleared]"))
    }
}

/// A running `qwen` process whose stdin is written line by line and whose output is collected as
/// it arrives.
private final class ChatSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()

    init(arguments: [String]) throws {
        let outPipe = Pipe(), errPipe = Pipe()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = outPipe
        process.standardError = errPipe
        outPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.lock.withLock { self?.output.append(data) }
        }
        errPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.lock.withLock { self?.errors.append(data) }
        }
        try process.run()
    }

    var stdout: String { lock.withLock { String(decoding: output, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    func interrupt() {
        kill(process.processIdentifier, SIGINT)
    }

    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Polls until `condition` holds, for at most `timeout` seconds; throws what was awaited otherwise.
    func wait(for what: String, timeout: TimeInterval = 60, _ condition: (ChatSession) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(self) {
            guard process.isRunning, Date() < deadline else {
                throw ChatSessionError(awaited: what, stdout: stdout, stderr: stderr)
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    func waitForExit(timeout: TimeInterval = 60) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else { throw ChatSessionError(awaited: "exit", stdout: stdout, stderr: stderr) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: 0.1)
        return process.terminationStatus
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }
}

private struct ChatSessionError: Error, CustomStringConvertible {
    var awaited: String
    var stdout: String
    var stderr: String

    var description: String {
        "gave up waiting for \(awaited); stdout: \(stdout.suffix(300)) stderr: \(stderr.suffix(500))"
    }
}

private extension String {
    func count(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
    }
}
