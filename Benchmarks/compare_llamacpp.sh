#!/usr/bin/env bash
# QwenKit against llama.cpp on the same CPU, threads and models, in one run, with ratios.
#
# usage: Benchmarks/compare_llamacpp.sh LABEL=QWEN_MODEL=GGUF [LABEL=QWEN_MODEL=GGUF ...]
#   QWEN_MODEL  what `qwen bench --model` loads (a Hugging Face directory or a .gguf)
#   GGUF        what `llama-bench -m` loads (the same weights in llama.cpp's format)
#   e.g. bf16-vs-F16=work/out/qwen2.5-0.5b-synthetic=work/out/qwen2.5-0.5b-f16.gguf
# environment:
#   THREADS (2), PROMPT (512), GEN (128), REPS (3)  llama-bench -p/-n/-r and qwen bench flags;
#                     decode is measured after a PROMPT-token context on both sides (llama-bench -d)
#   ROUNDS (2)        the engines alternate this many times per model (noise on a shared host)
#   BENCH_ROOT        work dir (default Benchmarks/work, git-ignored); llama.cpp is built there
#   LLAMA_BENCH       an existing llama-bench binary (skips the build)
#   QWEN              an existing qwen binary (skips the build)
# Builds llama.cpp's llama-bench from the llama-cpp-python 0.3.36 sdist (as ../shared/bench does)
# when LLAMA_BENCH is unset, and `qwen` in release mode. Prints a Markdown table.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
BENCH_ROOT="${BENCH_ROOT:-$here/work}"
THREADS="${THREADS:-2}" PROMPT="${PROMPT:-512}" GEN="${GEN:-128}" REPS="${REPS:-3}" ROUNDS="${ROUNDS:-2}"
mkdir -p "$BENCH_ROOT"

if [ -z "${LLAMA_BENCH:-}" ]; then
    LLAMA_BENCH="$BENCH_ROOT/llama-build/bin/llama-bench"
    if [ ! -x "$LLAMA_BENCH" ]; then
        command -v cmake >/dev/null || { apt-get update && apt-get install -y cmake ninja-build; }
        src="$BENCH_ROOT/sdist/llama_cpp_python-0.3.36/vendor/llama.cpp"
        if [ ! -d "$src" ]; then
            python3 -m pip download --no-deps -d "$BENCH_ROOT/sdist" "llama-cpp-python==0.3.36"
            tar -xzf "$BENCH_ROOT/sdist/llama_cpp_python-0.3.36.tar.gz" -C "$BENCH_ROOT/sdist"
        fi
        cmake -S "$src" -B "$BENCH_ROOT/llama-build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
            -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
            -DLLAMA_OPENSSL=OFF -DBUILD_SHARED_LIBS=OFF
        cmake --build "$BENCH_ROOT/llama-build" -j "$(nproc)" --target llama-bench
    fi
fi
if [ -z "${QWEN:-}" ]; then
    (cd "$root" && swift build -c release --product qwen >&2)
    QWEN="$root/.build/release/qwen"
fi

out="$BENCH_ROOT/compare-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "| model | engine | prefill $PROMPT tok/s | decode $GEN tok/s | peak RSS MiB |"
echo "|---|---|---|---|---|"
for spec in "$@"; do
    IFS='=' read -r label qmodel gguf <<< "$spec"
    for round in $(seq "$ROUNDS"); do
        /usr/bin/time -f "%M" -o "$out/$label-llama-$round.rss" \
            "$LLAMA_BENCH" -m "$gguf" -t "$THREADS" -p "$PROMPT" -n "$GEN" -d "0,$PROMPT" -r "$REPS" -o json \
            > "$out/$label-llama-$round.json" 2> "$out/$label-llama-$round.log"
        "$QWEN" bench --model "$qmodel" --threads "$THREADS" --prompt-tokens "$PROMPT" --gen-tokens "$GEN" \
            --repetitions "$REPS" --json > "$out/$label-qwen-$round.json"
    done
    python3 - "$out" "$label" "$ROUNDS" "$PROMPT" <<'PY'
import json, statistics, sys
out, label, rounds, prompt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def llama(r):
    rows = json.load(open(f"{out}/{label}-llama-{r}.json"))
    # prefill from an empty context; decode after a prompt-sized context, as qwen bench measures
    pp = next(x for x in rows if x["n_prompt"] > 0 and x["n_gen"] == 0 and x.get("n_depth", 0) == 0)
    tg = next(x for x in rows if x["n_gen"] > 0 and x["n_prompt"] == 0 and x.get("n_depth", 0) == prompt)
    rss = int(open(f"{out}/{label}-llama-{r}.rss").read().split()[-1]) / 1024
    return statistics.median(pp["samples_ts"]), statistics.median(tg["samples_ts"]), rss
def qwen(r):
    j = json.load(open(f"{out}/{label}-qwen-{r}.json"))
    return j["prefill_tokens_per_second"], j["decode_tokens_per_second"], j["peak_rss_bytes"] / 2**20
L = [llama(r) for r in range(1, rounds + 1)]
Q = [qwen(r) for r in range(1, rounds + 1)]
med = lambda rows, i: statistics.median(x[i] for x in rows)
l, q = [med(L, i) for i in range(3)], [med(Q, i) for i in range(3)]
print(f"| {label} | llama.cpp | {l[0]:.1f} | {l[1]:.1f} | {l[2]:.0f} |")
print(f"| {label} | QwenKit | {q[0]:.1f} | {q[1]:.1f} | {q[2]:.0f} |")
print(f"| {label} | **ratio** | **{q[0]/l[0]:.2f}×** | **{q[1]/l[1]:.2f}×** | {q[2]/l[2]:.2f}× |")
PY
done
echo "raw outputs: $out" >&2
