"""The offline rewrite: fix what can be fixed safely, add what the facts say is missing, and
say why the rest is left.

Edits replace whole phrases or clauses with words that read correctly in their place
(`assistant.rewrite_edits`, data in `assistant/data/rewrite/`); a finding no safe edit fits stays
as written, with the reason. With facts, missing elements are added as whole sentences where a
letter has them (`assistant.rewrite_layout`): after the headers and greeting, before the sign-off
and signature, each at most once. A rewrite that would raise the number of findings is undone,
edit by edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.findings import Finding
from assistant.rewrite_edits import (
    Edit,
    Plan,
    apology_edits,
    approx_date_edits,
    date_clauses,
    hedge_edit,
    jargon_alternatives,
    jargon_edit,
    line_starts,
    overpromise_edit,
    pattern_edits,
    removals,
    sentence_around,
    span_of,
    vague_edit,
)
from assistant.rewrite_layout import (
    MISSING_ORDER,
    element_blocks,
    greeting_end,
    insert_blocks,
    rewrite_data,
    sign_off_index,
    visible,
)

if TYPE_CHECKING:
    from assistant.facts import Facts
    from assistant.findings import FileReport

__all__ = ["Edit", "MISSING_ORDER", "OfflineRewrite", "apply_edits", "greeting_end", "insert_blocks",
           "introduced_errors", "jargon_alternatives", "line_starts", "missing_elements", "plan_edits",
           "rewrite_data", "rewrite_offline", "rewrite_offline_checked", "rewrite_offline_report",
           "sentence_around", "sign_off_index", "span_of", "visible", "word_edits"]


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


def plan_edits(text: str, findings: list[Finding], facts: Facts | None, lang: str) -> Plan:
    """The safe edits for the findings, and the reason for each finding left as written."""
    plan = Plan()
    starts = line_starts(text)
    spans = {i: sp for i, f in enumerate(findings) if (sp := span_of(text, f, starts)) is not None}
    edits: list[tuple[Edit, bool]] = []  # (edit, whether it firms up wording)
    patterned, fixed = pattern_edits(text, findings, spans, lang, facts)
    edits += [(e, False) for e in patterned]
    edits += [(e, False) for e in apology_edits(text, lang)]
    date_edits: list[Edit] = []
    hedges: list[int] = []
    for i, f in enumerate(findings):
        if i in fixed:
            continue
        if f.check.startswith("missing-"):
            if facts is None:
                plan.leave(f, "missing-no-facts", lang)
            continue
        if f.check == "hedging" and i in spans:
            hedges.append(i)
            continue
        result: Edit | str | None = None
        span = spans.get(i)
        if span is None:
            result = "default"
        elif f.check == "jargon":
            result = jargon_edit(text, *span, lang)
        elif f.check == "vague-timeline":
            result = vague_edit(text, *span, facts, lang) if facts is not None else "vague-no-facts"
            if not isinstance(result, str):
                date_edits.append(result)
        elif f.check == "fact-mismatch" and facts is not None:
            result = _mismatch_edit(text, *span, f, facts, lang)
            date_edits.append(result)
        elif f.check == "overpromise":
            result = overpromise_edit(text, *span, lang) or "overpromise"
        else:
            result = f.check if f.check in rewrite_data(lang).get("reasons", {}) else "default"
        if isinstance(result, str):
            plan.leave(f, result, lang)
        else:
            edits.append((result, f.check == "overpromise"))
    clauses = date_clauses(text, date_edits, findings, spans, facts, lang)
    table = rewrite_data(lang).get("hedging", {})
    taken = [e for e, _ in edits]
    removed: list[tuple[int, int]] = []
    for i in hedges:
        s, e = spans[i]
        edit = None
        if any(cs <= s and e <= ce for cs, ce in clauses):
            edit = hedge_edit(text, s, e, table, lang, tidy=False)
            if edit is not None and any(edit[0] < te and ts < edit[1] for ts, te, _ in taken):
                flagged = table.get(text[s:e].lower() if lang == "en" else text[s:e])
                edit = (s, e, flagged) if flagged and not any(s < te and ts < e for ts, te, _ in taken) else None
        if edit is None:
            plan.leave(findings[i], "hedging", lang)
        elif edit[2]:
            edits.append((edit, True))
        else:
            removed.append((edit[0], edit[1]))
    edits += [(e, False) for e in removals(text, removed, lang)]
    if facts is not None:
        edits += [(e, False) for e in approx_date_edits(text, clauses, lang)]
    plan.edits = _tidy(text, edits, lang)
    return plan


def word_edits(text: str, findings: list[Finding], facts: Facts | None, lang: str) -> list[Edit]:
    """The edits of `plan_edits` (findings that cannot be fixed safely produce none)."""
    return plan_edits(text, findings, facts, lang).edits


def _tidy(text: str, edits: list[tuple[Edit, bool]], lang: str = "en") -> list[Edit]:
    """Avoid doubled words where wording fixes meet: a firmer word the text already has right
    before it ("会" + "尽量" -> "会会") is dropped, a modal the text has before it is not written
    again ("会" + "尽量在" -> "会在", not "会将在"), and of two such fixes that touch ("尽量争取")
    the first goes. Jargon and date fixes are never dropped."""
    ordered = sorted(edits, key=lambda e: (e[0][0], e[0][1]))
    modals = rewrite_data(lang).get("modals", [])
    out: list[Edit] = []
    for i, ((start, end, new), firming) in enumerate(ordered):
        if firming and new:
            nxt = ordered[i + 1] if i + 1 < len(ordered) else None
            touching = nxt is not None and nxt[1] and nxt[0][0] == end and bool(nxt[0][2])
            before = text[:start].rstrip(" ")
            if touching or before.endswith(new):
                new = ""
            elif any(before.endswith(m) for m in modals):
                new = next((new[len(m):] for m in modals if new.startswith(m)), new)
        out.append((start, end, new))
    return _merge_repeats(text, out, lang)


_JOINERS = frozenset(" ,，、;；\n")


def _merge_repeats(text: str, edits: list[Edit], lang: str = "en") -> list[Edit]:
    """Two fixes that write the same words with nothing but punctuation (or words another fix
    empties) between them become one: "as soon as possible, hopefully in the near future" must
    not turn into "by 15 January, by 15 January"; a second date fix in the same sentence says
    "by then" (`vague_date_again`)."""
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
        again = rewrite_data(lang).get("vague_date_again")
        if new and again and new.startswith(again_prefix(lang)):
            s, _ = sentence_around(text, start, end)
            if any(e[2] == new and e[0] >= s for e in out):
                new = again  # "…fixed by 5 February, and tested by then", not the date twice
        out.append((start, end, new))
    return out


def again_prefix(lang: str) -> str:
    """The words a date fix starts with ('by ' / '在'), before the date."""
    return rewrite_data(lang)["vague_date"].split("{date}", 1)[0]


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

def missing_elements(findings: list[Finding]) -> list[str]:
    """The missing-* checks that fired, in the order a notice tells them."""
    fired = {f.check for f in findings}
    return [c for c in MISSING_ORDER if c in fired]


def sender_names(facts: Facts) -> list[str]:
    """How a signature may name the sender: full name, organisation, first name."""
    name = facts.sender.name or ""
    names = [name, facts.sender.organisation or ""]
    if " " in name:
        names.append(name.split()[0])
    return [n for n in names if n]


def rewrite_offline(text: str, findings: list[Finding], facts: Facts | None, lang: str,
                    edits: list[Edit] | None = None, kind: str = "txt",
                    missing: list[str] | None = None) -> str:
    """The rule-based rewrite: make the safe edits (`edits`, default: `plan_edits`), then add the
    `missing` elements (default: the missing-* findings) from the facts (`kind`: md/txt/html/eml)."""
    if edits is None:
        edits = word_edits(text, findings, facts, lang)
    result = apply_edits(text, edits)
    if missing is None:
        missing = missing_elements(findings) if facts is not None else []
    if facts is not None and missing:
        news, rest = element_blocks(missing, facts.model_copy(update={"language": lang}))
        if news or rest:
            inline = len(news) == 1 and not ("missing-original-date" in missing and "missing-new-date" in missing)
            result = insert_blocks(result, news, rest, lang, kind, sender_names(facts), news_inline=inline)
    return result


def overlap(source: str, target: str, lang: str) -> float:
    """Share of `source`'s words (en, 3+ letters) or character pairs (zh) that `target` has."""
    import re

    if lang == "zh":
        def units(t: str) -> set[str]:
            han = re.sub(r"[^\u4e00-\u9fff]", "", t)
            return {han[i:i + 2] for i in range(len(han) - 1)}
    else:
        def units(t: str) -> set[str]:
            return {w for w in re.findall(r"[a-z]{3,}", t.lower())}
    want = units(source)
    return len(want & units(target)) / len(want) if want else 0.0


