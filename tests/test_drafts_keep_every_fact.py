"""Every example and every eval case's facts, drafted offline in every channel and tone, passes its own
checker with no error and no warning, and keeps every fact: each cause, the impact, each step and each
date can be found in the text. A chat message too: it is shortened by choosing what to say, never by
leaving a fact out (and when the facts alone are longer than the limit, `im_overflow` says so).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from assistant.checks import check_draft
from assistant.drafting.offline import DraftOptions, draft_offline, im_overflow
from assistant.evals.suite import load_suite
from assistant.facts import CHANNELS, TONES, Facts, load_facts
from assistant.findings import Finding

ROOT = Path(__file__).parent.parent
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]


def _sources() -> list[tuple[str, Facts]]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        facts = load_facts(path)
        if "notice_date" not in yaml.safe_load(path.read_text(encoding="utf-8")):
            facts = facts.model_copy(update={"notice_date": date(facts.original_date.year, 1, 4)})  # never ages
        out.append((f"examples/{path.name}", facts))
    out += [(f"evals/{case.name}", case.facts) for case in load_suite(ROOT / "evals").cases]
    return out


SOURCES = _sources()
_HALF_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"})


def _norm(text: str, lang: str) -> str:
    """Compare as a reader would: spacing (autocorrect adds some in Chinese), case and a closing stop
    do not matter; in Chinese, half-width punctuation reads as its full-width form."""
    text = re.sub(r"\s+", "", text).casefold().rstrip(".。")
    return text.translate(_HALF_TO_FULL) if lang == "zh" else text


def _has(text: str, item: str, lang: str) -> bool:
    return _norm(item, lang) in _norm(text, lang)


def _day(d: date, lang: str) -> str:
    """A date as every channel writes it, with or without year and weekday: '8 January', '1月8日'."""
    return f"{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {EN_MONTHS[d.month - 1]}"


def missing_facts(text: str, facts: Facts) -> list[str]:
    lang = facts.language
    missing = [f"cause: {c.summary}" for c in facts.causes if not _has(text, c.summary, lang)]
    missing += [f"step: {m}" for m in facts.mitigations if not _has(text, m, lang)]
    if facts.impact and not _has(text, facts.impact, lang):
        missing.append(f"impact: {facts.impact}")
    dates = {"original date": facts.original_date, "new date": facts.new_date, "next update": facts.next_update}
    if facts.channel != "im":  # a chat message gives the news, not the timeline
        dates.update({f"phase {p.name}": p.due for p in facts.phases})
    missing += [f"{what}: {d}" for what, d in dates.items() if not re.search(
        rf"(?<!\d){re.escape(_day(d, lang))}", text)]
    return missing


def _user_texts(facts: Facts) -> list[str]:
    texts = [facts.project, *(c.summary for c in facts.causes), *(c.detail for c in facts.causes if c.detail),
             *facts.mitigations, *facts.completed, *facts.pending]
    texts += [p.name for p in facts.phases] + [t for p in facts.phases for t in p.tasks]
    return texts + ([facts.impact] if facts.impact else [])


def about_the_facts(finding: Finding, facts: Facts) -> bool:
    """What no wording can fix: `late-notice` is about the facts' dates (the draft owns it in words,
    tests/test_drafting.py checks how), and a finding that quotes the user's own text (a term in a
    cause, as typed) is the user's to change: the drafter inserts it verbatim, by design."""
    if finding.check == "late-notice":
        return True
    quoted = finding.text
    return bool(quoted) and any(_has(text, quoted, facts.language) for text in _user_texts(facts))


@pytest.mark.parametrize(("name", "facts"), SOURCES, ids=[name for name, _ in SOURCES])
def test_every_channel_and_tone_is_clean_and_keeps_every_fact(name: str, facts: Facts) -> None:
    options = DraftOptions()
    problems: list[str] = []
    for channel in CHANNELS:
        for tone in TONES:
            variant = facts.model_copy(update={"channel": channel, "tone": tone})
            draft = draft_offline(variant, options=options)
            text = f"{draft.subject or ''}\n{draft.body}"
            serious = [f"{f.severity} {f.check}: {f.message}" for f in check_draft(draft, variant)
                       if f.severity in ("error", "warning") and not about_the_facts(f, variant)]
            problems += [f"{channel}/{tone}: {p}" for p in serious + missing_facts(text, variant)]
            if "..." in draft.body or "……" in draft.body:
                problems.append(f"{channel}/{tone}: a sentence was cut")
            if channel == "im" and len(draft.body.rstrip()) > options.im_limit(facts.language):
                assert im_overflow(draft, options), "an over-long chat message must say so"
    assert not problems, "\n".join(problems)


def test_the_sources_cover_the_examples_and_the_eval_cases() -> None:
    names = [name for name, _ in SOURCES]
    assert sum(n.startswith("examples/") for n in names) == len(list((ROOT / "examples").glob("*.yaml"))) >= 8
    assert sum(n.startswith("evals/") for n in names) >= 40


def test_missing_facts_finds_a_dropped_step_and_a_wrong_date() -> None:
    """The fact finder itself must notice what is missing, or the test above proves nothing."""
    _, facts = SOURCES[0]
    text = draft_offline(facts).body
    assert missing_facts(text, facts) == []
    step = facts.mitigations[0]
    assert missing_facts(text.replace(step.rstrip("."), "something else"), facts) == [f"step: {step}"]
    day = _day(facts.new_date, facts.language)
    assert any(m.startswith("new date") for m in missing_facts(text.replace(day, "31 " + day.split()[-1]), facts))
