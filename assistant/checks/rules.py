"""The 18 checks of SPEC §4, one small function each, over a prepared `Context`.

Every check reads the *scan* text: the document's masked copy with template slots blanked,
so offsets stay those of the user's file. Phrase lists, cue words and messages come from
`data/{lang}/`; this module only holds the logic that combines them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from assistant.checks.causes import check_cause, overlap
from assistant.checks.clauses import (
    about_the_delivery,
    clause,
    guarantee_counts,
    hedge_counts,
    tells_the_past,
)
from assistant.checks.context import (
    _EN_WORD,
    _ZH_COUNTED,
    Context,
    _overlaps_any,
    cue_ends_near,
    cue_hits_between,
    first,
    fmt_date,
    has_cue,
    hits,
    in_span,
    make,
    msg,
    sentence_of,
    slots_of,
)
from assistant.checks.datefind import Mention
from assistant.checks.document import has_contact
from assistant.checks.lexicon import Hit
from assistant.checks.placeholders import Slot
from assistant.checks.roles import (
    date_roles,
    facts_dates,
    states_delay,
    vague_hits,
)
from assistant.checks.steps import has_mitigation
from assistant.dates import (
    EN_WEEKDAYS,
    LATE_NOTICE_WORKING_DAYS,
    ZH_WEEKDAYS,
    format_date,
    format_duration,
    weekday_name,
    working_days_between,
)
from assistant.findings import Finding

EN_LONG_WORDS = 30
ZH_LONG_CHARS = 60
OVER_APOLOGY = 3


# --- the checks ---------------------------------------------------------------------------

def check_late_notice(ctx: Context) -> list[Finding]:
    f = ctx.facts
    if f is None:
        return []
    notice, original = f.notice_date, f.original_date
    if notice >= original:
        return [make(ctx, "late-notice", msg(ctx, "late-notice-after", notice=fmt_date(ctx, notice),
                                              original=fmt_date(ctx, original)),
                     msg(ctx, "late-notice-suggestion"))]
    days = working_days_between(notice, original)
    if days < LATE_NOTICE_WORKING_DAYS:
        return [make(ctx, "late-notice", msg(ctx, "late-notice-short", days=days, original=fmt_date(ctx, original)),
                     msg(ctx, "late-notice-suggestion"), severity="warning")]
    return []


def check_original_date(ctx: Context) -> list[Finding]:
    f = ctx.facts
    if slots_of(ctx, "original_date"):
        return []
    roles = date_roles(ctx)
    if f is not None:
        if any(f.original_date in m.dates or role == "original" for m, role in roles):
            return []
        return [make(ctx, "missing-original-date", msg(ctx, "missing-original-date-facts",
                                                        date=fmt_date(ctx, f.original_date)),
                     msg(ctx, "missing-original-date-suggestion", date=fmt_date(ctx, f.original_date)))]
    if any(role == "original" for _, role in roles):
        return []
    for slot in ctx.slots:  # "not on {date} as promised": a date slot next to an original-date cue
        if slot.is_date():
            s, _ = sentence_of(ctx, slot.start)
            reach = 24 if ctx.lang == "zh" else 70
            if has_cue(ctx, "original_date", max(s, slot.start - reach), slot.start) \
                    or has_cue(ctx, "original_date_after", slot.end, slot.end + 30):
                return []
    return [make(ctx, "missing-original-date", msg(ctx, "missing-original-date"),
                 msg(ctx, "missing-original-date-suggestion", date="…"))]


_EXPLANATION_AFTER = re.compile(
    r"\s*(?:\(|（|, which |, i\.e\.|, meaning |, that is|—|–| - |，即|，也就是|，就是|：即|即：)", re.IGNORECASE)


_CAPITALISED_NEXT = re.compile(r"[ \t]+[A-Z][a-z]+(?![A-Za-z])")
_NAME_REACH = 80  # bounded look around a hit, so the check stays linear on one huge line


def _part_of_a_name(ctx: Context, h: Hit) -> bool:
    """'Contact: Dev Malhotra, +44 20 …' or a sign-off line 'Dev Malhotra': a jargon word written
    capitalised and followed by a capitalised word, next to a phone number or an e-mail address
    on its line, or opening a short line near the end, is someone's name, not team slang."""
    text = ctx.scan[h.start:h.end]
    if len(text) < 2 or not (text[0].isupper() and text[1:].islower()):
        return False
    if _CAPITALISED_NEXT.match(ctx.scan, h.end) is None:
        return False
    starts = ctx.doc.line_starts
    row = bisect_right(starts, h.start) - 1
    line_end = starts[row + 1] - 1 if row + 1 < len(starts) else len(ctx.doc.text)
    lo, hi = max(starts[row], h.start - _NAME_REACH), min(line_end, h.end + _NAME_REACH)
    if has_contact(ctx.doc.text, lo, hi):
        return True
    return row >= len(starts) - 6 and h.start - starts[row] <= 4 and line_end - h.start <= 40 \
        and not ctx.scan[starts[row]:h.start].strip(" \t*_>-")


