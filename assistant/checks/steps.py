"""Who does what: a concrete recovery step is an action someone on our side takes, not a phrase.

LABELS.md counts as a mitigation a step that recovers time or limits the harm (more people, extra
shifts, a re-ordered plan, an order chased or switched, a refund, a choice for the client) and not
effort alone ("全力以赴", "加快进度", "doing everything possible"). Phrase lists catch the noun
forms ("a workaround", "分批交付"); this module catches the verb form in its clause: an actor on our
side (`actor`: we, our team, 我司, 项目部 - or, in Chinese, an aspect word standing for the dropped
subject: 已, 将, 正在), then a step verb (`step_verb`: add, bring in, order, expedite, 增派, 改用,
空运), not negated (`negation`), with an object that is not just effort (`effort_object`: hard,
everything, 进度, 速度). A weak verb (`weak_step_verb`: arrange, adjust, 安排, 协调) counts only
with something concrete in its object: a number, a date or a named thing. Cue words are data in
`cues.yaml`; every look is bounded to one clause, so the check stays linear. (The reason a
notice gives is found by `causes.py`.)
"""

from __future__ import annotations

import re

from assistant.checks.clauses import clause
from assistant.checks.context import Context, content_words, cue_hits, has_cue, in_span

_ACTOR_REACH = {"en": 48, "zh": 14}
_REACH_LINE = 120  # how far back a list item's marker is looked for
_HEADING_REACH = 400  # how far above a list item its heading ('采取以下措施：', 'What we have done:') may be
_DIGIT = re.compile(r"[0-9０-９一二两三四五六七八九十百]")
_BULLET = re.compile(r"\s*(?:[-*•·|]|[0-9]{1,2}[.)、]|[一二三四五六七八九十]{1,2}、|[（(][一二三四五六七八九十0-9]{1,2}[）)])\s*")
_EN_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s+$")



def _has_actor(ctx: Context, clause_start: int, verb_start: int) -> bool:
    """Someone on our side before the verb, within its clause: 'we', 'our crew', '我司', or an
    auxiliary that carries the dropped subject ('has been booked', '已增派', '将改用'); a list item
    that starts with the verb ('- Added a second crew') counts too."""
    lo = max(clause_start, verb_start - _ACTOR_REACH[ctx.lang])
    if has_cue(ctx, "actor", lo, verb_start) or has_cue(ctx, "step_aux", lo, verb_start):
        return True
    return _BULLET.fullmatch(ctx.scan, clause_start, verb_start) is not None or _in_list_item(ctx, verb_start)


def _in_list_item(ctx: Context, pos: int) -> bool:
    """'一、随机配套的控制柜改为空运', '- Your pallets are re-booked on the next sailing': a list
    item often puts the object first; under a heading that calls the list our steps
    (`step_heading`: '我司已采取以下措施：', 'What we have done:') the list is the actor. Meeting
    actions ('- Ruth: chase vendor') have no such heading."""
    line = ctx.scan.rfind("\n", max(0, pos - _REACH_LINE), pos) + 1
    marker = _BULLET.match(ctx.scan, line) if line > 0 else None
    if marker is None or marker.end() == line:
        return False
    return has_cue(ctx, "step_heading", max(0, line - _HEADING_REACH), line)


def _is_a_noun(ctx: Context, verb_start: int) -> bool:
    """'the move', 'your order', 'a split': after a determiner the word is a noun, not a step."""
    if ctx.lang != "en":
        return False
    m = _EN_WORD_BEFORE.search(ctx.scan, max(0, verb_start - 12), verb_start)
    return m is not None and m.group(1).lower() in ctx.lex.get("cue:determiner").entries


def _concrete_object(ctx: Context, start: int, end: int) -> bool:
    """Something to point at after a weak verb: a number, a date, a slot or a capitalised name."""
    if _DIGIT.search(ctx.scan, start, end):
        return True
    if in_span(ctx.mention_starts, ctx.mentions, start, end) or in_span(ctx.slot_starts, ctx.slots, start, end):
        return True
    return ctx.lang == "en" and re.search(r"\s[A-Z][a-z]+", ctx.scan[start:end]) is not None


def _object_counts(ctx: Context, verb_end: int, clause_end: int, weak: bool) -> bool:
    # a Chinese clause ends at its comma, so the whole object is looked at ("调集了最强的技术力量")
    head = ctx.scan[verb_end:min(clause_end, verb_end + (40 if ctx.lang == "zh" else 24))]
    if ctx.lex.get("cue:effort_object").search(head) is not None:
        return False
    obj_end = min(clause_end, verb_end + 80)
    obj = ctx.scan[verb_end:obj_end]
    for m in in_span(ctx.mention_starts, ctx.mentions, verb_end, obj_end):  # "rebooked for Friday 11
        obj = obj.replace(ctx.scan[m.start:m.end], " ")                      # December": a date only
    if content_words(obj, ctx.lang) < 1:
        return False
    # "we will send you an update on Friday", "我们会提供后续进展": an update is not a step
    if has_cue(ctx, "update", verb_end, obj_end):
        return False
    apology = ctx.lex.get("apology").pattern
    if apology is not None and apology.search(ctx.scan, verb_end, obj_end) is not None:
        return False
    if has_cue(ctx, "delay_object", verb_end, obj_end):
        return False  # "将工期延长至4月25日", "extend the deadline": the delay itself
    return not weak or _concrete_object(ctx, verb_end, obj_end) or has_cue(ctx, "step_object", verb_end, obj_end)


def concrete_step(ctx: Context) -> tuple[int, int] | None:
    """The first clause in which our side takes a concrete step, or None."""
    weak_verbs = ctx.lex.get("cue:weak_step_verb").entries
    for kind in ("step_verb", "weak_step_verb"):
        for h in cue_hits(ctx, kind):
            s, e = clause(ctx, h.start, h.end)
            if _is_a_noun(ctx, h.start) or not _has_actor(ctx, s, h.start):
                continue
            if has_cue(ctx, "negation", max(s, h.start - _ACTOR_REACH[ctx.lang]), h.start):
                continue
            if has_cue(ctx, "delay_object", s, h.start):
                continue  # "将工期延长至…", "把交付时间调整到…": the object comes first
            if _object_counts(ctx, h.end, e, weak=h.phrase in weak_verbs):
                return s, e
    return None


def listed_step(ctx: Context) -> bool:
    """A mitigation phrase from the list ('another tester', '增加人手') that is not negated in its
    clause ('we could not add another tester', '未能增加人手')."""
    reach = _ACTOR_REACH[ctx.lang]
    for h in cue_hits(ctx, "mitigation"):
        s, _ = clause(ctx, h.start, h.end)
        if not has_cue(ctx, "negation", max(s, h.start - reach), h.start):
            return True
    return False


# "Would a courtesy car help until then?", "Would an online session help your staff?": an offer
_EN_OFFER = re.compile(r"\bwould (?:a|an|it)\b[^.?!\n]{0,80}?\bhelp\b", re.IGNORECASE)


def has_mitigation(ctx: Context) -> bool:
    """A concrete step anywhere: a listed phrase or a verb-form step, not negated, or an offer
    put as a question."""
    if listed_step(ctx) or concrete_step(ctx) is not None:
        return True
    return ctx.lang == "en" and _EN_OFFER.search(ctx.scan) is not None
