"""Completion tokens/s of one chat request with and without response_format json_object, alternated.

Usage: python3 Benchmarks/json_mode_speed.py PORT [MAX_TOKENS] [PAIRS]
against a running `qwen serve` (no API key) on 127.0.0.1:PORT. Greedy, so both requests of a pair
decode the same way until the JSON mask steers them; the wall time includes the prompt's prefill.
"""
import json
import sys
import time
import urllib.request


def run(port, max_tokens, json_mode):
    body = {"model": "m", "messages": [{"role": "user", "content": "Give me JSON"}],
            "max_tokens": max_tokens, "temperature": 0}
    if json_mode:
        body["response_format"] = {"type": "json_object"}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    start = time.time()
    with urllib.request.urlopen(request) as response:
        reply = json.load(response)
    return reply["usage"]["completion_tokens"] / (time.time() - start)


def main():
    port = int(sys.argv[1])
    max_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    for _ in range(pairs):
        print(f"text {run(port, max_tokens, False):.1f} tok/s   json_object {run(port, max_tokens, True):.1f} tok/s")


if __name__ == "__main__":
    main()
