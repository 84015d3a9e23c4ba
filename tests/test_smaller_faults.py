"""Issue 15, item 16: check --llm judges a base64 or quoted-printable e-mail on its decoded text;
rewrite never overwrites its input through --out; a long Retry-After is told as it is; TERM=dumb
gets no colour from check or rewrite --diff."""

from __future__ import annotations

import base64
import json
import os
import quopri
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import llm_work_folder
from cli_helpers import run_cli as run
from fakeserver import Reply, serve

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "en-payment-email.yaml"
KEY = "sk-test-SMALL-0123456789"
BODY = ("Dear Ms. Chen,\n\nWe will circle back on the sprint next week. The portal will be ready on 18 December "
        "2026 instead of 1 December 2026 \u2013 we\u2019re sorry.\n\nSam\n")


@pytest.fixture(autouse=True)
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = llm_work_folder(tmp_path, monkeypatch, KEY, "[llm]\nmax_retries = 1\n")
    return folder




def eml(encoding: str) -> str:
    data = BODY.encode("utf-8")
    body = (base64.encodebytes(data).decode() if encoding == "base64"
            else quopri.encodestring(data).decode())
    return (f"From: sam@northwind.example\nTo: chen@harbour.example\nSubject: Portal date\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: {encoding}\n\n{body}")


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_check_llm_sends_and_grounds_on_the_decoded_e_mail(encoding: str, work: Path, monkeypatch, capsys) -> None:
    (work / "note.eml").write_text(eml(encoding), encoding="utf-8")
    scores = [{"principle": p, "score": 3, "reason": "ok"}
              for p in ("advance-notice", "explain-cause", "solution", "transparency", "regular-updates")]
    verdict = {"findings": [{"check": "hedging", "quote": "we\u2019re sorry", "message": "Say what you will do.",
                             "suggestion": None, "severity": "info"}], "scores": scores}
    with serve([Reply(text=json.dumps(verdict))]) as server:
        code, out, err = run(["check", "note.eml", "--llm", "--base-url", server.url, "--format", "json",
                              "--fail-on", "never"], monkeypatch, capsys)
        sent = json.dumps(server.requests[0], ensure_ascii=False)
    assert code == 0, err
    assert "circle back on the sprint next week" in sent and "we\u2019re sorry" in sent
    assert "Content-Transfer-Encoding" not in sent and "=E2=80=99" not in sent
    report = json.loads(out)["files"][0]
    judged = [f for f in report["findings"] if f["source"] == "llm"]
    assert [f["text"] for f in judged] == ["we\u2019re sorry"] and report["dropped_ungrounded"] == 0
    assert judged[0]["line"] > 6  # a position in the file, below its headers


@pytest.mark.parametrize("out_path", ["./in.md", "in.md", "link.md"])
def test_rewrite_out_naming_the_input_is_refused_even_with_force(out_path: str, work: Path, monkeypatch,
                                                                 capsys) -> None:
    (work / "in.md").write_text(BODY, encoding="utf-8")
    (work / "link.md").symlink_to(work / "in.md")
    code, out, err = run(["rewrite", "in.md", "--out", out_path, "--force", "--provider", "offline"], monkeypatch,
                         capsys)
    assert code == 2 and out == ""
    assert err == (f"delaynote: --out {Path(out_path)} is the draft being rewritten; the input is replaced only with "
                   "--in-place, which keeps in.md.bak\n")
    assert (work / "in.md").read_text(encoding="utf-8") == BODY and not (work / "in.md.bak").exists()


def test_a_retry_after_of_an_hour_is_told_as_it_is(monkeypatch, capsys) -> None:
    with serve([Reply(status=429, headers={"Retry-After": "3600"})]) as server:
        code, out, err = run(["draft", "--facts", str(FACTS), "--provider", "openai", "--base-url", server.url],
                             monkeypatch, capsys)
        assert server.count == 1  # the SDK does not wait an hour: no retry was made
    assert code == 3
    assert err == (f"delaynote: the LLM server at {server.url} is rate-limiting the requests (HTTP 429) and asks "
                   "to wait an hour; try again after that\n")


def on_a_terminal(args: list[str], cwd: Path, term: str) -> str:
    import pty
    import select

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM=term, COLUMNS="100")
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *args], stdin=subprocess.DEVNULL, stdout=follower,
                            stderr=subprocess.DEVNULL, cwd=cwd, env=env)
    os.close(follower)
    shown = b""
    while select.select([leader], [], [], 30)[0]:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    proc.wait(timeout=30)
    os.close(leader)
    return shown.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_term_dumb_gets_no_colour_from_check_or_rewrite_diff(work: Path) -> None:
    (work / "in.md").write_text(BODY, encoding="utf-8")
    for args in (["check", "in.md"], ["rewrite", "in.md", "--diff", "--provider", "offline"]):
        assert "\x1b[" in on_a_terminal(args, work, "xterm-256color"), args  # the test can see colour
        assert "\x1b[" not in on_a_terminal(args, work, "dumb"), args
