"""The offline update drafter: facts + progress + what was told before, in; a progress update, out.

Wording is data (`data/phrases_{en,zh}.yaml`, per tone and per date status) and layout is one
Jinja2 template per channel (`templates/*.j2`, shared by both languages). Every date is derived
here through `assistant.dates`, so an update can never state a date the inputs do not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined

from assistant.dates import format_date, format_delay
from assistant.drafting import Draft
from assistant.drafting.offline import (
    IM_LIMITS,
    Markup,
    build_context,
    rendered_parts,
    sentence,
    sentence_case,
)
from assistant.facts import Facts
from assistant.followup.progress import Progress, delivery_after, next_update_after

TONES = ("formal", "neutral", "warm")
STATUSES = ("on_track", "at_risk", "slipped", "delivered")


@dataclass(frozen=True)
class Told:
    """What the client was told before this update, from the history (or nothing, without one)."""

    last_sent_on: date | None = None
    promised_next: date | None = None
    slips: int = 1
    """How many times the client has been told the date moves (the first notice is one)."""
    given_on: date | None = None
    """When the client was first given the delivery date that still stands."""


@cache
def update_phrases(language: str) -> dict[str, Any]:
    """The update wording for one language."""
    text = (files("assistant.followup") / "data" / f"phrases_{language}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("assistant.followup", "templates"), undefined=StrictUndefined,
                      autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


def _pick(value: Any, status: str, tone: str) -> Any:
    """A phrase for this status and tone: mappings keyed by status, then by tone, are narrowed."""
    if isinstance(value, dict) and set(value) <= set(STATUSES) and value:
        value = value.get(status, "")
    if isinstance(value, dict) and set(value) == set(TONES):
        value = value[tone]
    return value


@cache
def _compiled(snippet: str) -> Any:
    """Phrase snippets are a small fixed set: compile each once, not once per update."""
    return _environment().from_string(snippet)


def _render(snippet: str, ctx: dict[str, Any]) -> str:
    return _compiled(snippet).render(ctx).strip()


def _items(values: list[str], lang: str) -> list[str]:
    return [sentence_case(sentence(v, lang), lang) for v in values]


def _delay(old: date, new: date, lang: str) -> str:
    """How much later the new date is. Chinese says two weeks 两周, not 二周 (which the shared
    `format_duration` gives; it is left alone, since recorded LLM requests hold its text)."""
    if new <= old:
        return ""
    text = format_delay(old, new, lang)
    return "推迟两周" if text == "推迟二周" else text


def is_missed(progress: Progress, told: Told) -> bool:
    """The update comes after the date the previous message promised for it."""
    return told.promised_next is not None and progress.update_date > told.promised_next


def update_context(facts: Facts, progress: Progress, told: Told, markup: Markup = "text") -> dict[str, Any]:
    """Everything an update template needs (pure): the notice's context plus the update's."""
    lang, status, tone = facts.language, progress.status, facts.tone
    data = update_phrases(lang)
    ctx = build_context(facts, markup)
    delivery = facts.new_date
    new = delivery_after(progress, delivery)
    nxt = next_update_after(progress, facts, delivery)
    index = min(told.slips, len(data["ordinals"]) - 1)
    ctx.update({
        "status": status,
        "gap": "" if lang == "zh" else " ",
        "lp": "（" if lang == "zh" else " (",
        "rp": "）" if lang == "zh" else ")",
        "today": format_date(progress.update_date, lang),
        "today_plain": format_date(progress.update_date, lang, weekday=False),
        "delivery": format_date(delivery, lang),
        "delivery_plain": format_date(delivery, lang, weekday=False),
        "new_plain": format_date(new, lang, weekday=False),
        "new": format_date(new, lang),
        "delay": _delay(delivery, new, lang),
        "next": format_date(nxt, lang) if nxt else "",
        "has_next": nxt is not None,
        "prev_on": format_date(told.last_sent_on, lang, weekday=False) if told.last_sent_on else "",
        "promised_next": format_date(told.promised_next, lang) if told.promised_next else "",
        "missed": is_missed(progress, told),
        "slip_ordinal": data["ordinals"][index],
        "slip_times": data["times"][index],
        "cadence": data["cadence"][facts.updates.cadence],
        "update_channel": data["update_channel"][facts.updates.channel] if facts.updates.channel else "",
        "done_items": _items(progress.done, lang),
        "in_progress_items": _items(progress.in_progress, lang),
        "next_items": _items(progress.next, lang),
        "risk_items": _items(progress.risks, lang),
        "trigger": sentence_case(sentence(progress.at_risk.trigger, lang), lang) if progress.at_risk else "",
        "known_by": format_date(progress.at_risk.known_by, lang) if progress.at_risk else "",
        "slip_cause": "", "slip_changes": [],
    })
    if progress.slipped:
        cause = progress.slipped.cause
        text = sentence_case(sentence(cause.summary, lang), lang)
        if cause.detail:
            text += ctx["gap"] + sentence_case(sentence(cause.detail, lang), lang)
        ctx["slip_cause"] = text
        ctx["slip_changes"] = _items(progress.slipped.changes, lang)
    given = data["given_on"] if told.given_on else data["given_on_first"]
    ctx["given_on"] = _compiled(given).render(  # keeps its leading space
        {**ctx, "prev_on": format_date(told.given_on, lang, weekday=False) if told.given_on else ""})
    ctx["next_is_delivery"] = nxt is not None and nxt == new
    if status == "delivered":
        key = ("delivered_on_time" if progress.update_date == delivery else
               "delivered_early" if progress.update_date < delivery else "delivered_late")
        ctx["delivered_vs"] = _render(data[key], ctx)
    u: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("cal_"):  # the calendar's wording (schedule.py), rendered there
            continue
        value = _pick(value, status, tone)
        u[key] = _render(value, ctx) if isinstance(value, str) else value
    ctx["u"] = u
    return ctx


def _render_channel(facts: Facts, ctx: dict[str, Any]) -> tuple[str | None, str]:
    template = _environment().get_template(f"{facts.channel}.j2")
    return rendered_parts(template.make_module(ctx), facts.language)


_IM_DROPS = ("im_sign", "im_more_done", "im_next", "im_done", "im_change")


def _draft_im(facts: Facts, ctx: dict[str, Any]) -> str:
    """A chat update within the channel's limit: drop the least needed parts first, never cut a
    sentence."""
    limit = IM_LIMITS[facts.language]
    flags = {key: True for key in _IM_DROPS}
    body = _render_channel(facts, {**ctx, **flags})[1]
    for key in _IM_DROPS:
        if len(body.rstrip("\n")) <= limit:
            return body
        flags[key] = False
        body = _render_channel(facts, {**ctx, **flags})[1]
    return body  # still too long: every fact stays (a cut sentence would drop one; issue 10)


def draft_update_offline(facts: Facts, progress: Progress, told: Told | None = None, *,
                         markup: Markup = "text") -> Draft:
    """Draft the progress update for `facts.language`/`.channel`/`.tone`, deterministically."""
    ctx = update_context(facts, progress, told or Told(), markup)
    if facts.channel == "im":
        return Draft(language=facts.language, channel="im", subject=None, body=_draft_im(facts, ctx))
    subject, body = _render_channel(facts, ctx)
    return Draft(language=facts.language, channel=facts.channel,
                 subject=subject if facts.channel == "email" else None, body=body)
