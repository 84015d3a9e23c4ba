"""The offline rewrite: fix flagged words in place and add what the facts say is missing.

Only the words a check flagged are changed (jargon -> the lexicon's plain alternative, vague time
-> the facts' date, hedges and guarantees -> firm, honest wording) and missing elements are added
from the facts with the offline drafter's sentences, so the author's own sentences stay as written.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import yaml

from assistant.findings import Finding

if TYPE_CHECKING:
    from assistant.facts import Facts
    from assistant.findings import FileReport

Edit = tuple[int, int, str]  # start offset, end offset, replacement


@cache
def rewrite_data(lang: str) -> dict[str, Any]:
    """The offline rewrite phrase data for a language (`assistant/data/rewrite/<lang>.yaml`)."""
    text = (files("assistant") / "data" / "rewrite" / f"{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def jargon_alternatives(lang: str) -> dict[str, str]:
    """The checker's jargon lexicon (already loaded by the check before the rewrite),
    lower-cased term -> plain alternative; terms without one are left out."""
    from assistant.checks.lexicon import lexicon_for

    return {term: alt.strip() for term, alt in lexicon_for(lang).get("jargon").entries.items()
            if alt and alt.strip()}


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


def _match_case(original: str, replacement: str) -> str:
    if replacement and original[:1].isupper() and replacement[:1].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end] (bounded by . ! ? 。！？ or a line break)."""
    stops = ".!?。！？\n"
    left = max(text.rfind(c, 0, start) for c in stops) + 1
    rights = [p for p in (text.find(c, end) for c in stops) if p >= 0]
    return text[left:min(rights) if rights else len(text)]


# --- word-level fixes ------------------------------------------------------------------------

def _next_word(text: str, end: int) -> str:
    """The word right after `end` when only spaces separate it, else ''."""
    i = end
    while i < len(text) and text[i] == " ":
        i += 1
    j = i
    while j < len(text) and (text[j].isalpha() or text[j] in "-'"):
        j += 1
    return text[i:j] if i > end else ""


def jargon_edit(text: str, start: int, end: int, lang: str) -> Edit | None:
    """The edit that replaces the jargon at text[start:end] (the language server's quick fix too)."""
    return _jargon_edit(text, start, end, lang)


def _jargon_edit(text: str, start: int, end: int, lang: str) -> Edit | None:
    """Jargon -> the lexicon's plain alternative. In English the article is fitted to the words
    around it, and a term that modifies the next noun ("webhook handler") keeps its place and
    gets the explanation in brackets, since a definition cannot stand in as a modifier."""
    term = text[start:end]
    table = jargon_alternatives(lang)
    key = _key(term)
    plural = key not in table and key.endswith("s")
    alt = table.get(key) or table.get(key[:-1] if key.endswith("s") else key) or (
        table.get(key[:-2]) if key.endswith("es") else None)
    if not alt or alt.lower() == key:
        return None
    if lang == "zh":
        return start, end, alt
    data = rewrite_data(lang)
    before = text[:start].rstrip(" ")
    prev_word = before.rsplit(None, 1)[-1].lower() if before.split() else ""
    words = alt.split(" ", 1)
    bare = words[1] if len(words) == 2 and words[0].lower() in ("the", "a", "an") else alt
    following = _next_word(text, end).lower()
    if following and following not in data.get("function_words", []) and prev_word not in data.get(
            "verb_context", []) and "(" not in bare:
        return start, end, f"{term} ({bare})"
    if prev_word in data.get("determiners", []) or plural:
        alt = bare
        if prev_word in ("a", "an"):  # "an API" -> "a connection"
            article = "an" if alt[:1].lower() in "aeiou" else "a"
            word_start = len(before) - len(prev_word)
            head = _match_case(text[word_start:len(before)], article)
            return word_start, end, f"{head}{text[len(before):start]}{alt}"
    at_sentence_start = not before or before[-1] in ".!?:\n"
    return start, end, _match_case(term, alt) if at_sentence_start else alt


def _key(words: str) -> str:
    return " ".join(words.lower().split())


