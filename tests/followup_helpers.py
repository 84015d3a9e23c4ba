"""Shared helpers for the follow-through tests (issue 12): run the CLI in-process, copy the data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import run_cli  # noqa: F401 (re-exported for the follow-up tests)

DATA = Path(__file__).resolve().parent / "data" / "followup"




def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding the walkthrough's facts and progress files, made the working folder."""
    for f in DATA.iterdir():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
