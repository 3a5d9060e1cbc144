import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns Ctrl-C (SIGINT) into calls of a handler that the command sets, instead of ending the
/// process.
///
/// ```swift
/// let interrupts = try InterruptMonitor()
/// interrupts.reset { presses in print(presses == 1 ? "Ctrl-C again to quit" : "bye") }
/// interrupts.reset()
/// for try await event in stream where interrupts.presses == 0 { ... }
/// ```
///
/// The signal handler only writes a byte to a pipe (`write` is async-signal-safe); a thread
/// reading the pipe calls the handler. A Dispatch signal source is not used: on Linux,
/// libdispatch reads signals through a `signalfd`, which sees a signal only when every thread
/// blocks it; a thread that does not (the model's workers, the main thread) gets SIGINT
/// through libdispatch's fallback handler, and that first Ctrl-C per thread was lost, so a
/// reply went on streaming.
final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var handler: (@Sendable (Int) -> Void)?
    private var count = 0

    /// Installs the SIGINT handler for the rest of the process's life.
    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw InterruptMonitorError.pipe(errno: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        interruptPipeWriteEnd = ends[1]
        installSignalHandler(SIGINT, writeInterruptByte)
        let readEnd = ends[0]
        Thread.detachNewThread { [self] in
            var byte: UInt8 = 0
            while true {
                let result = read(readEnd, &byte, 1)
                if result == 1 {
                    interrupted()
                } else if result < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// Ctrl-C presses since the last ``reset(handler:)``.
    var presses: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    /// Starts counting Ctrl-C presses from zero; after each press, `handler` (if any) gets the
    /// count, 1 for the first.
    func reset(handler: (@Sendable (Int) -> Void)? = nil) {
        lock.lock()
        self.handler = handler
        count = 0
        lock.unlock()
    }

    private func interrupted() {
        lock.lock()
        count += 1
        let current = handler
        let count = count
        lock.unlock()
        current?(count)
    }
}

/// Why Ctrl-C cannot be watched.
enum InterruptMonitorError: Error, CustomStringConvertible {
    case pipe(errno: Int32)

    var description: String {
        switch self {
        case .pipe(let code): "cannot create a pipe for Ctrl-C: \(String(cString: strerror(code)))"
        }
    }
}

/// The pipe's write end; set once, before the signal handler that reads it is installed.
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1

/// The SIGINT handler: one byte down the pipe, errno left as it was.
private func writeInterruptByte(_: Int32) {
    let savedErrno = errno
    var byte: UInt8 = 3
    _ = write(interruptPipeWriteEnd, &byte, 1)
    errno = savedErrno
}

/// `sigaction` with `SA_RESTART`, so that a read of stdin interrupted by the signal goes on
/// instead of failing. The handler field is a union whose Swift spelling differs by platform.
private func installSignalHandler(_ signal: Int32, _ handler: @escaping @convention(c) (Int32) -> Void) {
    var action = sigaction()
    #if canImport(Darwin)
    action.__sigaction_u.__sa_handler = handler
    #else
    action.__sigaction_handler = unsafeBitCast(handler, to: sigaction.__Unnamed_union___sigaction_handler.self)
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = SA_RESTART
    sigaction(signal, &action, nil)
}
