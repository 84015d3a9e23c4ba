"""Whose date, whose delay: the role of each date in a notice (original, new, update, the letter's
own), the dates the facts allow, where the notice gives its reason, and whether a duration or a
vague phrase is about our delay or about someone else's."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.checks.clauses import vague_counts
from assistant.checks.context import (
    _CJK,
    _CLAUSE_MAX,
    _EN_WORD,
    _ZH_CLAUSE_STOP,
    Context,
    cue_ends_near,
    cue_hits,
    has_cue,
    hits,
    in_span,
    sentence_of,
)
from assistant.checks.datefind import Mention, find_mentions
from assistant.checks.lexicon import Hit
from assistant.dates import CADENCE_DAYS

# --- date roles ---------------------------------------------------------------------------

def _window_before(ctx: Context, m: Mention, prev_end: int) -> tuple[int, int]:
    s, _ = sentence_of(ctx, m.start)
    reach = 24 if ctx.lang == "zh" else 70
    return max(s, prev_end, m.start - reach), m.start

if TYPE_CHECKING:  # only annotations: a plain check never imports the facts models
    from assistant.facts import Facts


def date_roles(ctx: Context) -> list[tuple[Mention, str]]:
    """Each date-like mention with its role: original, update, new, signature (the letter's own
    date, alone on a line at its head or foot) or other."""
    return ctx.roles


def _date_roles(ctx: Context) -> list[tuple[Mention, str]]:
    dated = [m for m in ctx.mentions if m.kind in ("date", "relative", "period")]
    out = []
    starts = ctx.doc.line_starts
    tail_start = starts[max(0, len(starts) - 6)]
    for i, m in enumerate(dated):
        prev_end = dated[i - 1].end if i else 0
        next_start = dated[i + 1].start if i + 1 < len(dated) else len(ctx.scan)
        b0, b1 = _window_before(ctx, m, prev_end)
        _, sent_end = sentence_of(ctx, m.start)
        a1 = min(next_start, max(sent_end, m.end), m.end + (12 if ctx.lang == "zh" else 30))
        row = bisect_right(starts, m.start) - 1
        line_end = starts[row + 1] - 1 if row + 1 < len(starts) else len(ctx.scan)
        line = ctx.scan[starts[row]:line_end].strip()
        alone = m.kind == "date" and line.strip(" \t*_#>,.") .removeprefix("Date:").removeprefix("日期：").strip() \
            == ctx.scan[m.start:m.end].strip()
        if alone and (m.start >= tail_start or row < 8):  # the letter's own date, above or below it
            role = "signature"
        elif has_cue(ctx, "original_date", b0, b1) and not has_cue(ctx, "new_date", b0, b1) \
                or has_cue(ctx, "original_date_after", m.end, a1):
            role = "original"
        elif has_cue(ctx, "new_date", max(b0, m.start - (10 if ctx.lang == "zh" else 30)), b1):
            role = "new"
        elif has_cue(ctx, "update", b0, b1):
            role = "update"
        else:
            role = "other"
        out.append((m, role))
    return out


def facts_dates(facts: Facts) -> set[date]:
    """Dates the facts state or imply: promised, new, notice, updates (the cadence up to the new
    date), phase dues, and any date written inside the facts' own text."""
    allowed = {facts.original_date, facts.new_date, facts.notice_date, facts.next_update}
    step = timedelta(days=CADENCE_DAYS[facts.updates.cadence])
    d = facts.next_update
    while d <= facts.new_date + step:
        allowed.add(d)
        d += step
    allowed.update(p.due for p in facts.phases)
    for text in _facts_texts(facts):
        for m in find_mentions(text, facts.notice_date):
            allowed.update(m.dates)
    return allowed


def _facts_texts(facts: Facts, causes_only: bool = False) -> list[str]:
    """The free text the user typed into the facts (the causes alone, or every field)."""
    texts = [c.summary for c in facts.causes] + [c.detail or "" for c in facts.causes]
    if not causes_only:
        texts += list(facts.mitigations) + [facts.impact or ""] + list(facts.completed) + list(facts.pending)
        texts += [t for p in facts.phases for t in [p.name, *p.tasks]]
    return [t for t in texts if t]


