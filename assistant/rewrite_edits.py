"""The offline rewrite's edits: each replaces a whole phrase or clause with words that read
correctly in its place (per-language data in `assistant/data/rewrite/`), or none is made and the
finding is kept with the reason, for the writer to fix by hand.

- jargon is explained in brackets after the term, where the term ends its noun phrase;
- a vague time phrase that stands as an adverbial becomes the facts' date ("by …", "在…前");
- a hedge becomes firm wording only in a clause that then gives the facts' date;
- guarantees, blame and informal admissions are rewritten by whole-clause patterns;
- a repeated apology is merged, and an approximate date range that contradicts the facts' date
  in the same clause (or a sentence that only restates it) is removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from assistant.findings import Finding
from assistant.rewrite_layout import rewrite_data

if TYPE_CHECKING:
    from assistant.facts import Facts

Edit = tuple[int, int, str]  # start offset, end offset, replacement


@dataclass
class Plan:
    """The edits to make, and why each finding without one was left ((check, words) -> reason)."""

    edits: list[Edit] = field(default_factory=list)
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)

    def leave(self, f: Finding, reason_key: str, lang: str) -> None:
        reasons = rewrite_data(lang).get("reasons", {})
        self.reasons[(f.check, _key(f.text or ""))] = reasons.get(reason_key) or reasons.get("default", "")


@cache
def jargon_alternatives(lang: str) -> dict[str, str]:
    """The checker's jargon lexicon, lower-cased term -> plain alternative (terms without one left out)."""
    from assistant.checks.lexicon import lexicon_for

    return {term: alt.strip() for term, alt in lexicon_for(lang).get("jargon").entries.items()
            if alt and alt.strip()}


def _key(words: str) -> str:
    return " ".join(words.lower().replace("’", "'").split())


def _match_case(original: str, replacement: str) -> str:
    if replacement and original[:1].isupper() and replacement[:1].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement


# --- locating what a finding points at -------------------------------------------------------