def _table_edit(text: str, start: int, end: int, table: dict[str, str], lang: str) -> Edit | None:
    """Replace flagged words by their entry in `table` ("" removes them tidily). The flagged
    words plus the next word are tried first, so "we hope" + "to" becomes "we will"."""
    replacement = None
    if lang == "en":
        # Words the table removes ("100%") are passed over, so "we guarantee 100% it" is read as
        # "we guarantee it"; the edit then spans them and the removal is not applied twice.
        after = end
        while True:
            rest = text[after:after + 40]
            stripped = rest.lstrip(" ")
            next_word = stripped.split(None, 1)[0] if stripped.split() else ""
            if rest[:1] != " " or table.get(_key(next_word)) != "":
                break
            after += len(rest) - len(stripped) + len(next_word)
        if next_word.isalpha() and rest[:1] == " ":
            replacement = table.get(_key(text[start:end] + " " + next_word))
            if replacement is not None:
                end = after + (len(rest) - len(stripped)) + len(next_word)
    elif lang == "zh":  # "应该" flagged, "应该能" written: the longest entry the text continues with
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
    words = text[start:end]
    if replacement:
        return start, end, _match_case(words, replacement)
    # Removal: take a following comma and one space with it, and capitalise what now opens the sentence.
    stop = end
    if text[stop:stop + 1] in (",", "，"):
        stop += 1
    while stop < len(text) and text[stop] == " " and lang == "en":
        stop += 1
    begin = start
    if lang == "en" and stop == end:  # a word before punctuation: drop the space (and comma) before it
        while begin > 0 and text[begin - 1] == " ":
            begin -= 1
        if begin > 0 and text[begin - 1] == "," and text[stop:stop + 1] in (".", "!", "?", ";", ":", "\n", ""):
            begin -= 1
        if begin == 0 or text[begin - 1] in "\n":
            begin = start
    tail = ""
    if words[:1].isupper() and stop < len(text) and text[stop].islower():
        tail = text[stop].upper()
        stop += 1
    return begin, stop, tail


_SENTENCE_END = frozenset(".!?\n")


def _guarantee_edit(text: str, start: int, end: int, data: dict[str, Any]) -> Edit | None:
    """'We guarantee' + a clause ('it will work') -> 'we are confident'; + a thing ('the date')
    -> 'we commit to'; + nothing but words the table removes ('We guarantee 100%.') -> None, as
    no rewording of it is both honest and grammatical."""
    stop = end
    while stop < len(text) and text[stop] not in _SENTENCE_END:
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


def _vague_edit(text: str, start: int, end: int, facts: Facts, lang: str) -> Edit:
    from assistant.dates import format_date

    data = rewrite_data(lang)
    sentence = sentence_around(text, start, end).lower()
    about_update = any(cue.lower() in sentence for cue in data.get("update_cues", []))
    when = facts.next_update if about_update else facts.new_date
    special = data.get("vague_phrases", {}).get(_key(text[start:end]))
    replacement = (special or data["vague_date"]).replace("{date}", format_date(when, lang))
    if special:
        return start, end, replacement
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


def _quoted(text: str | None) -> str | None:
    """The first text between quotes ("…" or “…”) in a check's suggestion."""
    if not text:
        return None
    for left, right in (('"', '"'), ("“", "”")):
        start = text.find(left)
        end = text.find(right, start + 1) if start >= 0 else -1
        if start >= 0 and end > start + 1:
            return text[start + 1:end]
    return None


def _mismatch_edit(text: str, start: int, end: int, finding: Finding, facts: Facts, lang: str) -> Edit | None:
    """A date or duration that contradicts the facts -> the facts' version: the date the check
    suggests (the right weekday, the promised date), or the delay computed from the facts."""
    from assistant.dates import format_delay, format_duration

    words = text[start:end]
    quote = _quoted(finding.suggestion)
    if quote and any(quote[i:i + 4].isdigit() for i in range(len(quote) - 3)):
        return start, end, quote
    days = facts.delay_days
    if lang == "zh":
        return start, end, format_delay(facts.original_date, facts.new_date, lang) if words.startswith(
            "推迟") else format_duration(days, lang)
    if words.lower().endswith("later"):
        return start, end, format_delay(facts.original_date, facts.new_date, lang)
    return start, end, format_duration(days, lang)


