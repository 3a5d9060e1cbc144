"""Hugging Face tokenizers side of the tokenizer benchmark: load time and single-threaded
encode throughput (MB/s of UTF-8) on one file, as JSON on stdout.

usage: python tokenizer_bench_hf.py TOKENIZER_JSON TEXT_FILE [--repetitions N]
"""
import json, os, statistics, sys, time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
from tokenizers import Tokenizer  # noqa: E402


def main():
    path, text_path = sys.argv[1], sys.argv[2]
    repetitions = int(sys.argv[sys.argv.index("--repetitions") + 1]) if "--repetitions" in sys.argv else 3
    text = open(text_path, encoding="utf-8").read()
    loads, encodes = [], []
    for _ in range(repetitions):
        start = time.perf_counter()
        tk = Tokenizer.from_file(path)
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        ids = tk.encode(text, add_special_tokens=False).ids
        encodes.append(time.perf_counter() - start)
    size = len(text.encode("utf-8"))
    print(json.dumps({"load_seconds": statistics.median(loads), "encode_seconds": statistics.median(encodes),
                      "bytes": size, "tokens": len(ids),
                      "encode_megabytes_per_second": size / 1e6 / statistics.median(encodes)}))


if __name__ == "__main__":
    main()
