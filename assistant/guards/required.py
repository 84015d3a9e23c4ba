"""What a notice drafted from facts must carry: the new date, each cause, each step, the next
update date, and on e-mail the sender's contact details exactly as given."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.findings import Finding
from assistant.guards.data import absent, msg
from assistant.guards.trace import _digits

if TYPE_CHECKING:
    from assistant.facts import Facts

_SENTENCE_END = re.compile(r"[.!?。！？；;\n]")


def required_findings(text: str, lang: str, facts: Facts) -> list[Finding]:
    """What a notice from these facts must carry, as `missing-*` errors: the new date, each cause,
    each mitigation (a chat message: one), the next update date, and on e-mail the sender's
    e-mail address and phone number exactly as given."""
    from assistant.checks.causes import overlap as _overlap
    from assistant.checks.datefind import find_mentions
    from assistant.dates import format_date

    out = []
    # explicit dates only: a bare 'Friday' that happens to fall on the next update does not say it
    dates = {d for m in find_mentions(text, facts.notice_date) if m.kind == "date" for d in m.dates}
    if facts.new_date not in dates:
        new = format_date(facts.new_date, lang)
        out.append(absent("missing-new-date", "solution", msg(lang, "need-new-date", date=new),
                           msg(lang, "need-new-date-suggestion", date=new)))
    for cause in facts.causes:
        # most of its words, as for a step: a cause half told ("a second trial run") is not told
        if max(_overlap(f"{cause.summary} {cause.detail or ''}", text, lang), _overlap(cause.summary, text, lang)) < 0.5:
            out.append(absent("missing-cause", "explain-cause", msg(lang, "need-cause", cause=cause.summary),
                               msg(lang, "need-cause-suggestion", cause=cause.summary)))
    sentences = [x for x in _SENTENCE_END.split(text) if x.strip()]
    missing = [m for m in facts.mitigations if max((_overlap(m, x, lang) for x in sentences), default=0) < 0.5]
    if facts.channel == "im" and len(missing) < len(facts.mitigations):
        missing = []
    for step in missing:
        out.append(absent("missing-mitigation", "solution", msg(lang, "need-mitigation", mitigation=step),
                           msg(lang, "need-mitigation-suggestion", mitigation=step)))
    if facts.next_update not in dates:
        nxt = format_date(facts.next_update, lang)
        out.append(absent("missing-update-plan", "regular-updates", msg(lang, "need-next-update", date=nxt),
                           msg(lang, "need-next-update-suggestion", date=nxt,
                                cadence=msg(lang, f"cadence-{facts.updates.cadence}"))))
    if facts.channel == "email":
        lowered, digits = text.lower(), _digits(text)
        for kind, value, present in (
                ("e-mail address", facts.sender.email, bool(facts.sender.email) and str(facts.sender.email).lower() in lowered),
                ("phone number", facts.sender.phone, bool(facts.sender.phone) and (
                    facts.sender.phone in text or _digits(facts.sender.phone) in digits))):
            if value and not present:
                out.append(absent("missing-contact", "transparency",
                                   msg(lang, "need-contact", kind=msg(lang, kind), value=value),
                                   msg(lang, "need-contact-suggestion", value=value)))
    return out
