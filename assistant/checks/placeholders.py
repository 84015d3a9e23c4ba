"""Template slots: `{new_date}`, `{{ cause }}`, `[new date]`, `<reason>`, `【新日期】`, `XX月XX日`, `___`.

Templates are first-class: a slot stands for the element its words name (a date slot is a
date, a reason slot is a cause), and its inside is never read as jargon or a bad date. The
words that classify a slot live in `data/placeholders.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant.checks.datafiles import read_data
from assistant.checks.lazyre import LazyPattern

# (a string every match contains, or None; the pattern): a pattern whose string is absent from
# the text is neither compiled nor run, and most notices hold no braces, brackets or 月.
_SLOT_PATTERNS: tuple[tuple[str | None, LazyPattern], ...] = (
    ("{{", LazyPattern(r"\{\{-?\s*(?P<w>[^{}\n]{1,80}?)\s*-?\}\}")),
    ("{", LazyPattern(r"\{(?P<w>[A-Za-z_\u4e00-\u9fff][^{}\n]{0,60})\}")),
    ("${", LazyPattern(r"\$\{(?P<w>[A-Za-z_][\w.]{0,60})\}")),
    ("【", LazyPattern(r"【(?P<w>[^【】\n]{1,40})】")),
    ("[", LazyPattern(r"\[(?P<w>[^\[\]\n]{2,80})\]")),
    ("<", LazyPattern(r"<(?P<w>[A-Za-z\u4e00-\u9fff][^<>\n]{0,80})>")),
    (None, LazyPattern(r"(?P<w>(?:YYYY|yyyy|XXXX|xxxx)\s*[-/.年]\s*(?:MM|mm|XX|xx)\s*[-/.月]\s*(?:DD|dd|XX|xx)\s*日?)")),
    (None, LazyPattern(r"(?P<w>(?:DD|dd)\s*[/.]\s*(?:MM|mm)(?:\s*[/.]\s*(?:YYYY|yyyy|YY|yy))?)")),
    ("月", LazyPattern(r"(?P<w>(?<![_＿])(?:XX|xx|X|x|××|×|＿{1,6}|_{2,6}|\?{1,2}|？{1,2}|[Nn]) ?月 ?"
                      r"(?:XX|xx|X|x|××|×|＿{1,6}|_{2,6}|\?{1,2}|？{1,2}|[Nn]) ?[日号])")),
    (None, LazyPattern(r"(?P<w>(?<!_)_{3,}|(?<!＿)＿{2,}|(?<!\.)\.{5,}|(?<!…)…{3,})")),
)
_TOKEN = LazyPattern(r"[A-Za-z]+|[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Slot:
    start: int
    end: int
    text: str
    kinds: frozenset[str]

    def is_date(self) -> bool:
        return bool(self.kinds & {"date", "new_date", "original_date"})


@cache
def _keywords() -> dict[str, tuple[str, ...]]:
    data = read_data("placeholders.yaml") or {}
    return {kind: tuple(str(w).lower() for w in words) for kind, words in data.items()}


def classify(words: str) -> frozenset[str]:
    """The element(s) a slot's words name; English words match whole tokens (`next_update`
    is an update, not a date), Chinese words match as substrings."""
    lowered = words.lower()
    tokens = set(_TOKEN.findall(lowered.replace("_", " ")))
    joined = " ".join(_TOKEN.findall(lowered.replace("_", " ")))
    kinds = set()
    for kind, keys in _keywords().items():
        for key in keys:
            if key.isascii():
                if (" " in key and f" {key} " in f" {joined} ") or key in tokens:
                    kinds.add(kind)
                    break
            elif key in lowered:
                kinds.add(kind)
                break
    if "new_date" in kinds or "original_date" in kinds:
        kinds.add("date")
    return frozenset(kinds or {"generic"})


def find_slots(masked: str, original: str) -> list[Slot]:
    """Slots in the masked text (so code and link targets are not slots), non-overlapping."""
    found: list[Slot] = []
    taken: list[tuple[int, int]] = []
    for index, (needle, rx) in enumerate(_SLOT_PATTERNS):
        if needle is not None and needle not in masked:
            continue
        for m in rx.finditer(masked):
            s, e = m.start(), m.end()
            if any(s < te and e > ts for ts, te in taken):
                continue
            words = m.group("w")
            if index == 4:  # [text]: not a Markdown link, checkbox or footnote
                after = original[e:e + 1]
                if after in ("(", "[", ":") or not re.search(r"[A-Za-z\u4e00-\u9fff]{2}", words):
                    continue
            if index == 5 and not re.search(r"[A-Za-z\u4e00-\u9fff]{2}", words):
                continue
            if index >= 6:
                kinds = frozenset({"date"}) if index < 9 else _blank_kind(masked, s)
            else:
                kinds = classify(words)
            found.append(Slot(s, e, original[s:e], kinds))
            taken.append((s, e))
    return sorted(found, key=lambda slot: slot.start)


def _blank_kind(masked: str, start: int) -> frozenset[str]:
    """A bare blank (`New date: ___`) stands for what the words just before it name."""
    line_start = masked.rfind("\n", max(0, start - 40), start) + 1
    before = masked[max(line_start, start - 40):start]
    kinds = classify(before)
    return kinds
