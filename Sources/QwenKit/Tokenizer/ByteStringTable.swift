/// An open-addressing hash table from byte strings to 64-bit values, keys stored back to back
/// in one buffer. Used for the vocabulary (token text → id) and the word cache (word → ids).
/// Mutation is not synchronized: the vocabulary is frozen once loaded and the word cache is
/// only touched under its lock.
final class ByteStringTable: @unchecked Sendable {
    private var keyBytes: UnsafeMutablePointer<UInt8>
    private var keyCapacity: Int
    private var keyStorageCount = 0
    private var slots: UnsafeMutablePointer<Slot>
    private var mask: Int
    private(set) var count = 0

    private static let empty = UInt64.max

    /// One entry, kept together so that a probe touches one cache line.
    private struct Slot {
        /// Key start << 32 | key length, or `empty`.
        var key: UInt64
        var hash: UInt64
        var value: UInt64
    }

    init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        mask = capacity - 1
        slots = Self.allocateSlots(capacity)
        keyCapacity = capacity * 8
        keyBytes = .allocate(capacity: keyCapacity)
    }

    deinit {
        slots.deallocate()
        keyBytes.deallocate()
    }

    private static func allocateSlots(_ capacity: Int) -> UnsafeMutablePointer<Slot> {
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        slots.initialize(repeating: Slot(key: empty, hash: 0, value: 0), count: capacity)
        return slots
    }

    /// The value stored for `key`, if any.
    @inline(__always)
    func value(for key: UnsafeRawBufferPointer) -> UInt64? {
        let slot = findSlot(key, hash: hashBytes(key))
        return slots[slot].key == Self.empty ? nil : slots[slot].value
    }

    /// Stores `value` for `key`, replacing any earlier value.
    func set(_ key: UnsafeRawBufferPointer, value: UInt64) {
        if (count + 1) * 2 > mask + 1 { grow() }
        let hash = hashBytes(key)
        let slot = findSlot(key, hash: hash)
        slots[slot].value = value
        guard slots[slot].key == Self.empty else { return }
        if keyStorageCount + key.count > keyCapacity {
            let newCapacity = max(keyCapacity * 2, keyStorageCount + key.count)
            let newBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBytes.update(from: keyBytes, count: keyStorageCount)
            keyBytes.deallocate()
            keyBytes = newBytes
            keyCapacity = newCapacity
        }
        if let source = key.baseAddress {
            UnsafeMutableRawPointer(keyBytes + keyStorageCount).copyMemory(from: source, byteCount: key.count)
        }
        slots[slot].key = UInt64(keyStorageCount) << 32 | UInt64(key.count)
        slots[slot].hash = hash
        keyStorageCount += key.count
        count += 1
    }

    /// Forgets every key, keeping the allocated memory.
    func removeAll() {
        for slot in 0...mask { slots[slot].key = Self.empty }
        keyStorageCount = 0
        count = 0
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func findSlot(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let packed = slots[slot].key
            if packed == Self.empty { return slot }
            if slots[slot].hash == hash, Int(packed & 0xFFFF_FFFF) == key.count,
               bytesEqual(keyBytes + Int(packed >> 32), key) {
                return slot
            }
            slot = (slot + 1) & mask
        }
    }

    private func grow() {
        let oldCapacity = mask + 1
        let oldSlots = slots
        mask = oldCapacity * 2 - 1
        slots = Self.allocateSlots(oldCapacity * 2)
        for old in 0..<oldCapacity where oldSlots[old].key != Self.empty {
            var slot = Int(truncatingIfNeeded: oldSlots[old].hash) & mask
            while slots[slot].key != Self.empty { slot = (slot + 1) & mask }
            slots[slot] = oldSlots[old]
        }
        oldSlots.deallocate()
    }
}

@inline(__always)
private func bytesEqual(_ stored: UnsafePointer<UInt8>, _ key: UnsafeRawBufferPointer) -> Bool {
    guard let base = key.baseAddress else { return true }
    let stored = UnsafeRawPointer(stored)
    var offset = 0
    while offset + 8 <= key.count {
        if stored.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
            return false
        }
        offset += 8
    }
    while offset < key.count {
        if stored.load(fromByteOffset: offset, as: UInt8.self) != base.load(fromByteOffset: offset, as: UInt8.self) { return false }
        offset += 1
    }
    return true
}
