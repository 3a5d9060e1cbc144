"""llama.cpp's side of the Llama-architecture tests, through llama-cpp-python 0.3.36:

1. runs ../tiny-llama-f32.gguf (from make_tiny_llama.py) on the prompts of
   ../../models/tiny-llama/golden/golden.json and writes the 10 highest logits of every position
   and 16 greedy tokens (argmax, no penalties) to tiny-llama-f32.llamacpp.json;
2. tokenizes a few hundred texts with the SmolLM2 tokenizer of
   ../../tokenizer/smollm2/smollm2-tokenizer.gguf (llama_tokenize, no BOS, special tokens parsed)
   and writes ../../tokenizer/smollm2/smollm2-golden.json. The texts are those of the Qwen2.5
   tokenizer goldens (edge cases, scripts, code, a random corpus) plus cases aimed at SmolLM2's
   digit split and GPT-2 pattern.

llama.cpp runs with a float32 KV cache and without flash attention, like QwenKit.

    cd Tests/Fixtures/gguf/reference && <venv with llama-cpp-python==0.3.36>/bin/python llama_reference_llama.py
"""
import json
import os

import llama_cpp
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(os.path.dirname(HERE))
SMOLLM_CASES = [
    "a 1", "a  1", "a   1b", "x2025y", " 42 ", "1 2  3   4", "3.14159e-10", "¼½ ٣٤٥ Ⅻ", "Hello  world",
    "  leading", "trailing  ", "tab\tsep\t\tx", "new\nline\n\nx", "\n\n1", "it's 'S 'll 'Ll 're", "don't'd've",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", "<|endoftext|>x<|im_end|>",
    "$5.00!!", "x  !y", "  !!", "émoji 👍🏽 text", "中文 123 測試", "a\u00a0b\u20001", "((1))", "v1.2.3-rc4",
]


def texts():
    cases = []
    for name in ["qwen2.5-golden.json", "extra-golden.json"]:
        with open(os.path.join(FIXTURES, "tokenizer", name)) as f:
            cases += [case["text"] for case in json.load(f)["cases"]]
    return cases + SMOLLM_CASES


def tokenizer_golden():
    path = os.path.join(FIXTURES, "tokenizer", "smollm2", "smollm2-tokenizer.gguf")
    vocab = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    cases = [{"text": text, "ids": vocab.tokenize(text.encode("utf-8"), add_bos=False, special=True)}
             for text in texts()]
    with open(os.path.join(FIXTURES, "tokenizer", "smollm2", "smollm2-golden.json"), "w") as f:
        json.dump({"tokenizer": "SmolLM2-135M-Instruct (tokenizer.ggml.pre = smollm)",
                   "reference": "llama.cpp llama_tokenize via llama-cpp-python 0.3.36, add_bos false, special true",
                   "cases": cases}, f, ensure_ascii=False, indent=0)


def model_golden():
    with open(os.path.join(FIXTURES, "models", "tiny-llama", "golden", "golden.json")) as f:
        prompts = json.load(f)["prompts"]
    result = {}
    for name, prompt in prompts.items():
        model = llama_cpp.Llama(model_path=os.path.join(HERE, "..", "tiny-llama-f32.gguf"), n_ctx=256, n_batch=256,
                                n_threads=2, logits_all=True, verbose=False, type_k=0, type_v=0, flash_attn=False)
        ids = prompt["ids"]
        model.eval(ids)
        rows = np.array(model.scores[: len(ids)], dtype=np.float32)
        best = np.argsort(-rows, axis=1, kind="stable")[:, :10]
        greedy = []
        for _ in range(16):
            greedy.append(int(np.argmax(model.scores[model.n_tokens - 1])))
            model.eval([greedy[-1]])
        result[name] = {"ids": ids, "top10_ids": best.tolist(),
                        "top10_logits": np.take_along_axis(rows, best, axis=1).tolist(), "greedy_new_ids": greedy}
    with open(os.path.join(HERE, "tiny-llama-f32.llamacpp.json"), "w") as f:
        json.dump({"reference": "llama.cpp via llama-cpp-python 0.3.36, f32 KV cache", "prompts": result}, f)


if __name__ == "__main__":
    model_golden()
    tokenizer_golden()
