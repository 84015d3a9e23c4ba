"""SIGHUP and SIGTERM during the interactive questions save the answers so far, as Ctrl-C does,
then exit 129 / 143 (issue 15, item 3). A real CLI on a pseudo-terminal."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
import yaml
from test_gather import _read_until, _reap


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and a pseudo-terminal")
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_during_the_questions_saves_the_answers(signum: int, code: int, tmp_path: Path) -> None:
    import pty

    save = tmp_path / "answers.yaml"
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "assistant", "draft", "--provider", "offline",
                                   "--save-facts", str(save)], dict(os.environ))
        os._exit(127)
    seen: list[str] = []
    try:
        assert _read_until(fd, "Project name: ", seen), "".join(seen)
        os.write(fd, b"Customer portal\n")
        assert _read_until(fd, "receives the notice", seen), "".join(seen)
        os.write(fd, b"Ms. Chen\n")
        assert _read_until(fd, "Client organisation", seen), "".join(seen)
        for _ in range(3):  # a signal landing between prompt and read takes effect with the next one
            os.kill(pid, signum)
            if save.exists() or _read_until(fd, "--resume", seen, wait=5):
                break
        _read_until(fd, "\x00never", seen, wait=30)
    finally:
        status = _reap(pid)
        os.close(fd)
    out = "".join(seen)
    assert os.waitstatus_to_exitcode(status) == code, out
    assert "Traceback" not in out
    assert yaml.safe_load(save.read_text(encoding="utf-8")) == {
        "language": "en", "project": "Customer portal", "client": {"contact": "Ms. Chen"}}
