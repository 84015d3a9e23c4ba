"""What one LLM request may do, end to end through the CLI against misbehaving local servers:
an overall deadline, an answer size cap, no cross-host redirect, a key checked before any
request, a base-URL password never shown, a config file that may not hold a key (issue 15)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_helpers import llm_work_folder
from cli_helpers import run_cli as run
from fakeserver import Reply, serve
from hostile import hostile, sse_event, start_stream

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "en-payment-email.yaml"
KEY = "sk-test-BOUNDS-0123456789"
NOTE = "Dear Ms. Chen,\n\nThe portal will be ready on 18 December 2026 instead of 1 December 2026.\n\nSam\n"


@pytest.fixture(autouse=True)
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = llm_work_folder(tmp_path, monkeypatch, KEY, "[llm]\ntimeout = 0.5\nmax_retries = 0\n")
    (folder / "note.md").write_text(NOTE, encoding="utf-8")
    return folder




def draft(url: str) -> list[str]:
    return ["draft", "--facts", str(FACTS), "--provider", "openai", "--base-url", url, "--max-revisions", "0"]


def partial_file(err: str) -> Path:
    return Path(err.split("the partial answer is saved in ", 1)[1].split(";", 1)[0])


# --- item 6: an overall deadline per request -----------------------------------------------

def trickle_stream(request, body, state) -> None:
    start_stream(request)
    for _ in range(200):  # at most 20 s; the client must hang up long before
        if state.stopping.is_set():
            return
        request.wfile.write(sse_event("word "))
        request.wfile.flush()
        time.sleep(0.1)


def trickle_body(request, body, state) -> None:
    request.send_response(200)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", "100000")
    request.end_headers()
    for _ in range(200):
        if state.stopping.is_set():
            return
        request.wfile.write(b" ")
        request.wfile.flush()
        time.sleep(0.1)


def test_a_trickling_stream_is_stopped_at_the_deadline_keeping_the_partial(monkeypatch, capsys) -> None:
    with hostile(trickle_stream) as server:
        began = time.monotonic()
        code, out, err = run(draft(server.url), monkeypatch, capsys)
        took = time.monotonic() - began
    assert code == 3 and "Traceback" not in err, err
    assert "had not arrived whole 0.5 seconds after it began" in err and "`timeout` under [llm]" in err
    assert partial_file(err).read_text(encoding="utf-8").startswith("word word")
    assert took < 15  # generous: without the deadline it runs the whole 20 s trickle


def test_a_trickling_plain_answer_is_stopped_at_the_deadline(monkeypatch, capsys) -> None:
    with hostile(trickle_body) as server:
        code, out, err = run(["rewrite", "note.md", "--provider", "openai", "--base-url", server.url],
                             monkeypatch, capsys)
    assert code == 3 and out == "" and "had not arrived whole 0.5 seconds" in err, err
    assert len(err.strip().splitlines()) == 1


# --- item 7: an answer size cap --------------------------------------------------------------

def endless_answer(request, body, state) -> None:
    start_stream(request)
    piece = "x" * 8000 + " "
    for _ in range(400):  # 3.2 MB at most
        if state.stopping.is_set():
            return
        request.wfile.write(sse_event(piece))


def test_an_oversized_stream_stops_at_256_kb_exit_3_keeping_the_partial(monkeypatch, capsys) -> None:
    with hostile(endless_answer) as server:
        code, out, err = run(draft(server.url), monkeypatch, capsys)
    assert code == 3 and out == "", err
    assert "grew past 256 KB, the most delaynote accepts, and was stopped" in err
    kept = partial_file(err).stat().st_size
    assert 256 * 1024 < kept < 300 * 1024


def test_an_oversized_plain_answer_is_refused(monkeypatch, capsys) -> None:
    with serve([Reply(text="word " * 60000)]) as server:
        code, out, err = run(["rewrite", "note.md", "--provider", "openai", "--base-url", server.url],
                             monkeypatch, capsys)
    assert code == 3 and out == "" and "grew past 256 KB" in err, err


# --- item 15: no cross-host redirect -------------------------------------------------------

def test_a_redirect_to_another_host_is_refused_naming_the_target(monkeypatch, capsys) -> None:
    with serve([Reply(text="Dear Ms. Chen,\n\nHello.\n")]) as other:
        target = other.url.replace("127.0.0.1", "localhost") + "/chat/completions"

        def redirect(request, body, state) -> None:
            request.send_response(307)
            request.send_header("Location", target)
            request.send_header("Content-Length", "0")
            request.end_headers()

        with hostile(redirect) as server:
            code, out, err = run(draft(server.url), monkeypatch, capsys)
        assert other.count == 0  # the prompt never went there
    assert code == 3 and out == "", err
    assert f"redirected the request to another host ({target})" in err
    assert err.startswith(f"delaynote: the LLM server at {server.url} ")


# --- item 10: a malformed key, before any request -------------------------------------------

@pytest.mark.parametrize("key, what", [("sk-x\n", "whitespace"), ("  sk-x  ", "whitespace"),
                                       ("sk-ключ", "characters an API key cannot hold")])
def test_a_malformed_key_is_exit_2_before_any_request(key: str, what: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with serve([Reply(text="never")]) as server:
        code, out, err = run(draft(server.url), monkeypatch, capsys)
        assert server.count == 0
    assert code == 2 and out == ""
    assert err == f"delaynote: the OPENAI_API_KEY environment variable holds {what} (an API key is printable " \
                  "ASCII without spaces); set it again without them\n"


# --- item 11: no key in the config file ----------------------------------------------------

def test_an_api_key_in_the_config_file_is_refused_without_echoing_it(work: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    (work / "delaynote.toml").write_text('[llm]\napi_key = "sk-FILE-SECRET-999"\n', encoding="utf-8")
    with serve([Reply(text="never")]) as server:
        code, out, err = run(draft(server.url), monkeypatch, capsys)
        assert server.count == 0
    assert code == 2 and "OPENAI_API_KEY" in err and "sk-FILE-SECRET-999" not in err
    assert len(err.strip().splitlines()) == 1


# --- item 12: a password holding "@" ------------------------------------------------------

def test_a_base_url_password_with_at_signs_is_masked_whole(monkeypatch, capsys) -> None:
    code, out, err = run(draft("http://user:s3cr@tpassword@127.0.0.1:1/v1"), monkeypatch, capsys)
    assert code == 3
    assert "http://***@127.0.0.1:1/v1" in err
    assert "tpassword" not in err and "s3cr" not in err and "user" not in err
