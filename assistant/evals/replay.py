"""Record and replay LLM traffic for evals, at the HTTP level.

An in-process server on 127.0.0.1 stands where the model's base URL would be. In `replay` mode it
answers each request from `evals/recordings/<key>.json`; in `record` mode it forwards the request
to the real server and stores the answer. The LLM client is untouched (it only sees another
base URL), so the whole LLM path - prompts, retries, parsing - runs in CI with no key and no
network. The key hashes the request path and JSON body only: headers (and so the API key) never
reach a recording.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

MISSING = "no recording for this request"
_DROP_HEADERS = frozenset({"host", "content-length", "accept-encoding", "connection", "transfer-encoding"})
DEFAULT_UPSTREAM = "https://api.openai.com/v1"
# The delimiter around untrusted text (`assistant.untrusted.new_marker`) is masked in the key: it
# is derived from the draft, which the key already covers, and masking keeps recordings made when
# it was random still valid.
_MARKER = re.compile(r"DRAFT-[0-9a-f]{16}")


def request_key(path: str, body: bytes) -> str:
    """A stable name for one request: path plus canonical JSON body (never headers)."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    canonical = _MARKER.sub("DRAFT-*", canonical)
    return hashlib.sha256(f"{path.strip('/')}\n{canonical}".encode()).hexdigest()[:32]


def _recording(path: str, body: bytes, status: int, content_type: str, payload: bytes) -> dict[str, Any]:
    text = payload.decode("utf-8", "replace")
    response: dict[str, Any] = {"status": status, "content_type": content_type}
    try:
        response["json"] = json.loads(text) if "json" in content_type else None
    except ValueError:
        response["json"] = None
    if response["json"] is None:
        del response["json"]
        response["text"] = text
    try:
        request_body: Any = json.loads(body or b"null")
    except ValueError:
        request_body = body.decode("utf-8", "replace")
    return {"request": {"path": path.strip("/"), "body": request_body}, "response": response}


class RecordingServer:
    """`with RecordingServer(folder, mode="replay") as srv:` then point the LLM client at `srv.base_url`."""

    def __init__(self, folder: Path, *, mode: Literal["replay", "record"], upstream: str | None = None,
                 timeout: float = 60.0) -> None:
        self.folder = folder
        self.mode = mode
        self.upstream = (upstream or DEFAULT_UPSTREAM).rstrip("/")
        self.timeout = timeout
        self.misses: list[str] = []
        self.used: set[str] = set()
        self.written: set[str] = set()
        self.upstream_failure: str | None = None  # how the last forwarded request failed, if it did
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> RecordingServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                self._answer(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self._answer(self.rfile.read(length) if length else b"")

            def _answer(self, body: bytes) -> None:
                path = self.path.split("?", 1)[0]
                rel = path[len("/v1"):] if path.startswith("/v1") else path
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _DROP_HEADERS}
                status, content_type, payload = owner._handle(self.command, rel, body, headers)
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                if owner.mode == "replay":
                    self.send_header("x-should-retry", "false")
                try:
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): no traceback
                    return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="delaynote-replay", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def publish(self, target: Path) -> int:
        """Copy what this run recorded into `target`, each file replacing an older recording of the
        same request at once; how many. Recording goes to a staging folder and is published when the
        run ends with a report (a case the service failed for leaves the others' answers kept), never
        when the run failed as a whole; a garbled answer is never recorded (see `_an_answer`)."""
        target.mkdir(parents=True, exist_ok=True)
        for key in sorted(self.written):
            tmp = target / f".{key}.{os.getpid()}.tmp"
            shutil.copyfile(self.folder / f"{key}.json", tmp)
            tmp.replace(target / f"{key}.json")
        return len(self.written)

    def _handle(self, method: str, rel: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        key = request_key(rel, body)
        file = self.folder / f"{key}.json"
        if self.mode == "replay":
            if not file.is_file():
                with self._lock:
                    self.misses.append(key)
                message = (f"{MISSING} (key {key}) in {self.folder.name}/: the prompts, "
                           "model or facts differ from the recorded ones")
                payload = json.dumps({"error": {"message": message, "type": "replay_missing", "code": key}})
                return 422, "application/json", payload.encode()  # not retried, not "model not found"
            with self._lock:
                self.used.add(key)
            saved = json.loads(file.read_text(encoding="utf-8"))["response"]
            text = json.dumps(saved["json"], ensure_ascii=False) if "json" in saved else saved["text"]
            return int(saved["status"]), saved["content_type"], text.encode("utf-8")
        return self._forward(method, rel, body, headers, key, file)

    def _forward(self, method: str, rel: str, body: bytes, headers: dict[str, str], key: str,
                 file: Path) -> tuple[int, str, bytes]:
        import httpx2

        try:
            with httpx2.Client(timeout=self.timeout) as client:
                resp = client.request(method, self.upstream + rel, content=body or None, headers=headers)
        except httpx2.HTTPError as exc:
            # the client sees a 502 (and retries it); the run's error then names the upstream's failure
            self.upstream_failure = ("timeout" if isinstance(exc, httpx2.TimeoutException)
                                     else "connect" if isinstance(exc, httpx2.ConnectError | httpx2.UnsupportedProtocol)
                                     else "broken")
            payload = json.dumps({"error": {"message": f"recording proxy: upstream failed: {type(exc).__name__}"}})
            return 502, "application/json", payload.encode()
        self.upstream_failure = None
        content_type = resp.headers.get("content-type", "application/json")
        if 200 <= resp.status_code < 300 and _an_answer(content_type, resp.content):
            record = _recording(rel, body, resp.status_code, content_type, resp.content)
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = file.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            tmp.replace(file)
            with self._lock:
                self.written.add(key)
        return resp.status_code, content_type, resp.content


def _an_answer(content_type: str, body: bytes) -> bool:
    """Whether an upstream answer is worth recording: an event stream, or a JSON object. A garbled
    answer fails its case (the run still publishes the others, issue 15) and must not replace a
    good recording of the same request."""
    if "event-stream" in content_type:
        return True
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False
