"""The embedded offline drafter: facts in, a complete notice out, with no network and no key.

Wording lives in data (`phrases/{en,zh}.yaml`, per tone) and layout in Jinja2 templates
(`templates/{en,zh}/{email,phone,meeting,im}.j2`); this module only computes a context from
the facts and renders. Every date, weekday and duration in the output is derived here from
the facts through `assistant.dates`, so a draft can never state a date the facts do not hold,
and user text (causes, mitigations, names, phases, tasks) is inserted as typed (in Chinese, with a
space where a Chinese character meets a Latin word; in English, see `project_phrase` and `sentence_case`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from assistant.dates import (
    EN_MONTHS,
    LATE_NOTICE_WORKING_DAYS,
    format_date,
    natural_delay,
    natural_lead,
    public_holidays,
    weekday_name,
    working_days_between,
)
from assistant.drafting import Draft
from assistant.drafting.wording import (
    Markup,
    display_width,
    en_list,
    lower_start,
    markdown_table,
    project_phrase,
    sentence,
    sentence_case,
    zh_join,
    zh_list,
    zh_spacing,
)
from assistant.facts import Facts

IM_LIMITS = {"en": 500, "zh": 300}
"""Chat messages must fit one screen: characters, everything included (DOMAIN.md)."""

_BLANK_RUNS = re.compile(r"\n{3,}")  # templates may leave gaps where optional parts were skipped

# Re-exported: the rewrite and the tests use these through this module.
__all__ = ["IM_LIMITS", "DraftOptions", "build_context", "default_subject", "display_width", "draft_offline",
           "im_overflow", "project_phrase", "sentence", "sentence_case", "zh_spacing"]


@dataclass(frozen=True)
class DraftOptions:
    """What the configuration changes in an offline draft ([draft] in delaynote.toml).

    `im_max_chars` overrides IM_LIMITS (one number for both languages, or per language);
    `holiday_country` is the country whose public holidays are not working days (the facts'
    `holiday_country` wins over it; unset: CN for Chinese notices, the sender's locale otherwise)."""

    im_max_chars: int | tuple[tuple[str, int], ...] | None = None
    holiday_country: str | None = None

    def im_limit(self, language: str) -> int:
        if isinstance(self.im_max_chars, int):
            return self.im_max_chars
        return dict(self.im_max_chars or ()).get(language, IM_LIMITS[language])


def locale_country(env: dict[str, str] | None = None) -> str | None:
    """The territory of the user's locale (LC_ALL, LC_TIME, LANG: 'en_GB.UTF-8' -> 'GB'), if any."""
    env = dict(os.environ) if env is None else env
    for var in ("LC_ALL", "LC_TIME", "LANG"):
        value = env.get(var, "")
        match = re.match(r"[a-z]{2,3}_([A-Z]{2})\b", value)
        if match:
            return match.group(1)
        if value:
            return None  # the first locale variable set decides, as in POSIX
    return None


def holiday_country(facts: Facts, options: DraftOptions) -> str | None:
    """Whose public holidays are skipped when counting working days: the facts' `holiday_country`,
    else the configured one, else CN for a Chinese notice, else the sender's locale."""
    chosen = facts.holiday_country or options.holiday_country
    if chosen:
        return None if chosen.lower() == "none" else chosen
    return "CN" if facts.language == "zh" else locale_country()


@cache
def _environment() -> Environment:
    """One Jinja2 environment (immutable once built): strict, no HTML escaping, tidy blocks."""
    env = Environment(
        loader=PackageLoader("assistant.drafting", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["sentence"] = sentence
    return env


@cache
def phrases(language: str) -> dict[str, Any]:
    """The wording data for one language (see `phrases/en.yaml` for the format)."""
    text = (files("assistant.drafting") / "phrases" / f"{language}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def _compiled(snippet: str) -> Template:
    """Phrase snippets are a small fixed set: compile each once, not once per draft."""
    return _environment().from_string(snippet)


def _render_snippet(snippet: str, ctx: dict[str, Any]) -> str:
    return _compiled(snippet).render(ctx).strip()


def _tone_phrases(language: str, tone: str, ctx: dict[str, Any]) -> dict[str, Any]:
    """Every phrase for this tone, rendered with the context (lists and tables stay data)."""
    out: dict[str, Any] = {}
    for key, value in phrases(language).items():
        if isinstance(value, dict) and set(value) == {"formal", "neutral", "warm"}:
            value = value[tone]
        if isinstance(value, str):
            out[key] = _render_snippet(value, ctx)
        else:
            out[key] = value
    return out


def _spoken_date(d: date, notice: date, lang: str) -> str:
    """A date as it is said on the phone: without the year when it is within five months of the
    notice ('Friday, 15 January' / '1月15日（星期五）'), so a script says the year once (in the news,
    `original_full`, `new_full`) and never repeats it. Further
    away the year is said: a listener (and the checker) takes a year-less date as the nearest one."""
    if abs((d - notice).days) <= 150:
        if lang == "zh":
            return f"{d.month}月{d.day}日（{weekday_name(d, lang)}）"
        return f"{weekday_name(d, lang)}, {d.day} {EN_MONTHS[d.month - 1]}"
    return format_date(d, lang)


def _timeline(phases: list[dict[str, Any]], data: dict[str, Any], lang: str, markup: Markup) -> str:
    """The new timeline: a Markdown table for --format markdown; in plain text a list, which no
    proportional font in a mail client can misalign ('- Payment checks: Friday, 8 January 2027 (planned)')."""
    if not phases:
        return ""
    if markup == "markdown":
        with_status = any(p["status"] for p in phases)
        header = [data["col_phase"], data["col_due"]] + ([data["col_status"]] if with_status else [])
        rows = [[p["name"], p["due"]] + ([p["status"] or "-"] if with_status else []) for p in phases]
        return markdown_table(header, rows)
    if lang == "zh":
        return "\n".join(f"- {p['name']}：{p['due']}" + (f"，{p['status']}" if p["status"] else "") for p in phases)
    return "\n".join(f"- {p['name']}: {p['due']}" + (f" ({p['status']})" if p["status"] else "") for p in phases)


_HOLIDAYS_MATTER = 20
"""Public holidays change a draft only when they bring the lead time under LATE_NOTICE_WORKING_DAYS (the
draft owns a late notice) or under 10 working days (said in working days; longer leads are said in calendar
time, which holidays do not change). No country has 15 weekday holidays in four weeks, so from 20 weekdays
on the holiday calendar is not looked up: the `holidays` package takes 0.1-0.3 s to load and compute."""


def build_context(facts: Facts, markup: Markup = "text", options: DraftOptions | None = None) -> dict[str, Any]:
    """Everything a template needs, computed once from the facts (pure but for the locale, which
    picks the holiday calendar when neither the facts nor the configuration name one)."""
    options = options or DraftOptions()
    lang = facts.language
    data = phrases(lang)
    sender, client = facts.sender, facts.client
    spoken = facts.channel == "phone"

    def say_date(d: date, weekday: bool = True) -> str:
        return _spoken_date(d, facts.notice_date, lang) if spoken else format_date(d, lang, weekday=weekday)

    status_words = {"done": data["status_done"], "in_progress": data["status_in_progress"],
                    "planned": data["status_planned"]}
    space = zh_spacing if lang == "zh" else (lambda text: text)
    phases = [
        {"name": space(p.name), "due": say_date(p.due), "status": status_words.get(p.status or "", ""),
         "tasks": list(p.tasks), "done": p.status == "done"}
        for p in facts.phases
    ]
    done = list(facts.completed) + [p.name for p in facts.phases if p.status == "done" and p.name not in facts.completed]
    pending = list(facts.pending) or [p.name for p in facts.phases if p.status != "done"]
    country = holiday_country(facts, options)
    lead_days = working_days_between(facts.notice_date, facts.original_date)
    if lead_days < _HOLIDAYS_MATTER:  # see _HOLIDAYS_MATTER: only then can holidays change the text
        days_off = public_holidays(country, facts.notice_date, facts.original_date)
        lead_days = working_days_between(facts.notice_date, facts.original_date, days_off)
    overdue = facts.notice_date >= facts.original_date
    late = overdue or lead_days < LATE_NOTICE_WORKING_DAYS  # the checker's late-notice, owned in the text
    notice_lead = natural_lead(facts.notice_date, facts.original_date, lead_days, lang)
    if lang == "zh":
        sender_from = sender.organisation or ""
        join_items, task_list = zh_list, zh_list
    else:
        sender_from = f" from {sender.organisation}" if sender.organisation else ""
        join_items = en_list

        def task_list(tasks: list[str]) -> str:
            return en_list([lower_start(t) for t in tasks])
    ctx: dict[str, Any] = {
        "lang": lang,
        "channel": facts.channel,
        "tone": facts.tone,
        "md": markup == "markdown",
        "project": facts.project,
        "project_np": project_phrase(facts.project) if lang == "en" else facts.project,
        "contact": client.contact,
        "client_org": client.organisation,
        "client_name": client.organisation or client.contact,
        "sender_name": sender.name,
        "sender_role": sender.role,
        "sender_org": sender.organisation,
        "sender_email": sender.email,
        "sender_phone": sender.phone,
        "sender_from": sender_from,
        "sender_title_zh": zh_join([sender.organisation, sender.role, sender.name]),  # 单位、职务、姓名
        "original": say_date(facts.original_date),
        "new": say_date(facts.new_date),
        "notice": format_date(facts.notice_date, lang, weekday=False),
        "next": say_date(facts.next_update),
        "original_full": format_date(facts.original_date, lang),  # the phone news says the year, once
        "new_full": format_date(facts.new_date, lang),
        "original_plain": format_date(facts.original_date, lang, weekday=False),
        "new_plain": format_date(facts.new_date, lang, weekday=False),
        "next_plain": format_date(facts.next_update, lang, weekday=False),
        "delay": natural_delay(facts.original_date, facts.new_date, lang),
        "lead_days": lead_days,
        "notice_lead": notice_lead,
        "holiday_country": country,
        "cadence": data["cadence"][facts.updates.cadence],
        "update_channel": data["update_channel"][facts.updates.channel] if facts.updates.channel else "",
        "causes": [{"summary": sentence_case(sentence(c.summary, lang), lang),
                    "detail": sentence_case(sentence(c.detail, lang), lang) if c.detail else None}
                   for c in facts.causes],
        "impact": sentence_case(sentence(facts.impact, lang), lang) if facts.impact else None,
        "mitigations": [sentence_case(sentence(m, lang), lang) for m in facts.mitigations],
        "phases": phases,
        "has_tasks": any(p["tasks"] for p in phases),
        "task_lists": {p["name"]: sentence(task_list(p["tasks"]), lang) for p in phases if p["tasks"]},
        "done": done,
        "pending": pending,
        "done_said": sentence(sentence_case(join_items(done), lang), lang) if done else "",
        "pending_said": sentence(sentence_case(join_items(pending), lang), lang) if pending else "",
    }
    ctx["new_short"] = _render_snippet(data["new_short"], ctx)
    ctx["timeline_table"] = _timeline(phases, data, lang, markup)
    ctx["late"] = late
    ctx["p"] = _own_short_notice(_tone_phrases(lang, facts.tone, ctx), late, overdue)
    ctx["contact_line"] = _contact_line(ctx)
    return ctx


def _contact_line(ctx: dict[str, Any]) -> str:
    """How to reach the sender, from what the facts give; never an invented address. A meeting
    agenda is shared, so it names the sender ("call Daniel Okafor on ...") instead of saying "me"."""
    p = ctx["p"]
    team = ctx["channel"] == "meeting"
    if ctx["sender_phone"] and ctx["sender_email"]:
        how = "phone_email"
    elif ctx["sender_phone"]:
        how = "phone"
    elif ctx["sender_email"]:
        how = "email"
    else:
        how = {"email": "reply_email", "phone": "reply_phone"}.get(ctx["channel"], "reply")
    joiner = "" if ctx["lang"] == "zh" else " "
    if team:
        return f"{p['team_questions_lead']}{joiner}{p['team_' + how]}"
    return f"{p['questions_lead']}{joiner}{p['contact_' + how]}"


def _own_short_notice(p: dict[str, Any], late: bool, overdue: bool) -> dict[str, Any]:
    """A late notice says so and apologises for the short notice, in the one apology every channel
    has; the phone script's 'why now?' gets an honest answer instead of 'so you can re-plan'."""
    if not late:
        return p
    kind = "overdue" if overdue else "late"
    return {**p, "apology": p[f"apology_{kind}"], "im_apology": p[f"im_apology_{kind}"],
            "a_why_now": p["a_why_now_late"]}


def _render(facts: Facts, ctx: dict[str, Any]) -> tuple[str | None, str]:
    """Render the channel template: its body, and the `subject` it sets (if any)."""
    template = _environment().get_template(f"{facts.language}/{facts.channel}.j2")
    return rendered_parts(template.make_module(ctx), facts.language)


def rendered_parts(module: Any, language: str) -> tuple[str | None, str]:
    """A rendered template module as (subject or None, body): lines without trailing spaces, no
    runs of blank lines, Chinese spaced where it meets Latin letters (updates use it too)."""
    body = "\n".join(line.rstrip() for line in str(module).split("\n"))
    body = _BLANK_RUNS.sub("\n\n", body).strip("\n") + "\n"
    subject = getattr(module, "subject", None)
    subject = str(subject).strip() if subject is not None else None
    if language == "zh":
        body = zh_spacing(body)
        subject = zh_spacing(subject) if subject else subject
    return subject or None, body


# How a chat message gets shorter until it fits: by choosing what to say, never by cutting a
# sentence. Each step leaves out something the client can do without: a cause's detail, the
# "questions? reply here" line, the signature (the chat shows who wrote), then the weekdays beside
# the dates. The news, every cause, the impact, every step, the apology and the next update stay.
_IM_STEPS: tuple[str, ...] = ("im_details", "im_contact", "im_sign", "im_weekdays", "im_wording")
# The last step trades the tone's wording for the shortest (`im_*_compact` in the phrase data): the
# delay's length (the two dates say it) and long labels go; the tone's apology stays.
_COMPACT = ("im_news", "im_cause", "im_impact", "im_mitigation", "im_followup")


def _draft_im(facts: Facts, ctx: dict[str, Any], limit: int) -> str:
    """A chat message of at most `limit` characters when the facts allow it (see _IM_STEPS);
    when even the bare facts are longer, all of them are kept and `im_overflow` says so."""
    flags = dict.fromkeys(_IM_STEPS, True)

    def render() -> str:
        view = dict(ctx)
        if not flags["im_weekdays"]:
            view.update(original=ctx["original_plain"], new=ctx["new_plain"], next=ctx["next_plain"])
            view["p"] = _tone_phrases(facts.language, facts.tone, view)
            view["p"] = _own_short_notice(view["p"], ctx["late"], facts.notice_date >= facts.original_date)
        if not flags["im_wording"]:
            view["p"] = {**view["p"], **{key: view["p"][f"{key}_compact"] for key in _COMPACT}}
        _, body = _render(facts, {**view, **flags})
        return body

    body = render()
    for step in _IM_STEPS:
        if len(body.rstrip("\n")) <= limit:
            break
        flags[step] = False
        body = render()
    return body


def im_overflow(draft: Draft, options: DraftOptions | None = None) -> str | None:
    """A sentence when a chat message is longer than its limit because the facts themselves are:
    the drafter keeps every fact rather than cut one, so the user decides what to shorten."""
    if draft.channel != "im":
        return None
    limit = (options or DraftOptions()).im_limit(draft.language)
    length = len(draft.body.rstrip("\n"))
    if length <= limit:
        return None
    if draft.language == "zh":
        return (f"这条即时消息有 {length} 个字符，超过了 {limit} 字的上限：为了不删掉任何事实，全部保留了。"
                "请精简事实文件中的原因、影响或措施，或在 delaynote.toml 的 [draft] 中调大 im_max_chars，或改用邮件")
    return (f"this chat message is {length} characters, over the limit of {limit}: every fact is kept rather than "
            "cut; shorten the causes, impact or steps in the facts, raise im_max_chars in [draft] of "
            "delaynote.toml, or send an e-mail instead")


def draft_offline(facts: Facts, *, markup: Markup = "text", options: DraftOptions | None = None) -> Draft:
    """Draft the notice for `facts.language`/`.channel`/`.tone`, deterministically.

    `markup="markdown"` renders the timeline as a Markdown table and headings as Markdown
    (used by `render_draft(..., "markdown")`); the words are the same in both. `options` carries
    the configuration ([draft]: the chat length limit, the holiday calendar).
    """
    options = options or DraftOptions()
    ctx = build_context(facts, markup, options)
    if facts.channel == "im":
        body = _draft_im(facts, ctx, options.im_limit(facts.language))
        return Draft(language=facts.language, channel="im", subject=None, body=body)
    subject, body = _render(facts, ctx)
    if facts.channel == "phone":
        subject = None
    return Draft(language=facts.language, channel=facts.channel, subject=subject, body=body)


def default_subject(facts: Facts) -> str:
    """A subject line for any channel (e-mail export of a call script or chat message)."""
    ctx = build_context(facts)
    return ctx["p"]["eml_subject"]
