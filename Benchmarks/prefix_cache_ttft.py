#!/usr/bin/env python3
"""Time to first token with and without prefix caching, against a running `qwen serve`.

usage: prefix_cache_ttft.py BASE_URL [--system-words 600] [--repeats 3] [--key K]

For each repeat: a request with a fresh long system prompt (nothing cached: the whole prompt
is prefilled), then a request with the same system prompt and another user message (the system
prompt's keys and values are reused). Prints the median TTFT of each kind and their ratio.
Standard library only.
"""
import argparse, http.client, json, statistics, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("base")
ap.add_argument("--system-words", type=int, default=600)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--key", default="")
a = ap.parse_args()
u = urllib.parse.urlparse(a.base)
WORDS = "Alibaba Cloud serves Qwen models through an API compatible with OpenAI clients and tools".split()


def ttft(system, user):
    body = json.dumps({"model": "m", "max_tokens": 4, "temperature": 0, "stream": True,
                       "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]})
    headers = {"Content-Type": "application/json"}
    if a.key:
        headers["Authorization"] = "Bearer " + a.key
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    start = time.perf_counter()
    conn.request("POST", "/v1/chat/completions", body, headers)
    response = conn.getresponse()
    assert response.status == 200, response.status
    first = None
    for line in response:
        if line.startswith(b"data:") and b'"content":"' in line and b'"content":""' not in line and first is None:
            first = time.perf_counter() - start
    conn.close()
    return first


cold, warm = [], []
for r in range(a.repeats):
    system = f"Session {r}. " + " ".join(WORDS[(r + k) % len(WORDS)] for k in range(a.system_words))
    cold.append(ttft(system, "What is Qwen?"))
    warm.append(ttft(system, "Which clients work with it?"))
c, w = statistics.median(cold), statistics.median(warm)
print(json.dumps({"system_words": a.system_words, "ttft_cold_s": [round(x, 4) for x in cold],
                  "ttft_shared_prefix_s": [round(x, 4) for x in warm],
                  "median_cold_s": round(c, 4), "median_shared_prefix_s": round(w, 4), "speedup": round(c / w, 2)}))
