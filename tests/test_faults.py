"""Faults that used to end in a traceback (issue 15, item 4): YAML timestamps, a full stdout in
every command (a paid LLM answer kept in a rescue file), broken surrogates in a model answer,
an output encoding that cannot show Chinese."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakeserver import Reply, serve
from hostile import hostile, start_stream

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "en-payment-email.yaml"
ZH_FACTS = ROOT / "examples" / "zh-store-email.yaml"
KEY = "sk-test-FAULTS-0123456789"
ANSWER = "Dear Ms. Patel,\n\nThe payment upgrade moves to 15 January 2027.\n\nDaniel\n"
FULL = Path("/dev/full")


def cli(args: list[str], cwd: Path, *, stdout=subprocess.PIPE, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "NO_COLOR": "1", "DELAYNOTE_CACHE_DIR": str(cwd / "cache"), **env}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        if name not in env:
            environ.pop(name, None)
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, env=environ, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120, encoding="utf-8", errors="replace")


@pytest.mark.parametrize("where", ["new_date: !!timestamp 2027-01-15 10:00:00",
                                   "phases:\n  - name: Testing\n    due: !!timestamp 2027-01-10 09:30:00"])
def test_a_yaml_timestamp_is_one_sentence_exit_2(where: str, tmp_path: Path) -> None:
    text = FACTS.read_text(encoding="utf-8")
    key = where.split(":", 1)[0]
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"{key}:")]
    if key == "phases":  # drop the example's phases block, then add ours
        start = next(i for i, ln in enumerate(text.splitlines()) if ln.startswith("phases:"))
        kept = text.splitlines()
        end = next((i for i in range(start + 1, len(kept)) if kept[i] and not kept[i].startswith((" ", "-"))),
                   len(kept))
        lines = kept[:start] + kept[end:]
    (tmp_path / "facts.yaml").write_text("\n".join(lines) + f"\n{where}\n", encoding="utf-8")
    for args in (["draft", "--facts", "facts.yaml"], ["check", str(ROOT / "README.md"), "--facts", "facts.yaml"]):
        result = cli(args, tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and "is not a date in the form YYYY-MM-DD" in result.stderr


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["draft", "--facts", str(FACTS)], ["check", str(ROOT / "examples")], ["rules"],
                                  ["schema"], ["init", "-"], ["rewrite", str(ROOT / "README.md")],
                                  ["eval", str(ROOT / "evals")], ["--version"], ["--help"], ["check", "--help"]])
def test_a_full_stdout_is_one_sentence_in_every_command(args: list[str], tmp_path: Path) -> None:
    with FULL.open("w") as full:
        result = cli(args, tmp_path, stdout=full)
    assert result.returncode == 2
    assert result.stderr == "delaynote: standard output cannot be written (No space left on device)\n"


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["draft", "rewrite"])
def test_a_paid_answer_that_stdout_cannot_take_is_kept_in_a_rescue_file(command: str, tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("Dear Ms. Patel,\n\nThe upgrade is late.\n\nDaniel\n", encoding="utf-8")
    args = (["draft", "--facts", str(FACTS), "--max-revisions", "0"] if command == "draft"
            else ["rewrite", "note.md"])
    with serve([Reply(text=ANSWER)]) as server, FULL.open("w") as full:
        result = cli([*args, "--provider", "openai", "--base-url", server.url], tmp_path, stdout=full,
                     OPENAI_API_KEY=KEY)
        assert server.count >= 1  # a rewrite may ask for one revision
    assert result.returncode == 2 and "Traceback" not in result.stderr
    first = next(line for line in result.stderr.splitlines() if "standard output" in line)
    assert first.startswith("delaynote: standard output cannot be written (No space left on device); the ")
    saved = Path(first.split(" is saved in ", 1)[1])
    assert "15 January 2027" in saved.read_text(encoding="utf-8")


def split_emoji(request, body, state) -> None:
    """An emoji sent as a JSON surrogate pair split across two chunks, then a lone surrogate."""
    start_stream(request)
    for content in ("Dear Ms. Patel \\ud83d", "\\ude00,\\n\\nThe upgrade moves to 15 January 2027 \\udc00.\\n"):
        request.wfile.write(('data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"m",'
                             '"choices":[{"index":0,"delta":{"content":"' + content + '"},"finish_reason":null}]}'
                             '\n\n').encode())
    request.wfile.write(b'data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"m","choices":'
                        b'[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')


def test_surrogates_in_a_streamed_answer_are_mended_printed_and_cached(tmp_path: Path) -> None:
    args = ["draft", "--facts", str(FACTS), "--max-revisions", "0", "--provider", "openai"]
    with hostile(split_emoji) as server:
        first = cli([*args, "--base-url", server.url], tmp_path, OPENAI_API_KEY=KEY)
        again = cli([*args, "--base-url", server.url], tmp_path, OPENAI_API_KEY=KEY)
        assert server.count == 1  # the second run came from the cache: nothing paid twice
    assert first.returncode in (0, 1) and "Traceback" not in first.stderr, first.stderr
    assert "Dear Ms. Patel \U0001F600," in first.stdout and "15 January 2027 \ufffd." in first.stdout
    assert again.stdout == first.stdout


def test_an_ascii_stdout_shows_chinese_as_escapes_not_a_traceback(tmp_path: Path) -> None:
    for args in (["draft", "--facts", str(ZH_FACTS)], ["draft", "--facts", str(ZH_FACTS), "--format", "json"],
                 ["check", str(ZH_FACTS)], ["rules", "late-notice"]):
        result = cli(args, tmp_path, PYTHONIOENCODING="ascii")
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr and result.stdout.strip()
        if "json" in args:  # escapes keep JSON valid and lossless
            assert result.stdout.isascii() and json.loads(result.stdout)["language"] == "zh"