def word_edits(text: str, findings: list[Finding], facts: Facts | None, lang: str) -> list[Edit]:
    """Edits for the findings that point at words: jargon, vague time (with facts), hedges,
    guarantees. Findings we cannot fix safely produce no edit and stay in the after-check."""
    starts = line_starts(text)
    data = rewrite_data(lang)
    edits: list[tuple[Edit, bool]] = []  # (edit, whether it firms up wording: hedge or guarantee)
    for f in findings:
        span = span_of(text, f, starts)
        if span is None:
            continue
        edit: Edit | None = None
        if f.check == "jargon":
            edit = _jargon_edit(text, *span, lang)
        elif f.check == "vague-timeline" and facts is not None:
            edit = _vague_edit(text, *span, facts, lang)
        elif f.check == "fact-mismatch" and facts is not None:
            edit = _mismatch_edit(text, *span, f, facts, lang)
        elif f.check == "hedging":
            edit = _table_edit(text, *span, data.get("hedging", {}), lang)
        elif f.check == "overpromise" and _key(text[span[0]:span[1]]) in data.get("guarantee_clause", {}):
            edit = _guarantee_edit(text, *span, data)
        elif f.check == "overpromise":
            edit = _table_edit(text, *span, data.get("overpromise", {}), lang)
        if edit is not None:
            edits.append((edit, f.check in ("hedging", "overpromise")))
    return _tidy(text, edits)


def _tidy(text: str, edits: list[tuple[Edit, bool]]) -> list[Edit]:
    """Avoid doubled words where wording fixes meet: a firmer word the text already has right
    before it ("会" + "尽量" -> "会会") is dropped, and of two such fixes that touch ("尽量争取")
    the first goes. Jargon and date fixes are never dropped."""
    ordered = sorted(edits, key=lambda e: (e[0][0], e[0][1]))
    out: list[Edit] = []
    for i, ((start, end, new), firming) in enumerate(ordered):
        if firming and new:
            nxt = ordered[i + 1] if i + 1 < len(ordered) else None
            touching = nxt is not None and nxt[1] and nxt[0][0] == end and bool(nxt[0][2])
            if touching or text[:start].rstrip(" ").endswith(new):
                new = ""
        out.append((start, end, new))
    return _merge_repeats(text, out)


_JOINERS = frozenset(" ,，、;；\n")


def _merge_repeats(text: str, edits: list[Edit]) -> list[Edit]:
    """Two fixes that write the same words with nothing but punctuation (or words another fix
    empties) between them become one: "as soon as possible, hopefully in the near future" must
    not turn into "by 15 January, by 15 January"."""
    out: list[Edit] = []
    for start, end, new in edits:
        kept = [i for i, e in enumerate(out) if e[2]]
        if new and kept and out[kept[-1]][2] == new:
            last = kept[-1]
            between = out[last + 1:]
            gap, pos = [], out[last][1]
            for s, e, _ in between:
                gap.append(text[pos:s])
                pos = e
            gap.append(text[pos:start])
            if set("".join(gap)) <= _JOINERS:
                del out[last + 1:]
                out.append((out[last][1], end, ""))
                continue
        out.append((start, end, new))
    return out


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (an edit overlapping an earlier-starting one is skipped)."""
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], -e[1])):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- adding what is missing ------------------------------------------------------------------

def visible(line: str) -> str:
    """A line's text without surrounding HTML tags ('<p>Dear Ms. Chen,</p>' -> 'Dear Ms. Chen,')."""
    text = line.strip()
    while text.startswith("<") and ">" in text:
        text = text[text.index(">") + 1:].lstrip()
    return text.split("<", 1)[0].strip()