# --- whose delay, whose date --------------------------------------------------------------
# A duration or a "to be confirmed" inside the reason for the delay, or in words the user typed
# into the facts, tells what happened to someone else ("the parts arrived two weeks late",
# "every sign-up has to be confirmed by e-mail"); it is not the size of our delay or our date.

_EN_PART_STOP = re.compile(r"[.!?](?=\s|$)|[,;\n]")  # zh: _ZH_CLAUSE_STOP, a comma already ends a clause
_HEADING_FILL = " \t*_#-:："


def _part_end(ctx: Context, pos: int) -> int:
    """End of the clause from `pos`: its first comma or stop (a cause span errs short)."""
    limit = min(len(ctx.scan), pos + _CLAUSE_MAX)
    m = (_ZH_CLAUSE_STOP if ctx.lang == "zh" else _EN_PART_STOP).search(ctx.scan, pos, limit)
    return m.start() if m else limit


def _next_line_part(ctx: Context, pos: int) -> tuple[int, int] | None:
    """The first clause of the line after `pos` (a heading's content)."""
    nl = ctx.scan.find("\n", pos, pos + _CLAUSE_MAX)
    if nl < 0:
        return None
    s = nl + 1
    limit = min(len(ctx.scan), s + _CLAUSE_MAX)
    while s < limit and ctx.scan[s] in _HEADING_FILL + "\n":
        s += 1
    return (s, _part_end(ctx, s)) if s < limit else None


def _cause_spans(ctx: Context) -> list[tuple[int, int]]:
    """Where the notice gives the reason: the clause after 'because' / 'due to' / '由于' / '原因：',
    and the first clause under a heading line such as 'Why the date has moved:' / '延期原因：'."""
    spans = []
    for cue in cue_hits(ctx, "cause_intro"):
        end = _part_end(ctx, cue.end)
        if ctx.scan[cue.end:end].strip(_HEADING_FILL) or end >= len(ctx.scan) or ctx.scan[end] != "\n":
            spans.append((cue.end, end))
        elif (nxt := _next_line_part(ctx, end)) is not None:  # "Reason:" closes its line
            spans.append(nxt)
    for s, e in ctx.sentences:
        heading = ctx.scan[s] == "#" or ctx.scan[s:e].rstrip(" *_#").endswith((":", "："))
        if heading and has_cue(ctx, "cause_heading", s, e):
            if (nxt := _next_line_part(ctx, e)) is not None:
                spans.append(nxt)
    return sorted(spans)


def cause_around(ctx: Context, start: int, end: int) -> tuple[int, int] | None:
    """The cause span holding [start, end), if any (spans are sorted and none is longer than a clause)."""
    spans = ctx.cause_spans
    lo = bisect_left(spans, (start - _CLAUSE_MAX - 2, 0))
    return next(((s, e) for s, e in spans[lo:bisect_right(spans, (start, len(ctx.scan)))] if end <= e), None)


@lru_cache(maxsize=256)  # the facts' texts are compared with every duration and vague phrase
def _normal_words(text: str, lang: str) -> str:
    if lang == "zh" or _CJK.search(text):
        return "".join(c.lower() for c in text if c.isalnum())
    return " " + " ".join(w.lower() for w in _EN_WORD.findall(text)) + " "


def copied_from(ctx: Context, start: int, end: int, texts: list[str]) -> bool:
    """The words at [start, end), with the words just before them (or after, at a sentence's
    start), occur together in one of `texts`: the draft repeats the user's own words there."""
    if not texts:
        return False
    s, e = sentence_of(ctx, start)
    e = max(e, end)
    core = ctx.scan[start:end]
    if ctx.lang == "zh" or _CJK.search(core):
        before = _normal_words(ctx.scan[max(s, start - 12):start], "zh")[-4:]
        after = _normal_words(ctx.scan[end:min(e, end + 12)], "zh")[:4]
        needle = before + _normal_words(core, "zh") if before else _normal_words(core, "zh") + after
        hay = [_normal_words(t, "zh") for t in texts]
    else:
        before_words = _EN_WORD.findall(ctx.scan[max(s, start - 60):start])[-2:]
        after_words = _EN_WORD.findall(ctx.scan[end:min(e, end + 60)])[:2]
        words = (before_words + _EN_WORD.findall(core)) if before_words else (_EN_WORD.findall(core) + after_words)
        needle = " " + " ".join(w.lower() for w in words) + " "
        hay = [_normal_words(t, "en") for t in texts]
    return needle.strip() != "" and any(needle in h for h in hay)


