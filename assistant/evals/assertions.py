"""The assertions of one eval case, applied to a drafted notice: pure functions of
(text, facts, findings, judge scores), so each can be tested without drafting anything.

Symbols in `must_mention` let a case say "the new date" instead of spelling it, so the same
case holds whichever usual date format a drafter picks (see evals/README.md for the list).
"""

from __future__ import annotations

import re
from datetime import date

from assistant.dates import EN_MONTHS, format_duration
from assistant.evals.suite import Expect
from assistant.facts import Facts

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "the and for with our are was has have this that from into will been its their they them you your "
    "not but all can more than also which who what when out per".split()
)
_MIN_SHARE = 0.6


def normalise(text: str) -> str:
    """Casefold and collapse whitespace, so line wrapping never decides an assertion."""
    return _SPACE.sub(" ", text).strip().casefold()


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def contains(text: str, needle: str) -> bool:
    """`needle` occurs in `text` (both normalised) and is not glued to ASCII letters or digits
    on a side where it starts or ends with one: '1 Dec' is not found in '11 Dec', 'ASAP' not in 'wasapi'."""
    hay, pin = normalise(text), normalise(needle)
    if not pin:
        return True
    start = hay.find(pin)
    while start != -1:
        end = start + len(pin)
        left_ok = start == 0 or not (_is_ascii_alnum(pin[0]) and _is_ascii_alnum(hay[start - 1]))
        right_ok = end == len(hay) or not (_is_ascii_alnum(pin[-1]) and _is_ascii_alnum(hay[end]))
        if left_ok and right_ok:
            return True
        start = hay.find(pin, start + 1)
    return False


def date_forms(d: date, lang: str) -> list[str]:
    """The usual ways to write `d` in the language (with or without year or weekday)."""
    iso = d.isoformat()
    if lang == "zh":
        return [f"{d.year}年{d.month}月{d.day}日", f"{d.month}月{d.day}日", iso]
    month, short = EN_MONTHS[d.month - 1], EN_MONTHS[d.month - 1][:3]
    return [f"{d.day} {month}", f"{month} {d.day}", f"{d.day} {short}", f"{short} {d.day}", iso]


def duration_forms(days: int, lang: str) -> list[str]:
    """The delay said as the drafters say it: exact days, or whole weeks."""
    if lang == "zh":
        return [format_duration(days, lang), f"{days}天", f"{days} 天"]
    return [format_duration(days, lang), f"{days} days", f"{days} calendar days"]


def _cjk_bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _stem(word: str) -> str:
    return word[:5]


def mentions(text: str, item: str) -> bool:
    """`item` (a cause, a mitigation) is carried by `text`: literally, or most of its content words
    (Chinese: character pairs) appear - a drafter may rephrase, but may not drop it."""
    if contains(text, item):
        return True
    bigrams = _cjk_bigrams(item)
    if bigrams:
        have = _cjk_bigrams(text)
        return len(bigrams & have) >= _MIN_SHARE * len(bigrams)
    words = {_stem(w) for w in _WORD.findall(normalise(item)) if len(w) > 2 and w not in _STOP}
    if not words:
        return False
    have = {_stem(w) for w in _WORD.findall(normalise(text))}
    return len(words & have) >= _MIN_SHARE * len(words)


def _mention_failures(text: str, facts: Facts, wanted: str) -> list[str]:
    lang = facts.language
    if wanted in ("$new_date", "$original_date", "$next_update"):
        d = {"$new_date": facts.new_date, "$original_date": facts.original_date,
             "$next_update": facts.next_update}[wanted]
        forms = date_forms(d, lang)
        return [] if any(contains(text, f) for f in forms) else [f"must mention {wanted} ({forms[0]})"]
    if wanted == "$duration":
        forms = duration_forms(facts.delay_days, lang)
        return [] if any(contains(text, f) for f in forms) else [f"must mention $duration ({forms[0]})"]
    if wanted == "$each_cause":
        return [f"must mention cause: {c.summary}" for c in facts.causes if not mentions(text, c.summary)]
    if wanted == "$each_mitigation":
        return [f"must mention mitigation: {m}" for m in facts.mitigations if not mentions(text, m)]
    literal = {"$client": facts.client.contact, "$sender": facts.sender.name, "$project": facts.project}.get(
        wanted, wanted)
    return [] if contains(text, literal) else [f"must mention {wanted if wanted == literal else f'{wanted} ({literal})'}"]


def apply_expectations(
    text: str,
    facts: Facts,
    expect: Expect,
    fired: set[str],
    scores: dict[str, int] | None,
) -> tuple[list[str], list[str]]:
    """Every assertion of `expect` on one notice: (failures, notes). `scores` is None when no
    model could judge, which skips the rubric with a note instead of failing it."""
    failures: list[str] = []
    notes: list[str] = []
    for wanted in expect.must_mention:
        failures += _mention_failures(text, facts, wanted)
    failures += [f"must not contain: {bad}" for bad in expect.must_not_contain if contains(text, bad)]
    failures += [f"check fired: {cid}" for cid in expect.checks_must_not_fire if cid in fired]
    failures += [f"check did not fire: {cid}" for cid in expect.checks_must_fire if cid not in fired]
    size = len(text.strip())  # a trailing newline is layout, not message
    if expect.max_chars is not None and size > expect.max_chars:
        failures.append(f"{size} characters, more than max_chars {expect.max_chars}")
    if expect.rubric:
        if scores is None:
            notes.append("rubric skipped: no model to judge with (offline)")
        else:
            for principle, minimum in expect.rubric.items():
                got = scores.get(principle)
                if got is None:
                    failures.append(f"rubric: the judge gave no score for {principle}")
                elif got < minimum:
                    failures.append(f"rubric: {principle} scored {got}, below {minimum}")
    return failures, notes


def merge_expect(default: Expect, case: Expect) -> Expect:
    """Suite-wide defaults plus the case's own assertions (lists are joined; the case's
    `max_chars` and rubric scores win). A case's `checks_must_fire` removes the same id from the
    default `checks_must_not_fire` (a late-notice case expects the check the defaults forbid)."""
    must_fire = list(dict.fromkeys(default.checks_must_fire + case.checks_must_fire))
    return Expect(
        must_mention=list(dict.fromkeys(default.must_mention + case.must_mention)),
        must_not_contain=list(dict.fromkeys(default.must_not_contain + case.must_not_contain)),
        checks_must_not_fire=[c for c in dict.fromkeys(default.checks_must_not_fire + case.checks_must_not_fire)
                              if c not in must_fire],
        checks_must_fire=must_fire,
        max_chars=case.max_chars if case.max_chars is not None else default.max_chars,
        rubric={**default.rubric, **case.rubric},
    )
