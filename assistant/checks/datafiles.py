"""The checker's data files (`data/**/*.yaml`), parsed once per release and kept as JSON.

Why: importing PyYAML and parsing about 170 KB of phrase lists was a fifth of a one-file
`delaynote check`, paid again by every process. The parsed files are saved together as one
JSON file in the user cache (`json` is in C and needs no import cost), named by a hash of every
data file's path and bytes: an edited phrase list or a new release gets a new name, so a stale
copy is never read. A missing, corrupt or unwritable cache only costs the parse.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

# Bump when what is stored changes shape (not when a data file changes: the hash sees that).
FORMAT = "1"


def read_data(*parts: str) -> Any:
    """A YAML file under `data/` (e.g. `read_data("en", "cues.yaml")`), parsed; None when absent.
    The one reader of the checker's data files (catalogue, messages, placeholders, phrase lists)."""
    return snapshot().get("/".join(parts))


def _data_files(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            found.update(_data_files(entry, name + "/"))
        elif entry.name.endswith(".yaml"):
            found[name] = entry.read_bytes()
    return found


def fingerprint(raw: dict[str, bytes]) -> str:
    """sha256 over FORMAT and every file's name and bytes, in name order."""
    digest = hashlib.sha256(FORMAT.encode())
    for name in sorted(raw):
        digest.update(f"\0{name}\0{len(raw[name])}\0".encode())
        digest.update(raw[name])
    return digest.hexdigest()


def parse(raw: dict[str, bytes]) -> dict[str, Any]:
    """Every file parsed with PyYAML (its C loader when built with libyaml)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {name: yaml.load(data.decode("utf-8"), Loader=loader) for name, data in raw.items()}


@cache
def snapshot() -> dict[str, Any]:
    """Relative path -> parsed content of every data file: from the cache when it holds this
    exact set of files, else parsed and saved there (only when JSON gives back the same values,
    so a YAML date or number key could never come back changed)."""
    from assistant.usercache import cache_dir, read_json, write_json

    raw = _data_files(files("assistant.checks").joinpath("data"))
    path = cache_dir() / "checker" / f"data-{fingerprint(raw)[:32]}.json"
    cached = read_json(path)
    if isinstance(cached, dict) and set(cached) == set(raw):
        return cached
    parsed = parse(raw)
    if json.loads(json.dumps(parsed)) == parsed:
        write_json(path, parsed)
    return parsed
