#!/usr/bin/env bash
# `qwen serve` against llama.cpp's `llama-server` on the same GGUF, threads and slots, in one run:
# aggregate decode tokens/s and time to first token (p50/p99) at 1, 4, 8 and 16 concurrent
# streams (../shared/bench/serve_load.py), then the ratios.
#
# usage: Benchmarks/serve_compare.sh [GGUF]      (default: $BENCH_ROOT/out/qwen2.5-0.5b-q8_0.gguf)
# environment:
#   THREADS (2)        threads of both servers
#   SLOTS (16)         parallel sequences: qwen serve --parallel, llama-server -np
#   CONTEXT (16384)    llama-server -c (shared by its slots); qwen serve gets CONTEXT/SLOTS per sequence
#   CONCURRENCY (1,4,8,16)  MAX_TOKENS (64)  REQUESTS (1)  serve_load.py --concurrency/--max-tokens/
#                      --requests-per-client
#   BENCH_ROOT         work dir (default Benchmarks/work, as compare_llamacpp.sh)
#   LLAMA_SERVER       the llama-server binary (default: built as target llama-server in the llama.cpp
#                      build directory compare_llamacpp.sh configures under BENCH_ROOT)
#   SERVE_LOAD         the load generator (default: ../shared/bench/serve_load.py beside the repo)
#   QWEN               an existing qwen binary (skips the build)
# Builds `qwen` in release mode unless QWEN is set. Not part of CI (needs llama.cpp and a full-size model). The host
# is shared: the load average is printed with each run; compare numbers from one run only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
BENCH_ROOT="${BENCH_ROOT:-$root/Benchmarks/work}"
GGUF="${1:-$BENCH_ROOT/out/qwen2.5-0.5b-q8_0.gguf}"
THREADS="${THREADS:-2}" SLOTS="${SLOTS:-16}" CONTEXT="${CONTEXT:-16384}"
CONCURRENCY="${CONCURRENCY:-1,4,8,16}" MAX_TOKENS="${MAX_TOKENS:-64}" REQUESTS="${REQUESTS:-1}"
if [ -z "${LLAMA_SERVER:-}" ]; then
    LLAMA_SERVER="$BENCH_ROOT/llama-build/bin/llama-server"
    if [ ! -x "$LLAMA_SERVER" ] && [ -f "$BENCH_ROOT/llama-build/CMakeCache.txt" ]; then
        cmake --build "$BENCH_ROOT/llama-build" -j "$(nproc)" --target llama-server >&2
    fi
fi
SERVE_LOAD="${SERVE_LOAD:-$root/../shared/bench/serve_load.py}"
PORT="${PORT:-18181}"
for file in "$GGUF" "$LLAMA_SERVER" "$SERVE_LOAD"; do
    [ -e "$file" ] || { echo "serve_compare.sh: $file not found" >&2; exit 1; }
done

if [ -z "${QWEN:-}" ]; then
    (cd "$root" && swift build -c release --product qwen >&2)
    QWEN="$root/.build/release/qwen"
fi
out="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$out"' EXIT

wait_healthy() {
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
        kill -0 "$server" 2>/dev/null || { echo "the server exited; its log:" >&2; cat "$out/$1.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "the server did not become healthy" >&2; exit 1
}

# run NAME COMMAND...: start a server, load it, stop it; results in $out/NAME.json
run() {
    local name="$1"; shift
    "$@" > "$out/$name.log" 2>&1 &
    server=$!
    wait_healthy "$name"
    echo "$name: load average $(cut -d' ' -f1-3 /proc/loadavg) before the load" >&2
    python3 "$SERVE_LOAD" "http://127.0.0.1:$PORT" --concurrency "$CONCURRENCY" --requests-per-client "$REQUESTS" \
        --max-tokens "$MAX_TOKENS" --json > "$out/$name.json"
    echo "$name: load average $(cut -d' ' -f1-3 /proc/loadavg) after the load" >&2
    kill "$server"; wait "$server" 2>/dev/null || true
    server=""
}

run qwen "$QWEN" serve --model "$GGUF" --port "$PORT" --threads "$THREADS" --parallel "$SLOTS" \
    --context-length "$((CONTEXT / SLOTS))" --max-tokens-limit "$MAX_TOKENS"
run llama "$LLAMA_SERVER" -m "$GGUF" --port "$PORT" -t "$THREADS" -np "$SLOTS" -c "$CONTEXT"

python3 - "$out" "$GGUF" "$THREADS" "$SLOTS" <<'PY'
import json, sys
out, gguf, threads, slots = sys.argv[1:5]
qwen = {r["concurrency"]: r for r in json.load(open(f"{out}/qwen.json"))}
llama = {r["concurrency"]: r for r in json.load(open(f"{out}/llama.json"))}
print(f"{gguf}, {threads} threads, {slots} slots")
print("| streams | qwen tok/s | llama-server tok/s | qwen/llama | qwen TTFT p50/p99 s | llama TTFT p50/p99 s | qwen errors | llama errors |")
print("|---|---|---|---|---|---|---|---|")
for n in sorted(qwen):
    q, l = qwen[n], llama.get(n, {})
    ratio = q["aggregate_tokens_per_s"] / l["aggregate_tokens_per_s"] if l.get("aggregate_tokens_per_s") else float("nan")
    print(f"| {n} | {q['aggregate_tokens_per_s']:.1f} | {l.get('aggregate_tokens_per_s', float('nan')):.1f} | {ratio:.2f} "
          f"| {q['ttft_p50_s']:.3f}/{q['ttft_p99_s']:.3f} | {l.get('ttft_p50_s', float('nan')):.3f}/{l.get('ttft_p99_s', float('nan')):.3f} "
          f"| {q['errors']} | {l.get('errors', '-')} |")
single = qwen.get(1, {}).get("aggregate_tokens_per_s")
if single and 8 in qwen:
    scale = qwen[8]["aggregate_tokens_per_s"] / single
    vs = qwen[8]["aggregate_tokens_per_s"] / llama[8]["aggregate_tokens_per_s"] if 8 in llama else float("nan")
    print(f"\nqwen 8 streams / 1 stream: {scale:.2f}x (target >= 4); qwen / llama-server at 8 streams: {vs:.2f} (target >= 1)")
PY