def sign_off_index(lines: list[str], lang: str) -> int | None:
    """Index of the line where the sign-off starts ('Kind regards,' / '此致'): the first such
    short line among the last non-empty lines; None if there is none."""
    cues = [c.lower() for c in rewrite_data(lang).get("sign_offs", [])]
    tail = [i for i, ln in enumerate(lines) if visible(ln)][-8:]
    for i in tail:
        line = visible(lines[i]).lower().lstrip("*_ ")
        if len(line) > 40:
            continue
        for cue in cues:
            if not line.startswith(cue):
                continue
            rest = line[len(cue):].strip(" ,.!:;*_，。！")
            if lang == "zh" or not rest or cue.startswith("thank"):
                return i
    return None


def greeting_end(lines: list[str], lang: str, start: int = 0) -> int | None:
    """Index of the line after the greeting ('Dear Ms. Chen,' / '尊敬的王经理：' + '您好！'), or None."""
    first = next((i for i in range(start, len(lines)) if visible(lines[i])), None)
    if first is None:
        return None
    line = visible(lines[first])
    if len(line) > 60 or line[-1:] not in (",", ":", "：", "，"):
        return None
    end = first + 1
    followers = rewrite_data(lang).get("greeting_followers", [])
    if end < len(lines) and visible(lines[end]) in followers:
        end += 1
    return end


def _body_bounds(lines: list[str], kind: str) -> tuple[int, int] | None:
    """Where a letter's text starts and ends inside the file: after e-mail headers or YAML front
    matter, before `</body>`. None when added text cannot be placed safely (an encoded or
    multipart e-mail body)."""
    start, end = 0, len(lines)
    if kind == "eml":
        blank = next((i for i, ln in enumerate(lines) if not ln.strip()), len(lines))
        headers = "\n".join(lines[:blank]).lower()
        if "multipart/" in headers or "base64" in headers or "quoted-printable" in headers:
            return None
        start = min(blank + 1, len(lines))
    elif kind == "md" and lines and lines[0].strip() == "---":
        close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        start = close + 1 if close is not None else 0
    elif kind == "html":
        end = next((i for i, ln in enumerate(lines) if ln.strip().lower().startswith("</body")), len(lines))
        start = next((i + 1 for i, ln in enumerate(lines) if ln.strip().lower().startswith("<body")), 0)
    return start, end


def _as_html(paragraph: str) -> str:
    from html import escape

    return "<p>" + "<br>\n".join(escape(line, quote=False) for line in paragraph.split("\n")) + "</p>"


def insert_blocks(text: str, news: list[str], rest: list[str], lang: str, kind: str = "txt") -> str:
    """Put `news` paragraphs after the greeting (or at the top of the letter) and `rest` before
    the sign-off (or at its end). HTML gets `<p>` paragraphs; e-mail headers, front matter and
    the HTML head stay where they are."""
    lines = text.rstrip("\n").split("\n")
    bounds = _body_bounds(lines, kind)
    if bounds is None:
        return text
    start, end = bounds
    if kind == "html":
        news, rest = [_as_html(p) for p in news], [_as_html(p) for p in rest]
    sign = sign_off_index(lines[:end], lang) if rest else None
    greet = greeting_end(lines, lang, start) if news else None
    head_end = greet if greet is not None else start
    tail_start = sign if sign is not None and sign >= head_end else end
    head, body, tail = lines[:head_end], lines[head_end:tail_start], lines[tail_start:]

    def trimmed(block: list[str]) -> list[str]:
        while block and not block[0].strip():
            block = block[1:]
        while block and not block[-1].strip():
            block = block[:-1]
        return block

    parts = [trimmed(b) for b in ([*head], [ln for p in news for ln in (*p.split("\n"), "")], body,
                                  [ln for p in rest for ln in (*p.split("\n"), "")], tail)]
    return "\n\n".join("\n".join(p) for p in parts if p) + "\n"


MISSING_ORDER = ("missing-original-date", "missing-new-date", "missing-cause", "missing-impact",
                 "missing-mitigation", "missing-status", "missing-update-plan", "missing-apology",
                 "missing-contact")
NEWS_CHECKS = ("missing-original-date", "missing-new-date")


def missing_elements(findings: list[Finding]) -> list[str]:
    """The missing-* checks that fired, in the order a notice tells them."""
    fired = {f.check for f in findings}
    return [c for c in MISSING_ORDER if c in fired]


