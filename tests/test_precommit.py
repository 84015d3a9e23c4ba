"""The real `pre-commit try-repo` of this repository on a temporary git repository.

Marked slow (pre-commit builds a virtualenv and installs delaynote into it, a minute or more):
the default run skips it, and .ci/run runs it after the main suite with `pytest -m slow`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
pytestmark = pytest.mark.slow

FAILING = "Hi,\n\nThe project is delayed due to issues on the client side. We will deliver ASAP.\n"


def _passing() -> str:
    sys.path.insert(0, str(BENCH))
    try:
        from check_speed import NOTICE  # an ordinary good notice: no error-level finding
    finally:
        sys.path.remove(str(BENCH))
    return NOTICE


def _git(cwd: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs git and a clone")
def test_pre_commit_try_repo_fails_the_bad_notice_and_passes_the_good(tmp_path: Path) -> None:
    repo = tmp_path / "notices"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"), "NO_COLOR": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}
    env.pop("OPENAI_API_KEY", None)
    _git(repo, "init", "-q", env=env)
    (repo / "late.md").write_text(FAILING, encoding="utf-8")
    (repo / "good.txt").write_text(_passing(), encoding="utf-8")
    (repo / "script.py").write_text("print('not a notice: the hook must not read me')\n", encoding="utf-8")
    _git(repo, "add", ".", env=env)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "delaynote-check", "--files", *files]
        return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False)

    both = try_repo("late.md", "good.txt", "script.py")
    out = both.stdout + both.stderr
    assert both.returncode == 1, out
    assert "delaynote check" in out and "Failed" in out
    assert "late.md" in out and "missing-new-date" in out and "script.py" not in out.split("delaynote check", 1)[1]
    good = try_repo("good.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