def _said_in(ctx: Context, m: Mention, texts: list[str]) -> bool:
    """The duration phrase ('a day late', '晚一天') is worded in one of `texts` (a cause the user
    gave) and its sentence tells that cause's subject too ('the stock figures arrived a day
    late'): it measures someone else's lateness, not ours. 'The portal will be two weeks late'
    shares only the phrase with 'the supplier shipped the parts two weeks late', and is ours."""
    lang = "zh" if ctx.lang == "zh" or _CJK.search(m.text) else "en"
    core = _normal_words(ctx.scan[m.start:m.end], lang)
    if (len(core) < 2) if lang == "zh" else (len(core.split()) < 2):
        return False
    s, e = sentence_of(ctx, m.start)
    sentence = ctx.scan[s:max(e, m.end)]
    for text in texts:
        said = _normal_words(text, lang)
        if core not in said:
            continue
        rest = said.replace(core, " ")
        if lang == "zh":
            grams = {rest[i:i + 2] for i in range(len(rest) - 1) if " " not in rest[i:i + 2]}
            shared = sum(1 for g in grams if g in _normal_words(sentence, lang))
        else:
            words = {w[:5] for w in rest.split() if len(w) >= 4}
            shared = len(words & {w[:5] for w in _normal_words(sentence, lang).split()})
        if shared >= 2:
            return True
    return False


def _against_plan(ctx: Context, m: Mention) -> bool:
    """'three weeks later than planned', '比原计划推迟21天': measured against our plan."""
    matcher = ctx.lex.get("cue:delay_plan")
    if matcher.pattern is None:
        return False
    after = matcher.pattern.search(ctx.scan, m.end, min(len(ctx.scan), m.end + 40))
    if after is not None and after.start() - m.end <= 3:
        return True
    return ctx.lang == "zh" and cue_ends_near(ctx, "delay_plan", m.start, 4)


def states_delay(ctx: Context, m: Mention) -> bool:
    """Does this duration state the size of OUR delay? A delay-worded duration does, unless it
    repeats the facts' own words, or sits in the reason without being measured against our plan
    or said of us ('because the supplier shipped the parts two weeks late', '数据晚一天才送到')."""
    if m.kind != "duration" or not m.delay:
        return False
    if ctx.facts is not None and (copied_from(ctx, m.start, m.end, _facts_texts(ctx.facts))
                                  or _said_in(ctx, m, _facts_texts(ctx.facts, causes_only=True))):
        return False
    cause = cause_around(ctx, m.start, m.end)
    # "because the supplier was late we will be two weeks late": we are the subject again
    return cause is None or _against_plan(ctx, m) or has_cue(ctx, "our_delay", cause[0], m.start)


def _about_a_date(ctx: Context, h: Hit) -> bool:
    """'New date: TBC', '交付日期待定', '19 February (to be confirmed)': what is pending is a date.
    A pending phrase standing alone as a value (after a label, a dash, a bracket or at a line's
    start) is one too."""
    reach = max(0, h.start - 200)  # bounded: many pending phrases on one long line stay linear
    line_start = max(ctx.scan.rfind("\n", reach, h.start) + 1, reach)
    before = ctx.scan[line_start:h.start].rstrip()
    if not before.strip(" \t*_#>-") or before.endswith((":", "：", "-", "–", "—", "|", "(", "（", "=")):
        return True
    s, _ = sentence_of(ctx, h.start)
    window = max(s, line_start, h.start - (20 if ctx.lang == "zh" else 60))
    if has_cue(ctx, "date_subject", window, h.start):
        return True
    return any(m.kind in ("date", "relative", "period")
               for m in in_span(ctx.mention_starts, ctx.mentions, window, h.start))


def vague_hits(ctx: Context) -> list[Hit]:
    """Vague time words that stand for our date: 'to be confirmed' only when a date is what is
    pending; never words repeated from the facts' causes (they tell what happened)."""
    pending = ctx.lex.get("cue:pending_date").entries
    causes = _facts_texts(ctx.facts, causes_only=True) if ctx.facts is not None else []
    return [h for h in hits(ctx, "vague_time")
            if not (h.phrase in pending and not _about_a_date(ctx, h))
            and not copied_from(ctx, h.start, h.end, causes) and vague_counts(ctx, h)]