def element_blocks(missing: list[str], facts: Facts) -> tuple[list[str], list[str]]:
    """Paragraphs for the missing elements, worded by the offline drafter's phrase data
    (`assistant/drafting/phrases`) and filled from the facts: (news paragraphs, other paragraphs)."""
    from assistant.drafting.offline import build_context, sentence

    ctx = build_context(facts)
    p, lang = ctx["p"], facts.language
    sep = "" if lang == "zh" else " "
    news = [p["news"]] if any(c in missing for c in NEWS_CHECKS) else []
    rest: list[str] = []
    for check in missing:
        if check == "missing-cause":
            causes = ctx["causes"]
            lines = [sep.join(filter(None, (c["summary"], c["detail"]))) for c in causes]
            intro = p["cause_intro"] if len(causes) == 1 else p["causes_intro"]
            rest.append("\n".join([intro, *(lines if len(lines) == 1 else [f"- {ln}" for ln in lines])]))
        elif check == "missing-impact":
            rest.append(f"{p['impact_intro']}\n{ctx['impact'] or p['impact_derived']}")
        elif check == "missing-mitigation":
            rest.append("\n".join([p["mitigation_intro"], *(f"- {m}" for m in ctx["mitigations"])]))
        elif check == "missing-status" and (ctx["done"] or ctx["pending"]):
            lines = [p["status_intro"]]
            joiner = "；" if lang == "zh" else "; "
            if ctx["done"]:
                lines.append(f"{p['done_label']}{sep}{sentence(joiner.join(ctx['done']), lang)}")
            if ctx["pending"]:
                lines.append(f"{p['pending_label']}{sep}{sentence(joiner.join(ctx['pending']), lang)}")
            rest.append("\n".join(lines))
        elif check == "missing-update-plan":
            rest.append(p.get("update_plan") or p["update"])
        elif check == "missing-apology":
            rest.append(p["apology"])
        elif check == "missing-contact":
            rest.append(f"{ctx['contact_line']}{sep}{p['offer']}")
    return news, rest


def rewrite_offline(text: str, findings: list[Finding], facts: Facts | None, lang: str,
                    edits: list[Edit] | None = None, kind: str = "txt") -> str:
    """The rule-based rewrite: fix flagged words in place (`edits`, default: all of
    `word_edits`), then add what is missing from the facts (`kind`: md/txt/html/eml)."""
    if edits is None:
        edits = word_edits(text, findings, facts, lang)
    result = apply_edits(text, edits)
    missing = missing_elements(findings) if facts is not None else []
    if facts is not None and missing:
        news, rest = element_blocks(missing, facts.model_copy(update={"language": lang}))
        if news or rest:
            result = insert_blocks(result, news, rest, lang, kind)
    return result


def rewrite_offline_checked(text: str, before: FileReport, facts: Facts | None,
                            check: Callable[[str], FileReport], kind: str = "txt") -> tuple[str, FileReport]:
    """`rewrite_offline`, then the rules again; a word edit that makes a check report more
    errors than before (a replacement the cue lists do not know, say) is undone."""
    lang = before.language
    edits = word_edits(text, before.findings, facts, lang)
    result = rewrite_offline(text, before.findings, facts, lang, edits, kind)
    after = check(result)
    introduced = introduced_errors(before.findings, after.findings)
    for edit in list(edits):
        if not introduced:
            break
        trial = [e for e in edits if e is not edit]
        trial_text = rewrite_offline(text, before.findings, facts, lang, trial, kind)
        trial_after = check(trial_text)
        trial_introduced = introduced_errors(before.findings, trial_after.findings)
        if len(trial_introduced) < len(introduced):
            edits, result, after, introduced = trial, trial_text, trial_after, trial_introduced
    return result, after


def introduced_errors(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Error-level findings of a check that has more errors after the rewrite than before."""
    def errors(findings: list[Finding]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in findings:
            if f.severity == "error":
                counts[f.check] = counts.get(f.check, 0) + 1
        return counts

    was, now = errors(before), errors(after)
    grew = {c for c, n in now.items() if n > was.get(c, 0)}
    return [f for f in after if f.severity == "error" and f.check in grew]
