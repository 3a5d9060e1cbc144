import Foundation

/// A GGUF file (version 2 or 3, little-endian), memory-mapped read-only, with its header fully
/// validated: metadata of every value type, tensor infos, alignment, and tensor data that lies
/// inside the file without overlapping. Hostile files give a ``GGUFError`` naming the file and
/// the key or tensor at fault, never a crash or an allocation the file's size does not justify.
///
/// The buffers handed out by ``bytes(of:)`` are valid only while the object is alive.
///
/// ```swift
/// let file = try GGUFFile(url: URL(fileURLWithPath: "qwen2.5-0.5b-instruct-q8_0.gguf"))
/// let layers = try file.metadata.int("qwen2.block_count")
/// if let embedding = file.tensor(named: "token_embd.weight") {
///     let raw = file.bytes(of: embedding)   // embedding.type, embedding.dimensions describe it
/// }
/// ```
public final class GGUFFile: @unchecked Sendable {
    /// The mapped file.
    public let url: URL
    /// The format version (2 or 3).
    public let version: UInt32
    /// The key–value metadata.
    public let metadata: GGUFMetadata
    /// The tensors in the order the file lists them.
    public let tensors: [GGUFTensorInfo]
    /// The data alignment (`general.alignment`, default 32).
    public let alignment: Int
    /// The absolute offset of the data section; tensor offsets count from here.
    public let dataOffset: Int
    private let tensorIndices: [String: Int]
    private let mapped: MappedFile

    /// Maps the file and validates its header. Throws ``GGUFError``.
    public init(url: URL) throws {
        self.url = url
        do {
            mapped = try MappedFile(url: url)
        } catch WeightsError.cannotOpen(let file, let reason) {
            throw GGUFError.cannotOpen(file: file, reason: reason)
        }
        let header = try GGUFHeader(bytes: mapped.bytes, file: url.path)
        version = header.version
        metadata = header.metadata
        tensors = header.tensors
        alignment = header.alignment
        dataOffset = header.dataOffset
        tensorIndices = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The tensor called `name`, or nil.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndices[name].map { tensors[$0] }
    }

    /// The bytes of a tensor of this file (a zero-copy view into the mapping).
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapped.bytes[tensor.byteRange])
    }

    /// Drops the mapped pages of `tensor`'s data from this process's memory (they are read again
    /// if used): for data that was copied, so resident memory does not hold it twice.
    public func evict(_ tensor: GGUFTensorInfo) {
        mapped.evict(bytes(of: tensor))
    }

    /// The model's chat template (`tokenizer.chat_template`), or nil when the file has none.
    /// Throws ``GGUFError`` when the value is not a string.
    public func chatTemplate() throws -> String? {
        try metadata.stringIfPresent(GGUFKey.chatTemplate)
    }
}
