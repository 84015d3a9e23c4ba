"""The terminal report's words in a file's language (`report-*` keys of `data/<lang>/messages.yaml`).

Why: a Chinese draft's findings are in Chinese, so the labels around them ("warning", "3 errors in
1 file", "still to fix by hand") must be too; the words are data, like every other text of the
checker. Machine formats (json, sarif, junit, github) never use these: they stay English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistant.checks.datafiles import read_data

SEVERITIES = ("error", "warning", "info")


def label(lang: str, key: str, **fields: Any) -> str:
    """The `report-<key>` text in `lang` (English when the language has no such key)."""
    data = read_data(lang, "messages.yaml") or {}
    text = data.get(f"report-{key}") or read_data("en", "messages.yaml")[f"report-{key}"]
    return text.format(**fields)


def count(lang: str, kind: str, n: int) -> str:
    """'1 error' / '2 errors' / '2 条错误': the `-one` form for exactly one, where the language has one."""
    data = read_data(lang, "messages.yaml") or {}
    key = f"count-{kind}-one" if n == 1 and f"report-count-{kind}-one" in data else f"count-{kind}"
    return label(lang, key, n=n)


def counts(lang: str, numbers: Mapping[str, int], kinds: Iterable[str] = SEVERITIES) -> str:
    """'3 errors, 1 warning, 0 info' / '3 条错误，1 条警告，0 条提示' for the given kinds, in order."""
    return label(lang, "separator").join(count(lang, kind, numbers[kind]) for kind in kinds)


def severity(lang: str, name: str) -> str:
    return label(lang, f"severity-{name}")


def severity_width(lang: str) -> int:
    """Columns of the widest severity label, so a column of them lines up (Chinese counts two)."""
    from assistant.wrap import text_width

    return max(text_width(severity(lang, s)) for s in SEVERITIES)


def padded_severity(lang: str, name: str) -> str:
    """The severity label padded with spaces to `severity_width` columns."""
    from assistant.wrap import text_width

    word = severity(lang, name)
    return word + " " * (severity_width(lang) - text_width(word))


def report_language(languages: Iterable[str], preferred: str | None) -> str:
    """The language of a report's summary: the files' one language when they share it, else the
    config/CLI language when it names one, else English."""
    found = set(languages)
    if len(found) == 1:
        return found.pop()
    return preferred if preferred in ("en", "zh") else "en"
