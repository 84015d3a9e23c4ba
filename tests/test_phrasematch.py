"""The fast phrase matcher gives exactly the matches of the plain regex alternation it replaced.

The reference alternation is built here, independently of the product, so the comparison
fails if the matcher drifts from the documented matching rules (data/README.md)."""

from __future__ import annotations

import random
import re

import pytest

from assistant.checks.lexicon import PHRASE_FILES, _as_entries, _read
from assistant.checks.phrasematch import compile_phrase_pattern


def reference_alternation(phrases: list[str]) -> re.Pattern[str]:
    """The matching rules as one `re` alternation: longest phrase first, case-insensitive, a
    space matches any whitespace run, no letter before an English phrase, plural s/es after it."""

    def letter(ch: str) -> bool:
        return ch.isascii() and ch.isalpha()

    def piece(phrase: str) -> str:
        body = r"\s+".join(re.escape(word) for word in phrase.split(" "))
        if letter(phrase[0]):
            body = r"(?<![A-Za-z])" + body
        if letter(phrase[-1]):
            body += r"(?:es|s)?(?![A-Za-z])"
        return body

    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    return re.compile("|".join(piece(p) for p in ordered), re.IGNORECASE)


def spans(pattern, text: str, *window: int) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text, *window)]


def categories(lang: str) -> dict[str, dict[str, str | None]]:
    cats = {name: _as_entries(_read(lang, name)) for name in PHRASE_FILES}
    for kind, phrases in (_read(lang, "cues") or {}).items():
        cats[f"cue:{kind}"] = _as_entries(phrases)
    return {name: entries for name, entries in cats.items() if entries}


def mangled(phrases: list[str], rnd: random.Random, count: int = 25) -> str:
    """Phrases in random case, with line breaks, glued letters, plurals and CJK around them."""
    parts = []
    for _ in range(count):
        phrase = "".join(ch.upper() if rnd.random() < 0.3 else ch for ch in rnd.choice(phrases))
        phrase = phrase.replace(" ", rnd.choice([" ", "  ", "\n", " \t "]))
        parts.append(rnd.choice(["", "x", "1", "(", "我", "A"]) + phrase
                     + rnd.choice(["", "s", "es", "ES", "x", ".", "es我", "ing", " "]))
    return rnd.choice([" ", "", "a", "，"]).join(parts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_same_matches_as_the_alternation_on_the_real_lexicons(lang: str) -> None:
    rnd = random.Random(7)
    for name, entries in categories(lang).items():
        old = reference_alternation(list(entries))
        new = compile_phrase_pattern(list(entries))
        assert old is not None and new is not None
        for _ in range(4):
            text = mangled(list(entries), rnd)
            assert spans(new, text) == spans(old, text), name
            for _ in range(4):
                start = rnd.randrange(len(text) + 1)
                end = rnd.randrange(start, len(text) + 1)
                assert spans(new, text, start, end) == spans(old, text, start, end), (name, start, end)
                a, b = old.search(text, start, end), new.search(text, start, end)
                assert (a and a.span()) == (b and b.span()), (name, start, end)


def test_semantics_that_the_checks_rely_on() -> None:
    pattern = compile_phrase_pattern(["soon", "as soon as possible", "api", "尽快", "100%"])
    assert pattern is not None
    text = "We will fix the APIs as soon\nas possible, not soonish; 尽快 and 100% x2100%"
    found = [text[a:b] for a, b in spans(pattern, text)]
    assert found == ["APIs", "as soon\nas possible", "尽快", "100%", "100%"]
    assert spans(pattern, "rapid api") == [(6, 9)]  # 'api' inside 'rapid' is not a word
    assert pattern.search("xapi", 1) is None  # the boundary looks before pos, as re does
    assert pattern.search("apix", 0, 3) is not None  # ... and endpos ends the text
    assert compile_phrase_pattern([]) is None
