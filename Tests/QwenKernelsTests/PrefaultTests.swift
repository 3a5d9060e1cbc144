import CQwenKernels
import Testing

@Suite struct PrefaultTests {
    /// Prefaulting keeps what the pages hold (written or not yet touched) and, on Linux, succeeds.
    @Test func keepsContents() {
        let byteCount = (1 << 20) + 123  // whole pages inside whatever the page size
        let memory = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        defer { memory.deallocate() }
        let bytes = memory.bindMemory(to: UInt8.self, capacity: byteCount)
        for i in 0..<byteCount { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        let done = qk_prefault_write(memory + 3, byteCount - 3)
        #if os(Linux)
        #expect(done == 1)
        #endif
        #expect((0..<byteCount).allSatisfy { bytes[$0] == UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        #expect(qk_prefault_write(memory, 0) == 0)
    }
}