def check_jargon(ctx: Context) -> list[Finding]:
    out = []
    found = hits(ctx, "jargon")
    if ctx.lang == "en":
        found = [h for h in found if not _part_of_a_name(ctx, h)]
    explained = set()
    for h in found:
        before = ctx.scan[max(0, h.start - 2):h.start].rstrip()
        if _EXPLANATION_AFTER.match(ctx.scan, h.end) or before.endswith(("(", "（")):
            explained.add(h.phrase)
    for h in first(ctx, "jargon", [h for h in found if h.phrase not in explained]):
        alt = h.suggestion
        suggestion = msg(ctx, "jargon-suggestion", alternative=alt) if alt else msg(ctx, "jargon-suggestion-generic")
        out.append(make(ctx, "jargon", msg(ctx, "jargon", text=ctx.doc.text[h.start:h.end]), suggestion,
                        (h.start, h.end)))
    return out


def _sentence_case(text: str | None) -> str | None:
    return text[:1].upper() + text[1:] if text else text


def _phrase_check(ctx: Context, check: str, category: str,
                  counts: Callable[[Context, Hit], bool] | None = None) -> list[Finding]:
    found = [h for h in hits(ctx, category) if counts is None or counts(ctx, h)]
    return [make(ctx, check, msg(ctx, check, text=ctx.doc.text[h.start:h.end]), _sentence_case(h.suggestion),
                 (h.start, h.end)) for h in first(ctx, check, found)]


def check_blame(ctx: Context) -> list[Finding]:
    return _phrase_check(ctx, "blame-shifting", "blame")


def check_overpromise(ctx: Context) -> list[Finding]:
    return _phrase_check(ctx, "overpromise", "overpromise", guarantee_counts)


def check_hedging(ctx: Context) -> list[Finding]:
    return _phrase_check(ctx, "hedging", "hedges", hedge_counts)


def check_vague(ctx: Context) -> list[Finding]:
    # 'TBC', '待定', '另行通知' say that there is no date: missing-new-date's finding (LABELS.md)
    pending = ctx.lex.get("cue:pending_date").entries.keys() | ctx.lex.get("cue:no_date_yet").entries.keys()
    found = [h for h in vague_hits(ctx) if h.phrase not in pending]
    if found and not check_new_date(ctx):  # the delivery has its date: a vague word about it adds nothing
        found = [h for h in found if not about_the_delivery(ctx, h)]
    out = [make(ctx, "vague-timeline", msg(ctx, "vague-timeline", text=ctx.doc.text[h.start:h.end]),
                _sentence_case(h.suggestion), (h.start, h.end)) for h in first(ctx, "vague-timeline", found)]
    if ctx.facts is not None:
        better = msg(ctx, "vague-timeline-facts", date=fmt_date(ctx, ctx.facts.new_date))
        out = [f.model_copy(update={"suggestion": better}) for f in out]
    return out


def check_new_date(ctx: Context) -> list[Finding]:
    f = ctx.facts
    if any(s.is_date() and "original_date" not in s.kinds and not _not_the_delivery_slot(ctx, s) for s in ctx.slots):
        return []
    if f is not None:
        if any(f.new_date in m.dates for m in ctx.mentions) or any(r == "new" for _, r in date_roles(ctx)):
            return []
        if any(m.days and states_delay(ctx, m) and _duration_ok(m, f.delay_days) for m in ctx.mentions):
            return []  # "three weeks later" carries the new date when it is exact
        return [make(ctx, "missing-new-date", msg(ctx, "missing-new-date-facts", date=fmt_date(ctx, f.new_date)),
                     msg(ctx, "missing-new-date-suggestion", date=fmt_date(ctx, f.new_date)))]
    vague_found = vague_hits(ctx)
    vague = [(h.start, h.end) for h in vague_found]
    # "New target: TBD", "交付日期待定": the notice says its new date is not set, so a date it
    # names without a new-date cue (the client's board meeting, the day we will confirm) is not it
    reach = 6 if ctx.lang == "zh" else 15
    pending_new = any(cue_ends_near(ctx, "new_date", h.start, reach) for h in vague_found)
    roles = date_roles(ctx)
    promised = [d for m, role in roles if role == "original" for d in m.dates]
    latest = max(promised) if promised else None
    for m, role in roles:
        if role not in ("new", "other") or (pending_new and role == "other"):
            continue
        if _overlaps_any(vague, m.start, m.end + 2):  # "thurs-ish", "争取月底" is a hope, not a date
            continue
        if latest is not None and m.dates and max(m.dates) <= latest:
            continue  # a new date comes after the promised one
        if role == "other" and not _may_be_the_new_date(ctx, m):
            continue
        return []
    if any(m.kind == "duration" and (m.bounded or states_delay(ctx, m)) and m.days for m in ctx.mentions):
        return []
    return [make(ctx, "missing-new-date", msg(ctx, "missing-new-date"), msg(ctx, "missing-new-date-suggestion-generic"))]


