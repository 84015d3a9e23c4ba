"""Hostile inputs and surroundings for every command: endless devices, odd encodings, closed
standard streams, wrong kinds of paths, Ctrl-C. Each must end in one sentence and its exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import InputError
from assistant.textio import read_text

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "en-payment-email.yaml"
NOTICE = "Dear Ms. Chen,\n\nThe portal will be ready on 18 December 2026 instead of 1 December 2026.\n\nSam\n"


@pytest.fixture(autouse=True)
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working folder, no LLM configured, no colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["delaynote", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


# --- A7: endless inputs --------------------------------------------------------------------

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("args", [["check", "/dev/zero"], ["draft", "--facts", "/dev/zero"],
                                  ["rewrite", "/dev/zero", "--provider", "offline"]])
def test_an_endless_device_is_too_large_not_a_memory_error(args: list[str], monkeypatch, capsys) -> None:
    code, out, err = run(args, monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "delaynote: /dev/zero is larger than 50 MB; delaynote reads files up to 50 MB"


def test_reading_stops_one_byte_after_the_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A file whose size on disk says nothing (a pipe, a device) is cut at the limit + 1 byte."""
    import assistant.textio as textio

    path = tmp_path / "big.txt"
    path.write_text("x" * 101, encoding="utf-8")
    monkeypatch.setattr(textio, "MAX_BYTES", 100)
    monkeypatch.setattr(Path, "stat", lambda self, **kw: os.stat_result((0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0)))
    with pytest.raises(InputError, match="is larger than 0 MB"):
        read_text(path)
