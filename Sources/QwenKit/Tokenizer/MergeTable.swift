/// BPE merge rules keyed by the ids of the two tokens they join: (left, right) → (rank, merged id).
/// Open addressing over packed 64-bit keys, so a lookup is a multiply, a shift and usually one probe.
final class MergeTable: @unchecked Sendable {
    /// Per slot: the packed pair, then rank << 32 | merged id; together so a probe is one cache line.
    private let slots: UnsafeMutablePointer<(key: UInt64, value: UInt64)>
    private let shift: UInt64
    private let mask: Int

    private static let empty = UInt64.max

    /// A table sized for `capacity` merges (it must not receive more).
    init(capacity: Int) {
        var slots = 16
        var bits: UInt64 = 4
        while slots < capacity * 2 {
            slots <<= 1
            bits += 1
        }
        shift = 64 - bits
        mask = slots - 1
        self.slots = .allocate(capacity: slots)
        self.slots.initialize(repeating: (Self.empty, 0), count: slots)
    }

    deinit {
        slots.deallocate()
    }

    @inline(__always)
    private func firstSlot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds a merge; a repeated (left, right) pair takes the later rank, as Hugging Face
    /// tokenizers' merge map does.
    func insert(left: Int32, right: Int32, rank: Int32, merged: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = firstSlot(key)
        while slots[slot].key != Self.empty && slots[slot].key != key { slot = (slot + 1) & mask }
        slots[slot].key = key
        slots[slot].value = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// `rank << 32 | merged id` for the pair, or nil when the two tokens never merge.
    @inline(__always)
    func rankAndMerged(left: Int32, right: Int32) -> UInt64? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = firstSlot(key)
        while true {
            let stored = slots[slot].key
            if stored == key { return slots[slot].value }
            if stored == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }
}
