"""Wrapping output to the terminal: on word boundaries, never inside a number or a Latin word.

A terminal folds an over-long line wherever the column runs out ("announ|ced", "推迟2|1天"), so
text for a terminal is wrapped first. Breaks fall at spaces, or between two Chinese characters;
a run of letters, digits and their joining marks (2027-01-15, x@y.example, 3.5) is never split;
closing punctuation (，。）」) never starts a line and opening punctuation (（「“) never ends one.
Chinese characters take two columns. Text that is not going to a terminal is never wrapped.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import TextIO

_WIDE = frozenset("WF")
_CLOSING = frozenset("，。、；：！？）」』”’》〉】〕…,.;:!?)]}%")
_OPENING = frozenset("（「『“‘《〈【〔([{")
_SPACE = re.compile(r"[ \t]+")
_LIST_ITEM = re.compile(r"^(\s*(?:[-*•·]|\d+[.)、]|[（(]?\d+[）)])\s+)")
MIN_WIDTH = 20  # below this, wrapping only makes things worse


def terminal_width(stream: TextIO | None) -> int | None:
    """The width to wrap to when `stream` is a terminal (COLUMNS wins), else None: never wrap a pipe."""
    if stream is None:
        return None
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return None


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in _WIDE else 0 if unicodedata.combining(ch) else 1


def text_width(text: str) -> int:
    """Columns `text` takes on a terminal (Chinese and full-width characters count two)."""
    return sum(char_width(ch) for ch in text)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in _WIDE and ch not in _CLOSING and ch not in _OPENING


def _atoms(line: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_space) pieces no line break may fall inside: a space run, one wide
    character, or a run of other characters; punctuation sticks to its neighbour."""
    atoms: list[tuple[int, int, bool]] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in " \t":
            m = _SPACE.match(line, i)
            assert m is not None
            atoms.append((i, m.end(), True))
            i = m.end()
            continue
        j = i
        while j < n and line[j] in _OPENING:  # opening punctuation goes with what follows
            j += 1
        if j < n and _is_wide(line[j]):
            j += 1
        else:
            while j < n and line[j] not in " \t" and not _is_wide(line[j]) and not (
                    line[j] in _OPENING and char_width(line[j]) == 2 and j > i):
                j += 1
        while j < n and line[j] in _CLOSING:  # closing punctuation stays with what precedes
            j += 1
        j = max(j, i + 1)
        atoms.append((i, j, False))
        i = j
    return atoms


def _chunks(line: str) -> list[tuple[int, int, bool]]:
    """The atoms merged wherever no break may fall between them: (start, end, is_space)."""
    chunks: list[tuple[int, int, bool]] = []
    for a, b, space in _atoms(line):
        if chunks and not space and not chunks[-1][2] and not _breakable(line, chunks[-1][1], a):
            chunks[-1] = (chunks[-1][0], b, False)
        else:
            chunks.append((a, b, space))
    return chunks


def wrap_spans(line: str, width: int, first: int = 0, rest: int = 0) -> list[tuple[int, int]]:
    """(start, end) offsets of each wrapped line of `line` (no newline in it). `first` columns are
    already used on the first line, `rest` on the others (a hanging indent); spaces at a break go.
    A piece wider than the line stays whole (a long URL) rather than being cut."""
    if width - max(first, rest) < MIN_WIDTH // 2 or text_width(line) + first <= width:
        return [(0, len(line))]
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    used = first
    for a, b, space in _chunks(line):
        w = text_width(line[a:b])
        if space:
            used += w
        elif start is None:
            start, end, used = a, b, used + w
        elif used + w > width:
            spans.append((start, end))
            start, end, used = a, b, rest + w
        else:
            end, used = b, used + w
    if start is not None:
        spans.append((start, end))
    return spans or [(0, len(line))]


def _breakable(line: str, end: int, start: int) -> bool:
    """Two touching atoms may be split when either side is a wide character, except next to a
    digit: 推迟21天 and 2027年1月15日 stay whole, as a number and its unit are read together."""
    left, right = line[end - 1], line[start]
    if left.isdigit() or right.isdigit():
        return False
    return _is_wide(left) or _is_wide(right) or left in _CLOSING or right in _OPENING


def wrap_text(text: str, width: int | None) -> str:
    """Every line of `text` wrapped to `width` columns (None: unchanged). A continued line keeps
    the line's indent, and a list item's continuation lines up with the item's text."""
    if not width:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        bullet = _LIST_ITEM.match(line)
        indent = bullet.group(1) if bullet else line[:len(line) - len(line.lstrip(" "))]
        hang = " " * text_width(indent)
        spans = wrap_spans(line, width, rest=len(hang))
        out.append(line[:spans[0][1]])  # the line's own indent stays
        out += [hang + line[a:b] for a, b in spans[1:]]
    return "\n".join(out)
