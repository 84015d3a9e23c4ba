"""Shared test setup: no test may reach a real LLM service or the user's real cache."""

from __future__ import annotations

import pytest

_LLM_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DELAYNOTE_MODEL", "AZURE_OPENAI_API_KEY",
            "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")


@pytest.fixture(autouse=True)
def _isolated_llm_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh LLM cache per test and no provider settings inherited from the machine."""
    monkeypatch.setenv("DELAYNOTE_CACHE_DIR", str(tmp_path_factory.mktemp("llm-cache")))
    for name in _LLM_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DELAYNOTE_HISTORY", raising=False)  # a user's history location must not leak in
    # The locale picks the holiday calendar of an English draft when nothing else does: pin it, so a
    # draft (and a subprocess started by a test) never depends on the machine's locale.
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_TIME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _sigint_handler_restored():
    """The CLI silences a second Ctrl-C while it exits; a test running it in-process must not leave
    the test run (and every process it starts) deaf to Ctrl-C."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)
