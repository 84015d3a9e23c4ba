"""The user cache folder and the atomic JSON files kept in it.

Two things live there: LLM completions (`assistant.llm.cache`) and the checker's parsed data
files (`assistant.checks.datafiles`). Both are only ever a shortcut: a file that cannot be read
counts as a miss, and a folder that cannot be written is skipped without a word.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ENV_VAR = "DELAYNOTE_CACHE_DIR"


def cache_dir(env: dict[str, str] | None = None) -> Path:
    """`$DELAYNOTE_CACHE_DIR`, else the user cache dir (`$XDG_CACHE_HOME/delaynote` on Linux)."""
    env = dict(os.environ) if env is None else env
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("delaynote"))


def read_json(path: Path) -> Any:
    """The JSON value in `path`, or None when it is missing, unreadable or corrupt."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> Path | None:
    """Write atomically (temp file + rename), so a reader never sees half a file; None if it can't."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return path
