"""The phrase matcher behind every lexicon category (`lexicon.Matcher`), in place of `re` alternations.

Why: `re` compiles a big alternation in pure Python (over a second for the English lexicon,
paid by every `delaynote check` process) and scans it slowly (every alternative is tried at
every position). An Aho-Corasick automaton (`pyahocorasick`, in C) is built in about a
millisecond and finds every occurrence of every phrase in one pass, linear in the text.

How: the text is ASCII-lower-cased and each whitespace run becomes one space (a phrase's space
matches any run, as `\\s+` does); the automaton lists every occurrence once per text. A query
(`finditer` / `search`, with re's pos and endpos) then keeps, from the left, the first
occurrence in the original priority (longest phrase first) whose word-boundary and plural rules
hold inside the window, exactly as the alternation did (test_phrasematch compares them), except
for two exotic characters `re.IGNORECASE` folds onto ASCII (the Kelvin sign and the long s).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_TAILS = ("es", "s", "")
_MAXPOS = 2**63 - 1
_RUN = re.compile(r"\s+")
_LONG_RUN = re.compile(r"\s{2,}")


def _letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


@dataclass(frozen=True)
class PhraseMatch:
    """The parts of `re.Match` the checks use."""

    string: str
    _start: int
    _end: int

    def start(self, group: int = 0) -> int:
        return self._start

    def end(self, group: int = 0) -> int:
        return self._end

    def span(self, group: int = 0) -> tuple[int, int]:
        return self._start, self._end

    def group(self, group: int = 0) -> str:
        return self.string[self._start:self._end]


@dataclass(frozen=True)
class _Folded:
    """A text as the automaton reads it, and the way back to the text's own offsets."""

    low: str  # ASCII-lower-cased, same length as the text
    norm: str  # `low` with each whitespace run as one space
    breaks: list[int]  # offsets in `norm` after which the shift grows ...
    shifts: list[int]  # ... to this many characters

    def original(self, offset: int) -> int:
        return offset + self.shifts[bisect_right(self.breaks, offset) - 1]


@lru_cache(maxsize=4)
def _fold(string: str) -> _Folded:
    """Shared by every category that scans the same text (a check scans one text 20-odd times)."""
    low = string.translate(_ASCII_LOWER)
    breaks, shifts, shift = [0], [0], 0
    for run in _LONG_RUN.finditer(low):  # the run becomes one space at run.start() - shift
        breaks.append(run.start() - shift + 1)
        shift += run.end() - run.start() - 1
        shifts.append(shift)
    return _Folded(low, _RUN.sub(" ", low), breaks, shifts)


class PhrasePattern:
    """Behaves like the compiled alternation for `search` and `finditer` (with pos/endpos)."""

    def __init__(self, phrases: list[str]) -> None:
        ordered = sorted(set(phrases), key=lambda p: (-len(p), p))  # the alternation's priority
        self._automaton = ahocorasick.Automaton()
        for rank, phrase in enumerate(ordered):
            self._automaton.add_word(phrase, (rank, phrase))
        self._automaton.make_automaton()
        # The last text's occurrences; one tuple, so threads sharing a pattern never see half of it.
        self._last: tuple[str, _Folded, list[int], list[tuple[int, int, int, str]]] | None = None

    def _occurrences(self, string: str) -> tuple[_Folded, list[int], list[tuple[int, int, int, str]]]:
        """Every occurrence as (start, rank, body end, phrase) in the text's offsets, by start then rank."""
        last = self._last
        if last is not None and last[0] is string:
            return last[1], last[2], last[3]
        folded = _fold(string)
        found = []
        for end, (rank, phrase) in self._automaton.iter(folded.norm):
            found.append((folded.original(end - len(phrase) + 1), rank, folded.original(end) + 1, phrase))
        found.sort()
        starts = [item[0] for item in found]
        self._last = (string, folded, starts, found)
        return folded, starts, found

    def finditer(self, string: str, pos: int = 0, endpos: int = _MAXPOS) -> Iterator[PhraseMatch]:
        pos = max(pos, 0)
        end = min(endpos, len(string))
        if pos >= end:
            return
        folded, starts, found = self._occurrences(string)
        i = bisect_left(starts, pos)
        while i < len(found) and found[i][0] < end:
            start = found[i][0]
            stop = None
            while i < len(found) and found[i][0] == start:
                if stop is None:
                    stop = _accept(found[i], string, folded.low, end)
                i += 1
            if stop is not None:
                yield PhraseMatch(string, start, stop)
                i = bisect_left(starts, stop, i)

    def search(self, string: str, pos: int = 0, endpos: int = _MAXPOS) -> PhraseMatch | None:
        return next(self.finditer(string, pos, endpos), None)


def _accept(item: tuple[int, int, int, str], string: str, low: str, end: int) -> int | None:
    """Where the match of this occurrence ends inside a window ending at `end`, or None when a
    word-boundary rule fails: no letter before an English phrase; after one, a non-letter or
    the window's end, optionally after a plural s/es."""
    start, _, body_end, phrase = item
    if body_end > end or _letter(phrase[0]) and start > 0 and _letter(string[start - 1]):
        return None
    if not _letter(phrase[-1]):
        return body_end
    for tail in _TAILS:
        stop = body_end + len(tail)
        if stop <= end and low.startswith(tail, body_end) and (stop >= end or not _letter(low[stop])):
            return stop
    return None


def compile_phrase_pattern(phrases: list[str]) -> PhrasePattern | None:
    """For normalised (lower-case, single-spaced) phrases: the pattern, or None when there are none."""
    return PhrasePattern(list(phrases)) if phrases else None
