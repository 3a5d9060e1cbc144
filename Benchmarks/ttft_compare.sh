#!/usr/bin/env bash
# Time from launch to first token: `qwen generate --raw --max-tokens 1` (the prompt as is, no chat
# template, as llama.cpp runs it) against llama.cpp's
# `llama-completion -n 1` on the same GGUF, prompt and threads, alternating, median of RUNS wall times
# of the whole process (load, prompt, one token, exit). Files are read once before timing, so both
# start from the page cache.
#
# usage: Benchmarks/ttft_compare.sh GGUF [GGUF ...]
# environment: THREADS (2), RUNS (5), QWEN (default .build/release/qwen),
#              BENCH_ROOT (default Benchmarks/work, as compare_llamacpp.sh),
#              LLAMA_COMPLETION (default: built as target llama-completion in the llama.cpp build
#              directory compare_llamacpp.sh configures under BENCH_ROOT)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
THREADS="${THREADS:-2}" RUNS="${RUNS:-5}"
QWEN="${QWEN:-$root/.build/release/qwen}"
BENCH_ROOT="${BENCH_ROOT:-$root/Benchmarks/work}"
if [ -z "${LLAMA_COMPLETION:-}" ]; then
    LLAMA_COMPLETION="$BENCH_ROOT/llama-build/bin/llama-completion"
    if [ ! -x "$LLAMA_COMPLETION" ]; then
        [ -f "$BENCH_ROOT/llama-build/CMakeCache.txt" ] \
            || { echo "ttft_compare.sh: run Benchmarks/compare_llamacpp.sh once (it configures llama.cpp) or set LLAMA_COMPLETION" >&2; exit 1; }
        cmake --build "$BENCH_ROOT/llama-build" -j "$(nproc)" --target llama-completion >&2
    fi
fi
PROMPT="Write a short story about a lighthouse keeper who finds a message in a bottle on a stormy night."

seconds() {  # command... -> wall seconds
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || { echo "ttft_compare.sh: failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

echo "| model | qwen s (median of $RUNS) | llama.cpp s | qwen / llama.cpp |"
echo "|---|---|---|---|"
for gguf in "$@"; do
    cat "$gguf" > /dev/null
    qwen=() llama=()
    for _ in $(seq "$RUNS"); do
        qwen+=("$(seconds "$QWEN" generate --model "$gguf" --prompt "$PROMPT" --raw --max-tokens 1 --threads "$THREADS")")
        llama+=("$(seconds "$LLAMA_COMPLETION" -m "$gguf" -p "$PROMPT" -n 1 -t "$THREADS" -no-cnv)")
    done
    python3 - "$(basename "$gguf")" "${qwen[*]}" "${llama[*]}" <<'PY'
import statistics, sys
name, q, l = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
mq, ml = statistics.median(q), statistics.median(l)
print(f"| {name} | {mq:.3f} | {ml:.3f} | {mq / ml:.2f} |")
PY
done
