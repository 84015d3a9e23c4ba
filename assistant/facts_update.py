"""Updating a facts file in place, keeping the person's comments (`draft --resume`).

A resumed file may carry notes its author wrote beside the answers; writing a fresh file would
lose them. ruamel.yaml's round trip keeps comments, key order and quoting of what did not change;
only the answers are replaced, keys that were cleared are removed and new ones are added at the
end of their table. The INCOMPLETE header of a partial file gives way to the complete header.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.textio import read_text

# The first lines of a partial file and of a complete one (questions_{en,zh}.yaml), in either language.
_HEADER_LINES = ("# INCOMPLETE delaynote facts", "# Finish it with:", "# 未完成的 delaynote 事实文件",
                 "# 继续填写：", "# delaynote facts, answered on", "# delaynote 事实文件，回答于")


def is_partial(path: Path) -> bool:
    """Whether `path` starts with the INCOMPLETE header the interactive flow writes."""
    try:
        with path.open(encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith(_HEADER_LINES[:1]) or first.startswith(_HEADER_LINES[2:3])


def _without_header(text: str) -> str:
    lines = text.split("\n")
    while lines and lines[0].startswith(_HEADER_LINES):
        lines.pop(0)
    return "\n".join(lines)


def _merge(node: Any, new: Any) -> Any:
    """`new` written over the round-trip `node`, reusing its containers (and so their comments)."""
    if isinstance(new, dict) and hasattr(node, "items") and hasattr(node, "ca"):
        for key in [k for k in node if k not in new]:
            del node[key]
        for order, (key, value) in enumerate(new.items()):
            if key in node:
                node[key] = _merge(node[key], value)
                continue
            before = [k for k in list(new)[:order] if k in node]  # a new key goes where the facts order puts it
            node.insert(list(node).index(before[-1]) + 1 if before else 0, key, value)
        return node
    if isinstance(new, list) and isinstance(node, list) and hasattr(node, "ca"):
        for i, value in enumerate(new):
            if i < len(node):
                node[i] = _merge(node[i], value)
            else:
                node.append(value)
        del node[len(new):]
        return node
    if not isinstance(new, dict | list) and (node == new or (isinstance(node, date) and node.isoformat() == new)):
        return node  # unchanged: keep it exactly as written
    return new


def update_in_place(path: Path, data: dict[str, Any], header: str) -> None:
    """Replace the answers in `path` with `data`, keeping comments; `header` (comment lines)
    replaces an INCOMPLETE or older header of ours (a file without one gets none). JSON stays JSON.
    Written atomically."""
    text = read_text(path)
    if text.lstrip().startswith("{"):
        content = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        from ruamel.yaml import YAML

        yaml = YAML()  # round trip
        yaml.preserve_quotes = True
        yaml.width = 100
        yaml.allow_unicode = True
        body = _without_header(text)
        if body == text:  # the person's own file: its top is theirs, no header of ours is added
            header = ""
        try:
            tree = yaml.load(body)
        except Exception as exc:  # the file changed under us; the caller reports one sentence
            raise InputError(f"{path} can no longer be read as YAML ({type(exc).__name__}); "
                             "the answers were not written back") from None
        tree = _merge(tree, data) if tree is not None else data
        out = io.StringIO()
        yaml.dump(tree, out)
        content = header + out.getvalue()
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(temp, path)
    except OSError as exc:
        raise InputError(f"{path} cannot be updated: {exc.strerror}") from None
