"""What a phrase does in its clause: the questions the phrase checks ask before they report.

A word list finds "可能", "as soon as possible" or "保证"; whether it is a finding depends on the
clause around it (LABELS.md): a hedge matters only where it weakens a commitment the client relies
on, a vague time word only where the client needs a date (not about the past, not bound to an
event), a guarantee only where it is about an outcome we do not control. The cue words each
question uses are data (`cues.yaml`: `commitment`, `purpose`, `minimise`, `condition`,
`past_event`, `controlled`, `outcome`, `weak_hedge`, `recent`); this module combines them.
Every look is bounded to one clause (at most `_REACH` characters), so the checks stay linear.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.checks.context import Context, has_cue, in_span, sentence_of

if TYPE_CHECKING:
    from assistant.checks.lexicon import Hit

_REACH = 160  # no clause the questions look at is longer
_ZH_STOPS = frozenset("，。；！？,;!?\n")
_EN_STOPS = frozenset(".;!?\n")


def clause(ctx: Context, start: int, end: int) -> tuple[int, int]:
    """The clause holding [start, end): Chinese clauses end at commas, English ones at a stop
    (an English comma often joins the hedge to its commitment: 'hopefully, by Friday')."""
    stops = _ZH_STOPS if ctx.lang == "zh" else _EN_STOPS
    s = start
    lo = max(0, start - _REACH)
    while s > lo and ctx.scan[s - 1] not in stops:
        s -= 1
    e = end
    hi = min(len(ctx.scan), end + _REACH)
    while e < hi and ctx.scan[e] not in stops:
        e += 1
    return s, e



def _has_time(ctx: Context, start: int, end: int) -> bool:
    return any(m.kind in ("date", "relative", "period", "duration")
               for m in in_span(ctx.mention_starts, ctx.mentions, start, end)) \
        or any(x.is_date() for x in in_span(ctx.slot_starts, ctx.slots, start, end))


def commits(ctx: Context, start: int, end: int) -> bool:
    """Does the clause hold a commitment the client relies on: a date, a bound, a duration, or
    the delivery and its outlook ('deliver', 'be ready', '交付', '延期')?"""
    return _times(ctx, start, end) or has_cue(ctx, "commitment", start, end)


def _times(ctx: Context, start: int, end: int) -> bool:
    """A date, bound or duration, or a vague time ('probably next sprint', '过几天应该')."""
    if _has_time(ctx, start, end):
        return True
    vague = ctx.lex.get("vague_time").pattern
    return vague is not None and start < end and vague.search(ctx.scan, start, end) is not None


def _effort_only(ctx: Context, start: int, end: int) -> bool:
    """A clause about effort ('do our best', '全力以赴') with no date, bound or delivery in it: the
    client is told how hard we work, not when - neither a hedged nor a vague commitment."""
    return has_cue(ctx, "effort", start, end) and not _has_time(ctx, start, end) \
        and not has_cue(ctx, "commitment", start, end)


def hedge_counts(ctx: Context, h: Hit) -> bool:
    """A hedge is a finding where it weakens a commitment. Not in a purpose clause ('为尽量减少影响',
    'to keep the impact as small as possible'), not on an effort that qualifies no dated
    commitment ('力争将延误降至最低', 'despite our best efforts'); a weak hedge ('可能', 'we hope',
    'maybe') only where its clause holds a commitment."""
    s, e = clause(ctx, h.start, h.end)
    before = ctx.scan[max(s, h.start - 4):h.start]
    if has_cue(ctx, "purpose", max(s, h.start - 6), h.start) and not _has_time(ctx, h.end, e):
        return False
    if has_cue(ctx, "minimise", h.end, e) and not _has_time(ctx, s, e):
        return False
    weak = ctx.lex.get("cue:weak_hedge").entries
    if h.phrase in weak and not (commits(ctx, h.end, e) or _times(ctx, s, e)):
        return False  # a weak hedge qualifies what follows it, or the time its clause names
    if not commits(ctx, s, e) and not has_cue(ctx, "update", s, e):
        return False  # '「应该没有读者会发现」': a hedge on nothing the client relies on
    if _effort_only(ctx, s, e):
        return False  # 'we promise to do our best to fix the issues as quickly as we can
    return not before.endswith(("不", "not "))


def vague_counts(ctx: Context, h: Hit) -> bool:
    """A vague time word is a finding where the client needs a date. Not for the past
    ('近期出现以下情况', 'recently'), not bound to an event ('一旦具备条件，我们将第一时间通知',
    'the moment it ships', '如提前将另行通知')."""
    s, e = clause(ctx, h.start, h.end)
    if has_cue(ctx, "original_date", s, h.start):
        return False  # '原计划于2月10日的节后复工': the vague word describes the old plan
    if _effort_only(ctx, s, e):
        return False  # 'we will do our best to fix it as quickly as we can': how hard, not when
    if h.phrase in ctx.lex.get("cue:recent").entries and has_cue(ctx, "past_event", h.end, min(e, h.end + 12)):
        return False
    if any(m.start <= h.start and h.end <= m.end and m.bounded and not m.approx
           for m in in_span(ctx.mention_starts, ctx.mentions, max(0, h.start - 20), h.end)):
        return False  # '3个工作日内': the word is part of a bounded period
    if has_cue(ctx, "cadence", h.end, min(e, h.end + 12)):
        return False  # '后续每周三下午5点前': the rhythm that follows makes it concrete
    if ctx.lang == "en" and _AS_SOON_AS_EVENT.match(ctx.scan, h.end) and \
            ctx.scan[max(0, h.start - 3):h.start].lower() == "as ":
        return False  # 'as soon as your parcel leaves': bound to an event
    sentence_start, _ = sentence_of(ctx, h.start)
    reach = h.start - (40 if ctx.lang == "zh" else 100)
    return not has_cue(ctx, "condition", max(sentence_start, reach), h.start)


# "as soon as" + a subject and a verb is a conjunction (an event), not "as soon as possible"
_AS_SOON_AS_EVENT = re.compile(r" as (?!possible|we can|practicable|feasible|is possible)(?:the|your|our|it|they|we|he|she|[A-Z])",
                               re.IGNORECASE)


def guarantee_counts(ctx: Context, h: Hit) -> bool:
    """A guarantee is a finding where it is about an outcome we do not control. 'Rest assured',
    'we promise to keep you informed', '在保证工程质量的前提下', '确保每一环节符合规范' are about what we
    control; a bare '保证' or 'we promise' is judged by what follows it."""
    s, e = clause(ctx, h.start, h.end)
    reach = min(e, h.end + (14 if ctx.lang == "zh" else 50))
    controlled = _first(ctx, "controlled", h.end, reach)
    outcome = _first(ctx, "outcome", h.end, reach)
    if outcome is not None and (controlled is None or outcome < controlled):
        return True  # '确保按期高质量完成': the date comes first, whatever else is promised
    if controlled is not None:
        return False
    return h.phrase not in ctx.lex.get("cue:guarantee_verb").entries


def _first(ctx: Context, kind: str, start: int, end: int) -> int | None:
    matcher = ctx.lex.get(f"cue:{kind}")
    if matcher.pattern is None or start >= end:
        return None
    m = matcher.pattern.search(ctx.scan, start, end)
    return m.start() if m else None


def tells_the_past(ctx: Context, start: int, end: int) -> bool:
    """The sentence tells what happened ('was dispatched on …', '已于…发出') and promises nothing
    ahead ('will', 'new', '将', '预计')."""
    return has_cue(ctx, "past_sentence", start, end) and not has_cue(ctx, "future", start, end)


def about_the_delivery(ctx: Context, h: Hit) -> bool:
    """The vague word qualifies the delivery itself ('以尽快完成项目', 'deliver as soon as possible'),
    not a step, a fix or the next update, which need their own dates."""
    s, e = clause(ctx, h.start, h.end)
    return has_cue(ctx, "delivery", s, e) and not has_cue(ctx, "update", s, e)