def _may_be_the_new_date(ctx: Context, m: Mention) -> bool:
    """A date with no new-date cue counts as the new one only in a sentence about the delivery
    ('it will be ready on 14 May') that does not tell the old plan ('was due to finish on 30
    September, reopening on 5 October') or the past ('we wrote in March that it would be ready')."""
    s, e = sentence_of(ctx, m.start)
    if has_cue(ctx, "new_date", s, e):
        return True  # 'has been rebooked for Friday 11 December'
    if has_cue(ctx, "past_sentence", s, m.start):
        return False
    return any(has_cue(ctx, kind, s, e) for kind in ("future", "commitment", "delivery", "new_date"))


def _not_the_delivery_slot(ctx: Context, slot: Slot) -> bool:
    """'We will update you by [time]': a date slot in a sentence about the next update is its date,
    not the delivery's; 'it was dispatched on (insert date)' tells what happened; a slot alone on
    a line at the head or foot is the letter's own date."""
    s, e = sentence_of(ctx, slot.start)
    if has_cue(ctx, "update", s, e) or tells_the_past(ctx, s, e):
        return True
    starts = ctx.doc.line_starts  # '【日期】' alone on a line at the head or foot: the letter's date
    row = bisect_right(starts, slot.start) - 1
    line_end = starts[row + 1] - 1 if row + 1 < len(starts) else len(ctx.scan)
    alone = not (ctx.scan[starts[row]:slot.start] + ctx.scan[slot.end:line_end]).strip(" \t*_#>,.:：")
    return alone and (row < 8 or row >= len(starts) - 6)


def check_mitigation(ctx: Context) -> list[Finding]:
    f = ctx.facts
    if slots_of(ctx, "mitigation"):
        return []
    sample = f.mitigations[0] if f else None
    suggestion = (msg(ctx, "missing-mitigation-suggestion", mitigation=sample) if sample
                  else msg(ctx, "missing-mitigation-suggestion-generic"))
    if f is not None:
        if max(overlap(m, ctx.scan, ctx.lang) for m in f.mitigations) >= 0.4:
            return []
        if not has_mitigation(ctx):
            return [make(ctx, "missing-mitigation", msg(ctx, "missing-mitigation"), suggestion)]
        return [make(ctx, "missing-mitigation", msg(ctx, "missing-mitigation-facts", mitigation=sample), suggestion)]
    if has_mitigation(ctx):
        return []
    return [make(ctx, "missing-mitigation", msg(ctx, "missing-mitigation"), suggestion)]


def check_impact(ctx: Context) -> list[Finding]:
    if slots_of(ctx, "impact") or has_cue(ctx, "impact"):
        return []
    f = ctx.facts
    suggestion = (msg(ctx, "missing-impact-suggestion", impact=f.impact) if f and f.impact
                  else msg(ctx, "missing-impact-suggestion-generic"))
    return [make(ctx, "missing-impact", msg(ctx, "missing-impact"), suggestion)]


def check_status(ctx: Context) -> list[Finding]:
    if slots_of(ctx, "status") or has_cue(ctx, "status"):
        return []
    return [make(ctx, "missing-status", msg(ctx, "missing-status"), msg(ctx, "missing-status-suggestion"))]


def _cadence_word(ctx: Context) -> str:
    """'every week' / '每周': the facts' update rhythm in words (from messages.yaml)."""
    cadence = ctx.facts.updates.cadence if ctx.facts else "weekly"
    return msg(ctx, f"cadence-{cadence}")


