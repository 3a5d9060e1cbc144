import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `qwen` executable running in its own session, typed at and read from while it runs.
///
/// On a ``Connection/terminal`` its stdin, stdout and stderr are a new pseudo-terminal that is
/// also its controlling terminal, as when a user runs it from a shell: the ^C byte typed into it
/// makes the line discipline send SIGINT, and the terminal echoes what is typed. On
/// ``Connection/pipes`` stdin is a pipe and stdout and stderr share another.
final class InteractiveProcess {
    enum Connection {
        case terminal
        case pipes
    }

    let connection: Connection
    let pid: pid_t
    private var input: Int32
    private let output: Int32
    /// Output read but not yet returned by ``expect(_:timeout:)``.
    private var pending: [UInt8] = []
    private var exitStatus: Int32?

    /// Starts `qwen` with `arguments`.
    init(_ arguments: [String], connection: Connection) throws {
        self.connection = connection
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }

        var childEnds: [Int32] = []
        switch connection {
        case .terminal:
            var terminal: Int32 = -1
            var childTerminal: Int32 = -1
            guard openpty(&terminal, &childTerminal, nil, nil, nil) == 0, let name = ttyname(childTerminal) else {
                throw InteractiveProcessError.system("openpty", errno)
            }
            [terminal, childTerminal].forEach(Self.closeOnExec)
            (input, output) = (terminal, terminal)
            childEnds = [childTerminal]
            // The session is new (the attribute below) when the file actions run, so opening the
            // terminal makes it the controlling terminal.
            posix_spawn_file_actions_addopen(&actions, 0, name, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        case .pipes:
            var stdinPipe: [Int32] = [-1, -1]
            var outputPipe: [Int32] = [-1, -1]
            guard pipe(&stdinPipe) == 0, pipe(&outputPipe) == 0 else {
                throw InteractiveProcessError.system("pipe", errno)
            }
            (stdinPipe + outputPipe).forEach(Self.closeOnExec)
            (input, output) = (stdinPipe[1], outputPipe[0])
            childEnds = [stdinPipe[0], outputPipe[1]]
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
            posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        }
        // A new session, and SIGINT as a fresh process has it, whatever the test runner does with it.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &interrupt)
        posix_spawnattr_setflags(&attributes, Int16(Self.newSession | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let executable = CLI.executable.path
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        childEnds.forEach { close($0) }
        guard status == 0 else {
            close(input)
            if output != input { close(output) }
            throw InteractiveProcessError.system("posix_spawn", status)
        }
        pid = child
    }

    /// `POSIX_SPAWN_SETSID`, which Glibc declares only for GNU sources.
    private static var newSession: Int32 {
        #if canImport(Darwin)
        POSIX_SPAWN_SETSID
        #else
        0x80
        #endif
    }

    private static func closeOnExec(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        if input >= 0 { close(input) }
        if output != input { close(output) }
    }

    /// Types `text` (writes it to stdin).
    func type(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(input, &bytes, bytes.count)
    }

    /// Ctrl-C: the ^C byte on a terminal, SIGINT otherwise.
    func interrupt() {
        switch connection {
        case .terminal: type("\u{03}")
        case .pipes: kill(pid, SIGINT)
        }
    }

    /// Closes stdin: end of input on pipes (on a terminal, type "\u{04}" instead).
    func closeInput() {
        precondition(connection == .pipes, "a terminal is closed with Ctrl-D")
        close(input)
        input = -1
    }

    /// Reads the output up to and including the first `text` not yet returned (a terminal's
    /// carriage returns left out).
    func expect(_ text: String, timeout: Duration = .seconds(300)) throws -> String {
        let needle = Array(text.utf8)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let end = Self.end(of: needle, in: pending) {
                let chunk = Array(pending[..<end])
                pending.removeFirst(end)
                return String(decoding: chunk, as: UTF8.self)
            }
            try readMore(until: deadline, waitingFor: "\"\(text)\"")
        }
    }

    /// Reads until some output that ``expect(_:timeout:)`` has not returned is there.
    func waitForOutput(timeout: Duration = .seconds(300)) throws {
        let deadline = ContinuousClock.now + timeout
        while pending.isEmpty { try readMore(until: deadline, waitingFor: "output") }
    }

    /// Waits for the process to exit and returns its exit status (128 + N for signal N).
    func waitForExit(timeout: Duration = .seconds(120)) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let signal = status & 0x7F
                let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
                exitStatus = code
                return code
            }
            // Reading keeps the child from blocking on a full terminal or pipe, and paces the loop.
            do {
                try readMore(until: min(deadline, ContinuousClock.now + .milliseconds(50)), waitingFor: "exit")
            } catch InteractiveProcessError.closed {
                if ContinuousClock.now >= deadline { throw InteractiveProcessError.timeout(waitingFor: "exit", shown: shown) }
                usleep(10_000)
            }
        }
    }

    private var shown: String { String(decoding: pending, as: UTF8.self) }

    private func readMore(until deadline: ContinuousClock.Instant, waitingFor what: String) throws {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { throw InteractiveProcessError.timeout(waitingFor: what, shown: shown) }
        let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
        var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(output, &buffer, buffer.count)
        // 0 (pipe) or EIO (terminal): every process holding the other end has closed it.
        guard count > 0 else { throw InteractiveProcessError.closed(waitingFor: what, shown: shown) }
        // A terminal shows each "\n" as "\r\n".
        pending += connection == .terminal ? buffer[..<count].filter { $0 != UInt8(ascii: "\r") } : buffer[..<count]
    }

    private static func end(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }
}

enum InteractiveProcessError: Error, CustomStringConvertible {
    case system(String, Int32)
    case timeout(waitingFor: String, shown: String)
    case closed(waitingFor: String, shown: String)

    var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .timeout(let what, let shown): "timed out waiting for \(what); output not yet matched: \(shown)"
        case .closed(let what, let shown): "output closed while waiting for \(what); output not yet matched: \(shown)"
        }
    }
}
