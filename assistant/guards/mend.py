"""Mending an LLM draft where the facts say exactly what is right, without asking the model again.

A 1.5B model asked to fix a finding mostly gives the same text back (measured), so what can be
mended from the facts is mended here, on the best answer the revise loop left:

- a delay length that contradicts the facts ("two weeks later" for a four-week delay) becomes
  the facts' one;
- a sentence or list item that carries what the facts cannot back (a step, a phone number or a
  "done" list copied from the prompt's worked example, an invented number) is removed - model
  text is untrusted, and a notice without the sentence is true where one with it is not; the
  greeting, the sign-off and the signature are never cut;
- what the notice must carry and now lacks (the promised and new dates, a cause, a step, the next
  update, the sender's contact details) is added from the facts in the offline drafter's words, a
  missing step in the place of a removed one when that was a list item;
- the worked example's sender signing the letter gives way to the facts' sender.

Each change is reported in the draft's language-neutral form ("removed …", "added …") for
`--verbose`; the caller keeps the mended text only when it is better by the same measure the
revise loop uses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.guards.trace import _LIST_MARK

if TYPE_CHECKING:
    from assistant.facts import Facts
    from assistant.findings import Finding

_EN_UNIT = re.compile(r"\b(?:days?|weeks?|months?|working days?|business days?)\b", re.IGNORECASE)
_ZH_AMOUNT = re.compile(r"[0-9一二两三四五六七八九十半几]+(?:个)?(?:多)?(?:个月|周|星期|天|日|工作日)半?")
# what mending adds when it is missing: `required_findings`' checks and the promised date, in notice order
ADDABLE = ("missing-original-date", "missing-new-date", "missing-cause", "missing-mitigation", "missing-update-plan",
           "missing-contact")


def _swap_duration(text: str, right: str, lang: str) -> str | None:
    """`text` ("two weeks later", "推迟两周") with its amount and unit replaced by `right`."""
    if lang == "zh":
        m = _ZH_AMOUNT.search(text)
        return None if m is None else text[:m.start()] + right + text[m.end():]
    unit = _EN_UNIT.search(text)
    if unit is None:
        return None
    head = text[:unit.start()].rstrip()
    amount = head.rfind(" ") + 1  # the amount word just before the unit: "two", "4", "a"
    return text[:amount] + right + text[unit.end():]


def _traced_inside(placeholder: str, facts: Facts) -> str | None:
    """The text inside a bracketed "placeholder" when every part of it is a value of the facts
    ("[Daniel Okafor, Project manager, Northwind Software]"); else None."""
    from assistant.facts import facts_to_data
    from assistant.guards.trace import _strings

    inner = placeholder.strip()[1:-1].strip() if placeholder.strip()[:1] in "[{【(（<" else ""
    parts = [p.strip() for p in inner.replace("，", ",").split(",") if p.strip()]
    values = {v.strip().casefold() for v in _strings(facts_to_data(facts))}
    return inner if parts and all(p.casefold() in values for p in parts) else None


def _protected(lines: list[str], lang: str, names: list[str]) -> tuple[int, int]:
    """(first body line, first line of the sign-off or signature): the lines outside are kept."""
    from assistant.rewrite_layout import greeting_end, sign_off_index, signature_index

    start = greeting_end(lines, lang) or 0
    end = sign_off_index(lines, lang)
    if end is None:
        end = signature_index(lines, names)
    return start, end if end is not None and end >= start else len(lines)


def mend(subject: str | None, body: str, findings: list[Finding], facts: Facts) -> tuple[str | None, str, list[str]]:
    """(subject, body, what was changed): the draft mended from the facts (see the module docstring)."""
    from assistant.guards.required import required_findings
    from assistant.rewrite_offline import sender_names

    done: list[str] = []
    lines = body.rstrip("\n").split("\n")
    start, end = _protected(lines, facts.language, sender_names(facts))
    slot: _Slot | None = None
    for f in findings:
        if f.check not in ("fact-mismatch", "placeholder") or not f.text:
            continue
        inner = _traced_inside(f.text, facts) if f.check == "placeholder" else None
        if inner is not None:  # "[Daniel Okafor, Project manager]": facts in brackets, not a slot
            lines = [line.replace(f.text, inner) for line in lines]
            done.append(f"{f.text} -> {inner}")
        elif subject and f.text in subject:
            from assistant.drafting.offline import default_subject

            subject = default_subject(facts)
            done.append(f"subject: {f.text!r} -> the subject from the facts")
        else:
            if any(f.text in line for line in lines[end:]) and _sign_as_sender(lines, end, facts):
                done.append(f"signature: {f.text!r} -> the sender from the facts")  # the example's sender signed
            at = next((i for i in range(start, end) if f.text in lines[i]), None)
            if at is not None:
                slot = _fix_line(lines, at, end, f, facts, done) or slot
    text = _join(lines)
    # the body must carry them: a subject line is not read as the notice (nor kept by every client)
    missing = [g for g in required_findings(text, facts.language, facts) if g.check in ADDABLE]
    if not _says_date(text, facts.original_date, facts):  # the promised date, so the client sees the move
        missing.append(_absent_original(facts))
    if not missing:
        return subject, text, done
    text, added = _add(text, missing, facts, slot, lines)
    return subject, text, done + added


_Slot = tuple[int, str, str]  # where the first cut list item stood: line, list marker, its end mark


def _fix_line(lines: list[str], at: int, end: int, f: Finding, facts: Facts, done: list[str]) -> _Slot | None:
    """Mend `lines[at]` for finding `f` in place: swap a wrong delay length beside the dates, else
    cut the list item (with its sub-items) or the sentence that holds it. Returns the slot of a
    list item cut, for the case's own steps to take its place."""
    from assistant.checks.datefind import find_mentions
    from assistant.dates import format_duration

    lang = facts.language
    spans = [m for m in find_mentions(f.text or "", facts.notice_date) if m.kind == "duration"]
    dated = any(d in (facts.new_date, facts.original_date)
                for m in find_mentions(lines[at], facts.notice_date) for d in m.dates)
    if f.check == "fact-mismatch" and dated and spans and spans[0].end - spans[0].start == len(f.text or ""):
        swapped = _swap_duration(f.text or "", format_duration(facts.delay_days, lang), lang)
        if swapped and swapped != f.text:  # the size of the delay, said beside its dates
            lines[at] = lines[at].replace(f.text or "", swapped, 1)
            done.append(f"{f.text} -> {swapped}")
            return None
    mark = _LIST_MARK.match(lines[at])
    if mark:
        done.append(f"removed the list item {lines[at].strip()!r}: {f.message}")
        tail = lines[at].rstrip()[-1:]
        slot = (at, mark.group(0), tail if tail in "。.；;" else "")
        indent = len(lines[at]) - len(lines[at].lstrip())
        lines[at] = "\0"
        below = at + 1  # its own sub-items go with it
        while below < end and _LIST_MARK.match(lines[below]) and len(lines[below]) - len(lines[below].lstrip()) > indent:
            lines[below] = "\0"
            below += 1
        return slot
    from assistant.rewrite_edits import sentence_around

    line, begin = lines[at], lines[at].find(f.text or "")
    left, right = sentence_around(line, begin, begin + len(f.text or ""))
    right = min(right + 1, len(line))  # its full stop goes with it
    done.append(f"removed the sentence {line[left:right].strip()!r}: {f.message}")
    kept = (line[:left].rstrip() + " " + line[right:].lstrip()).strip() if facts.language != "zh" else (
        line[:left] + line[right:]).strip()
    lines[at] = kept if kept else "\0"
    return None


