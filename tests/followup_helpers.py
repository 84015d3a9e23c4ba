"""Shared helpers for the follow-through tests (issue 12): run the CLI in-process, copy the data."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from assistant.cli import main

DATA = Path(__file__).resolve().parent / "data" / "followup"


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["delaynote", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding the walkthrough's facts and progress files, made the working folder."""
    for f in DATA.iterdir():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
