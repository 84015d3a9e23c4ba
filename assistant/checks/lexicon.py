"""Phrase lists per language (`data/{lang}/*.yaml`), compiled once into linear matchers.

Entries are literal phrases (see `data/README.md`): each category becomes one Aho-Corasick
matcher (`phrasematch`), longest phrase first. English is case-insensitive, never matches after or
before an ASCII letter (Python's `\\b` fails next to CJK) and accepts a plural s/es; Chinese
matches plain substrings. No entry can add a quantifier, so matching stays linear in the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from assistant.checks.datafiles import read_data
from assistant.checks.phrasematch import PhrasePattern, compile_phrase_pattern

PHRASE_FILES = ("jargon", "vague_time", "hedges", "blame", "overpromise", "apology", "passive")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    phrase: str  # the lexicon entry that matched (lower-cased key)
    suggestion: str | None


@dataclass(frozen=True)
class Matcher:
    """One category's entry -> suggestion map and its matcher (see `phrasematch`: phrases starting
    with an ASCII letter never match after a letter, so 'API' never inside 'rapid'; English ones
    take a plural s/es; Chinese ones match as substrings). The matcher is built on first use:
    many a notice never reaches some categories (the rules ask for a cue only when an earlier
    test needs it)."""

    entries: dict[str, str | None] = field(default_factory=dict)

    @cached_property
    def pattern(self) -> PhrasePattern | None:
        return compile_phrase_pattern(list(self.entries))

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
        return self.matchers.get(name, Matcher())


def _normalise(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def _read(language: str, name: str) -> Any:
    return read_data(language, f"{name}.yaml")


def _as_entries(data: Any) -> dict[str, str | None]:
    if isinstance(data, dict):
        return {_normalise(str(k)): (str(v) if v is not None else None) for k, v in data.items() if str(k).strip()}
    if isinstance(data, list):  # `- done:` parses as a mapping; read it as the phrase "done:"
        items = [f"{next(iter(k))}:" if isinstance(k, dict) and len(k) == 1 else k for k in data]
        return {_normalise(str(k)): None for k in items if str(k).strip()}
    return {}


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
        matchers[name] = Matcher(entries)
    cues = _read(language, "cues") or {}
    if isinstance(cues, dict):
        for kind, phrases in cues.items():
            matchers[f"cue:{kind}"] = Matcher(_as_entries(phrases))
    return Lexicon(language, matchers)


def lexicon_for(language: str, accept: list[str] | None = None, reject: list[str] | None = None) -> Lexicon:
    """Cached by language and vocabulary, so thousands of files share one compiled set."""
    return load_lexicon(language, tuple(sorted(set(accept or ()))), tuple(sorted(set(reject or ()))))