def _join(lines: list[str]) -> str:
    """The lines with removed ones ("\\0") dropped and at most one blank line in a row."""
    out: list[str] = []
    for line in lines:
        if line == "\0":
            continue
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def _add(text: str, missing: list[Finding], facts: Facts, list_slot: _Slot | None,
         lines: list[str]) -> tuple[str, list[str]]:
    """`text` with the missing elements added from the facts, and what was added."""
    from assistant.checks.causes import overlap
    from assistant.rewrite_layout import MISSING_ORDER, element_blocks, insert_blocks

    lang = facts.language
    checks = [c for c in MISSING_ORDER if any(g.check == c for g in missing)]
    added = [f"added what was missing: {g.message}" for g in missing]
    steps = [m for m in facts.mitigations if any(g.check == "missing-mitigation" and m in g.message for g in missing)]
    if "missing-mitigation" in checks and list_slot is not None and steps:
        # the case's own steps where the copied one stood, as items of the same list
        at, marker, mark = list_slot
        before = len(_join(lines[:at]).rstrip("\n").split("\n")) if at else 0
        kept = text.rstrip("\n").split("\n")
        items = [f"{marker}{s}{'' if s.rstrip()[-1:] in '。.；;!！' else mark}" for s in steps]
        text = "\n".join([*kept[:before], *items, *kept[before:]]) + "\n"
        checks.remove("missing-mitigation")
    elif "missing-mitigation" in checks:
        facts = facts.model_copy(update={"mitigations": steps or facts.mitigations})
    if "missing-cause" in checks:
        still = [c for c in facts.causes if overlap(c.summary, text, lang) < 0.5]  # as `required_findings`
        facts = facts.model_copy(update={"causes": still or facts.causes})
        placed = _after_news(text, element_blocks(["missing-cause"], facts)[1], facts)
        if placed is not None:
            text = placed
            checks.remove("missing-cause")
    if checks:
        from assistant.rewrite_offline import sender_names

        news, rest = element_blocks(checks, facts)
        # the news as one sentence more of the opening paragraph, when there is one to extend
        inline = len(news) == 1 and _opening_sentence(text, lang)
        text = insert_blocks(text, news, rest, lang, "txt", sender_names(facts), news_inline=inline)
    return text, added


