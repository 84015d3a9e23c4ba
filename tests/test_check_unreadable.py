"""`check DIR` with a sub-folder it cannot read lists it under `skipped` and exits 2, as for an
unreadable file (issue 15, item 8). Tests run as root here, and root reads every folder: so the
permission error is simulated (os.scandir raising PermissionError for one folder) through the
CLI in-process, and a real chmod 000 test runs only when not root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main

NOTE = "Dear Ms. Chen,\n\nThe portal will be ready on 18 December 2026 instead of 1 December 2026.\n\nSam\n"


def tree(root: Path) -> Path:
    (root / "ok").mkdir(parents=True)
    (root / "ok" / "a.md").write_text(NOTE, encoding="utf-8")
    (root / "locked").mkdir()
    (root / "locked" / "b.md").write_text(NOTE, encoding="utf-8")
    return root / "locked"


def test_an_unreadable_sub_folder_is_skipped_and_named_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    locked = tree(tmp_path / "notes")
    real = os.scandir

    def scandir(path=".", *args, **kwargs):
        if Path(path).resolve() == locked.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["delaynote", "check", "notes", "--format", "json", "--fail-on", "never"])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    report = json.loads(out)
    assert [f["path"] for f in report["files"]] == [str(Path("notes") / "ok" / "a.md")]
    reason = f"the folder {Path('notes') / 'locked'} cannot be read (permission denied)"
    assert report["skipped"] == [{"path": str(Path("notes") / "locked"), "reason": reason}]
    assert err.splitlines() == ["delaynote: 1 of 2 inputs could not be checked", f"  - {reason}"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads a chmod 000 folder; the simulated test above covers it")
def test_a_real_chmod_000_sub_folder_is_skipped(tmp_path: Path) -> None:
    locked = tree(tmp_path / "notes")
    locked.chmod(0)
    try:
        result = subprocess.run([sys.executable, "-m", "assistant", "check", "notes", "--fail-on", "never"],
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2 and "cannot be read (permission denied)" in result.stderr
