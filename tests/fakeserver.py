"""A small OpenAI-compatible chat server for tests, plus builders for its response bodies.

It runs on 127.0.0.1 on a free port in a thread, so end-to-end tests exercise the real SDK,
its HTTP stack and its retry path without any network. Replies are scripted: a list used in
order (the last one repeats), or a function of the request body. A streamed request
(`"stream": true`) gets its reply as server-sent events. `latency` delays every answer;
`requests` records every request body, `count` how many arrived, `connections` how many TCP
connections carried them.

    with serve([Reply(status=500), Reply(text="Hello")]) as server:
        ... base_url=server.url ...
        assert server.count == 2
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def chat_body(text: str, *, finish_reason: str = "stop", prompt_tokens: int = 10,
              completion_tokens: int = 5, model: str = "test-model") -> dict[str, Any]:
    """A non-streamed chat completion."""
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def sse_body(pieces: list[str], *, finish_reason: str | None = "stop", prompt_tokens: int = 10,
             completion_tokens: int = 5, done: bool = True, model: str = "test-model") -> str:
    """A streamed chat completion as SSE text: one chunk per piece, the finish reason on the
    last one, a usage chunk, then `[DONE]`. `finish_reason=None, done=False` is a cut stream."""
    events = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        events.append({
            "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [{"index": 0, "delta": {"content": piece},
                         "finish_reason": finish_reason if last else None}],
        })
    if done:
        events.append({
            "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                     "total_tokens": prompt_tokens + completion_tokens},
        })
    text = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events)
    return text + ("data: [DONE]\n\n" if done else "")


def split_text(text: str, size: int = 7) -> list[str]:
    """Text in small pieces, the way a model streams it."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


@dataclass
class Reply:
    """One scripted answer: an HTTP error `status` (with `error` JSON), or `text`; `raw` is sent
    as the whole body instead (a broken server: not JSON, a bad stream chunk); `cut` sends only
    the first half of the body, announced at full length, and closes the connection."""

    text: str = ""
    status: int = 200
    finish_reason: str = "stop"
    error: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: str | None = None
    cut: bool = False


@dataclass
class FakeServer:
    """What a test sees of the running server."""

    url: str
    requests: list[dict[str, Any]]
    headers: list[dict[str, str]]
    peers: list[tuple[str, int]] = field(default_factory=list)

    @property
    def connections(self) -> int:
        return len(set(self.peers))

    @property
    def count(self) -> int:
        return len(self.requests)


@contextmanager
def serve(replies: list[Reply] | Callable[[dict[str, Any]], Reply], *, latency: float = 0.0) -> Iterator[FakeServer]:
    """Run the server for the duration of the `with` block."""
    requests: list[dict[str, Any]] = []
    headers: list[dict[str, str]] = []
    peers: list[tuple[str, int]] = []
    lock = threading.Lock()

    def next_reply(body: dict[str, Any]) -> Reply:
        if callable(replies):
            return replies(body)
        with lock:
            index = min(len(requests) - 1, len(replies) - 1)
        return replies[index]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, payload: bytes, content_type: str, extra: dict[str, str],
                  cut: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload[:len(payload) // 2] if cut else payload)
            if cut:
                self.wfile.flush()
                self.close_connection = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            with lock:
                requests.append(body)
                headers.append({k.lower(): v for k, v in self.headers.items()})
                peers.append(self.client_address)
            if latency:
                time.sleep(latency)
            reply = next_reply(body)
            if reply.raw is not None:
                content_type = "text/event-stream" if body.get("stream") else "application/json"
                self._send(reply.status, reply.raw.encode("utf-8"), content_type, reply.headers)
            elif reply.status != 200:
                error = reply.error or {"message": f"scripted HTTP {reply.status}", "type": "server_error"}
                self._send(reply.status, json.dumps({"error": error}).encode(), "application/json", reply.headers)
            elif body.get("stream"):
                payload = sse_body(split_text(reply.text), finish_reason=reply.finish_reason).encode("utf-8")
                self._send(200, payload, "text/event-stream", reply.headers)
            else:
                payload = json.dumps(chat_body(reply.text, finish_reason=reply.finish_reason),
                                     ensure_ascii=False).encode("utf-8")
                self._send(200, payload, "application/json", reply.headers, cut=reply.cut)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeServer(url=f"http://127.0.0.1:{server.server_address[1]}/v1", requests=requests, headers=headers,
                         peers=peers)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