def _promises_update(ctx: Context, start: int, end: int) -> bool:
    """An update cue that is not this message calling itself one ('Quick update on your order:').
    Each look is bounded to the sentence and a few words around the cue, so the check stays linear."""
    cue, own = ctx.lex.get("cue:update").pattern, ctx.lex.get("cue:self_update").pattern
    pos = start
    while cue is not None and (hit := cue.search(ctx.scan, pos, end)) is not None:
        around = own.finditer(ctx.scan, max(start, hit.start() - 24), min(end, hit.end() + 24)) if own else ()
        if not any(o.start() <= hit.start() and hit.end() <= o.end()
                   and not has_cue(ctx, "future", max(start, o.start() - 30), o.start()) for o in around):
            return True
        pos = hit.end()
    return False


_TELL_REACH = {"en": (40, 30), "zh": (16, 12)}  # how far before / after the verb its object may stand


def _tells_progress(ctx: Context, start: int, end: int) -> bool:
    """A verb of telling with progress as its object, in one clause: '每周五向贵局书面报送本周进度',
    '把当天的生产照片发您微信', 'we will post the progress photos'. The update lists name the nouns
    ('周报', 'progress report'); this finds the verb form."""
    before, after = _TELL_REACH[ctx.lang]
    for h in cue_hits_between(ctx, "tell_verb", start, end):
        cs, ce = clause(ctx, h.start, h.end)
        if has_cue(ctx, "progress_noun", max(cs, start, h.start - before), min(ce, end, h.end + after)):
            return True
    return False


def update_plans(ctx: Context) -> list[tuple[int, int]]:
    """Sentences that commit to an update and say when (a date, a weekday, a rhythm or a slot)."""
    plans = []
    for s, e in ctx.sentences:
        slots = in_span(ctx.slot_starts, ctx.slots, s, e)
        if not (_promises_update(ctx, s, e) or _tells_progress(ctx, s, e) or any("update" in x.kinds for x in slots)):
            continue
        when = any(m.kind in ("date", "relative", "cadence") for m in in_span(ctx.mention_starts, ctx.mentions, s, e))
        when = when or has_cue(ctx, "cadence", s, e)
        when = when or any(x.is_date() or "update" in x.kinds for x in slots)
        if when:
            plans.append((s, e))
    return plans


def check_update_plan(ctx: Context) -> list[Finding]:
    f = ctx.facts
    plans = update_plans(ctx)
    if f is not None:
        suggestion = msg(ctx, "missing-update-plan-suggestion", cadence=_cadence_word(ctx),
                         date=fmt_date(ctx, f.next_update))
        if any(f.next_update in m.dates for m in ctx.mentions) or (plans and any(
                has_cue(ctx, "cadence", s, e)
                or any(m.kind == "cadence" for m in in_span(ctx.mention_starts, ctx.mentions, s, e))
                for s, e in plans)) or any("update" in x.kinds for x in ctx.slots):
            return []
        if plans:
            return [make(ctx, "missing-update-plan", msg(ctx, "missing-update-plan-facts",
                                                          date=fmt_date(ctx, f.next_update)), suggestion)]
        return [make(ctx, "missing-update-plan", msg(ctx, "missing-update-plan"), suggestion)]
    if plans:
        return []
    return [make(ctx, "missing-update-plan", msg(ctx, "missing-update-plan"),
                 msg(ctx, "missing-update-plan-suggestion-generic"))]


def check_apology(ctx: Context) -> list[Finding]:
    found = hits(ctx, "apology")
    if found or slots_of(ctx, "apology") or has_cue(ctx, "acknowledge"):
        return []
    return [make(ctx, "missing-apology", msg(ctx, "missing-apology"), msg(ctx, "missing-apology-suggestion"))]


def check_over_apology(ctx: Context) -> list[Finding]:
    found = hits(ctx, "apology")
    if len(found) < OVER_APOLOGY:
        return []
    third = found[OVER_APOLOGY - 1]
    return [make(ctx, "over-apology", msg(ctx, "over-apology", count=len(found)), msg(ctx, "over-apology-suggestion"),
                 (third.start, third.end))]


def check_long_sentence(ctx: Context) -> list[Finding]:
    zh = ctx.lang == "zh"
    counter, limit = (_ZH_COUNTED, ZH_LONG_CHARS) if zh else (_EN_WORD, EN_LONG_WORDS)
    long = [(s, e, n) for s, e in ctx.sentences if (n := len(counter.findall(ctx.scan[s:e]))) > limit]
    return [make(ctx, "long-sentence", msg(ctx, "long-sentence", count=n, limit=limit),
                 msg(ctx, "long-sentence-suggestion"), (s, e))
            for s, e, n in first(ctx, "long-sentence", long, span=lambda x: (x[0], x[1]))]


def _duration_ok(m: Mention, actual: int) -> bool:
    if m.days is None:
        return True
    unit = m.unit or "day"
    tolerance = {"day": 0.0, "week": 1.0, "month": 5.0}[unit]
    if m.approx:
        tolerance = max(tolerance + 2, 0.15 * actual)
    return abs(m.days - actual) <= tolerance + 1e-9


