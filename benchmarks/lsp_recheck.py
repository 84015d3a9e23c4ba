"""How fast does `delaynote lsp` re-check a notice? Prints figures (target < 20 ms).

Run from the repository root:  python benchmarks/lsp_recheck.py [--runs 50]

Starts the real server (`python -m assistant lsp`) over stdio, opens the ~300-word notice of
check_speed.py, then edits and saves it `--runs` times. Each save re-checks at once (a change
waits for the debounce first), so the time from `didSave` sent to `publishDiagnostics` received
is the server's re-check plus the JSON-RPC round trip on this machine. The server's own share is
timed too, in-process: `DelaynoteServer.check` on the same text, with publishing stubbed out.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_speed import NOTICE

TARGET_MS = 20.0


async def round_trips(runs: int, path: Path) -> list[float]:
    client = LanguageClient("lsp-recheck-benchmark", "1")
    received: asyncio.Queue[float] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        received.put_nowait(time.perf_counter())

    await client.start_io(sys.executable, "-m", "assistant", "lsp")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=NOTICE)))
    await received.get()
    times = []
    for i in range(runs):
        text = NOTICE.replace("Dear Ms. Chen,", f"Dear Ms. Chen, ({i})")
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        sent = time.perf_counter()
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        times.append((await received.get() - sent) * 1000)  # the save's check replaces the change's debounced one
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def in_process(runs: int, path: Path) -> list[float]:
    from assistant.lsp.server import build_server

    server = build_server("bench")
    server.text_document_publish_diagnostics = lambda params: None  # no client to send to
    from pygls.workspace import Workspace

    workspace = Workspace(None)
    server.protocol._workspace = workspace
    uri = path.as_uri()
    workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=NOTICE))
    server.check(uri)  # first run compiles the lexicons
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        server.check(uri)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    words = len(NOTICE.split())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notice.txt"
        path.write_text(NOTICE, encoding="utf-8")
        trips = asyncio.run(round_trips(args.runs, path))
        own = in_process(args.runs, path)
    print(f"re-check of a {words}-word notice in the running server, {args.runs} runs (target < {TARGET_MS:.0f} ms)")
    for label, values in (("didSave -> publishDiagnostics over stdio", trips),
                          ("DelaynoteServer.check in-process", own)):
        verdict = "met" if statistics.median(values) < TARGET_MS else "MISSED"
        print(f"  {label:42} median {statistics.median(values):6.1f} ms  min {min(values):6.1f} ms  "
              f"max {max(values):6.1f} ms  target {verdict}")


if __name__ == "__main__":
    main()
