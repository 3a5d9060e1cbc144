"""Writes tiny-qwen2.5-256-f32.gguf: a random-weight Qwen2 with every row length a multiple of 256
(hidden 256, FFN 512, 2 layers, 4 heads of 64, 2 KV heads, tied embeddings), so llama.cpp can
quantize it to the k-quants. The vocabulary is the first 1024 tokens of the Qwen2.5 vocabulary
from ../tiny-qwen2.5-f16.gguf (merges kept when both parts and the result are among them).

    python3 -m venv .venv-ref && .venv-ref/bin/pip install gguf numpy
    .venv-ref/bin/python make_tiny_k.py ../tiny-qwen2.5-f16.gguf ../tiny-qwen2.5-256-f32.gguf
"""
import sys

import gguf
import numpy as np

VOCAB, HIDDEN, FFN, LAYERS, HEADS, KV_HEADS, HEAD_DIM = 1024, 256, 512, 2, 4, 2, 64


def field_strings(reader, key):
    field = reader.fields[key]
    return [bytes(field.parts[i]).decode("utf-8") for i in field.data]


def main(source, destination):
    reader = gguf.GGUFReader(source)
    tokens = field_strings(reader, "tokenizer.ggml.tokens")[:VOCAB]
    kept = set(tokens)
    merges = [m for m in field_strings(reader, "tokenizer.ggml.merges")
              if all(p in kept for p in m.split(" ")) and m.replace(" ", "") in kept]
    token_types = [int(reader.fields["tokenizer.ggml.token_type"].parts[i][0])
                   for i in reader.fields["tokenizer.ggml.token_type"].data][:VOCAB]

    writer = gguf.GGUFWriter(destination, "qwen2")
    writer.add_name("tiny-qwen2.5-256")
    writer.add_context_length(4096)
    writer.add_embedding_length(HIDDEN)
    writer.add_feed_forward_length(FFN)
    writer.add_block_count(LAYERS)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_freq_base(1000000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(token_types)
    writer.add_token_merges(merges)
    writer.add_eos_token_id(VOCAB - 1)

    rng = np.random.default_rng(2026)

    def linear(rows, columns):
        return (rng.standard_normal((rows, columns)) / np.sqrt(columns)).astype(np.float32)

    def vector(count, center, spread):
        return (center + spread * rng.standard_normal(count)).astype(np.float32)

    writer.add_tensor("token_embd.weight", rng.standard_normal((VOCAB, HIDDEN)).astype(np.float32))
    for layer in range(LAYERS):
        p = f"blk.{layer}."
        writer.add_tensor(p + "attn_norm.weight", vector(HIDDEN, 1.0, 0.1))
        writer.add_tensor(p + "attn_q.weight", linear(HEADS * HEAD_DIM, HIDDEN))
        writer.add_tensor(p + "attn_q.bias", vector(HEADS * HEAD_DIM, 0.0, 0.1))
        writer.add_tensor(p + "attn_k.weight", linear(KV_HEADS * HEAD_DIM, HIDDEN))
        writer.add_tensor(p + "attn_k.bias", vector(KV_HEADS * HEAD_DIM, 0.0, 0.1))
        writer.add_tensor(p + "attn_v.weight", linear(KV_HEADS * HEAD_DIM, HIDDEN))
        writer.add_tensor(p + "attn_v.bias", vector(KV_HEADS * HEAD_DIM, 0.0, 0.1))
        writer.add_tensor(p + "attn_output.weight", linear(HIDDEN, HEADS * HEAD_DIM))
        writer.add_tensor(p + "ffn_norm.weight", vector(HIDDEN, 1.0, 0.1))
        writer.add_tensor(p + "ffn_gate.weight", linear(FFN, HIDDEN))
        writer.add_tensor(p + "ffn_up.weight", linear(FFN, HIDDEN))
        writer.add_tensor(p + "ffn_down.weight", linear(HIDDEN, FFN))
    writer.add_tensor("output_norm.weight", vector(HIDDEN, 1.0, 0.1))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
