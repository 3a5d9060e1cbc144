import ArgumentParser
import QwenKit

extension KVCachePrecision: ExpressibleByArgument {}

/// `--kv-cache-type`: how the KV cache stores keys and values, shared by every command that runs
/// the model (generate, chat, serve, bench). An unknown value is rejected with the valid ones.
struct KVCacheOptions: ParsableArguments {
    @Option(
        name: .customLong("kv-cache-type"),
        help: "KV cache precision: f32 (exact), f16 (half the memory) or q8_0 (8-bit blocks, about a quarter).")
    var precision: KVCachePrecision = .f32
}