def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line."""
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def span_of(text: str, finding: Finding, starts: list[int]) -> tuple[int, int] | None:
    """The (start, end) offsets of a finding's words, checked against its `text`; None if the
    position does not hold those words (then the finding is left for the user)."""
    if finding.line is None or finding.column is None or not finding.text:
        return None
    if not 1 <= finding.line <= len(starts):
        return None
    start = starts[finding.line - 1] + finding.column - 1
    want = finding.text
    if text[start:start + len(want)].lower() == want.lower():
        return start, start + len(want)
    line_end = text.find("\n", start)
    found = text.lower().find(want.lower(), starts[finding.line - 1], len(text) if line_end < 0 else line_end)
    return (found, found + len(want)) if found >= 0 else None


_EN_STOPS = ".!?;\n"
_ZH_STOPS = "。！？；\n，,"


def sentence_around(text: str, start: int, end: int, stops: str = ".!?。！？\n") -> tuple[int, int]:
    """The (start, end) of the sentence holding text[start:end]. A full stop between digits, inside
    a word (an e-mail address or web address: "sam@northwind.example") or after an abbreviation
    ("Ms.", "e.g.") does not end it."""
    def is_stop(i: int) -> bool:
        c = text[i]
        if c not in stops:
            return False
        if c == "." and (text[i + 1:i + 2].isalnum() or text[i - 2:i].lower() in ("ms", "mr", "dr", "st")
                         or text[i - 3:i].lower() in ("mrs", "e.g", "i.e")):
            return False
        return True

    left = start
    while left > 0 and not is_stop(left - 1):
        left -= 1
    right = end
    while right < len(text) and not is_stop(right):
        right += 1
    return left, right


def clause_around(text: str, start: int, end: int, lang: str) -> tuple[int, int]:
    """A sentence in English (`;` too ends it); in Chinese a clause between ， ； 。."""
    return sentence_around(text, start, end, _ZH_STOPS if lang == "zh" else _EN_STOPS)


def _next_word(text: str, end: int) -> str:
    """The word right after `end` when only spaces separate it, else ''."""
    i = end
    while i < len(text) and text[i] == " ":
        i += 1
    j = i
    while j < len(text) and (text[j].isalpha() or text[j] in "-'"):
        j += 1
    return text[i:j] if i > end else ""


# --- jargon -----------------------------------------------------------------------------------

def jargon_edit(text: str, start: int, end: int, lang: str) -> Edit | str:
    """The lexicon's plain words in brackets right after the term ("QA (quality checks) is
    blocked", "联调（系统之间的联合测试）"): an explanation reads correctly wherever the term ends
    its noun phrase, where a swapped-in definition would not ("quality checks is blocked").
    A term used as a modifier or a verb is left (the reason key is returned)."""
    term = text[start:end]
    table = jargon_alternatives(lang)
    key = _key(term)
    alt = table.get(key) or (table.get(key[:-1]) if key.endswith("s") else None)
    if not alt or alt.lower() == key:
        return "jargon-none"
    if lang == "zh":  # "UAT 环境" -> "UAT（贵方的验收测试）环境": the bracket takes the space's place
        spaced = text[end:end + 1] == " " and "\u4e00" <= text[end + 1:end + 2] <= "\u9fff"
        return end, end + spaced, f"（{alt}）"
    data = rewrite_data(lang)
    before = text[:start].rstrip(" ")
    prev_word = before.rsplit(None, 1)[-1].lower() if before.split() else ""
    following = _next_word(text, end).lower()
    if following and following not in data.get("function_words", []):
        return "jargon-modifier"
    if prev_word in data.get("verb_context", []) and prev_word not in data.get("determiners", []) \
            and following not in data.get("subject_followers", []):  # "and QA will test" has QA as subject
        return "jargon-verb"
    if text[end:end + 1] in ("-", "/"):
        return "jargon-modifier"
    return end, end, f" ({alt})"


# --- vague time, hedges and approximate dates -------------------------------------------------

def _followers_ok(text: str, end: int, lang: str, data: dict[str, Any]) -> bool:
    rest = text[end:end + 12]
    if lang == "zh":
        if not rest or rest[0] in "，。！？；,.!?：:\n）)":
            return True
        return any(rest.startswith(w) for w in data.get("vague_followers", []))
    stripped = rest.lstrip(" ")
    if not stripped or stripped[0] in ",.!?;:)\n—–-":
        return True
    return _next_word(text, end).lower() in data.get("vague_followers", [])


def vague_edit(text: str, start: int, end: int, facts: Facts, lang: str) -> Edit | str:
    """A vague time phrase standing as an adverbial -> the facts' date ('by Friday, 5 February
    2027' / '在2027年2月5日（星期五）前'); the next update's date in a sentence about updates,
    unless the facts give none before delivery (then the delivery date would be reused)."""
    from assistant.dates import format_date

    data = rewrite_data(lang)
    phrase = _key(text[start:end])
    special = data.get("vague_phrases", {}).get(phrase)
    if phrase not in [_key(p) for p in data.get("vague_adverbials", [])] and not special:
        return "vague-form"
    if not _followers_ok(text, end, lang, data):
        return "vague-form"
    s, e = sentence_around(text, start, end)
    sentence = text[s:e].lower()
    about_update = any(cue.lower() in sentence for cue in data.get("update_cues", []))
    if about_update and facts.next_update >= facts.new_date:
        return "vague-update"
    when = facts.next_update if about_update else facts.new_date
    if special:
        return start, end, special.replace("{date}", format_date(when, lang))
    replacement = data["vague_date"].replace("{date}", format_date(when, lang))
    begin = start
    lead_ins = [w.lower() for w in data.get("vague_lead_ins", [])]
    phrase_first = text[start:end].split(" ", 1)[0].lower()
    if lang == "en" and phrase_first not in lead_ins:
        before = text[:start].rstrip(" ")
        prev = before.rsplit(None, 1)[-1] if before.split() else ""
        if prev.lower() in lead_ins:
            begin = len(before) - len(prev)
    elif lang == "zh" and start > 0 and text[start - 1] in lead_ins:
        begin = start - 1
    return begin, end, replacement


def gives_new_date(text: str, start: int, end: int, facts: Facts) -> bool:
    """Whether text[start:end] names the facts' new date (in any form the date finder reads)."""
    from assistant.checks.datefind import find_mentions

    return any(m.kind == "date" and facts.new_date in m.dates
               for m in find_mentions(text[start:end], facts.notice_date))


def hedge_edit(text: str, start: int, end: int, table: dict[str, str], lang: str,
               tidy: bool = True) -> Edit | None:
    """Replace a flagged hedge by its entry in `table` ("" removes it tidily, or, without `tidy`,
    just its words). The flagged words plus the next word are tried first, so "we hope" + "to"
    becomes "we will"."""
    replacement = None
    if lang == "en":
        rest = text[end:end + 40]
        stripped = rest.lstrip(" ")
        next_word = stripped.split(None, 1)[0] if stripped.split() else ""
        if next_word.isalpha() and rest[:1] == " ":
            replacement = table.get(_key(text[start:end] + " " + next_word))
            if replacement is not None:
                end = end + (len(rest) - len(stripped)) + len(next_word)
    else:  # "应该" flagged, "应该能" written: the longest entry the text continues with
        flagged = text[start:end]
        longer = [k for k in table if k.startswith(flagged) and len(k) > len(flagged)
                  and text[start:start + len(k)] == k]
        if longer:
            key = max(longer, key=len)
            replacement, end = table[key], start + len(key)
    if replacement is None:
        replacement = table.get(_key(text[start:end]))
    if replacement is None:
        return None
    if replacement or not tidy:
        return start, end, _match_case(text[start:end], replacement)
    return removal(text, start, end, lang)


