/// BPE merge rules keyed by the ids of the two tokens they join: (left, right) → (rank, merged id).
/// Open addressing over packed 64-bit keys, so a lookup is a multiply, a shift and usually one probe.
final class MergeTable: @unchecked Sendable {
    private let keys: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<UInt64>
    private let shift: UInt64
    private let mask: Int
    private(set) var count = 0

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
        keys = .allocate(capacity: slots)
        keys.initialize(repeating: Self.empty, count: slots)
        values = .allocate(capacity: slots)
        values.initialize(repeating: 0, count: slots)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
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
        while keys[slot] != Self.empty && keys[slot] != key { slot = (slot + 1) & mask }
        if keys[slot] == Self.empty { count += 1 }
        keys[slot] = key
        values[slot] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// `rank << 32 | merged id` for the pair, or nil when the two tokens never merge.
    @inline(__always)
    func rankAndMerged(left: Int32, right: Int32) -> UInt64? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = firstSlot(key)
        while true {
            let stored = keys[slot]
            if stored == key { return values[slot] }
            if stored == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }
}
