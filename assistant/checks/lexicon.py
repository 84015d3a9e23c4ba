"""Phrase lists per language (`data/{lang}/*.yaml`), compiled once into linear matchers.

Entries are literal phrases (see `data/README.md`): each category becomes ONE alternation of
escaped literals, longest first. English is case-insensitive, bounded by ASCII-letter
lookarounds (Python's `\\b` fails next to CJK) and accepts a plural s/es; Chinese matches
plain substrings. No entry can add a quantifier, so matching stays linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PHRASE_FILES = ("jargon", "vague_time", "hedges", "blame", "overpromise", "apology", "passive")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    phrase: str  # the lexicon entry that matched (lower-cased key)
    suggestion: str | None


@dataclass(frozen=True)
class Matcher:
    """One compiled alternation plus the entry -> suggestion map."""

    pattern: re.Pattern[str] | None
    entries: dict[str, str | None] = field(default_factory=dict)

    def finditer(self, text: str) -> Iterator[Hit]:
        if self.pattern is None:
            return
        for m in self.pattern.finditer(text):
            key = _normalise(m.group(0))
            entry = self._lookup(key)
            yield Hit(m.start(), m.end(), m.group(0), entry, self.entries.get(entry))

    def _lookup(self, key: str) -> str:
        if key in self.entries:
            return key
        for cut in ("es", "s"):
            if key.endswith(cut) and key[: -len(cut)] in self.entries:
                return key[: -len(cut)]
        return key

    def search(self, text: str) -> Hit | None:
        return next(self.finditer(text), None)


@dataclass(frozen=True)
class Lexicon:
    """All matchers of one language: phrase files by name, cue kinds as `cue:<kind>`."""

    language: str
    matchers: dict[str, Matcher]

    def get(self, name: str) -> Matcher:
        return self.matchers.get(name, Matcher(None))


def _normalise(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def _read(language: str, name: str) -> Any:
    resource = files("assistant.checks") / "data" / language / f"{name}.yaml"
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return yaml.load(text, Loader=_Loader)


def _as_entries(data: Any) -> dict[str, str | None]:
    if isinstance(data, dict):
        return {_normalise(str(k)): (str(v) if v is not None else None) for k, v in data.items() if str(k).strip()}
    if isinstance(data, list):  # `- done:` parses as a mapping; read it as the phrase "done:"
        items = [f"{next(iter(k))}:" if isinstance(k, dict) and len(k) == 1 else k for k in data]
        return {_normalise(str(k)): None for k in items if str(k).strip()}
    return {}


_TAIL = r"(?:es|s)?(?![A-Za-z])"


def _trie_pattern(phrases: list[str]) -> str:
    """Escaped literals factored into a trie: one alternation that fails at the first character
    instead of trying every phrase at every position (about 40 times faster, still linear).
    Longer continuations are tried before a phrase ends, so the longest phrase wins; a space
    in a phrase matches any run of whitespace (phrases wrap across lines)."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict, last: str) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child, ch)
                    for ch, child in sorted(node.items()) if ch]
        tail = _TAIL if _ASCII_LETTER.match(last) else ""
        if not branches:
            return tail
        alternation = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{alternation}|{tail})" if "" in node else alternation

    return emit(trie, "")


def compile_phrases(entries: dict[str, str | None], language: str) -> Matcher:
    """One case-insensitive pattern per category; phrases starting with an ASCII letter get a
    letter lookbehind ('API' never matches inside 'rapid'); Chinese ones match as substrings."""
    if not entries:
        return Matcher(None, entries)
    lettered = [p for p in entries if _ASCII_LETTER.match(p[0])]
    other = [p for p in entries if not _ASCII_LETTER.match(p[0])]
    parts = []
    if lettered:
        parts.append(r"(?<![A-Za-z])" + _trie_pattern(lettered))
    if other:
        parts.append(_trie_pattern(other))
    return Matcher(re.compile("|".join(parts), re.IGNORECASE), entries)


@lru_cache(maxsize=16)
def load_lexicon(language: str, accept: tuple[str, ...] = (), reject: tuple[str, ...] = ()) -> Lexicon:
    """Build (once per language and vocabulary) every matcher the rules use."""
    matchers: dict[str, Matcher] = {}
    for name in PHRASE_FILES:
        entries = _as_entries(_read(language, name))
        if name == "jargon":
            for term in reject:
                entries.setdefault(_normalise(term), None)
            for term in accept:
                entries.pop(_normalise(term), None)
        matchers[name] = compile_phrases(entries, language)
    cues = _read(language, "cues") or {}
    if isinstance(cues, dict):
        for kind, phrases in cues.items():
            matchers[f"cue:{kind}"] = compile_phrases(_as_entries(phrases), language)
    return Lexicon(language, matchers)


def lexicon_for(language: str, accept: list[str] | None = None, reject: list[str] | None = None) -> Lexicon:
    """Cached by language and vocabulary, so thousands of files share one compiled set."""
    return load_lexicon(language, tuple(sorted(set(accept or ()))), tuple(sorted(set(reject or ()))))
