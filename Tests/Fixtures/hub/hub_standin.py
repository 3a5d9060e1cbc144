#!/usr/bin/env python3
"""A small stand-in for the Hugging Face Hub on 127.0.0.1, for QwenKit's download tests.

Python 3 standard library only. It serves three model repositories built from the fixture
model next to this folder (Tests/Fixtures/models/tiny-qwen2.5):

  Qwen/Tiny-Qwen2.5         config, tokenizer, model.safetensors, plus README.md,
                            .gitattributes and pytorch_model.bin that inference does not need
  Qwen/Tiny-Qwen2.5-Sharded model.safetensors.index.json and two shards, plus a
                            consolidated.safetensors that the index does not name
  Qwen/Tiny-Qwen2.5-GGUF    tiny-qwen2.5-q4_k_m.gguf, tiny-qwen2.5-q8_0.gguf (placeholder bytes)

Endpoints, as the real Hub has them:
  GET  /api/models/{org}/{name}/revision/{rev}  -> {"id", "sha", "siblings": [{"rfilename"}]}
  GET  /api/models/{org}/{name}/tree/{rev}      -> [{"type", "path", "size", "oid", "lfs"}]
       (what huggingface_hub's snapshot_download lists; for interoperability checks)
  HEAD/GET /{org}/{name}/resolve/{rev}/{file}   -> X-Repo-Commit and ETag (git blob sha1) for
       small files; for LFS files (weights, files over 10 MB) a 302 to a second origin
       (another port, like the Hub's CDN) with X-Linked-Etag (the sha256), X-Linked-Size
       and X-Repo-Commit
  GET  {cdn}/cdn/{sha256}                       -> the bytes, with Range support (206)
Errors: 404 with X-Error-Code RepoNotFound / RevisionNotFound / EntryNotFound; with --token,
401 unless the request has "Authorization: Bearer TOKEN".

Test modes:
  --cut-after N --cuts K  the first K CDN responses are cut after N bytes (connection closed)
  --corrupt               CDN responses flip one byte (same length)
  --log FILE              one JSON line per request: method, path, range, authorized

The first line on stdout is the port (bound to 127.0.0.1, port 0 = any free port). It stops on
SIGTERM or SIGINT, and when its stdin reaches end of file (so it never outlives a test run).
"""

import argparse
import hashlib
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "models", "tiny-qwen2.5")
LFS_THRESHOLD = 10 * 1024 * 1024


def read(name):
    with open(os.path.join(MODEL, name), "rb") as f:
        return f.read()


def sharded_files():
    index = {"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    return {
        "config.json": read("config.json"),
        "tokenizer.json": read("tokenizer.json"),
        "tokenizer_config.json": read("tokenizer_config.json"),
        "model.safetensors.index.json": json.dumps(index).encode(),
        "model-00001-of-00002.safetensors": b"shard one " * 20000,
        "model-00002-of-00002.safetensors": b"shard two " * 30000,
        "consolidated.safetensors": b"not needed " * 1000,
    }