def _after_news(text: str, blocks: list[str], facts: Facts) -> str | None:
    """`text` with `blocks` as paragraphs right after the first paragraph that gives the new or
    the promised date (where a reader expects the reason), or None when no paragraph does."""
    from assistant.checks.datefind import find_mentions

    paragraphs = text.rstrip("\n").split("\n\n")
    for i, para in enumerate(paragraphs[:-1]):
        dates = {d for m in find_mentions(para, facts.notice_date) for d in m.dates}
        if facts.new_date in dates or facts.original_date in dates:
            return "\n\n".join([*paragraphs[:i + 1], *blocks, *paragraphs[i + 1:]]) + "\n"
    return None


def _opening_sentence(text: str, lang: str) -> bool:
    """The first line after the greeting ends a sentence (not a signature such as "Sam")."""
    from assistant.rewrite_layout import greeting_end

    lines = text.split("\n")
    start = greeting_end(lines, lang) or 0
    first = next((ln.strip() for ln in lines[start:] if ln.strip()), "")
    return first[-1:] in ".!?。！？"


def _says_date(text: str, day: object, facts: Facts) -> bool:
    from assistant.checks.datefind import find_mentions

    return any(day in m.dates for m in find_mentions(text, facts.notice_date) if m.kind == "date")


def _absent_original(facts: Facts) -> Finding:
    from assistant.dates import format_date
    from assistant.guards.data import absent, msg

    shown = format_date(facts.original_date, facts.language)
    return absent("missing-original-date", "advance-notice", msg(facts.language, "need-original-date", date=shown),
                  None, severity="warning")


def _sign_as_sender(lines: list[str], end: int, facts: Facts) -> bool:
    """Replace the signature after the sign-off (lines from `end`) with the facts' sender: name,
    role, organisation, as the offline drafter signs. False when there is nothing to replace."""
    from assistant.rewrite_layout import rewrite_data, visible

    cues = [c.lower() for c in rewrite_data(facts.language).get("sign_offs", [])]
    i = end
    while i < len(lines) and (not lines[i].strip() or any(
            visible(lines[i]).lower().lstrip("*_ ").startswith(c) for c in cues)):
        i += 1  # "Kind regards," / "此致" + "敬礼" and blank lines stay
    signer = [v for v in (facts.sender.name, facts.sender.role, facts.sender.organisation) if v]
    if i >= len(lines) or not signer:
        return False
    lines[i:] = signer
    return True