def removals(text: str, spans: list[tuple[int, int]], lang: str) -> list[Edit]:
    """Words to remove, as tidy edits: neighbours with only spaces and commas between them go
    as one (", probably, if all goes well." -> ".")."""
    edits: list[Edit] = []
    run: list[int] = []
    for s, e in sorted(spans):
        if run and not text[run[1]:s].strip(" ,，"):
            run[1] = max(run[1], e)
            continue
        if run:
            edits.append(removal(text, run[0], run[1], lang))
        run = [s, e]
    if run:
        edits.append(removal(text, run[0], run[1], lang))
    return edits


def removal(text: str, start: int, end: int, lang: str) -> Edit:
    """Remove text[start:end] with the comma and space that belonged to it, and capitalise what
    then opens the sentence ("Hopefully, the portal" -> "The portal"; "ready, probably." -> "ready.")."""
    words = text[start:end]
    stop = end
    if text[stop:stop + 1] in (",", "，"):
        stop += 1
    while stop < len(text) and text[stop] == " " and lang == "en":
        stop += 1
    begin = start
    if lang == "en" and (stop == end or text[stop:stop + 1] in ".!?;:\n" or stop >= len(text)):
        while begin > 0 and text[begin - 1] == " ":
            begin -= 1
        if begin > 0 and text[begin - 1] == ",":
            begin -= 1
        if begin == 0 or text[begin - 1] == "\n":
            begin = start
        elif stop > end and text[stop:stop + 1] not in ".!?;:\n" and stop < len(text):
            stop = end  # "ready, probably, if" -> keep the second comma's words apart
    tail = ""
    if words[:1].isupper() and stop < len(text) and text[stop].islower():
        tail = text[stop].upper()
        stop += 1
    return begin, stop, tail


def guarantee_edit(text: str, start: int, end: int, data: dict[str, Any]) -> Edit | None:
    """'We guarantee' + a clause ('it will work') -> 'we are confident'; + a thing ('the date')
    -> 'we commit to'; + nothing but words the table removes ('We guarantee 100%.') -> None, as
    no rewording of it is both honest and grammatical."""
    stop = end
    while stop < len(text) and text[stop] not in ".!?\n":
        stop += 1
    removed = {k for k, v in data.get("overpromise", {}).items() if v == ""}
    words = [w.strip(",;:()\"'“”‘’").lower() for w in text[end:stop].split()]
    words = [w for w in words if w and w not in removed]
    if not words:
        return None
    key = _key(text[start:end])
    clause = any(w.replace("’", "'") in data.get("clause_verbs", []) for w in words)
    table = data["guarantee_clause"] if clause else data["overpromise"]
    return start, end, _match_case(text[start:end], table[key])


def overpromise_edit(text: str, start: int, end: int, lang: str) -> Edit | None:
    """A guarantee -> the table's honest form; removed words ('100%') take their space along."""
    data = rewrite_data(lang)
    key = _key(text[start:end])
    if key in data.get("guarantee_clause", {}):
        return guarantee_edit(text, start, end, data)
    table = data.get("overpromise", {})
    if lang == "zh":
        return hedge_edit(text, start, end, table, lang)
    for longer in sorted((k for k in table if k.startswith(key + " ")), key=len, reverse=True):
        if _key(text[start:start + len(longer)]) == longer:
            end, key = start + len(longer), longer
            break
    if key not in table:
        return None
    if table[key]:
        return start, end, _match_case(text[start:end], table[key])
    return removal(text, start, end, lang)


@cache
def _patterns(lang: str) -> list[tuple[str | None, re.Pattern[str], str]]:
    return [(p.get("check"), re.compile(p["match"], re.IGNORECASE), p["replace"])
            for p in rewrite_data(lang).get("patterns", [])]


