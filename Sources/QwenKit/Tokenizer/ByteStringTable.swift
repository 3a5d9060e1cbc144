/// An open-addressing hash table from byte strings to 64-bit values, keys stored back to back
/// in one buffer. Used for the vocabulary (token bytes → id) and the word cache (word → ids).
/// Mutation is not synchronized: the vocabulary is frozen once loaded and the word cache is
/// only touched under its lock.
final class ByteStringTable: @unchecked Sendable {
    private var keyBytes: [UInt8] = []
    /// Per slot: key start << 32 | key length, or `empty`.
    private var slotKeys: UnsafeMutablePointer<UInt64>
    private var slotHashes: UnsafeMutablePointer<UInt64>
    private var slotValues: UnsafeMutablePointer<UInt64>
    private var mask: Int
    private(set) var count = 0

    private static let empty = UInt64.max

    init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        mask = capacity - 1
        slotKeys = .allocate(capacity: capacity)
        slotKeys.initialize(repeating: Self.empty, count: capacity)
        slotHashes = .allocate(capacity: capacity)
        slotHashes.initialize(repeating: 0, count: capacity)
        slotValues = .allocate(capacity: capacity)
        slotValues.initialize(repeating: 0, count: capacity)
    }

    deinit {
        slotKeys.deallocate()
        slotHashes.deallocate()
        slotValues.deallocate()
    }

    /// Bytes held by the keys (to bound a cache's memory).
    var keyStorageCount: Int { keyBytes.count }

    /// The value stored for `key`, if any.
    @inline(__always)
    func value(for key: UnsafeRawBufferPointer) -> UInt64? {
        let hash = hashBytes(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        return keyBytes.withUnsafeBytes { stored in
            while true {
                let packed = slotKeys[slot]
                if packed == Self.empty { return nil }
                if slotHashes[slot] == hash, Int(packed & 0xFFFF_FFFF) == key.count {
                    let start = Int(packed >> 32)
                    if key.count == 0 || memoryEquals(stored.baseAddress! + start, key.baseAddress!, key.count) {
                        return slotValues[slot]
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Stores `value` for `key`, replacing any earlier value.
    func set(_ key: UnsafeRawBufferPointer, value: UInt64) {
        if (count + 1) * 2 > mask + 1 { grow() }
        let hash = hashBytes(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        let found: Bool = keyBytes.withUnsafeBytes { stored in
            while slotKeys[slot] != Self.empty {
                let packed = slotKeys[slot]
                if slotHashes[slot] == hash, Int(packed & 0xFFFF_FFFF) == key.count,
                   key.count == 0 || memoryEquals(stored.baseAddress! + Int(packed >> 32), key.baseAddress!, key.count) {
                    return true
                }
                slot = (slot + 1) & mask
            }
            return false
        }
        slotValues[slot] = value
        if found { return }
        slotKeys[slot] = UInt64(keyBytes.count) << 32 | UInt64(key.count)
        slotHashes[slot] = hash
        keyBytes.append(contentsOf: key)
        count += 1
    }

    /// Forgets every key, keeping the allocated slots.
    func removeAll() {
        slotKeys.update(repeating: Self.empty, count: mask + 1)
        keyBytes.removeAll(keepingCapacity: true)
        count = 0
    }

    private func grow() {
        let oldCapacity = mask + 1
        let oldKeys = slotKeys, oldHashes = slotHashes, oldValues = slotValues
        let capacity = oldCapacity * 2
        mask = capacity - 1
        slotKeys = .allocate(capacity: capacity)
        slotKeys.initialize(repeating: Self.empty, count: capacity)
        slotHashes = .allocate(capacity: capacity)
        slotHashes.initialize(repeating: 0, count: capacity)
        slotValues = .allocate(capacity: capacity)
        slotValues.initialize(repeating: 0, count: capacity)
        for old in 0..<oldCapacity where oldKeys[old] != Self.empty {
            var slot = Int(truncatingIfNeeded: oldHashes[old]) & mask
            while slotKeys[slot] != Self.empty { slot = (slot + 1) & mask }
            slotKeys[slot] = oldKeys[old]
            slotHashes[slot] = oldHashes[old]
            slotValues[slot] = oldValues[old]
        }
        oldKeys.deallocate()
        oldHashes.deallocate()
        oldValues.deallocate()
    }
}

@inline(__always)
private func memoryEquals(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var offset = 0
    while offset + 8 <= count {
        if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
            return false
        }
        offset += 8
    }
    while offset < count {
        if a.load(fromByteOffset: offset, as: UInt8.self) != b.load(fromByteOffset: offset, as: UInt8.self) { return false }
        offset += 1
    }
    return true
}
