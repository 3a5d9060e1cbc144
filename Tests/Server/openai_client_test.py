"""Drives a live `qwen serve` (tiny fixture model, loopback) through the official `openai` client.

Usage: python openai_client_test.py QWEN_BINARY MODEL_DIR CHAT_TEMPLATE_GOLDEN_JSON
Starts the server on a free 127.0.0.1 port, runs every check with bounded requests, stops the
server with SIGTERM and prints 'N passed, N failed'. Exit status 0 only when all passed.
"""
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.request

import openai

KEY = "sk-ci-test"
IDLE_TIMEOUT = 3
GREEDY = {"temperature": 0, "extra_body": {"repetition_penalty": 1.0}}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary, model, port):
    server = subprocess.Popen(
        [binary, "serve", "--model", model, "--host", "127.0.0.1", "--port", str(port), "--api-key", KEY,
         "--context-length", "1024", "--max-tokens-limit", "64", "--idle-timeout", str(IDLE_TIMEOUT)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("server exited: " + server.stderr.read().decode())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("server did not become healthy in 120 s")


def chat(client, content="Hello", **kw):
    args = dict(GREEDY, max_tokens=12)
    args.update(kw)
    return client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": content}], **args)


def streamed_text(client, content="Hello", **kw):
    text, finish, usage = "", None, None
    args = dict(GREEDY, max_tokens=12)
    args.update(kw)
    for chunk in client.chat.completions.create(
            model="tiny", messages=[{"role": "user", "content": content}], stream=True, **args):
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    return text, finish, usage


def check_chat(client):
    r = chat(client)
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-")
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].finish_reason in ("stop", "length")
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def check_chat_stream_matches(client):
    whole = chat(client)
    text, finish, usage = streamed_text(client, stream_options={"include_usage": True})
    assert text == whole.choices[0].message.content, (text, whole.choices[0].message.content)
    assert finish == whole.choices[0].finish_reason
    assert usage is not None and usage.completion_tokens == whole.usage.completion_tokens


def check_completions(client):
    r = client.completions.create(model="tiny", prompt="Once upon a time", max_tokens=6, temperature=0)
    assert r.object == "text_completion" and r.usage.completion_tokens <= 6
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model="tiny", prompt="Once upon a time", max_tokens=6, temperature=0, stream=True) if c.choices)
    assert streamed == r.choices[0].text, (streamed, r.choices[0].text)


def check_n(client):
    r = chat(client, n=3, temperature=1.0, seed=3)
    assert [c.index for c in r.choices] == [0, 1, 2]


def check_stop(client):
    text = chat(client, max_tokens=16).choices[0].message.content
    assert len(text) > 4, text
    stop = text[2:4]
    r = chat(client, max_tokens=16, stop=[stop])
    assert r.choices[0].finish_reason == "stop"
    assert r.choices[0].message.content == text[:text.index(stop)], (r.choices[0].message.content, text, stop)


def check_seed(client):
    a = chat(client, temperature=1.0, seed=1234).choices[0].message.content
    b = chat(client, temperature=1.0, seed=1234).choices[0].message.content
    assert a == b


def check_logprobs(client):
    r = chat(client, logprobs=True, top_logprobs=2, max_tokens=4)
    content = r.choices[0].logprobs.content
    assert len(content) == r.usage.completion_tokens
    assert all(len(t.top_logprobs) == 2 and t.logprob <= 0 for t in content)


def check_tools(client, golden):
    case = next(c for c in golden["cases"] if c["name"] == "tool-call-and-response")
    messages = []
    for m in case["messages"]:
        m = dict(m)
        if "tool_calls" in m:
            m["content"] = None
            m["tool_calls"] = [{"id": f"call_{i}", "type": "function",
                                "function": {"name": c["function"]["name"],
                                             "arguments": json.dumps(c["function"]["arguments"])}}
                               for i, c in enumerate(m["tool_calls"])]
        messages.append(m)
    r = client.chat.completions.create(model="tiny", messages=messages, tools=case["tools"], max_tokens=4, **GREEDY)
    assert r.usage.prompt_tokens == len(case["ids"]), (r.usage.prompt_tokens, len(case["ids"]))
    for choice in ["auto", "none", "required", {"type": "function", "function": {"name": "get_weather"}}]:
        r = client.chat.completions.create(model="tiny", messages=case["messages"][:1], tools=case["tools"],
                                           tool_choice=choice, max_tokens=8, **GREEDY)
        message = r.choices[0].message
        # The random-weight model writes no valid call: whatever it wrote comes back as content.
        assert message.content is not None or message.tool_calls, r