def already_there(text: str, missing: list[str], facts: Facts, lang: str,
                  check_plain: Callable[[str], FileReport] | None = None) -> list[tuple[str, str]]:
    """The missing elements not to add, with the reason key: what the draft already says in its
    own words (a cause the checker finds without the facts, or most of a fact's words), and an
    update plan whose first date would be the delivery date."""
    skip: list[tuple[str, str]] = []
    if "missing-cause" in missing:
        own = check_plain is not None and not any(f.check == "missing-cause" for f in check_plain(text).findings)
        if own or any(overlap(c.summary, text, lang) >= 0.6 for c in facts.causes):
            skip.append(("missing-cause", "missing-cause-own"))
    if "missing-impact" in missing and facts.impact and overlap(facts.impact, text, lang) >= 0.6:
        skip.append(("missing-impact", "missing-own"))
    if "missing-mitigation" in missing and facts.mitigations and all(
            overlap(m, text, lang) >= 0.6 for m in facts.mitigations):
        skip.append(("missing-mitigation", "missing-own"))
    if "missing-update-plan" in missing and facts.next_update >= facts.new_date:
        skip.append(("missing-update-plan", "vague-update"))
    return skip


@dataclass
class OfflineRewrite:
    """The rewritten text, its findings, and why each finding still there was left."""

    text: str
    after: FileReport
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)

    def reason(self, f: Finding) -> str | None:
        """Why `f` was left (the data's default reason where no edit was tried, or one was undone)."""
        key = (f.check, " ".join((f.text or "").lower().replace("’", "'").split()))
        return self.reasons.get(key) or rewrite_data(self.after.language).get("reasons", {}).get("default")


