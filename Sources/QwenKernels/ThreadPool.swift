import CQwenKernels
import Foundation

#if canImport(Darwin)
import Darwin
#endif

/// A fixed set of persistent worker threads that run fork/join loops with low overhead.
///
/// The calling thread takes part in every loop, so a pool of `threadCount` threads starts
/// `threadCount - 1` workers. Idle workers spin briefly, then sleep until the next loop.
/// Calls on one pool are serialized: a second thread calling in waits for the first loop.
/// A loop body must not start another loop on the same pool.
///
/// ```swift
/// let pool = ThreadPool(threadCount: ThreadPool.defaultThreadCount)
/// pool.parallelFor(rows) { range in
///     for row in range { process(row) }
/// }
/// ```
public final class ThreadPool: @unchecked Sendable {
    /// Threads that run a loop, the caller included.
    public let threadCount: Int

    private let handle: OpaquePointer?
    private let lock = NSLock()
    private var scratch: UnsafeMutablePointer<Float>?
    private var scratchStride = 0

    /// Starts `threadCount - 1` worker threads (at least one thread runs: the caller).
    /// If the system refuses to start threads, loops run on the calling thread alone.
    public init(threadCount: Int) {
        let handle = threadCount > 1 ? qk_pool_create(threadCount) : nil
        self.handle = handle
        self.threadCount = handle == nil ? 1 : threadCount
    }

    deinit {
        if let handle { qk_pool_destroy(handle) }
        scratch?.deallocate()
    }

    /// The number of physical cores (hyper-threads share a core's vector units, so kernels
    /// gain nothing from them), never more than the processors this process may use.
    public static var defaultThreadCount: Int {
        max(1, min(physicalCoreCount ?? Int.max, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Splits `0..<count` into contiguous chunks and calls `body` once per chunk, on the
    /// workers and the calling thread; returns when every chunk is done.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        parallelFor(count, chunkCount: threadCount) { range, _ in body(range) }
    }

    /// Splits `0..<count` into `chunkCount` balanced contiguous chunks that the threads take
    /// in turn, and calls `body(chunk, worker)`; `worker` in `0..<threadCount` identifies the
    /// thread (0 is the caller), so `body` can use per-thread scratch memory.
    public func parallelFor(_ count: Int, chunkCount: Int, _ body: (Range<Int>, Int) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        run(count, chunkCount: chunkCount, body)
    }

    /// Runs `body` with `floatsPerWorker` floats of scratch memory for each worker at
    /// `base + worker * stride` (kept between calls; grown when too small) and exclusive use
    /// of the pool.
    func withScratch(
        floatsPerWorker: Int,
        _ body: (_ base: UnsafeMutablePointer<Float>, _ stride: Int) -> Void
    ) {
        lock.lock()
        defer { lock.unlock() }
        let stride = (floatsPerWorker + 15) / 16 * 16
        if stride > scratchStride || scratch == nil {
            scratch?.deallocate()
            scratch = .allocate(capacity: max(stride, 16) * threadCount)
            scratchStride = max(stride, 16)
        }
        if let scratch { body(scratch, scratchStride) }
    }

    /// `parallelFor` for callers that already hold the lock.
    func run(_ count: Int, chunkCount: Int, _ body: (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        guard let handle, chunkCount > 1, count > 1 else {
            body(0..<count, 0)
            return
        }
        withoutActuallyEscaping(body) { body in
            var context = body
            withUnsafeMutablePointer(to: &context) { context in
                qk_pool_run(handle, count, chunkCount, { context, begin, end, worker in
                    guard let context else { return }
                    let body = context.assumingMemoryBound(to: ((Range<Int>, Int) -> Void).self).pointee
                    body(Int(begin)..<Int(end), Int(worker))
                }, context)
            }
        }
    }

    private static var physicalCoreCount: Int? {
        #if canImport(Darwin)
        for name in ["hw.perflevel0.physicalcpu", "hw.physicalcpu"] {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            if sysctlbyname(name, &value, &size, nil, 0) == 0, value > 0 { return Int(value) }
        }
        return nil
        #else
        let root = "/sys/devices/system/cpu"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return nil }
        var cores = Set<String>()
        for entry in entries where entry.hasPrefix("cpu") && entry.dropFirst(3).allSatisfy(\.isNumber) && entry.count > 3 {
            let path = "\(root)/\(entry)/topology/thread_siblings_list"
            if let siblings = try? String(contentsOfFile: path, encoding: .utf8) {
                cores.insert(siblings.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return cores.isEmpty ? nil : cores.count
        #endif
    }
}