def build_repos():
    tiny = {name: read(name) for name in ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"]}
    tiny["README.md"] = b"# Tiny Qwen2.5\n"
    tiny[".gitattributes"] = b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    tiny["pytorch_model.bin"] = b"\x00" * 4096
    gguf = {
        "tiny-qwen2.5-q4_k_m.gguf": b"GGUF" + b"\x04" * 300000,
        "tiny-qwen2.5-q8_0.gguf": b"GGUF" + b"\x08" * 500000,
        "README.md": b"# GGUF\n",
    }
    repos = {"Qwen/Tiny-Qwen2.5": tiny, "Qwen/Tiny-Qwen2.5-Sharded": sharded_files(), "Qwen/Tiny-Qwen2.5-GGUF": gguf}
    result = {}
    for repo, files in repos.items():
        commit = hashlib.sha1(repo.encode() + b"".join(hashlib.sha256(files[n]).digest() for n in sorted(files))).hexdigest()
        entries = {}
        for name, data in files.items():
            lfs = name.endswith((".safetensors", ".gguf", ".bin")) or len(data) > LFS_THRESHOLD
            entries[name] = {
                "data": data,
                "lfs": lfs,
                "sha256": hashlib.sha256(data).hexdigest(),
                "git": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
            }
        result[repo] = {"sha": commit, "files": entries}
    return result


class State:
    def __init__(self, args):
        self.repos = build_repos()
        self.blobs = {e["sha256"]: e["data"] for r in self.repos.values() for e in r["files"].values()}
        self.token = args.token
        self.cut_after = args.cut_after
        self.cuts_left = args.cuts
        self.corrupt = args.corrupt
        self.log_path = args.log
        self.list_extra = args.list_extra
        self.endless_info = args.endless_info
        self.cdn_port = None
        self.lock = threading.Lock()

    def take_cut(self):
        with self.lock:
            if self.cut_after is None or self.cuts_left <= 0:
                return False
            self.cuts_left -= 1
            return True

    def log(self, entry):
        if self.log_path:
            with self.lock, open(self.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_GET(self):
        self.handle_request(head=False)

    def authorized(self):
        return self.state.token is None or self.headers.get("Authorization") == "Bearer " + self.state.token

    def handle_request(self, head):
        path = unquote(urlparse(self.path).path)
        self.state.log({"method": self.command, "path": path, "range": self.headers.get("Range"),
                        "authorized": self.headers.get("Authorization") is not None})
        if path.startswith("/cdn/"):
            return self.serve_blob(path[len("/cdn/"):], head)
        if not self.authorized():
            return self.error(401, "Unauthorized", "Invalid credentials in Authorization header")
        parts = path.strip("/").split("/")
        if len(parts) >= 5 and parts[0] == "api" and parts[1] == "models" and parts[4] == "revision":
            return self.model_info("/".join(parts[2:4]), "/".join(parts[5:]), head)
        if len(parts) >= 5 and parts[0] == "api" and parts[1] == "models" and parts[4] == "tree":
            return self.tree("/".join(parts[2:4]), parts[5] if len(parts) > 5 else "main", head)
        if len(parts) >= 5 and parts[2] == "resolve":
            return self.resolve("/".join(parts[0:2]), parts[3], "/".join(parts[4:]), head)
        return self.error(404, "RepoNotFound", "Not Found")

    def repo(self, repo_id, revision):
        repo = self.state.repos.get(repo_id)
        if repo is None:
            self.error(404, "RepoNotFound", "Repository not found")
            return None
        if revision not in ("main", repo["sha"]):
            self.error(404, "RevisionNotFound", "Invalid rev id: " + revision)
            return None
        return repo

    def model_info(self, repo_id, revision, head):
        repo = self.repo(repo_id, revision)
        if repo is None:
            return
        if self.state.endless_info:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b" " * (1 << 20)
            try:
                while not head:
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        body = json.dumps({"id": repo_id, "sha": repo["sha"],
                           "siblings": [{"rfilename": n} for n in sorted(repo["files"]) + self.state.list_extra]}).encode()
        self.send_json(body, head)

    def send_json(self, body, head):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def tree(self, repo_id, revision, head):
        repo = self.repo(repo_id, revision)
        if repo is None:
            return
        items = []
        for name in sorted(repo["files"]):
            entry = repo["files"][name]
            item = {"type": "file", "path": name, "size": len(entry["data"]), "oid": entry["git"]}
            if entry["lfs"]:
                item["lfs"] = {"oid": entry["sha256"], "size": len(entry["data"]), "pointerSize": 134}
            items.append(item)
        self.send_json(json.dumps(items).encode(), head)

    def resolve(self, repo_id, revision, filename, head):
        repo = self.repo(repo_id, revision)
        if repo is None:
            return
        entry = repo["files"].get(filename)
        if entry is None:
            return self.error(404, "EntryNotFound", filename + " does not exist")
        if entry["lfs"]:
            port = self.state.cdn_port
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%d/cdn/%s" % (port, entry["sha256"]))
            self.send_header("X-Repo-Commit", repo["sha"])
            self.send_header("X-Linked-Etag", '"%s"' % entry["sha256"])
            self.send_header("X-Linked-Size", str(len(entry["data"])))
            self.send_header("ETag", '"%s"' % entry["git"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("X-Repo-Commit", repo["sha"])
        self.send_header("ETag", '"%s"' % entry["git"])
        self.send_header("Content-Length", str(len(entry["data"])))
        self.end_headers()
        if not head:
            self.wfile.write(entry["data"])

    def serve_blob(self, sha, head):
        data = self.state.blobs.get(sha)
        if data is None:
            return self.error(404, "EntryNotFound", "no such blob")
        start = 0
        requested = self.headers.get("Range")
        if requested and requested.startswith("bytes="):
            first, _, last = requested[len("bytes="):].partition("-")
            start = int(first)
            end = int(last) + 1 if last else len(data)
            if start >= len(data):
                return self.error(416, "RangeNotSatisfiable", "range not satisfiable")
            body = data[start:end]
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, start + len(body) - 1, len(data)))
        else:
            body = data
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"%s"' % sha)
        self.end_headers()
        if head:
            return
        if self.state.corrupt and len(body) > 0:
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1:]
        if self.state.take_cut():
            self.wfile.write(body[: self.state.cut_after])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def exit_when_stdin_closes():
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main():
    # A parent may start us with signals blocked (threads of a test runner do): take them back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token")
    parser.add_argument("--cut-after", type=int)
    parser.add_argument("--cuts", type=int, default=1)
    parser.add_argument("--corrupt", action="store_true")
    parser.add_argument("--log")
    parser.add_argument("--endless-info", action="store_true", help="model info bodies that never end")
    parser.add_argument("--list-extra", action="append", default=[],
                        help="a file name added to every model info's siblings (a hostile listing)")
    args = parser.parse_args()
    Handler.state = State(args)
    cdn = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    cdn.daemon_threads = True
    Handler.state.cdn_port = cdn.server_address[1]
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
