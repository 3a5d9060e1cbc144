"""llama.cpp's side of the GGUF tests, through llama-cpp-python 0.3.36 (it builds llama.cpp):

1. quantizes ../tiny-qwen2.5-256-f32.gguf with llama.cpp's own quantizer, every tensor of the
   model ("pure") in one format: ../tiny-qwen2.5-256-{q4_0,q4_1,q5_0,q8_0,q4_K,q6_K}.gguf;
2. runs each of them on IDS_256 and writes the logits of every position
   (tiny-qwen2.5-256-<type>.logits.f32, little-endian float32, len(IDS_256) × 1024);
3. runs ../tiny-qwen2.5-q8_0.gguf on the golden prompts of ../../models/tiny-qwen2.5 and writes
   the 10 highest logits of every position (tiny-qwen2.5-q8_0.top10.json) and the last
   position's full logits of the "plain" prompt (tiny-qwen2.5-q8_0.plain.last_logits.f32).

llama.cpp runs with a float32 KV cache and without flash attention, so attention is float32 like
QwenKit's and the remaining differences come from the quantized matrix products. Weights are laid
out as QwenKit lays them out: Q4_0 repacked into 8-row interleaved blocks (llama.cpp's default
"extra" buffer type on x86, whose products sum each block exactly before scaling, as QwenKit's
interleaved Q4_0 does), every other format in ggml's plain rows (vec_dot semantics; llama.cpp would
also repack Q4_K on x86, QwenKit does not).

    python3 -m venv lcpp && lcpp/bin/pip install llama-cpp-python==0.3.36 numpy
    cd Tests/Fixtures/gguf/reference && ../../../../lcpp/bin/python llama_reference.py
"""
import ctypes
import json
import os

import llama_cpp
import llama_cpp.llama
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GGUF = os.path.dirname(HERE)
IDS_256 = [1, 17, 300, 5, 1000, 42, 42, 7, 999, 512, 3, 64, 128, 256, 700, 11]
FTYPES = {"q4_0": 2, "q4_1": 3, "q8_0": 7, "q5_0": 8, "q4_K": 15, "q6_K": 18}


def quantize(source, destination, ftype):
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.pure = True
    params.nthread = 2
    status = llama_cpp.llama_model_quantize(source.encode(), destination.encode(), ctypes.byref(params))
    if status != 0:
        raise RuntimeError(f"llama_model_quantize failed for {destination}")


# Formats whose weights llama.cpp repacks (its extra buffer types), as QwenKit does.
REPACKED = {"q4_0"}
repack = False


def model_params():
    params = default_model_params()
    params.use_extra_bufts = repack
    return params


default_model_params = llama_cpp.llama_model_default_params
llama_cpp.llama.llama_cpp.llama_model_default_params = model_params


def logits(path, ids):
    # A float32 KV cache without flash attention: llama.cpp's default float16 cache rounds keys and
    # values, which alone moves these logits by up to 0.02.
    model = llama_cpp.Llama(model_path=path, n_ctx=512, n_batch=512, n_threads=2, logits_all=True, verbose=False,
                            type_k=0, type_v=0, flash_attn=False)
    model.eval(ids)
    return np.array(model.scores[: len(ids)], dtype=np.float32)


def main():
    global repack
    source = os.path.join(GGUF, "tiny-qwen2.5-256-f32.gguf")
    for name, ftype in FTYPES.items():
        destination = os.path.join(GGUF, f"tiny-qwen2.5-256-{name}.gguf")
        quantize(source, destination, ftype)
        repack = name in REPACKED
        logits(destination, IDS_256).astype("<f4").tofile(os.path.join(HERE, f"tiny-qwen2.5-256-{name}.logits.f32"))
    repack = False
    logits(source, IDS_256).astype("<f4").tofile(os.path.join(HERE, "tiny-qwen2.5-256-f32.logits.f32"))

    with open(os.path.join(GGUF, "..", "models", "tiny-qwen2.5", "golden", "golden.json")) as f:
        prompts = json.load(f)["prompts"]
    top = {}
    for prompt in prompts:
        rows = logits(os.path.join(GGUF, "tiny-qwen2.5-q8_0.gguf"), prompt["input_ids"])
        best = np.argsort(-rows, axis=1, kind="stable")[:, :10]
        top[prompt["name"]] = {
            "input_ids": prompt["input_ids"],
            "top10_ids": best.tolist(),
            "top10_logits": np.take_along_axis(rows, best, axis=1).tolist(),
        }
        if prompt["name"] == "plain":
            rows[-1].astype("<f4").tofile(os.path.join(HERE, "tiny-qwen2.5-q8_0.plain.last_logits.f32"))
    with open(os.path.join(HERE, "tiny-qwen2.5-q8_0.top10.json"), "w") as f:
        json.dump({"ids_256": IDS_256, "prompts": top}, f)


if __name__ == "__main__":
    main()
