"""The guards' data (cue words and sentences per language, `assistant/data/guards/<lang>.yaml`)
and the two ways they report: a finding at a span of the text, or one about something absent."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from assistant.findings import Finding

DATA = Path(__file__).resolve().parent.parent / "data" / "guards"
PLACEHOLDER = "placeholder"  # an extra check id (README): only draft and rewrite output fire it


@cache
def guard_data(lang: str) -> dict[str, Any]:
    """The cue lists and messages of one language (lower-cased cues)."""
    data = yaml.safe_load((DATA / f"{'zh' if lang == 'zh' else 'en'}.yaml").read_text(encoding="utf-8"))
    for key in ("preface", "commentary", "note", "signoff", "not_names", "placeholder_words"):
        data[key] = tuple(str(w).lower() for w in data.get(key) or ())
    return data


def msg(lang: str, key: str, **values: object) -> str:
    return str(guard_data(lang)["messages"][key]).format(**values)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def finding_at(text: str, start: int, end: int, check: str, message: str, suggestion: str | None,
        severity: str = "error") -> Finding:
    line, column = _position(text, start)
    end_line, end_column = _position(text, end)
    principle = "accuracy" if check in (PLACEHOLDER, "fact-mismatch") else "transparency"
    return Finding(check=check, principle=principle, severity=severity, line=line, column=column,
                   end_line=end_line, end_column=end_column, text=text[start:end], message=message,
                   suggestion=suggestion)


def absent(check: str, principle: str, message: str, suggestion: str | None, severity: str = "error") -> Finding:
    return Finding(check=check, principle=principle, severity=severity, message=message, suggestion=suggestion)
