"""The phrase matcher behind every lexicon category (`lexicon.Matcher`), in place of `re` alternations.

Why: `re` compiles one big case-insensitive alternation slowly (over a second for the English
lexicon, paid on every `delaynote check` process) and scans it slowly (every alternative is tried
at every position, because each starts with a lookbehind): a 2 MB file took minutes.

How: one character trie per phrase list. A regex built from the trie (literal first characters,
no lookarounds, on an ASCII-lower-cased copy of the text) finds the positions where some phrase
could start, in C; only there a short walk down the trie finds the phrases that match, and the
first in the original priority (longest first) whose word-boundary and plural rules hold wins.
The result is the same as the alternation's, match for match (test_phrasematch compares them), except for
two exotic characters `re.IGNORECASE` folds onto ASCII (the Kelvin sign and the long s).
Work is linear in the text: a trie walk is bounded by the longest phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_END = ""  # trie key marking the end of a phrase; phrase characters are never empty
_SPACE = " "  # a phrase's space matches any run of whitespace, as `\s+` does
_TAILS = ("es", "s", "")
_MAXPOS = 2**63 - 1
PREFIX_DEPTH = 6


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


def _build_trie(phrases: list[str]) -> dict[str, Any]:
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[_END] = phrase
    return trie


def _token(ch: str) -> str:
    return r"\s+" if ch == _SPACE else re.escape(ch)


def _candidate_regex(node: dict[str, Any], depth: int = PREFIX_DEPTH) -> str:
    """A pattern true where some phrase may start: the trie cut at `depth` characters (the walk in
    `_match_at` confirms), or at a phrase end. A shallow trie compiles fast and still skips fast."""
    alternatives = []
    for ch in sorted(k for k in node if k != _END):
        piece, child, left = _token(ch), node[ch], depth - 1
        while left > 0 and _END not in child and len(child) == 1:  # compress single-child chains
            (nxt, child), = child.items()
            piece += _token(nxt)
            left -= 1
        done = _END in child or left <= 0
        alternatives.append(piece if done else piece + _candidate_regex(child, left))
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


class PhrasePattern:
    """Behaves like the compiled alternation for `search` and `finditer` (with pos/endpos)."""

    def __init__(self, phrases: list[str]) -> None:
        ordered = sorted(phrases, key=lambda p: (-len(p), p))  # the alternation's priority
        self._rank = {p: i for i, p in enumerate(ordered)}
        self._trie = _build_trie(ordered)
        self._candidates = re.compile(_candidate_regex(self._trie)) if ordered else None

    def finditer(self, string: str, pos: int = 0, endpos: int = _MAXPOS) -> Iterator[PhraseMatch]:
        if self._candidates is None:
            return
        pos = max(pos, 0)
        end = min(endpos, len(string))
        if pos >= end:
            return
        low = string[pos:end].translate(_ASCII_LOWER)
        i = 0
        while True:
            candidate = self._candidates.search(low, i)
            if candidate is None:
                return
            start = candidate.start()
            stop = self._match_at(string, low, pos, start)
            if stop is None:
                i = start + 1
                continue
            yield PhraseMatch(string, pos + start, pos + stop)
            i = stop

    def search(self, string: str, pos: int = 0, endpos: int = _MAXPOS) -> PhraseMatch | None:
        return next(self.finditer(string, pos, endpos), None)

    def _match_at(self, string: str, low: str, offset: int, start: int) -> int | None:
        """End of the highest-priority phrase matching at `start` in the window `low`, or None."""
        found: list[tuple[int, str, int]] = []
        node, j, n = self._trie, start, len(low)
        while True:
            if _END in node:
                phrase = node[_END]
                found.append((self._rank[phrase], phrase, j))
            if j >= n:
                break
            ch = low[j]
            if ch.isspace():
                node = node.get(_SPACE)
                if node is None:
                    break
                while j < n and low[j].isspace():
                    j += 1
                continue
            node = node.get(ch)
            if node is None:
                break
            j += 1
        absolute = offset + start
        before_is_letter = absolute > 0 and _letter(string[absolute - 1])
        for _, phrase, body_end in sorted(found):
            if _letter(phrase[0]) and before_is_letter:
                continue
            if not _letter(phrase[-1]):
                return body_end
            for tail in _TAILS:
                stop = body_end + len(tail)
                if low.startswith(tail, body_end) and (stop >= n or not _letter(low[stop])):
                    return stop
        return None


def compile_phrase_pattern(phrases: list[str]) -> PhrasePattern | None:
    """For normalised (lower-case, single-spaced) phrases: the pattern, or None when there are none."""
    return PhrasePattern(list(phrases)) if phrases else None
