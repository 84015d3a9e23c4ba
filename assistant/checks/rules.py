"""The 18 checks of SPEC §4, one small function each, over a prepared `Context`.

Every check reads the *scan* text: the document's masked copy with template slots blanked,
so offsets stay those of the user's file. Phrase lists, cue words and messages come from
`data/{lang}/`; this module only holds the logic that combines them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from assistant.checks.catalogue import catalogue
from assistant.checks.clauses import (
    about_the_delivery,
    guarantee_counts,
    hedge_counts,
    tells_the_past,
    vague_counts,
)
from assistant.checks.datafiles import read_data
from assistant.checks.datefind import Mention, find_mentions
from assistant.checks.document import Document, has_contact
from assistant.checks.lazyre import LazyPattern  # rarely reached patterns compile on first use
from assistant.checks.lexicon import Hit, Lexicon, Matcher, _as_entries
from assistant.checks.placeholders import Slot
from assistant.config import Settings
from assistant.dates import (
    CADENCE_DAYS,
    EN_WEEKDAYS,
    ZH_WEEKDAYS,
    format_date,
    format_duration,
    weekday_name,
    working_days_between,
)
from assistant.findings import Finding

if TYPE_CHECKING:  # only annotations: a plain check never imports the facts models
    from assistant.facts import Facts

EN_LONG_WORDS = 30
ZH_LONG_CHARS = 60
OVER_APOLOGY = 3
LATE_NOTICE_WORKING_DAYS = 5


@dataclass
class Context:
    """What every check needs: the document, its language, lexicon, dates, slots and facts.
    Derived views (sentence index, date roles) are computed once, on first use."""

    doc: Document
    scan: str
    lang: str
    lex: Lexicon
    exceptions: dict[str, Matcher]
    mentions: list[Mention]
    slots: list[Slot]
    sentences: list[tuple[int, int]]
    facts: Facts | None
    settings: Settings
    # check id -> (findings past MAX_PER_CHECK, the span of the first of them)
    omitted: dict[str, tuple[int, tuple[int, int]]] = field(default_factory=dict)

    @cached_property
    def sentence_starts(self) -> list[int]:
        return [s for s, _ in self.sentences]

    @cached_property
    def roles(self) -> list[tuple[Mention, str]]:
        return _date_roles(self)

    @cached_property
    def mention_starts(self) -> list[int]:
        return [m.start for m in self.mentions]

    @cached_property
    def slot_starts(self) -> list[int]:
        return [x.start for x in self.slots]

    @cached_property
    def cause_spans(self) -> list[tuple[int, int]]:
        return _cause_spans(self)


@cache
def messages(lang: str) -> dict[str, str]:
    return read_data(lang, "messages.yaml")


@cache
def exceptions_for(lang: str) -> dict[str, Matcher]:
    """Per category, phrases in which a listed word means something else."""
    data = read_data(lang, "exceptions.yaml") or {}
    return {cat: Matcher(_as_entries(phrases)) for cat, phrases in data.items()}


def msg(ctx: Context, key: str, **fields: Any) -> str:
    return messages(ctx.lang)[key].format(**fields)


# --- sentences and words ------------------------------------------------------------------

_EN_END = re.compile(r"[.!?]+(?=\s|$)|\n")
_ZH_END = LazyPattern(r"[。！？；!?;]+|\n")
_EN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
_CJK = LazyPattern(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ZH_COUNTED = LazyPattern(r"[^\s，。！？；：、“”‘’（）《》【】—…,.!?;:()\"'\-|*#>`~]")
_EN_STOP = frozenset("""
the and for are was were been being have has had with this that these those from into onto our your their its
his her they them you she him will would shall should can could may might must not but all any some such than
then there here what when where which who whom whose why how also just very more most much many few each
other only own same too out off over under again further once about above below between both during before
after because until while ever even still yet let get got make made take took come came went goes going
able one two three four five six seven eight nine ten via per within without upon
""".split())


def split_sentences(scan: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans (stripped, non-empty): zh ends at 。！？； and newlines, en at . ! ? and newlines."""
    rx = _ZH_END if lang == "zh" else _EN_END
    spans = []
    start = 0
    for m in rx.finditer(scan):
        spans.append((start, m.end() if m.group(0) != "\n" else m.start()))
        start = m.end()
    spans.append((start, len(scan)))
    out = []
    for s, e in spans:
        while s < e and scan[s].isspace():
            s += 1
        while e > s and scan[e - 1].isspace():
            e -= 1
        if e > s and (_EN_WORD.search(scan, s, e) or _CJK.search(scan, s, e)):
            out.append((s, e))
    return out


