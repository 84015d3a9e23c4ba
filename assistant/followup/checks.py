"""The update-only checks: `missing-date-status`, `fact-drift` and `missed-update` (README "The three update checks"; ids in
`assistant.checks.catalogue.UPDATE_CHECK_IDS`, wording in `data/checks_{en,zh}.yaml`).

An update is checked like a notice (the same rules, on facts rewritten for the update by
`facts_for_update`) plus these three, which need what the client was told before (`history.Sent`).
They work on the text, so they hold for an offline draft, an LLM draft or a file edited by hand.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import yaml

from assistant.dates import format_date
from assistant.facts import Facts
from assistant.findings import Finding
from assistant.followup.progress import Progress, delivery_after, next_update_after

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.followup.history import Sent

# Checks of a first notice that an update need not pass: an on-track update gives no cause and no
# apology, and a date promised months ago is no "late notice" now. A slip is a notice again.
_NOT_FOR_UPDATES = {"late-notice", "missing-original-date", "missing-cause", "missing-impact",
                    "missing-mitigation", "missing-apology"}


@cache
def _data(lang: str) -> dict[str, Any]:
    text = (files("assistant.followup") / "data" / f"checks_{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def skipped_checks(progress: Progress) -> set[str]:
    """The notice checks that do not apply to this update."""
    if progress.status == "slipped":
        return set()
    skip = set(_NOT_FOR_UPDATES)
    if progress.status == "delivered":
        skip |= {"missing-update-plan", "missing-status"}  # nothing remains, no update follows
    return skip


def facts_for_update(facts: Facts, progress: Progress) -> Facts:
    """The facts as this update states them, so the notice checks (fact-mismatch above all) measure
    the update against its own dates: a slip is a notice from the last date given to the new one."""
    nxt = next_update_after(progress, facts, facts.new_date)
    change: dict[str, Any] = {"notice_date": progress.update_date, "completed": list(progress.done),
                              "pending": list(progress.in_progress) + list(progress.next),
                              "updates": facts.updates.model_copy(update={"next": nxt})}
    if progress.slipped:
        change.update(original_date=facts.new_date, new_date=progress.slipped.new_date,
                      causes=[progress.slipped.cause], mitigations=list(progress.slipped.changes), impact=None)
    return facts.model_copy(update=change)


def _has(text: str, cues: list[str]) -> bool:
    low = text.casefold()
    return any(c.casefold() in low for c in cues)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _finding(check: str, message: str, suggestion: str, settings: Settings | None, text: str = "",
             span: tuple[int, int] | None = None) -> Finding:
    from assistant.checks.catalogue import catalogue

    entry = catalogue()[check]
    severity = (settings.severity.get(check) if settings else None) or entry["severity"]
    where: dict[str, Any] = {}
    if span:
        (line, column), (end_line, end_column) = _position(text, span[0]), _position(text, span[1])
        where = {"line": line, "column": column, "end_line": end_line, "end_column": end_column,
                 "text": text[span[0]:span[1]]}
    return Finding(check=check, principle=entry["principle"], severity=severity, message=message,
                   suggestion=suggestion, **where)


def update_findings(text: str, lang: str, facts: Facts, progress: Progress, told: list[Sent],
                    settings: Settings | None = None) -> list[Finding]:
    """The three update checks on `text` (an update to be sent), given every message sent before."""
    data = _data(lang)
    msg = data["messages"]
    disabled = set(settings.disable) if settings else set()
    last = told[-1] if told else None
    found: list[Finding] = []
    def fd(d):
        return (format_date(d, lang))
    delivery = delivery_after(progress, facts.new_date)
    if "missing-date-status" not in disabled and not _has(text, data["date_status"]):
        found.append(_finding("missing-date-status", msg["missing-date-status"].format(delivery=fd(delivery)),
                              msg["missing-date-status-fix"], settings))
    if last is not None and "fact-drift" not in disabled:
        found += _drift(text, lang, facts, progress, told, settings)
    if (last is not None and "missed-update" not in disabled and last.next_update
            and progress.update_date > last.next_update
            and not (_has(text, data["late_owned"]) and _has(text, data["apology"]))):
        found.append(_finding("missed-update", msg["missed-update"].format(
            today=fd(progress.update_date), promised=fd(last.next_update),
            sent_on=format_date(last.sent_on, lang, weekday=False)), msg["missed-update-fix"], settings))
    return found


def _drift(text: str, lang: str, facts: Facts, progress: Progress, told: list[Sent],
           settings: Settings | None) -> list[Finding]:
    """Dates, phase dates and promises that differ from the last message without a word of change."""
    from assistant.checks.datefind import find_mentions

    data = _data(lang)
    msg = data["messages"]
    last = told[-1]
    if _has(text, data["change"]):
        return []
    def fd(d):
        return (format_date(d, lang))
    sent_on = format_date(last.sent_on, lang, weekday=False)
    found: list[Finding] = []
    delivery = delivery_after(progress, facts.new_date)
    if delivery != last.delivery_date:
        found.append(_finding("fact-drift", msg["drift-date"].format(sent_on=sent_on, told=fd(last.delivery_date),
                                                                      now=fd(delivery)),
                              msg["drift-date-fix"].format(told=fd(last.delivery_date), now=fd(delivery)), settings))
    else:
        mentions = [m for m in find_mentions(text, progress.update_date) if m.kind == "date" and m.dates]
        stated = {d for m in mentions for d in m.dates}
        if last.delivery_date not in stated:
            known = _known_dates(facts, progress, told)
            strange = next((m for m in mentions if not set(m.dates) & known), None)
            if strange is not None:
                found.append(_finding("fact-drift", msg["drift-text-date"].format(
                    sent_on=sent_on, told=fd(last.delivery_date), now=strange.text),
                    msg["drift-date-fix"].format(told=fd(last.delivery_date), now=strange.text), settings,
                    text, (strange.start, strange.end)))
    now_phases = {p.name: p.due for p in facts.phases}
    for phase in last.phases:
        due = now_phases.get(phase.get("name", ""))
        if due is not None and due.isoformat() != phase.get("due"):
            told_due = date.fromisoformat(phase["due"])
            found.append(_finding("fact-drift", msg["drift-phase"].format(sent_on=sent_on, phase=phase["name"],
                                                                           told=fd(told_due), now=fd(due)),
                                  msg["drift-phase-fix"].format(told=fd(told_due)), settings))
    kept = set(facts.mitigations) | set(progress.slipped.changes if progress.slipped else [])
    # A slip's changes are promises for the slip's own plan; once delivered, no step is outstanding.
    promises = [] if progress.status == "delivered" or last.status == "slipped" else last.promises
    for promise in promises:
        if promise not in kept and promise.casefold() not in text.casefold():
            found.append(_finding("fact-drift", msg["drift-promise"].format(sent_on=sent_on, promise=promise),
                                  msg["drift-promise-fix"], settings))
    return found


def _known_dates(facts: Facts, progress: Progress, told: list[Sent]) -> set[date]:
    """Dates an honest update may name besides the delivery date."""
    known = {facts.original_date, facts.notice_date, progress.update_date, *(p.due for p in facts.phases)}
    nxt = next_update_after(progress, facts, facts.new_date)
    known |= {d for d in (nxt, progress.next_update, progress.at_risk.known_by if progress.at_risk else None) if d}
    for sent in told:
        known |= {d for d in (sent.sent_on, sent.next_update, sent.delivery_date, sent.original_date) if d}
    return known


def update_date_texts(facts: Facts, progress: Progress, told: list[Sent]) -> set[str]:
    """The update's own dates as a draft writes them (with and without weekday), which the notice
    check `fact-mismatch` does not know: when the client will know, when earlier messages went out."""
    days = _known_dates(facts, progress, told)
    return {format_date(d, facts.language, weekday=w) for d in days for w in (True, False)}