def pattern_edits(text: str, findings: list[Finding], spans: dict[int, tuple[int, int]],
                  lang: str, facts: Facts | None = None) -> tuple[list[Edit], set[int]]:
    """Whole-clause rewrites from the data: (edits, indexes of the findings they fix). `{new}`
    in a replacement is the facts' new date; such a pattern is used only with facts."""
    from assistant.dates import format_date

    edits: list[Edit] = []
    fixed: set[int] = set()
    taken: list[tuple[int, int]] = []
    for check, rx, template in _patterns(lang):
        if "{new}" in template:
            if facts is None:
                continue
            template = template.replace("{new}", format_date(facts.new_date, lang))
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            inside = [i for i, f in enumerate(findings) if f.check == check and i in spans
                      and m.start() <= spans[i][0] and spans[i][1] <= m.end()]
            if check is not None and not inside:
                continue
            new = template
            for name, value in m.groupdict().items():
                value = value or ""
                if m.start(name) == m.start() and value[:1].isupper() and value[1:2].islower():
                    value = value[0].lower() + value[1:]  # "The supplier let us down" -> "… with the supplier"
                new = new.replace("{" + name + "}", value)
            new = _match_case(m.group(0), new.strip() if lang == "zh" else new.lstrip())
            end = m.end()
            if new.endswith(". ") and end < len(text) and text[end].islower():
                new, end = new + text[end].upper(), end + 1
            edits.append((m.start(), end, new))
            taken.append((m.start(), m.end()))
            fixed.update(inside)
    return edits, fixed


def apology_edits(text: str, lang: str) -> list[Edit]:
    """'Sorry sorry sorry for the late news' -> 'Sorry for the late news'; '抱歉抱歉' -> '抱歉'."""
    rx = rewrite_data(lang).get("apology_repeat")
    if not rx:
        return []
    return [(m.start(), m.end(), m.group("first")) for m in re.finditer(rx, text, re.IGNORECASE)]


def approx_date_edits(text: str, clauses: list[tuple[int, int]], lang: str) -> list[Edit]:
    """An approximate range ('end of January or early February', '1月底或2月初') inside a clause
    that gives the facts' date is removed with its joining comma; a sentence right after such a
    clause that only restates a range ('That means end of January.') is removed whole."""
    data = rewrite_data(lang)
    rx = re.compile(data.get("approx_date", r"(?!)"), re.IGNORECASE)
    cues = [c.lower() for c in data.get("original_cues", [])]
    leads = sorted((_key(w) for w in data.get("restatement_leads", [])), key=len, reverse=True)
    edits: list[Edit] = []
    tails = sorted(rewrite_data(lang).get("restatement_tails", []), key=len, reverse=True)
    for m in rx.finditer(text):
        s, e = clause_around(text, m.start(), m.end(), lang)
        if any(c in text[s:e].lower() for c in cues):
            continue
        ss, se = sentence_around(text, m.start(), m.end())
        if lang == "zh":  # "将在…前完成，1月底或2月初吧。": the sentence gives the date
            s, e = ss, se
        if any(s <= cs and ce <= e or (cs <= m.start() and m.end() <= ce) for cs, ce in clauses):
            begin, stop = m.start(), m.end()
            gap = "" if lang == "zh" else " "
            stop += next((len(gap + t) for t in tails if text[stop:stop + len(gap + t)].lower() == gap + t), 0)
            while begin > 0 and text[begin - 1] in " ,，—–-":
                begin -= 1
            if text[stop:stop + 1] in (",", "，") and text[begin:begin + 1] not in (",", "，"):
                stop += 1
            if text[begin:m.start()].strip() or text[stop:stop + 1] in ".。!！?？;；\n" or stop >= len(text):
                edits.append((begin, stop, ""))
            continue
        body = _key(text[ss:se].replace(text[m.start():m.end()], "").strip(" ,.，。"))
        previous_end = ss - 1
        while previous_end > 0 and text[previous_end - 1] in " \n":
            previous_end -= 1
        follows_a_clause = any(ce <= ss and ce >= previous_end - 1 for _, ce in clauses)
        if follows_a_clause and (not body or body in leads):
            stop = se + 1 if se < len(text) and text[se] in ".。!！?？" else se
            begin = ss
            while begin > 0 and text[begin - 1] == " ":
                begin -= 1
            edits.append((begin, stop, ""))
    return edits


def date_clauses(text: str, edits: list[Edit], findings: list[Finding], spans: dict[int, tuple[int, int]],
                 facts: Facts | None, lang: str) -> list[tuple[int, int]]:
    """The clauses that give the facts' date: those where a date was put in, and those with the
    facts' new date already written. Only these have their hedges firmed up."""
    if facts is None:
        return []
    out = {clause_around(text, s, max(s, e), lang) for s, e, new in edits if new}
    for i, f in enumerate(findings):
        if f.check == "hedging" and i in spans:
            s, e = clause_around(text, *spans[i], lang)
            if gives_new_date(text, s, e, facts):
                out.add((s, e))
    return sorted(out)
