"""Tokenizer benchmark: `qwen tokenize` against Hugging Face tokenizers on the same files, one
thread each. Reports load time and encode throughput (MB of UTF-8 per CPU second) for the whole
file in one call and for 40-line chunks (one call per chunk), medians of the repetitions, and
prints a Markdown table.

usage: python tokenizer_bench.py QWEN_BINARY TOKENIZER_DIR FILE... [--repetitions N]
"""
import json, os, statistics, subprocess, sys, time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
from tokenizers import Tokenizer  # noqa: E402


def chunks(text):
    lines = text.splitlines(keepends=True)
    return ["".join(lines[i:i + 40]) for i in range(0, len(lines), 40)]


def hf_run(tokenizer_json, text, parts):
    wall, cpu = time.perf_counter(), time.process_time()
    tk = Tokenizer.from_file(tokenizer_json)
    load = (time.perf_counter() - wall, time.process_time() - cpu)
    cpu = time.process_time()
    tk.encode(text, add_special_tokens=False)
    whole = time.process_time() - cpu
    cpu = time.process_time()
    for part in parts:
        tk.encode(part, add_special_tokens=False)
    chunked = time.process_time() - cpu
    return load, whole, chunked


def qwen_run(binary, tokenizer_dir, path, parts):
    whole = subprocess.run([binary, "tokenize", "--model", tokenizer_dir, "--text-file", path, "--timing"],
                           capture_output=True, check=True).stderr.decode()
    whole = json.loads(whole.strip().splitlines()[-1])
    lines = "".join(json.dumps({"text": p}) + "\n" for p in parts).encode()
    chunked = subprocess.run([binary, "tokenize", "--model", tokenizer_dir, "--jsonl", "--timing"], input=lines,
                             capture_output=True, check=True).stderr.decode()
    chunked = json.loads(chunked.strip().splitlines()[-1])
    return (whole["load_seconds"], whole["load_cpu_seconds"]), whole["encode_cpu_seconds"], chunked["encode_cpu_seconds"]


def main():
    args = sys.argv[1:]
    repetitions = 3
    if "--repetitions" in args:
        i = args.index("--repetitions")
        repetitions = int(args[i + 1])
        del args[i:i + 2]
    binary, tokenizer_dir, files = args[0], args[1], args[2:]
    tokenizer_json = os.path.join(tokenizer_dir, "tokenizer.json")
    rows = []
    for path in files:
        text = open(path, encoding="utf-8").read()
        size = len(text.encode("utf-8")) / 1e6
        parts = chunks(text)
        hf, qwen = [], []
        for _ in range(repetitions):  # alternate so that load on the machine hits both alike
            hf.append(hf_run(tokenizer_json, text, parts))
            qwen.append(qwen_run(binary, tokenizer_dir, path, parts))
        med = lambda runs, f: statistics.median(f(r) for r in runs)
        rows.append((os.path.basename(path), size, len(parts),
                     med(hf, lambda r: r[0][0]), med(qwen, lambda r: r[0][0]),
                     med(hf, lambda r: r[0][1]), med(qwen, lambda r: r[0][1]),
                     size / med(hf, lambda r: r[1]), size / med(qwen, lambda r: r[1]),
                     size / med(hf, lambda r: r[2]), size / med(qwen, lambda r: r[2])))
    print("| corpus | MB | chunks | load s wall HF / qwen | load s CPU HF / qwen | whole-file MB/s HF / qwen (×) "
          "| 40-line chunks MB/s HF / qwen (×) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, size, n, lw_h, lw_q, lc_h, lc_q, w_h, w_q, c_h, c_q in rows:
        print(f"| {name} | {size:.2f} | {n} | {lw_h:.3f} / {lw_q:.3f} | {lc_h:.3f} / {lc_q:.3f} "
              f"| {w_h:.2f} / {w_q:.1f} ({w_q / w_h:.1f}×) | {c_h:.2f} / {c_q:.1f} ({c_q / c_h:.1f}×) |")


if __name__ == "__main__":
    main()
