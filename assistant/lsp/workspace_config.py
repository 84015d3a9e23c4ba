"""The settings a document is checked with: the nearest delaynote.toml / pyproject.toml above it.

The same lookup as `delaynote check` run from the document's folder, cached by the config file's
path and modification time, so an edit to the file is honoured on the next check even when the
editor does not report watched files, and an unchanged file is parsed once.
"""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings, load_settings
from assistant.errors import InputError

CONFIG_NAMES = ("delaynote.toml", "pyproject.toml")


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Every candidate config file from `folder` upward, with its mtime and size."""
    out = []
    for parent in [folder, *folder.parents]:
        for name in CONFIG_NAMES:
            candidate = parent / name
            try:
                st = candidate.stat()
            except OSError:
                continue
            out.append((str(candidate), st.st_mtime_ns, st.st_size))
    return tuple(out)


class ConfigCache:
    """Settings per folder; `problem` holds the sentence when the config file is not valid."""

    def __init__(self, fallback: Path | None = None) -> None:
        self.fallback = fallback  # the workspace root, for untitled documents
        self._cache: dict[Path, tuple[tuple, Settings, str | None]] = {}

    def clear(self) -> None:
        self._cache.clear()

    def settings_for(self, path: str | None) -> tuple[Settings, str | None]:
        """(settings, problem): a bad config file gives the defaults and one sentence naming it."""
        folder = Path(path).parent if path else (self.fallback or Path.cwd())
        stamp = _stamp(folder)
        cached = self._cache.get(folder)
        if cached and cached[0] == stamp:
            return cached[1], cached[2]
        try:
            settings, problem = load_settings(cwd=folder, env={}), None
        except InputError as exc:
            details = "; ".join(exc.details)
            settings, problem = Settings(), exc.message + (f": {details}" if details else "")
        self._cache[folder] = (stamp, settings, problem)
        return settings, problem