def _counts(findings: list[Finding]) -> tuple[int, int]:
    return sum(1 for f in findings if f.severity == "error"), len(findings)


def _worse(before: list[Finding], after: list[Finding]) -> bool:
    """More errors, or more findings in all, than before."""
    (was_e, was_n), (now_e, now_n) = _counts(before), _counts(after)
    return now_e > was_e or now_n > was_n or bool(introduced_errors(before, after))


def rewrite_offline_report(text: str, before: FileReport, facts: Facts | None,
                           check: Callable[[str], FileReport], kind: str = "txt",
                           check_plain: Callable[[str], FileReport] | None = None) -> OfflineRewrite:
    """Edit, check again, add the elements still missing (a cause only where the draft gives
    none in its own words: `check_plain` checks without the facts), and undo any edit that
    leaves more findings than before; nothing is changed if that cannot be avoided."""
    lang = before.language
    plan = plan_edits(text, before.findings, facts, lang)

    def attempt(edits: list[Edit]) -> tuple[str, FileReport]:
        edited = apply_edits(text, edits)
        if facts is None:
            return edited, check(edited)
        mid = check(edited)
        missing = missing_elements(mid.findings)
        for check_id, reason in already_there(edited, missing, facts, lang, check_plain):
            missing.remove(check_id)
            plan.reasons[(check_id, "")] = rewrite_data(lang)["reasons"][reason]
        if not missing:
            return edited, mid
        result = rewrite_offline(edited, mid.findings, facts, lang, [], kind, missing)
        return result, check(result)

    edits = plan.edits
    result, after = attempt(edits)
    for edit in list(edits):
        if not _worse(before.findings, after.findings):
            break
        trial = [e for e in edits if e is not edit]
        trial_text, trial_after = attempt(trial)
        if _counts(trial_after.findings) < _counts(after.findings):
            edits, result, after = trial, trial_text, trial_after
    if _worse(before.findings, after.findings):
        result, after = text, before
    return OfflineRewrite(result, after, plan.reasons)


def rewrite_offline_checked(text: str, before: FileReport, facts: Facts | None,
                            check: Callable[[str], FileReport], kind: str = "txt") -> tuple[str, FileReport]:
    """`rewrite_offline_report` as (text, findings after)."""
    done = rewrite_offline_report(text, before, facts, check, kind)
    return done.text, done.after


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
