"""What every check works on: the prepared `Context`, sentences, clauses and words, cue and
phrase look-ups, and how a finding is made (capped per check). The checks are in `rules.py`; the
roles of dates and whose delay a phrase is about are in `roles.py`."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from assistant.checks.catalogue import catalogue
from assistant.checks.datafiles import read_data
from assistant.checks.datefind import Mention
from assistant.checks.document import Document
from assistant.checks.lazyre import LazyPattern  # rarely reached patterns compile on first use
from assistant.checks.lexicon import Hit, Lexicon, Matcher, _as_entries
from assistant.checks.placeholders import Slot
from assistant.config import Settings
from assistant.dates import (
    format_date,
)
from assistant.findings import Finding

if TYPE_CHECKING:  # only annotations: a plain check never imports the facts models
    from assistant.facts import Facts

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
        from assistant.checks.roles import _date_roles  # roles builds on this module

        return _date_roles(self)

    @cached_property
    def mention_starts(self) -> list[int]:
        return [m.start for m in self.mentions]

    @cached_property
    def slot_starts(self) -> list[int]:
        return [x.start for x in self.slots]

    @cached_property
    def cause_spans(self) -> list[tuple[int, int]]:
        from assistant.checks.roles import _cause_spans

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


def cue_hits_between(ctx: Context, kind: str, start: int, end: int) -> list[Hit]:
    """The cue's hits inside [start, end) only: a bounded look, for checks run per sentence."""
    matcher = ctx.lex.get(f"cue:{kind}")
    if matcher.pattern is None or start >= end:
        return []
    return [Hit(m.start(), m.end(), m.group(0), "", None) for m in matcher.pattern.finditer(ctx.scan, start, end)]


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
