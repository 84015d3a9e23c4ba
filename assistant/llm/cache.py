"""A content-addressed on-disk cache of LLM completions.

Re-running a draft or an eval with the same facts and prompts should cost nothing and give
the same answer, so identical requests are answered from disk. The key is a hash of what
was sent (server, model, messages, parameters) and never includes the API key; entries are
written atomically so an interrupted run can never leave a half-written entry behind.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from assistant.usercache import ENV_VAR, cache_dir, read_json, write_json

__all__ = ["ENV_VAR", "cache_dir", "cache_key", "entry_path", "load", "store"]


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
    data = read_json(entry_path(key, root))
    return data if isinstance(data, dict) else None


def store(key: str, data: dict[str, Any], root: Path | None = None) -> Path | None:
    """Write an entry atomically; a cache that cannot be written is skipped."""
    return write_json(entry_path(key, root), data)