def content_words(text: str, lang: str) -> int:
    """How much a clause actually says: content words (en) or Chinese characters (zh)."""
    if lang == "zh":
        return len(_CJK.findall(text)) // 2 + sum(1 for w in _EN_WORD.findall(text) if len(w) >= 2)
    return sum(1 for w in _EN_WORD.findall(text) if len(w) >= 3 and w.lower() not in _EN_STOP)


def sentence_of(ctx: Context, offset: int) -> tuple[int, int]:
    i = bisect_right(ctx.sentence_starts, offset) - 1
    if i >= 0:
        s, e = ctx.sentences[i]
        if s <= offset < e:
            return s, e
    return offset, offset


def in_span(starts: list[int], items: list, s: int, e: int) -> list:
    """Items (sorted by start) that start inside [s, e)."""
    return items[bisect_left(starts, s):bisect_left(starts, e)]


def _overlaps_any(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """`spans` sorted and non-overlapping (regex matches): does any overlap [start, end)?"""
    i = bisect_right(spans, (start, float("inf"))) - 1
    for j in (i, i + 1):
        if 0 <= j < len(spans) and spans[j][0] < end and start < spans[j][1]:
            return True
    return False


# --- findings -----------------------------------------------------------------------------

# Findings of one check listed per file. A real notice has a handful; a file with thousands (a
# generated or pasted log) would build a report no one reads, at gigabytes of memory. The rest are
# counted, and one finding placed on the first left out says how many there are.
MAX_PER_CHECK = 200


def first(ctx: Context, check: str, items: list[Any],
          span: Callable[[Any], tuple[int, int]] = lambda h: (h.start, h.end)) -> list[Any]:
    """The first MAX_PER_CHECK items a check reports on; how many are left out, and where the
    first of them is, go to `ctx.omitted`."""
    if len(items) <= MAX_PER_CHECK:
        return items
    count, where = ctx.omitted.get(check, (0, span(items[MAX_PER_CHECK])))
    ctx.omitted[check] = (count + len(items) - MAX_PER_CHECK, where)
    return items[:MAX_PER_CHECK]


def make(ctx: Context, check: str, message: str, suggestion: str | None = None,
         span: tuple[int, int] | None = None, severity: str | None = None) -> Finding:
    entry = catalogue()[check]
    sev = ctx.settings.severity.get(check) or severity or entry["severity"]
    if span is None:
        return Finding(check=check, principle=entry["principle"], severity=sev, message=message,
                       suggestion=suggestion)
    start, end = span
    line, column = ctx.doc.position(start)
    end_line, end_column = ctx.doc.position(end)
    return Finding(check=check, principle=entry["principle"], severity=sev, line=line, column=column,
                   end_line=end_line, end_column=end_column, text=ctx.doc.text[start:end], message=message,
                   suggestion=suggestion)


def hits(ctx: Context, category: str) -> list[Hit]:
    """Lexicon hits, minus those inside an exception phrase ('as soon as we know', 'cannot guarantee')."""
    found = list(ctx.lex.get(category).finditer(ctx.scan))
    exc = ctx.exceptions.get(category)
    if not found or exc is None or exc.pattern is None:
        return found
    spans = [(h.start, h.end) for h in exc.finditer(ctx.scan)]
    return [h for h in found if not _overlaps_any(spans, h.start, h.end)]


def cue_hits(ctx: Context, kind: str) -> list[Hit]:
    return list(ctx.lex.get(f"cue:{kind}").finditer(ctx.scan))


def has_cue(ctx: Context, kind: str, start: int = 0, end: int | None = None) -> bool:
    matcher = ctx.lex.get(f"cue:{kind}")
    if matcher.pattern is None:
        return False
    end = len(ctx.scan) if end is None else end
    return matcher.pattern.search(ctx.scan, start, end) is not None


def cue_ends_near(ctx: Context, kind: str, pos: int, reach: int) -> bool:
    """A cue that ends at most `reach` characters before `pos` ('new date is Friday ...')."""
    matcher = ctx.lex.get(f"cue:{kind}")
    if matcher.pattern is None:
        return False
    return any(pos - reach <= m.end() <= pos for m in matcher.pattern.finditer(ctx.scan, max(0, pos - reach - 40), pos))


def slots_of(ctx: Context, kind: str) -> list[Slot]:
    return [s for s in ctx.slots if kind in s.kinds]


def fmt_date(ctx: Context, d: date) -> str:
    return format_date(d, ctx.lang)


# --- date roles ---------------------------------------------------------------------------

def _window_before(ctx: Context, m: Mention, prev_end: int) -> tuple[int, int]:
    s, _ = sentence_of(ctx, m.start)
    reach = 24 if ctx.lang == "zh" else 70
    return max(s, prev_end, m.start - reach), m.start


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
    if ctx.facts is not None and copied_from(ctx, m.start, m.end, _facts_texts(ctx.facts)):
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


_ZH_CLAUSE_STOP = LazyPattern(r"[，。；！？,;!?\n]")
_EN_CLAUSE_STOP = re.compile(r"[.;!?\n]")
_CLAUSE_MAX = 400  # no clause is longer; keeps the check linear on adversarial input


def _clause_end(ctx: Context, pos: int) -> int:
    limit = min(len(ctx.scan), pos + _CLAUSE_MAX)
    m = (_ZH_CLAUSE_STOP if ctx.lang == "zh" else _EN_CLAUSE_STOP).search(ctx.scan, pos, limit)
    end = m.start() if m else limit
    if ctx.lang == "en":  # an English clause also ends at a comma once it has said something
        comma = ctx.scan.find(",", pos, end)
        while comma >= 0:
            if content_words(ctx.scan[pos:comma], "en") >= 3:
                return comma
            comma = ctx.scan.find(",", comma + 1, end)
    return end


def _clause_after(ctx: Context, pos: int) -> tuple[int, int]:
    """From `pos` to the end of the clause; a cue that ends its sentence ('Why.') reads the next one."""
    end = _clause_end(ctx, pos)
    if content_words(ctx.scan[pos:end], ctx.lang) == 0:
        nxt = end + 1
        limit = min(len(ctx.scan), nxt + 20)
        while nxt < limit and ctx.scan[nxt] in " \t\n*_#:：":
            nxt += 1
        return nxt, _clause_end(ctx, nxt)
    return pos, end


_EXPLAINED = re.compile(r"\s*(?:with|in|from|at|on|of|caused by|:|：|——|—|–)\s*\S", re.IGNORECASE)


def _says_where(ctx: Context, pos: int, end: int) -> bool:
    """'technical challenges in the backend development', '系统问题，主要是支付环节': a generic reason
    followed by where or in what it arose counts as one (LABELS.md); 'technical difficulties.' alone
    does not."""
    m = _EXPLAINED.match(ctx.scan, pos)
    return m is not None and content_words(ctx.scan[m.end() - 1:end], ctx.lang) >= 2


def _generic_with_where(ctx: Context) -> list[tuple[int, int]]:
    """No cause word, but a generic reason that says where it arose ('unforeseen technical
    challenges in the backend development have arisen', '现场出现技术问题，集中在排水管线')."""
    for kind in ("empty_cause", "generic_cause"):
        for h in cue_hits(ctx, kind):
            if _says_where(ctx, h.end, _clause_end(ctx, h.end)):
                return [(h.start, h.end)]
    return []


def real_causes(ctx: Context) -> tuple[list[tuple[int, int]], Hit | None]:
    """Clauses that give a reason; and the first empty one ('due to unforeseen issues')."""
    found: list[tuple[int, int]] = []
    empty: Hit | None = None
    head_len = 20 if ctx.lang == "zh" else 40
    empty_spans = [(h.start, h.end) for h in ctx.lex.get("cue:empty_cause").finditer(ctx.scan)]
    for cue in cue_hits(ctx, "cause"):
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
        if content_words(clause, ctx.lang) >= 1:
            found.append((s, e))
            break  # one real reason is enough
    return found, empty


_EN_EVENT = LazyPattern(
    r"(?<![A-Za-z])(?:[A-Za-z]{3,}ed|found|took|broke|came|went|left|fell|gave|told|sent|sold|began|became|grew|"
    r"knew|saw|wrote|ran|hit|built|made|got|lost|shut|stopped|failed|missed)(?![A-Za-z])", re.IGNORECASE)
_OTHER_ELEMENTS = ("mitigation", "impact", "status", "update", "contact", "acknowledge", "original_date",
                   "new_date", "empty_cause", "generic_cause")


_ZH_EVENT = LazyPattern(r"了|发现|出现|改变|变更|更换|坏|停|卡住|失败|退回|拒绝")


def narrated_cause(ctx: Context) -> bool:
    """No cause word: a sentence that tells an event ('The test found two weaknesses in the
    sign-in', '供应商上周换了接口格式') and is not about any other element, a date, or an apology."""
    event, least = (_ZH_EVENT, 5) if ctx.lang == "zh" else (_EN_EVENT, 6)
    for s, e in ctx.sentences:
        sentence = ctx.scan[s:e]
        if content_words(sentence, ctx.lang) < least or not event.search(sentence):
            continue
        if in_span(ctx.mention_starts, ctx.mentions, s, e) or in_span(ctx.slot_starts, ctx.slots, s, e):
            continue
        if any(has_cue(ctx, kind, s, e) for kind in _OTHER_ELEMENTS):
            continue
        if any(ctx.lex.get(cat).pattern and ctx.lex.get(cat).pattern.search(ctx.scan, s, e)
               for cat in ("passive", "apology", "vague_time", "hedges", "overpromise")):
            continue
        return True
    return False


def _overlap(source: str, target: str, lang: str) -> float:
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
        best = max(_overlap(f"{c.summary} {c.detail or ''}", ctx.scan, ctx.lang) for c in f.causes)
        summary_best = max(_overlap(c.summary, ctx.scan, ctx.lang) for c in f.causes)
        if max(best, summary_best) < 0.3:
            return [make(ctx, "missing-cause", msg(ctx, "missing-cause-facts", cause=sample), suggestion)]
    return []


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
        return []
    if any(m.kind == "duration" and (m.bounded or states_delay(ctx, m)) and m.days for m in ctx.mentions):
        return []
    return [make(ctx, "missing-new-date", msg(ctx, "missing-new-date"), msg(ctx, "missing-new-date-suggestion-generic"))]


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
        if max(_overlap(m, ctx.scan, ctx.lang) for m in f.mitigations) >= 0.4:
            return []
        if not has_cue(ctx, "mitigation"):
            return [make(ctx, "missing-mitigation", msg(ctx, "missing-mitigation"), suggestion)]
        return [make(ctx, "missing-mitigation", msg(ctx, "missing-mitigation-facts", mitigation=sample), suggestion)]
    if has_cue(ctx, "mitigation"):
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


def update_plans(ctx: Context) -> list[tuple[int, int]]:
    """Sentences that commit to an update and say when (a date, a weekday, a rhythm or a slot)."""
    plans = []
    for s, e in ctx.sentences:
        slots = in_span(ctx.slot_starts, ctx.slots, s, e)
        if not (has_cue(ctx, "update", s, e) or any("update" in x.kinds for x in slots)):
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
