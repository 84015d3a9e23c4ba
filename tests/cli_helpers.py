"""Running the CLI in-process, as a user would from the shell, for tests that need its exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.cli import main


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`delaynote ARGS...` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["delaynote", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def llm_work_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, config: str) -> Path:
    """A fresh working folder for LLM tests: no colour, `key` as OPENAI_API_KEY, `config` as its
    delaynote.toml."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("OPENAI_API_KEY", key)
    (folder / "delaynote.toml").write_text(config, encoding="utf-8")
    return folder