def check_streamed_tool_call(client, golden):
    """A streamed call reassembled from the SDK's deltas, as clients accumulate them.

    The random-weight model writes no call on its own, so the reply is steered: a named
    tool_choice starts the call, JSON mode with "{" (id 90) and "}" (id 92) favoured makes the
    arguments `{}` in two tokens, streamed as two argument fragments.
    """
    case = next(c for c in golden["cases"] if c["name"] == "tool-call-and-response")
    calls, finish, fragments = {}, None, 0
    for chunk in client.chat.completions.create(
            model="tiny", messages=case["messages"][:1], tools=case["tools"], stream=True, max_tokens=8,
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
            response_format={"type": "json_object"}, logit_bias={"90": 100, "92": 100}, **GREEDY):
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": None, "type": None, "name": "", "arguments": ""})
                call["id"] = delta.id or call["id"]
                call["type"] = delta.type or call["type"]
                if delta.function:
                    call["name"] += delta.function.name or ""
                    call["arguments"] += delta.function.arguments or ""
                    fragments += bool(delta.function.arguments)
    assert list(calls) == [0], calls
    call = calls[0]
    assert call["id"].startswith("call_") and call["type"] == "function", call
    assert call["name"] == "get_weather" and json.loads(call["arguments"]) == {}, call
    assert fragments == 2, fragments
    assert finish == "tool_calls", finish


def check_json_mode(client):
    # "}" (id 92) favoured: the object closes at once, then only stop tokens are allowed.
    r = chat(client, response_format={"type": "json_object"}, logit_bias={"92": 100}, max_tokens=16)
    assert r.choices[0].finish_reason == "stop", r
    assert json.loads(r.choices[0].message.content) == {}, r


def check_auth(port):
    bad = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="wrong", max_retries=0, timeout=30)
    try:
        bad.models.list()
    except openai.AuthenticationError:
        return
    raise AssertionError("wrong key accepted")


def check_bad_input(client):
    for kwargs in [{"temperature": -1}, {"n": 0}, {"top_p": 5}, {"response_format": {"type": "json_schema"}}]:
        try:
            chat(client, **kwargs)
        except openai.BadRequestError as error:
            assert error.body and error.body.get("param"), error.body
        else:
            raise AssertionError(f"accepted {kwargs}")
    check_chat(client)


def raw_exchange(port, data, half_close=False, timeout=30):
    """Sends raw bytes on a new connection and returns everything the server sends until it closes
    the connection (or `timeout` seconds pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(data)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
        return reply


def check_broken_bodies(port, client):
    """Bodies that cannot be read whole get a 400 in OpenAI's error shape, never a 5xx."""
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n")
    for name, data in [
        ("bad chunk size", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
        ("body cut short", head + "Content-Length: 1000\r\n\r\n{\"messages\": [{\"role\": \"user\""),
    ]:
        reply = raw_exchange(port, data.encode(), half_close=True)
        status_line, _, rest = reply.partition(b"\r\n")
        assert status_line.split()[1:2] == [b"400"], (name, reply[:300])
        error = json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"]
        assert error["type"] == "invalid_request_error" and error["message"], (name, error)
    check_chat(client)


def check_idle_connections_closed(port, client):
    """A connection that sends nothing, or stalls inside its headers, is closed after --idle-timeout."""
    for data in [b"", b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"]:
        start = time.time()
        reply = raw_exchange(port, data, timeout=IDLE_TIMEOUT + 30)
        elapsed = time.time() - start
        assert reply == b"" and IDLE_TIMEOUT - 1 <= elapsed < IDLE_TIMEOUT + 10, (data, reply[:200], elapsed)
    check_chat(client)


def check_concurrent_streams(client):
    prompts = [f"Tell me about number {i}" for i in range(16)]
    alone = [streamed_text(client, p, max_tokens=16)[0] for p in prompts]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        together = list(pool.map(lambda p: streamed_text(client, p, max_tokens=16)[0], prompts))
    assert together == alone


def main():
    binary, model, golden_path = sys.argv[1:4]
    with open(golden_path) as f:
        golden = json.load(f)
    port = free_port()
    server = start_server(binary, model, port)
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, max_retries=0, timeout=120)
    checks = [
        ("chat", lambda: check_chat(client)),
        ("chat stream equals non-stream, usage chunk", lambda: check_chat_stream_matches(client)),
        ("completions stream and non-stream", lambda: check_completions(client)),
        ("n > 1", lambda: check_n(client)),
        ("stop strings", lambda: check_stop(client)),
        ("seed reproducibility", lambda: check_seed(client)),
        ("logprobs", lambda: check_logprobs(client)),
        ("tools and tool_choice round trip", lambda: check_tools(client, golden)),
        ("streamed tool call reassembled from deltas", lambda: check_streamed_tool_call(client, golden)),
        ("response_format json_object", lambda: check_json_mode(client)),
        ("auth failure", lambda: check_auth(port)),
        ("bad input, then still serving", lambda: check_bad_input(client)),
        ("unreadable bodies get 400", lambda: check_broken_bodies(port, client)),
        ("idle connections closed", lambda: check_idle_connections_closed(port, client)),
        ("16 concurrent greedy streams equal alone", lambda: check_concurrent_streams(client)),
    ]
    passed = failed = 0
    try:
        for name, check in checks:
            try:
                check()
                passed += 1
                print(f"ok   {name}")
            except Exception:
                failed += 1
                print(f"FAIL {name}")
                traceback.print_exc()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            code = None
    if code != 0:
        failed += 1
        print(f"FAIL graceful shutdown on SIGTERM (exit status {code})")
    else:
        passed += 1
        print("ok   graceful shutdown on SIGTERM")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
