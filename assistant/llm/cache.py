"""A content-addressed on-disk cache of LLM completions.

Re-running a draft or an eval with the same facts and prompts should cost nothing and give
the same answer, so identical requests are answered from disk. The key is a hash of what
was sent (server, model, messages, parameters) and never includes the API key; entries are
written atomically so an interrupted run can never leave a half-written entry behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
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


def cache_key(*, base_url: str, model: str, messages: list[dict[str, Any]], params: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of the request; equal requests give equal keys."""
    canonical = json.dumps(
        {"base_url": base_url, "model": model, "messages": messages, "params": params},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def entry_path(key: str, root: Path | None = None) -> Path:
    """Where an entry lives: two-level fan-out keeps folders small."""
    return (root or cache_dir()) / "completions" / key[:2] / f"{key}.json"


def load(key: str, root: Path | None = None) -> dict[str, Any] | None:
    """The cached entry for `key`, or None (a corrupt entry counts as a miss)."""
    path = entry_path(key, root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(key: str, data: dict[str, Any], root: Path | None = None) -> Path | None:
    """Write an entry atomically (temp file + rename); a cache that cannot be written is skipped."""
    path = entry_path(key, root)
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
