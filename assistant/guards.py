"""Guards on an LLM answer before anyone sees it as final: is it a notice that can be sent?

A model's answer can read well and still be unsendable: commentary around the notice ("Here is
the revised email:", "--- The response is re-written…", Markdown fences), placeholders it made up
(`[Your Name]`, `XX月XX日`), facts it invented (a date, a weekday that does not go with its
date, a number, a name, a phone number) or facts it dropped (a mitigation, the next update
date, the sender's contact details). The rule checks (`assistant.checks`) judge a notice as a
*template* too, where a placeholder is a slot to fill; these guards judge an answer meant to
be *sent*, so there a placeholder is an error.

`strip_commentary` cuts what is about the notice and says what it cut; `guard_findings`
returns `placeholder`, `fact-mismatch` and `missing-*` findings with positions in the text.
Every fact is traced to a *source*: the facts (with the date texts derived from them) and,
for a rewrite, the original draft. Cue words live in `data/guards/<lang>.yaml`; every scan is
one pass over lines or tokens (no backtracking patterns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assistant.findings import Finding

if TYPE_CHECKING:
    from assistant.facts import Facts

DATA = Path(__file__).parent / "data" / "guards"
PLACEHOLDER = "placeholder"  # an extra check id (README): only draft and rewrite output fire it

_SEPARATOR = frozenset("-*_=—–~")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_LIST_MARK = re.compile(r"[ \t]*(?:[-*•]|\d{1,2}[.)、])[ \t]+")
_EN_CAP = re.compile(r"[A-Z][a-z]+(?:['’][a-z]+)?")
_EN_WORD = re.compile(r"[A-Za-z]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SENTENCE_END = re.compile(r"[.!?。！？；;\n]")
_HTML_TAGS = frozenset({"br", "p", "b", "i", "u", "em", "strong", "div", "span", "table", "tr", "td", "th", "ul",
                        "li", "ol", "a", "hr", "html", "body", "head"})


@cache
def guard_data(lang: str) -> dict[str, Any]:
    """The cue lists and messages of one language (lower-cased cues)."""
    data = yaml.safe_load((DATA / f"{'zh' if lang == 'zh' else 'en'}.yaml").read_text(encoding="utf-8"))
    for key in ("preface", "commentary", "note", "signoff", "not_names", "placeholder_words"):
        data[key] = tuple(str(w).lower() for w in data.get(key) or ())
    return data


def _msg(lang: str, key: str, **values: object) -> str:
    return str(guard_data(lang)["messages"][key]).format(**values)


# --- commentary -------------------------------------------------------------------------------

def _norm(line: str) -> str:
    """A line as cues see it: without a leading separator run, list or emphasis marks, lower-cased."""
    s = line.strip()
    run = 0
    while run < len(s) and s[run] in _SEPARATOR:
        run += 1
    if run >= 3:
        s = s[run:]
    return s.lstrip("*_#> \t").lower()


def _is_separator(line: str) -> bool:
    s = line.strip()
    return len(s) >= 3 and all(ch in _SEPARATOR for ch in s)


def _starts(text: str, cues: tuple[str, ...]) -> bool:
    return any(text.startswith(c) for c in cues)


def strip_commentary(text: str, lang: str) -> tuple[str, list[str]]:
    """The notice without what the model wrote about it, and what was removed (for `-v`).

    Removed: Markdown fence lines (a notice has no code), a first line that introduces the
    notice ("Here is the revised email:"), and from the first line that starts remarks about
    it ("The response is re-written…", "以上是…", "Note: …" after the sign-off or a separator
    line) to the end."""
    data = guard_data(lang)
    removed: list[str] = []
    lines = []
    for line in text.split("\n"):
        if line.strip().startswith(("```", "~~~")):
            removed.append("a Markdown code fence")
            continue
        lines.append(line)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None:
        head = _norm(lines[first])
        if len(head) <= 160 and _starts(head, data["preface"]) and not head.startswith(("subject", "主题")):
            removed.append(lines[first].strip())
            lines = lines[first + 1:]
            while lines and (not lines[0].strip() or _is_separator(lines[0])):
                lines = lines[1:]
    cut = _commentary_start(lines, data)
    if cut is not None:
        tail = "\n".join(ln for ln in lines[cut:] if ln.strip() and not _is_separator(ln))
        if tail:
            removed.append(tail if len(tail) <= 200 else tail[:197] + "...")
        lines = lines[:cut]
    while lines and (not lines[-1].strip() or _is_separator(lines[-1])):
        lines = lines[:-1]
    return "\n".join(lines).strip("\n"), removed


def _commentary_start(lines: list[str], data: dict[str, Any]) -> int | None:
    """The index of the first line of trailing remarks, or None."""
    seen = 0
    signed = False
    after_separator = False
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _is_separator(line):
            after_separator = True
            continue
        n = _norm(line)
        if seen >= 1 and (_starts(n, data["commentary"]) or (
                (signed or after_separator) and _starts(n, data["note"]))):
            back = i
            while back > 0 and (not lines[back - 1].strip() or _is_separator(lines[back - 1])):
                back -= 1
            return back
        if _starts(n.rstrip(",，!！ "), data["signoff"]):
            signed = True
        after_separator = False
        seen += 1
    return None


# --- sources ------------------------------------------------------------------------------------

@dataclass
class Source:
    """Everything an answer may take facts from: the facts' texts, the derived date texts, and
    for a rewrite the original draft; with the dates, numbers, words and contacts in them."""

    text: str
    dates: set[date] = field(default_factory=set)
    month_days: set[tuple[int, int]] = field(default_factory=set)
    numbers: set[float] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if value is not None else []


def build_source(facts: Facts | None, original: str | None, lang: str) -> Source:
    """The source an answer is traced to (see `Source`)."""
    from assistant.checks.datefind import find_mentions
    from assistant.llm.redact import find_emails, find_phones

    parts: list[str] = []
    src = Source(text="")
    if facts is not None:
        from assistant.drafting.llm import derived_texts
        from assistant.facts import facts_to_data

        parts += _strings(facts_to_data(facts)) + _strings(derived_texts(facts))
        src.dates |= {facts.original_date, facts.new_date, facts.notice_date, facts.next_update,
                      *(p.due for p in facts.phases)}
        src.numbers |= {float(n) for n in (len(facts.causes), len(facts.mitigations), len(facts.phases),
                                           len(facts.completed), len(facts.pending))}
        src.numbers |= {float(i) for i in range(1, len(facts.phases) + 1)}
        if facts.sender.email:
            src.emails.add(facts.sender.email.lower())
        if facts.client.email:
            src.emails.add(facts.client.email.lower())
        if facts.sender.phone:
            src.phones.add(_digits(facts.sender.phone))
    if original:
        parts.append(original)
        for m in find_mentions(original, facts.notice_date if facts else None):
            src.dates |= set(m.dates)
            if m.kind == "date" and m.date is not None:
                src.month_days.add((m.date.month, m.date.day))
    src.text = "\n".join(parts)
    lowered = src.text.lower()
    src.words = {w.lower() for w in _EN_WORD.findall(src.text)}
    src.numbers |= {0.0, 1.0} | {v for v in (_number(t) for t in _DIGITS.findall(src.text)) if v is not None}
    words = guard_data(lang).get("number_words") or {}
    src.numbers |= {float(v) for w, v in words.items() if re.search(rf"\b{re.escape(str(w))}\b", lowered)}
    src.emails |= {e.lower() for e in find_emails(src.text)}
    src.phones |= {_digits(p) for p in find_phones(src.text)}
    src.month_days |= {(d.month, d.day) for d in src.dates}
    return src


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _number(token: str) -> float | None:
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


# --- findings -----------------------------------------------------------------------------------

def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _at(text: str, start: int, end: int, check: str, message: str, suggestion: str | None,
        severity: str = "error") -> Finding:
    line, column = _position(text, start)
    end_line, end_column = _position(text, end)
    principle = "accuracy" if check in (PLACEHOLDER, "fact-mismatch") else "transparency"
    return Finding(check=check, principle=principle, severity=severity, line=line, column=column,
                   end_line=end_line, end_column=end_column, text=text[start:end], message=message,
                   suggestion=suggestion)


def _absent(check: str, principle: str, message: str, suggestion: str) -> Finding:
    return Finding(check=check, principle=principle, severity="error", message=message, suggestion=suggestion)


def placeholder_findings(text: str, lang: str, source: Source, *, to_fill: frozenset[str] = frozenset()) -> list[Finding]:
    """Bracketed, braced or blank placeholders (`[Your Name]`, `{date}`, `XX月XX日`, `【…】`, `___`)
    that are not in the source. `to_fill` are the visible placeholders a rewrite without facts
    is told to write for a date the draft lacks: still errors (the notice cannot go out like
    that), worded as something for the author to fill in."""
    from assistant.checks.placeholders import find_slots

    words = guard_data(lang)["placeholder_words"] + guard_data("zh" if lang == "en" else "en")["placeholder_words"]
    out = []
    for slot in find_slots(text, text):
        inner = slot.text.strip("[]{}<>【】$ ")
        if slot.text in source.text:
            continue
        if slot.text.startswith("<") and ("@" in inner or "://" in inner or inner.split(" ")[0].lower() in _HTML_TAGS):
            continue
        if slot.text.startswith("【") and slot.kinds == frozenset({"generic"}) and not (
                any(w in inner.lower() for w in words) or "x" in inner.lower() or "…" in inner):
            continue  # 【延期通知】 is a heading, not a slot
        if slot.text in to_fill:
            out.append(_at(text, slot.start, slot.end, PLACEHOLDER, _msg(lang, "placeholder-fill", text=slot.text),
                           _msg(lang, "placeholder-fill-suggestion")))
            continue
        out.append(_at(text, slot.start, slot.end, PLACEHOLDER, _msg(lang, "placeholder", text=slot.text),
                       _msg(lang, "placeholder-suggestion")))
    return out


def untraced_findings(text: str, lang: str, source: Source, facts: Facts | None) -> list[Finding]:
    """`fact-mismatch` errors for dates, weekdays, numbers, names, e-mails and phone numbers that
    do not come from the source."""
    from assistant.checks.datefind import find_mentions
    from assistant.dates import format_date, weekday_name
    from assistant.llm.redact import find_emails, find_phones

    out: list[Finding] = []
    taken: list[tuple[int, int]] = []
    mentions = find_mentions(text, facts.notice_date if facts else _reference(source))
    shown = ", ".join(format_date(d, lang) for d in sorted(source.dates)) if facts else ""
    for m in mentions:
        taken.append((m.start, m.end))
        if m.kind != "date" or m.date is None:
            continue
        if m.weekday is not None and m.weekday != m.date.weekday() and (m.year_given or facts is not None):
            out.append(_at(text, m.start, m.end, "fact-mismatch", _msg(
                lang, "weekday", text=m.text, date=format_date(m.date, lang, weekday=False),
                actual=weekday_name(m.date, lang), stated=_weekday_word(m.weekday, lang)),
                _msg(lang, "weekday-suggestion")))
            continue
        known = (any(d in source.dates for d in m.dates) if facts is not None
                 else (m.date.month, m.date.day) in source.month_days and (
                     not m.year_given or any(d.year == m.date.year for d in source.dates) or not source.dates))
        if not known:
            if facts is not None:
                out.append(_at(text, m.start, m.end, "fact-mismatch", _msg(lang, "untraced-date", text=m.text),
                               _msg(lang, "untraced-date-suggestion", dates=shown)))
            else:
                out.append(_at(text, m.start, m.end, "fact-mismatch", _msg(lang, "untraced-date-nofacts", text=m.text),
                               _msg(lang, "untraced-date-nofacts-suggestion",
                                    placeholder=guard_data(lang)["missing_date_placeholder"])))
    for value in find_emails(text):
        if value.lower() not in source.emails:
            start = text.find(value)
            taken.append((start, start + len(value)))
            out.append(_at(text, start, start + len(value), "fact-mismatch", _msg(
                lang, "untraced-contact", kind=_msg(lang, "e-mail address"), text=value),
                _msg(lang, "untraced-contact-suggestion")))
        else:
            start = text.find(value)
            taken.append((start, start + len(value)))
    for value in find_phones(text):
        start = text.find(value)
        taken.append((start, start + len(value)))
        digits = _digits(value)
        if not any(digits == k or (len(digits) >= 7 and k.endswith(digits)) for k in source.phones):
            out.append(_at(text, start, start + len(value), "fact-mismatch", _msg(
                lang, "untraced-contact", kind=_msg(lang, "phone number"), text=value),
                _msg(lang, "untraced-contact-suggestion")))
    out += _untraced_numbers(text, lang, source, taken)
    out += _untraced_names(text, lang, source)
    return out


def _reference(source: Source) -> date | None:
    return min(source.dates) if source.dates else None


def _weekday_word(index: int, lang: str) -> str:
    from assistant.dates import EN_WEEKDAYS, ZH_WEEKDAYS

    return (ZH_WEEKDAYS if lang == "zh" else EN_WEEKDAYS)[index]


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _untraced_numbers(text: str, lang: str, source: Source, taken: list[tuple[int, int]]) -> list[Finding]:
    from bisect import bisect_right

    out = []
    line_starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]
    for m in _DIGITS.finditer(text):
        s, e = m.start(), m.end()
        if _inside(s, e, taken):
            continue
        before, after = text[s - 1:s] if s else "", text[e:e + 1]
        if before.isalpha() and before.isascii() or after.isalpha() and after.isascii() and after not in "kKmM":
            continue  # part of a word or code: B2B, 4G
        line_start = line_starts[bisect_right(line_starts, s) - 1]
        mark = _LIST_MARK.match(text, line_start)
        if mark is not None and s < mark.end():
            continue  # a list number
        value = _number(m.group())
        if value is None or value in source.numbers:
            continue
        out.append(_at(text, s, e, "fact-mismatch", _msg(lang, "untraced-number", text=m.group()),
                       _msg(lang, "untraced-number-suggestion")))
    if lang == "en":
        words = guard_data(lang).get("number_words") or {}
        for m in _EN_WORD.finditer(text):
            value = words.get(m.group().lower())
            if value is None or value < 0 or float(value) in source.numbers or _inside(m.start(), m.end(), taken):
                continue
            out.append(_at(text, m.start(), m.end(), "fact-mismatch",
                           _msg(lang, "untraced-number", text=m.group()), _msg(lang, "untraced-number-suggestion")))
    return out


def _untraced_names(text: str, lang: str, source: Source) -> list[Finding]:
    """Capitalised words in the middle of an English sentence that no source has (a name the
    model made up), and Chinese titles (王经理, 李先生) with a surname no source has."""
    out = []
    if lang == "zh":
        titles = guard_data("zh").get("titles") or []
        ok = set(guard_data("zh").get("title_words") or [])
        for run in _CJK_RUN.finditer(text):
            chunk = run.group()
            for title in titles:
                at = chunk.find(title)
                while at > 0:
                    name = chunk[max(0, at - 1):at + len(title)]
                    if (name not in source.text and chunk[at - 1] not in source.text
                            and not any(chunk[:at + len(title)].endswith(w) for w in ok)):
                        s = run.start() + max(0, at - 1)
                        out.append(_at(text, s, s + len(name), "fact-mismatch",
                                       _msg(lang, "untraced-name", text=name), _msg(lang, "untraced-name-suggestion")))
                    at = chunk.find(title, at + len(title))
        return out
    not_names = set(guard_data("en")["not_names"])
    pos = 0
    for line in text.split("\n"):
        words = _EN_WORD.findall(line)
        caps = sum(1 for w in words if w[0].isupper())
        heading = not words or caps * 10 >= len(words) * 6  # a title-case line: subject, heading, table head
        if not heading:
            bold = _bold_spans(line)
            label = _label_end(line)
            for m in _EN_CAP.finditer(line):
                if m.start() < label or any(s <= m.start() < e for s, e in bold):
                    continue  # "**Reason for Change**:", "Remaining Steps:" are labels, not names
                word = m.group()
                stem = word.split("'")[0].split("’")[0].lower()
                if stem in not_names or stem in source.words:
                    continue
                before = line[:m.start()].rstrip(" \t*_\"'“‘(")
                if not before or before[-1] in ".!?:;|-•>#" or _LIST_MARK.fullmatch(line[:m.start()]):
                    continue  # the first word of a sentence, a line or a cell
                out.append(_at(text, pos + m.start(), pos + m.end(), "fact-mismatch",
                               _msg(lang, "untraced-name", text=word), _msg(lang, "untraced-name-suggestion")))
        pos += len(line) + 1
    return out


def _bold_spans(line: str) -> list[tuple[int, int]]:
    """Spans of `**...**` in a line (pairs of markers, left to right)."""
    marks, at = [], line.find("**")
    while at >= 0:
        marks.append(at)
        at = line.find("**", at + 2)
    return [(marks[i], marks[i + 1]) for i in range(0, len(marks) - 1, 2)]


def _label_end(line: str) -> int:
    """Where a short 'Label:' at the start of a line ends (0 when there is none)."""
    cut = min((i for i in (line.find(":"), line.find("：")) if i >= 0), default=-1)
    if cut < 0 or len(_EN_WORD.findall(line[:cut])) > 6:
        return 0
    return cut


def required_findings(text: str, lang: str, facts: Facts) -> list[Finding]:
    """What a notice from these facts must carry, as `missing-*` errors: the new date, each cause,
    each mitigation (a chat message: one), the next update date, and on e-mail the sender's
    e-mail address and phone number exactly as given."""
    from assistant.checks.datefind import find_mentions
    from assistant.checks.rules import _overlap
    from assistant.dates import format_date

    out = []
    # explicit dates only: a bare 'Friday' that happens to fall on the next update does not say it
    dates = {d for m in find_mentions(text, facts.notice_date) if m.kind == "date" for d in m.dates}
    if facts.new_date not in dates:
        new = format_date(facts.new_date, lang)
        out.append(_absent("missing-new-date", "solution", _msg(lang, "need-new-date", date=new),
                           _msg(lang, "need-new-date-suggestion", date=new)))
    for cause in facts.causes:
        if max(_overlap(f"{cause.summary} {cause.detail or ''}", text, lang), _overlap(cause.summary, text, lang)) < 0.3:
            out.append(_absent("missing-cause", "explain-cause", _msg(lang, "need-cause", cause=cause.summary),
                               _msg(lang, "need-cause-suggestion", cause=cause.summary)))
    sentences = [x for x in _SENTENCE_END.split(text) if x.strip()]
    missing = [m for m in facts.mitigations if max((_overlap(m, x, lang) for x in sentences), default=0) < 0.5]
    if facts.channel == "im" and len(missing) < len(facts.mitigations):
        missing = []
    for step in missing:
        out.append(_absent("missing-mitigation", "solution", _msg(lang, "need-mitigation", mitigation=step),
                           _msg(lang, "need-mitigation-suggestion", mitigation=step)))
    if facts.next_update not in dates:
        nxt = format_date(facts.next_update, lang)
        out.append(_absent("missing-update-plan", "regular-updates", _msg(lang, "need-next-update", date=nxt),
                           _msg(lang, "need-next-update-suggestion", date=nxt,
                                cadence=_msg(lang, f"cadence-{facts.updates.cadence}"))))
    if facts.channel == "email":
        lowered, digits = text.lower(), _digits(text)
        for kind, value, present in (
                ("e-mail address", facts.sender.email, bool(facts.sender.email) and str(facts.sender.email).lower() in lowered),
                ("phone number", facts.sender.phone, bool(facts.sender.phone) and (
                    facts.sender.phone in text or _digits(facts.sender.phone) in digits))):
            if value and not present:
                out.append(_absent("missing-contact", "transparency",
                                   _msg(lang, "need-contact", kind=_msg(lang, kind), value=value),
                                   _msg(lang, "need-contact-suggestion", value=value)))
    return out


def guard_findings(text: str, lang: str, *, facts: Facts | None, original: str | None = None,
                   to_fill: frozenset[str] = frozenset()) -> list[Finding]:
    """Every guard finding on one answer (positions in `text`)."""
    source = build_source(facts, original, lang)
    found = placeholder_findings(text, lang, source, to_fill=to_fill) + untraced_findings(text, lang, source, facts)
    if facts is not None:
        found += required_findings(text, lang, facts)
    return found


def merge_findings(rules: list[Finding], guards: list[Finding]) -> list[Finding]:
    """Rule findings plus guard findings: a guard's `missing-*` replaces the rule's vaguer one of
    the same check, and a guard finding on the same span and check as a rule finding is dropped."""
    guard_missing = {g.check for g in guards if g.line is None}
    kept = [f for f in rules if not (f.line is None and f.check in guard_missing)]
    spans = {(f.check, f.line, f.column) for f in kept if f.line is not None}
    kept += [g for g in guards if g.line is None or (g.check, g.line, g.column) not in spans]
    return sorted(kept, key=lambda f: (f.line is None, f.line or 0, f.column or 0))
