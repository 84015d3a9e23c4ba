"""missing-cause: is a specific reason given (LABELS.md), by a cue, by grammar or by a told event?

A reason is found three ways, each bounded to a clause: after a cause cue ('because', '原因是',
weak ones like 'did not' only when their clause is not the delay itself), by Chinese grammar
(因…, 受…影响; `zh_cause_spans`) or a named party that is late (`late_party_spans`),
and, with no cue at all, a sentence that narrates an event. Empty reasons ('unforeseen
circumstances', '种种原因') and generic nouns with nothing said about where they arose do not
count. With facts, the text must also share enough of a cause's words (`overlap`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from assistant.checks.clauses import clause
from assistant.checks.context import (
    _CJK,
    _EN_STOP,
    _EN_WORD,
    Context,
    _clause_after,
    _clause_end,
    _overlaps_any,
    content_words,
    cue_hits,
    has_cue,
    hits,
    in_span,
    make,
    msg,
    slots_of,
)
from assistant.checks.lazyre import LazyPattern
from assistant.checks.lexicon import Hit
from assistant.findings import Finding

_EXPLAINED = re.compile(r"\s*(?:with|in|from|at|on|of|caused by|:|：|——|—|–)\s*\S", re.IGNORECASE)


def _says_where(ctx: Context, pos: int, end: int) -> bool:
    """'technical challenges in the backend development', '系统问题，主要是支付环节': a generic reason
    followed by where or in what it arose counts as one (LABELS.md); 'technical difficulties.' alone
    does not."""
    m = _EXPLAINED.match(ctx.scan, pos)
    if m is None:
        return False
    where = m.end() - 1
    if has_cue(ctx, "recent", where, min(end, where + 20)) or has_cue(ctx, "our_side", where, min(end, where + 12)) or any(  # "in recent weeks" says when
            x.start <= where + 4 for x in in_span(ctx.mention_starts, ctx.mentions, where, end)):
        return False
    return content_words(ctx.scan[where:end], ctx.lang) >= 2


def _generic_with_where(ctx: Context) -> list[tuple[int, int]]:
    """No cause word, but a generic reason that says where it arose ('unforeseen technical
    challenges in the backend development have arisen', '现场出现技术问题，集中在排水管线')."""
    for kind in ("empty_cause", "generic_cause"):
        for h in cue_hits(ctx, kind):
            if _says_where(ctx, h.end, _clause_end(ctx, h.end)):
                return [(h.start, h.end)]
    return []


_BE_BEFORE = re.compile(r"(?:\b(?:was|is|were|are|be|been|originally|'s)\s+)$", re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


def _scheduled(ctx: Context, cue: Hit) -> bool:
    """'The pool was due to reopen on 5 December': 'due to' + a verb after a form of 'be' is a
    schedule; 'the delay is due to the supplier' is a reason."""
    if cue.phrase != "due to":
        return False
    if not _BE_BEFORE.search(ctx.scan[max(0, cue.start - 12):cue.start]):
        return False
    m = _NEXT_WORD.match(ctx.scan, cue.end)
    return m is not None and m.group(1).lower() in ctx.lex.get("cue:scheduled_verb").entries


def _in_condition(ctx: Context, pos: int) -> bool:
    """'如有变化，会再通知', 'if anything changes': a weak cue inside a condition is no reason."""
    reach = 6 if ctx.lang == "zh" else 20
    return has_cue(ctx, "condition", max(0, pos - reach), pos)


def _is_the_delay(ctx: Context, start: int, end: int) -> bool:
    """A clause that names a date or the delivery is about the delay, not its reason."""
    return bool(in_span(ctx.mention_starts, ctx.mentions, start, end)) or has_cue(ctx, "delivery", start, end)


def real_causes(ctx: Context) -> tuple[list[tuple[int, int]], Hit | None]:
    """Clauses that give a reason; and the first empty one ('due to unforeseen issues')."""
    found: list[tuple[int, int]] = []
    empty: Hit | None = None
    head_len = 20 if ctx.lang == "zh" else 40
    empty_spans = [(h.start, h.end) for h in ctx.lex.get("cue:empty_cause").finditer(ctx.scan)]
    weak = {h.start for h in cue_hits(ctx, "weak_cause")}
    cues = sorted(cue_hits(ctx, "cause") + cue_hits(ctx, "weak_cause"), key=lambda h: h.start)
    for cue in cues:
        if _scheduled(ctx, cue):  # "was due to reopen on 5 December"
            continue
        if _overlaps_any(empty_spans, cue.start, cue.end):  # "taken longer than we thought"
            i = bisect_right(empty_spans, (cue.start, float("inf"))) - 1
            s0, e0 = empty_spans[max(i, 0)]
            empty = empty or Hit(s0, e0, ctx.scan[s0:e0], "", None)
            continue
        s, e = _clause_after(ctx, cue.end)
        clause = ctx.scan[s:e]
        head_end = min(e, s + head_len)
        blank = ctx.lex.get("cue:empty_cause").search(ctx.scan[s:head_end])
        if blank is None:
            generic = ctx.lex.get("cue:generic_cause").search(ctx.scan[s:head_end])
            if generic and not _EXPLAINED.match(ctx.scan, s + generic.end):
                blank = generic
        if blank is not None and not _says_where(ctx, s + blank.end, e):
            empty = empty or Hit(s + blank.start, s + blank.end, blank.text, blank.phrase, None)
            continue
        if cue.start in weak and (empty is not None or empty_spans or _is_the_delay(ctx, s, e)
                                  or _in_condition(ctx, cue.start)):
            continue  # "did not go to print on 24 November": the delay itself, not why; and where the
            # notice gives an empty reason ('受多方面因素影响'), a word like 政策 elsewhere is not it
        if has_cue(ctx, "inconvenience", s, e):
            continue  # "造成不便，敬请见谅": what the delay causes the client, not why it happened
        if content_words(clause, ctx.lang) >= 1:
            found.append((s, e))
            break  # one real reason is enough
    if not found:
        for s, e in zh_cause_spans(ctx) + late_party_spans(ctx):
            reason = ctx.scan[s:e]
            if _overlaps_any(empty_spans, s, e) or content_words(reason, ctx.lang) < 2:
                continue
            generic = ctx.lex.get("cue:generic_cause").search(reason)
            if generic is not None and content_words(reason[:generic.start], ctx.lang) < 2:
                continue  # 因技术问题 / 受多重因素影响: a generic noun with nothing before it
            found.append((s, e))
            break
    return found, empty


_EN_EVENT = LazyPattern(
    r"(?<![A-Za-z])(?:[A-Za-z]{3,}ed|found|took|broke|came|went|left|fell|gave|told|sent|sold|began|became|grew|"
    r"knew|saw|wrote|ran|hit|built|made|got|lost|shut|stopped|failed|missed|split|burst|froze|shrank|bent|tore|"
    r"caught|sank|blew|struck|withdrew)(?![A-Za-z])", re.IGNORECASE)
_EN_MODAL = LazyPattern(r"(?<![A-Za-z])(?:will|shall|would|can|could|must|should|going to)(?![A-Za-z])|'ll(?![A-Za-z])",
                        re.IGNORECASE)
_OTHER_ELEMENTS = ("mitigation", "impact", "status", "update", "contact", "acknowledge", "original_date",
                   "new_date", "empty_cause", "generic_cause")


_ZH_EVENT = LazyPattern(r"了|发现|出现|改变|变更|更换|坏|停|卡住|失败|退回|拒绝")


def narrated_cause(ctx: Context) -> bool:
    """No cause word: a sentence that tells an event ('The test found two weaknesses in the
    sign-in', '供应商上周换了接口格式') and is not about any other element, a date, or an apology."""
    event, least = (_ZH_EVENT, 5) if ctx.lang == "zh" else (_EN_EVENT, 6)
    delivery_dates = {m.start for m, role in ctx.roles if role in ("new", "original")}
    for s, e in ctx.sentences:
        sentence = ctx.scan[s:e]
        if content_words(sentence, ctx.lang) < least or not event.search(sentence):
            continue
        if ctx.lang == "en" and _EN_MODAL.search(sentence):
            continue  # "the checkout will be fixed by Friday": a plan, not an event
        if any(m.start in delivery_dates for m in in_span(ctx.mention_starts, ctx.mentions, s, e)) \
                or in_span(ctx.slot_starts, ctx.slots, s, e):
            continue  # the sentence that gives the old or new date tells the delay, not its reason
        if any(has_cue(ctx, kind, s, e) for kind in _OTHER_ELEMENTS + ("effort",)):
            continue
        if any(ctx.lex.get(cat).pattern and ctx.lex.get(cat).pattern.search(ctx.scan, s, e)
               for cat in ("passive", "apology", "vague_time", "hedges", "overpromise")):
            continue
        return True
    return False


def overlap(source: str, target: str, lang: str) -> float:
    """Share of a fact's content found in the text: word stems (en) or character pairs (zh).
    The text's own units are computed once per text, so many facts cost linear time."""
    if lang == "zh" or _CJK.search(source):
        chars = "".join(_CJK.findall(source))
        grams = {chars[i:i + 2] for i in range(len(chars) - 1)}
        words = {w.lower() for w in _EN_WORD.findall(source) if len(w) >= 2}
        units = len(grams) + len(words)
        if not units:
            return 1.0
        target_grams, target_words = _zh_units(target)
        found = sum(1 for g in grams if g in target_grams)
        found += sum(1 for w in words if w in target_words)
        return found / units
    stems = {w.lower()[:5] for w in _EN_WORD.findall(source) if len(w) >= 3 and w.lower() not in _EN_STOP}
    if not stems:
        return 1.0
    return len(stems & _en_stems(target)) / len(stems)


@lru_cache(maxsize=8)
def _en_stems(text: str) -> frozenset[str]:
    return frozenset(w.lower()[:5] for w in _EN_WORD.findall(text))


@lru_cache(maxsize=8)
def _zh_units(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The text's character pairs (over runs of CJK) and its Latin words, lower-cased."""
    grams = {text[i:i + 2] for i in range(len(text) - 1)}
    return frozenset(grams), frozenset(w.lower() for w in _EN_WORD.findall(text))


def check_cause(ctx: Context) -> list[Finding]:
    f = ctx.facts
    sample = f.causes[0].summary if f else None
    suggestion = (msg(ctx, "missing-cause-suggestion", cause=sample) if sample
                  else msg(ctx, "missing-cause-suggestion-generic"))
    if slots_of(ctx, "cause"):
        return []
    causes, empty = real_causes(ctx)
    if not causes:
        causes = _generic_with_where(ctx)
    if not causes and empty is None and not hits(ctx, "passive") \
            and ctx.lex.get("cue:empty_cause").search(ctx.scan) is None and narrated_cause(ctx):
        causes = [(0, 0)]
    if not causes:
        passive = next(iter(hits(ctx, "passive")), None)
        shown = empty or passive
        text = msg(ctx, "missing-cause-empty", text=ctx.doc.text[shown.start:shown.end]) if shown \
            else msg(ctx, "missing-cause")
        return [make(ctx, "missing-cause", text, suggestion)]
    if f is not None:
        best = max(overlap(f"{c.summary} {c.detail or ''}", ctx.scan, ctx.lang) for c in f.causes)
        summary_best = max(overlap(c.summary, ctx.scan, ctx.lang) for c in f.causes)
        if max(best, summary_best) < 0.3:
            return [make(ctx, "missing-cause", msg(ctx, "missing-cause-facts", cause=sample), suggestion)]
    return []


_SUBJECT_REACH = {"en": 48, "zh": 14}  # how far before a cue its subject may stand, in one clause



# --- what happened: a Chinese reason given by its grammar, not by a listed phrase ------------

# 因 as a preposition ("因增加供热管道铺装，需增加工期"), not inside 原因/基因/因此/因而/因素/因果
_ZH_YIN = re.compile(r"(?<![原基诱起成])因(?![此而素果为])")
_ZH_SHOU = re.compile(r"受")
_ZH_EFFECT = ("影响", "制约", "限制", "波及", "冲击", "拖累")


def zh_cause_spans(ctx: Context) -> list[tuple[int, int]]:
    """Spans that hold a reason by grammar: what follows 因 up to the clause end, and X in
    受X影响 ('受芯片供货紧张影响'). The caller filters empty reasons (各种因素, 不可抗力)."""
    if ctx.lang != "zh":
        return []
    spans: list[tuple[int, int]] = []
    for m in _ZH_YIN.finditer(ctx.scan):
        s, e = clause(ctx, m.end(), m.end())
        if not has_cue(ctx, "inconvenience", m.end(), e):  # 因延期给您带来的不便: an apology
            spans.append((m.end(), e))
    for m in _ZH_SHOU.finditer(ctx.scan):
        s, e = clause(ctx, m.end(), m.end())
        window = ctx.scan[m.end():e]
        cut = min((i for i in (window.find(w) for w in _ZH_EFFECT) if i >= 0), default=-1)
        if cut >= 2:
            spans.append((m.end(), m.end() + cut))
    return sorted(spans)


def late_party_spans(ctx: Context) -> list[tuple[int, int]]:
    """'The vendor is running behind', '门窗厂家进度滞后': a named other party (`party`) is late - a
    cause. With our side or the work as the subject ('we're running behind', '整体进度滞后') it is
    the delay itself."""
    spans = []
    reach = _SUBJECT_REACH[ctx.lang]
    for h in cue_hits(ctx, "late_party"):
        s, _ = clause(ctx, h.start, h.end)
        lo = max(s, h.start - reach)
        if has_cue(ctx, "party", lo, h.start) and not has_cue(ctx, "we", lo, h.start):
            spans.append((lo, h.end))
    return spans
