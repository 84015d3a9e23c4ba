"""A scripted, misbehaving OpenAI-compatible server on 127.0.0.1 for fault tests.

Unlike `fakeserver`, a test writes the whole HTTP answer itself: `handler(request, body)` gets
the `BaseHTTPRequestHandler` and the parsed JSON body and may trickle bytes, stream without end,
redirect or close early. The server stops when the `with` block ends; a handler must return once
`server.stopping` is set (its loops check it), so no thread outlives the test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Hostile:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def count(self) -> int:
        return len(self.requests)


def sse_event(text: str | None = None, finish: str | None = None, usage: bool = False) -> bytes:
    """One server-sent event of a streamed chat completion."""
    chunk: dict[str, Any] = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                             "choices": [] if usage else [{"index": 0, "delta": {"content": text},
                                                           "finish_reason": finish}]}
    if usage:
        chunk["usage"] = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    return f"data: {json.dumps(chunk)}\n\n".encode()


def start_stream(request: BaseHTTPRequestHandler) -> None:
    """Headers of an endless event stream (no length, closed by the server)."""
    request.send_response(200)
    request.send_header("Content-Type", "text/event-stream")
    request.send_header("Connection", "close")
    request.end_headers()
    request.close_connection = True


@contextmanager
def hostile(handler: Callable[[BaseHTTPRequestHandler, dict[str, Any], Hostile], None]) -> Iterator[Hostile]:
    state: Hostile = Hostile(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw or b"{}")
            state.requests.append(body)
            try:
                handler(self, body, state)
            except (BrokenPipeError, ConnectionResetError):  # the client hung up: that is the point
                self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        state.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