def check_fact_mismatch(ctx: Context) -> list[Finding]:
    f = ctx.facts
    if f is None:
        return []
    out = []
    allowed = facts_dates(f)
    new_text = fmt_date(ctx, f.new_date)
    roles = dict((id(m), role) for m, role in date_roles(ctx))
    present = {d for x in ctx.mentions for d in x.dates}
    for m in ctx.mentions:
        span = (m.start, m.end)
        text = ctx.doc.text[m.start:m.end]
        if m.kind == "date" and m.date is not None and m.weekday is not None and m.weekday != m.date.weekday():
            out.append(make(ctx, "fact-mismatch", msg(
                ctx, "fact-mismatch-weekday", text=text, date=format_date(m.date, ctx.lang, weekday=False),
                actual=weekday_name(m.date, ctx.lang), stated=_weekday(ctx, m.weekday)),
                msg(ctx, "fact-mismatch-suggestion", date=fmt_date(ctx, m.date)), span))
            continue
        if m.kind in ("date", "relative") and m.dates:
            role = roles.get(id(m))
            # a date named as THE new/promised one while the facts' date appears nowhere: the date moved
            stated = {"new": f.new_date, "original": f.original_date}.get(role or "")
            strong = stated is not None and stated not in present and cue_ends_near(
                ctx, f"{role}_date_strong", m.start, 6 if ctx.lang == "zh" else 15)
            if role == "new" and f.new_date not in m.dates and f.original_date not in m.dates and (
                    strong or not any(d in allowed for d in m.dates)):
                out.append(make(ctx, "fact-mismatch", msg(ctx, "fact-mismatch-new-date", text=text, new=new_text),
                                msg(ctx, "fact-mismatch-suggestion", date=new_text), span))
            elif role == "original" and f.original_date not in m.dates and f.new_date not in m.dates and (
                    strong or not any(d in allowed for d in m.dates)):
                original_text = fmt_date(ctx, f.original_date)
                out.append(make(ctx, "fact-mismatch", msg(ctx, "fact-mismatch-original-date", text=text,
                                                          original=original_text),
                                msg(ctx, "fact-mismatch-suggestion", date=original_text), span))
            elif not any(d in allowed for d in m.dates) and max(m.dates) > f.notice_date:
                # a date after the notice is a commitment; earlier ones tell what happened
                out.append(make(ctx, "fact-mismatch", msg(
                    ctx, "fact-mismatch-date", text=text, new=new_text, original=fmt_date(ctx, f.original_date)),
                    msg(ctx, "fact-mismatch-suggestion", date=new_text), span))
        elif m.kind == "duration" and states_delay(ctx, m) and not _duration_ok(m, f.delay_days):
            actual = format_duration(f.delay_days, ctx.lang)
            out.append(make(ctx, "fact-mismatch", msg(
                ctx, "fact-mismatch-duration", text=text, actual=actual,
                original=fmt_date(ctx, f.original_date), new=new_text),
                msg(ctx, "fact-mismatch-duration-suggestion", duration=actual), span))
    return out


def _weekday(ctx: Context, index: int) -> str:
    return (ZH_WEEKDAYS if ctx.lang == "zh" else EN_WEEKDAYS)[index]


def check_contact(ctx: Context) -> list[Finding]:
    if ctx.doc.contacts or slots_of(ctx, "contact") or has_cue(ctx, "contact"):
        return []
    f = ctx.facts
    phone = f.sender.phone or f.sender.email if f else None
    suggestion = (msg(ctx, "missing-contact-suggestion", phone=phone) if phone
                  else msg(ctx, "missing-contact-suggestion-generic"))
    return [make(ctx, "missing-contact", msg(ctx, "missing-contact"), suggestion)]


CHECKS: dict[str, Callable[[Context], list[Finding]]] = {
    "late-notice": check_late_notice,
    "missing-original-date": check_original_date,
    "missing-cause": check_cause,
    "jargon": check_jargon,
    "blame-shifting": check_blame,
    "missing-new-date": check_new_date,
    "vague-timeline": check_vague,
    "missing-mitigation": check_mitigation,
    "overpromise": check_overpromise,
    "missing-impact": check_impact,
    "missing-status": check_status,
    "hedging": check_hedging,
    "missing-update-plan": check_update_plan,
    "missing-apology": check_apology,
    "over-apology": check_over_apology,
    "long-sentence": check_long_sentence,
    "fact-mismatch": check_fact_mismatch,
    "missing-contact": check_contact,
}
