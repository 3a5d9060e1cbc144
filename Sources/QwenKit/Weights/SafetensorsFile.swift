import Foundation

/// A `.safetensors` file, memory-mapped read-only, with its header fully validated.
///
/// The file stays mapped for the lifetime of the object; the buffers handed out by
/// ``bytes(of:)`` are valid only while it is alive.
///
/// ```swift
/// let file = try SafetensorsFile(url: modelDirectory.appendingPathComponent("model.safetensors"))
/// if let norm = file.tensors["model.norm.weight"] {
///     let raw = file.bytes(of: norm)   // norm.dtype, norm.shape describe the bytes
/// }
/// ```
public final class SafetensorsFile: @unchecked Sendable {
    /// Largest header accepted, as the reference implementation does.
    public static let maximumHeaderLength: UInt64 = 100_000_000

    /// The mapped file.
    public let url: URL
    /// Every tensor in the file, by name.
    public let tensors: [String: TensorInfo]
    /// The free-form `__metadata__` map (e.g. `["format": "pt"]`).
    public let metadata: [String: String]
    private let mapped: MappedFile

    /// Maps the file and validates its header: length, JSON, dtypes, shapes, offsets
    /// (inside the data region, matching the shape, not overlapping; gaps between tensors are
    /// allowed). A null `__metadata__` counts as empty. Throws ``WeightsError``.
    public init(url: URL) throws {
        self.url = url
        mapped = try MappedFile(url: url)
        let file = url.path
        let size = mapped.bytes.count
        guard size >= 8 else { throw WeightsError.truncated(file: file, size: size, needed: 8) }
        let headerLength = UInt64(littleEndian: mapped.bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= Self.maximumHeaderLength else {
            throw WeightsError.headerTooLarge(file: file, length: headerLength)
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= size else {
            throw WeightsError.truncated(file: file, size: size, needed: dataStart)
        }
        let header = try SafetensorsHeader(
            json: Data(mapped.bytes[8..<dataStart]), file: file, dataStart: dataStart, dataSize: size - dataStart)
        tensors = header.tensors
        metadata = header.metadata
    }

    /// The bytes of a tensor of this file (a zero-copy view into the mapping).
    public func bytes(of tensor: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapped.bytes[tensor.byteRange])
    }
}
