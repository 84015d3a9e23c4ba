"""Facts traced to their source: placeholders, and dates, weekdays, numbers, names, e-mails and
phone numbers that come from neither the facts (with their derived texts) nor the original draft."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from assistant.findings import Finding
from assistant.guards.data import PLACEHOLDER, finding_at, guard_data, msg

if TYPE_CHECKING:
    from assistant.facts import Facts

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_LIST_MARK = re.compile(r"[ \t#>*]*(?:[-*•]|\d{1,2}[.)、])[ \t]+")
_EN_CAP = re.compile(r"[A-Z][a-z]+(?:['’][a-z]+)?")
_EN_WORD = re.compile(r"[A-Za-z]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_HTML_TAGS = frozenset({"br", "p", "b", "i", "u", "em", "strong", "div", "span", "table", "tr", "td", "th", "ul",
                        "li", "ol", "a", "hr", "html", "body", "head"})


@dataclass
class Source:
    """Everything an answer may take facts from: the facts' texts, the derived date texts, and
    for a rewrite the original draft; with the dates, numbers, words and contacts in them."""

    text: str
    values: list[str] = field(default_factory=list)  # each text of the facts on its own
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
        src.values = list(parts)
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
            out.append(finding_at(text, slot.start, slot.end, PLACEHOLDER, msg(lang, "placeholder-fill", text=slot.text),
                           msg(lang, "placeholder-fill-suggestion")))
            continue
        out.append(finding_at(text, slot.start, slot.end, PLACEHOLDER, msg(lang, "placeholder", text=slot.text),
                       msg(lang, "placeholder-suggestion")))
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
            out.append(finding_at(text, m.start, m.end, "fact-mismatch", msg(
                lang, "weekday", text=m.text, date=format_date(m.date, lang, weekday=False),
                actual=weekday_name(m.date, lang), stated=_weekday_word(m.weekday, lang)),
                msg(lang, "weekday-suggestion")))
            continue
        known = (any(d in source.dates for d in m.dates) if facts is not None
                 else (m.date.month, m.date.day) in source.month_days and (
                     not m.year_given or any(d.year == m.date.year for d in source.dates) or not source.dates))
        if not known:
            if facts is not None:
                out.append(finding_at(text, m.start, m.end, "fact-mismatch", msg(lang, "untraced-date", text=m.text),
                               msg(lang, "untraced-date-suggestion", dates=shown)))
            else:
                out.append(finding_at(text, m.start, m.end, "fact-mismatch", msg(lang, "untraced-date-nofacts", text=m.text),
                               msg(lang, "untraced-date-nofacts-suggestion",
                                    placeholder=guard_data(lang)["missing_date_placeholder"])))
    for value in find_emails(text):
        if value.lower() not in source.emails:
            start = text.find(value)
            taken.append((start, start + len(value)))
            out.append(finding_at(text, start, start + len(value), "fact-mismatch", msg(
                lang, "untraced-contact", kind=msg(lang, "e-mail address"), text=value),
                msg(lang, "untraced-contact-suggestion")))
        else:
            start = text.find(value)
            taken.append((start, start + len(value)))
    for value in find_phones(text):
        start = text.find(value)
        taken.append((start, start + len(value)))
        digits = _digits(value)
        if not any(digits == k or (len(digits) >= 7 and k.endswith(digits)) for k in source.phones):
            out.append(finding_at(text, start, start + len(value), "fact-mismatch", msg(
                lang, "untraced-contact", kind=msg(lang, "phone number"), text=value),
                msg(lang, "untraced-contact-suggestion")))
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
        if value is None or value in source.numbers or _structural(text, s, e, lang):
            continue
        out.append(finding_at(text, s, e, "fact-mismatch", msg(lang, "untraced-number", text=m.group()),
                       msg(lang, "untraced-number-suggestion")))
    if lang == "en":
        words = guard_data(lang).get("number_words") or {}
        for m in _EN_WORD.finditer(text):
            value = words.get(m.group().lower())
            if value is None or value < 0 or float(value) in source.numbers or _inside(m.start(), m.end(), taken):
                continue
            out.append(finding_at(text, m.start(), m.end(), "fact-mismatch",
                           msg(lang, "untraced-number", text=m.group()), msg(lang, "untraced-number-suggestion")))
    return out


def _structural(text: str, start: int, end: int, lang: str) -> bool:
    """A number that orders or times the notice itself, not a fact: "Step 4", "第2阶段",
    "(10 min)" in an agenda, "30 分钟"."""
    data = guard_data(lang)
    before = text[max(0, start - 12):start].lower().rstrip(" \t*")
    after = text[end:end + 10].lower().lstrip(" \t")
    return (any(before.endswith(w) for w in data.get("numbering_words") or ())
            or any(after.startswith(u) and not after[len(u):len(u) + 1].isalpha() for u in data.get("agenda_units") or ()))


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
                        out.append(finding_at(text, s, s + len(name), "fact-mismatch",
                                       msg(lang, "untraced-name", text=name), msg(lang, "untraced-name-suggestion")))
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
                out.append(finding_at(text, pos + m.start(), pos + m.end(), "fact-mismatch",
                               msg(lang, "untraced-name", text=word), msg(lang, "untraced-name-suggestion")))
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


def copied_findings(text: str, lang: str, source: Source, example_facts: list[str]) -> list[Finding]:
    """Facts of the prompt's worked example in the answer that the case's own facts do not have:
    a small model copies the example's impact, steps or phone number instead of its own facts."""
    from assistant.checks.causes import overlap as _overlap

    out = []
    lowered, known = text.lower(), source.text.lower()
    for phrase in example_facts:
        if not phrase or phrase.lower() in known or any(_overlap(phrase, v, lang) >= 0.5 for v in source.values):
            continue  # one of the case's own facts, in the example's words
        at = lowered.find(phrase.lower()) if len(lowered) == len(text) else text.find(phrase)
        if at >= 0:
            shown = text[at:at + len(phrase)]
            out.append(finding_at(text, at, at + len(phrase), "fact-mismatch", msg(lang, "copied", text=shown),
                                  msg(lang, "copied-suggestion")))
    return out


def called_email_findings(text: str, lang: str) -> list[Finding]:
    """An e-mail address right after a verb of calling ("call me on x@y", "请致电 x@y"): a small
    model that has no phone number writes the address twice. Nobody can ring an address."""
    from assistant.llm.redact import find_emails

    verbs = [v.lower() for v in guard_data(lang).get("call_verbs", [])]
    lowered, out, start = text.lower(), [], 0
    for email in find_emails(text):
        at = lowered.find(email.lower(), start)
        if at < 0:
            continue
        start = at + len(email)
        before = lowered[max(0, at - 16):at].rstrip(" :：")
        verb = next((v for v in verbs if before.endswith(v)), None)
        if verb is not None:
            begin = at - (len(lowered[max(0, at - 16):at]) - len(before)) - len(verb)
            out.append(finding_at(text, begin, start, "fact-mismatch", msg(lang, "called-email", text=email),
                                  msg(lang, "called-email-suggestion")))
    return out
