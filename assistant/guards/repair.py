"""Repairs that need no model: where the right value is known exactly, a wrong one is swapped.

A small model copies the contact details of the prompt's worked example, or writes a weekday
that does not go with its date; asking it to revise mostly gives the same text back (measured
on a 1.5B model). An e-mail address or phone number that is in no source, when the facts give
the sender's of the same kind, becomes the sender's; a stated weekday that does not match a
date of the facts becomes the right one. Nothing else is touched, and each swap is reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.guards.trace import _digits, build_source

if TYPE_CHECKING:
    from assistant.facts import Facts


def repair(text: str, lang: str, facts: Facts) -> tuple[str, list[str]]:
    """`text` with wrong contact details and weekdays swapped for the facts' ones, and what was swapped."""
    from assistant.checks.datefind import find_mentions
    from assistant.dates import EN_WEEKDAYS, ZH_WEEKDAYS, weekday_name
    from assistant.llm.redact import find_emails, find_phones

    source = build_source(facts, None, lang)
    swaps: list[tuple[str, str]] = []
    if facts.sender.email:
        swaps += [(e, facts.sender.email) for e in find_emails(text) if e.lower() not in source.emails]
    if facts.sender.phone:
        known = source.phones
        swaps += [(p, facts.sender.phone) for p in find_phones(text)
                  if not any(_digits(p) == k or (len(_digits(p)) >= 7 and k.endswith(_digits(p))) for k in known)]
    names = ZH_WEEKDAYS if lang == "zh" else EN_WEEKDAYS
    for m in find_mentions(text, facts.notice_date):
        if (m.kind == "date" and m.date is not None and m.weekday is not None and m.weekday != m.date.weekday()
                and m.date in source.dates):
            stated, right = names[m.weekday], weekday_name(m.date, lang)
            if stated in m.text:
                swaps.append((m.text, m.text.replace(stated, right, 1)))
    done = []
    for wrong, right in dict.fromkeys(swaps):
        if wrong in text and wrong != right:
            text = text.replace(wrong, right)
            done.append(f"{wrong} -> {right}")
    return text, done
