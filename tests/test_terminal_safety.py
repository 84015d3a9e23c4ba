"""Model text and echoed file content never drive the terminal (issue 15, item 2): OSC 52
(clipboard), clear-screen, cursor moves, OSC 8 links and every other C0/C1 control are removed
from model answers and shown escaped in reports and messages; every format stays valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_helpers import llm_work_folder
from cli_helpers import run_cli as run
from fakeserver import Reply, serve

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "en-payment-email.yaml"
KEY = "sk-test-TERMINAL-0123456789"
HOSTILE = ("\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b[1A\x1b[2K\x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\"
           "\r\x9b31m\x00\x08\x7f")
CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\n\t"]
ANSWER = ("Subject: Customer portal: new date\n\nDear Ms. Chen,\n\nThe portal will be ready on 15 January 2027"
          f"{HOSTILE} instead of 4 December 2026.\n\nSam\n")


def no_controls(text: str) -> bool:
    return not any(c in text for c in CONTROLS)


@pytest.fixture(autouse=True)
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = llm_work_folder(tmp_path, monkeypatch, KEY, "[llm]\nmax_retries = 0\n")
    return folder




def test_a_drafted_answer_reaches_stdout_without_controls(monkeypatch, capsys) -> None:
    with serve([Reply(text=ANSWER)]) as server:
        for fmt in ("text", "json", "markdown"):
            code, out, err = run(["draft", "--facts", str(FACTS), "--provider", "openai", "--base-url", server.url,
                                  "--max-revisions", "0", "--format", fmt, "--no-cache"], monkeypatch, capsys)
            assert code in (0, 1), err
            assert no_controls(out) and no_controls(err), (fmt, out)
            # the sentence around the sequences carries a number in no source ("52" of OSC 52), so it
            # is cut before the draft is shown and the facts' date told instead: either way, no control
            assert "Dear Ms. Chen," in out and "Friday, 15 January 2027" in out
            if fmt == "json":
                assert "\\u001b" not in out and no_controls(json.dumps(json.loads(out), ensure_ascii=False))


def test_the_streamed_draft_on_a_terminal_carries_no_controls(tmp_path: Path, work: Path) -> None:
    """A real process whose stdout is a terminal (a pty), so the draft is shown as it streams."""
    import pty
    import select

    with serve([Reply(text=ANSWER)]) as server:
        leader, follower = pty.openpty()
        env = {**os.environ, "OPENAI_API_KEY": KEY, "NO_COLOR": "1", "TERM": "dumb"}
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "draft", "--facts", str(FACTS), "--provider",
                                 "openai", "--base-url", server.url, "--max-revisions", "0"],
                                stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE, cwd=work, env=env)
        os.close(follower)
        shown = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                break
            try:
                data = os.read(leader, 65536)
            except OSError:  # the process closed the terminal
                break
            if not data:
                break
            shown += data
        proc.wait(timeout=30)
        os.close(leader)
        assert server.requests[0]["stream"] is True
    text = shown.decode("utf-8").replace("\r\n", "\n")
    assert "instead of 4 December 2026" in text
    assert no_controls(text), repr(text)


def test_a_rewrite_answer_reaches_stdout_without_controls(work: Path, monkeypatch, capsys) -> None:
    (work / "note.md").write_text("Dear Ms. Chen,\n\nThe portal is late.\n\nSam\n", encoding="utf-8")
    with serve([Reply(text=ANSWER.split("\n\n", 1)[1])]) as server:
        code, out, err = run(["rewrite", "note.md", "--provider", "openai", "--base-url", server.url],
                             monkeypatch, capsys)
    assert code == 1, err  # the answer's dates are in no source: fact-mismatch errors remain (exit 1)
    assert "instead of 4 December 2026" in out and no_controls(out) and no_controls(err)


def judge_answer(quote: str) -> str:
    finding = {"check": "jargon", "quote": quote, "message": f"Do not say {HOSTILE} to a client",
               "suggestion": f"Try {HOSTILE}", "severity": "warning"}
    scores = [{"principle": p, "score": 3, "reason": f"fine{HOSTILE}"} for p in
              ("advance-notice", "explain-cause", "solution", "transparency", "regular-updates")]
    return json.dumps({"findings": [finding], "scores": scores})


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_judge_messages_and_echoed_file_text_are_escaped_in_every_format(fmt: str, work: Path, monkeypatch,
                                                                          capsys) -> None:
    line = "We will circle back\x1b]52;c;cHduZWQ=\x07 on the sprint."
    (work / "note\x1b[2J.md").write_text(f"Dear Ms. Chen,\n\n{line}\n\nSam\n", encoding="utf-8")
    with serve([Reply(text=judge_answer(line))]) as server:
        code, out, err = run(["check", ".", "--llm", "--base-url", server.url, "--format", fmt],
                             monkeypatch, capsys)
    assert code in (0, 1), err
    assert no_controls(out) and no_controls(err), repr(out)
    assert fmt == "sarif" or "\\x1b" in out  # shown escaped (sarif percent-encodes the path)
    if fmt in ("json", "sarif"):
        loaded = json.dumps(json.loads(out), ensure_ascii=False)
        assert no_controls(loaded)
    if fmt == "json":
        assert json.loads(out)["files"][0]["scores"][0]["reason"].startswith("fine\\x1b]52;c;")
    if fmt == "junit":
        ET.fromstring(out.split("\n", 1)[1])  # valid XML
    if fmt == "github":
        assert all(ln.startswith("::") for ln in out.splitlines())
    if fmt == "text":
        assert "note\\x1b[2J.md" in out


def test_an_error_message_quoting_a_server_never_carries_controls(monkeypatch, capsys) -> None:
    error = {"message": f"bad request{HOSTILE}", "type": "invalid_request_error"}
    with serve([Reply(status=400, error=error)]) as server:
        code, out, err = run(["draft", "--facts", str(FACTS), "--provider", "openai", "--base-url", server.url],
                             monkeypatch, capsys)
    assert code == 3 and "bad request" in err and no_controls(err)
