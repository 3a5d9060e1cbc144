#!/usr/bin/env bash
# Tokenizer benchmark: qwen tokenize vs Hugging Face tokenizers (load time, encode MB/s, one
# thread each) on three corpora. Results go to Benchmarks/RESULTS.md by hand.
#
# usage: Benchmarks/tokenizer_bench.sh [TOKENIZER_DIR] [REPETITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
TOKENIZER_DIR=${1:-Tests/Fixtures/tokenizer/qwen2.5}
REPETITIONS=${2:-3}
WORK=Benchmarks/work
mkdir -p "$WORK/corpus"

[ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q tokenizers regex
swift build -c release --product qwen

# Corpora: Python's standard library source (code, ~8 MB), an Italian news article repeated
# (prose, ~1 MB), and the cross-check's random Unicode-heavy text (~2 MB).
"$WORK/venv/bin/python" - "$WORK/corpus" <<'PY'
import glob, os, random, sys
sys.path.insert(0, "Benchmarks")
from tokenizer_crosscheck import random_text
out = sys.argv[1]
parts, total = [], 0
for path in sorted(glob.glob(f"{sys.base_prefix}/lib/python3*/**/*.py", recursive=True)):
    try:
        text = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, OSError):
        continue
    parts.append(text)
    total += len(text.encode())
    if total > 8_000_000:
        break
open(os.path.join(out, "code.txt"), "w").write("".join(parts))
article = "/work/shared/reference/article.txt"
if os.path.exists(article):
    open(os.path.join(out, "article.txt"), "w").write(open(article, encoding="utf-8").read() * 200)
rng = random.Random(3)
lines = []
while sum(len(l) for l in lines) < 700_000:
    lines.append(random_text(rng).replace("\r", "") + "\n")
open(os.path.join(out, "unicode.txt"), "w").write("".join(lines))
PY

FILES=("$WORK/corpus/code.txt" "$WORK/corpus/unicode.txt")
[ -f "$WORK/corpus/article.txt" ] && FILES+=("$WORK/corpus/article.txt")
"$WORK/venv/bin/python" Benchmarks/tokenizer_bench.py .build/release/qwen "$TOKENIZER_DIR" "${FILES[@]}" --repetitions "$REPETITIONS"
