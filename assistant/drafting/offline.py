"""The embedded offline drafter: facts in, a complete notice out, with no network and no key.

Wording lives in data (`phrases/{en,zh}.yaml`, per tone) and layout in Jinja2 templates
(`templates/{en,zh}/{email,phone,meeting,im}.j2`); this module only computes a context from
the facts and renders. Every date, weekday and duration in the output is derived here from
the facts through `assistant.dates`, so a draft can never state a date the facts do not hold,
and user text (causes, mitigations, names, phases, tasks) is inserted as typed (in Chinese, with a
space where a Chinese character meets a Latin word; in English, see `project_phrase` and `sentence_case`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from assistant.dates import LATE_NOTICE_WORKING_DAYS, format_date, format_delay, working_days_between
from assistant.drafting import Draft
from assistant.facts import Facts

Markup = Literal["text", "markdown"]

IM_LIMITS = {"en": 500, "zh": 300}
"""Chat messages must fit one screen: characters, everything included (DOMAIN.md)."""

_END_PUNCT = ".!?。！？…"
_BLANK_RUNS = re.compile(r"\n{3,}")  # templates may leave gaps where optional parts were skipped
_ELLIPSIS = {"en": "...", "zh": "……"}


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


def sentence(text: str, language: str) -> str:
    """User text as a full sentence: unchanged, plus a full stop when it has none, so every
    cause and step reads (and is split by the checker) as its own sentence."""
    text = text.strip()
    if text and text[-1] in _END_PUNCT:
        return text
    return text + ("。" if language == "zh" else ".")


_DETERMINERS = {"the", "our", "your", "a", "an", "this", "their", "its"}
_SMALL_WORDS = {"of", "and", "for", "the", "to", "in", "on", "at", "by", "with", "a", "an", "or", "&", "-"}


def project_phrase(name: str) -> str:
    """The project's name as it reads inside an English sentence.

    A proper name ("Project Atlas", "Kestrel Pay", "Atlas") stays as typed. A common-noun phrase,
    written in sentence case ("Warehouse scanning app", "CRM migration", "Kestrel Pay app"), takes
    "the" and loses the capital that only started it: "we cannot deliver the warehouse scanning
    app". A name that starts with a determiner ("Our booking site") keeps it, in lower case."""
    words = name.split()
    if not words:
        return name
    first = words[0]
    if first.lower() in _DETERMINERS:
        return (first.lower() if first[1:].islower() or len(first) == 1 else first) + name[len(first):]
    lettered = [w for w in words if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
    if not lettered:
        return name  # a number or a code ("2027"): a name, no article
    if (lettered and all(w[0].isupper() for w in lettered)) or (first == "Project" and len(words) > 1):
        return name  # Title Case, one capitalised word, or "Project X": a proper name
    if len(words) > 1 and first[:1].isupper() and first[1:].islower() and words[1][:1].islower():
        name = first.lower() + name[len(first):]  # "Warehouse scanning app": the capital only started it
    return "the " + name


def sentence_case(text: str, language: str) -> str:
    """English user text that stands as its own sentence (after "Why the date has moved:", as a
    list item) starts with a capital: "the handheld scanners arrive late" -> "The handheld ...".
    A first word with a capital inside ("iPhone", "eBay") or a digit is left as typed."""
    if language != "en" or not text:
        return text
    first = text.split(maxsplit=1)[0]
    if first[0].isalpha() and first.islower() and not any(ch.isdigit() for ch in first):
        return text[0].upper() + text[1:]
    return text


_LATIN_EDGE = re.compile(r"[A-Za-z0-9]")
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_CJK_THEN_LATIN = re.compile(rf"({_CJK})([A-Za-z])")
_LATIN_THEN_CJK = re.compile(rf"([A-Za-z])({_CJK})")


def zh_spacing(text: str) -> str:
    """A space where a Chinese character meets a Latin word ("惠购商城 App 无法", "发邮件至
    sam@example.com 与我联系"), as Chinese typesetting asks. Digits next to Chinese are left as they
    are, so dates stay 2027年1月8日 and durations 18天."""
    return _LATIN_THEN_CJK.sub(r"\1 \2", _CJK_THEN_LATIN.sub(r"\1 \2", text))


def zh_join(parts: list[str | None]) -> str:
    """Chinese parts run together ("杭州云帆科技" "项目经理" "陈静" -> "杭州云帆科技项目经理陈静"), with a
    space only where a Latin letter or digit meets the next part ("Northwind 项目经理")."""
    out = ""
    for part in (p for p in parts if p):
        if out and (_LATIN_EDGE.match(out[-1]) or _LATIN_EDGE.match(part[0])):
            out += " "
        out += part
    return out


def display_width(text: str) -> int:
    """Columns a text takes in a monospaced font: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(header: list[str], rows: list[list[str]], markup: Markup) -> str:
    """A small table: aligned plain text (dashes under the header) or a Markdown pipe table."""
    if markup == "markdown":
        def line(cells: list[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows)])
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def text_line(cells: list[str]) -> str:
        return "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([text_line(header), "  ".join("-" * w for w in widths), *map(text_line, rows)])


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


def build_context(facts: Facts, markup: Markup = "text") -> dict[str, Any]:
    """Everything a template needs, computed once from the facts (pure)."""
    lang = facts.language
    data = phrases(lang)
    sender, client = facts.sender, facts.client
    status_words = {"done": data["status_done"], "in_progress": data["status_in_progress"],
                    "planned": data["status_planned"]}
    space = zh_spacing if lang == "zh" else (lambda text: text)
    phases = [
        {"name": space(p.name), "due": format_date(p.due, lang), "status": status_words.get(p.status or "", ""),
         "tasks": list(p.tasks), "done": p.status == "done"}
        for p in facts.phases
    ]
    done = list(facts.completed) + [p.name for p in facts.phases if p.status == "done" and p.name not in facts.completed]
    pending = list(facts.pending) or [p.name for p in facts.phases if p.status != "done"]
    lead_days = working_days_between(facts.notice_date, facts.original_date)
    overdue = facts.notice_date >= facts.original_date
    late = overdue or lead_days < LATE_NOTICE_WORKING_DAYS  # the checker's late-notice, owned in the text
    if lang == "zh":
        notice_lead = f"{lead_days}个工作日"
        sender_from = sender.organisation or ""
    else:
        notice_lead = f"{lead_days} working day{'s' if lead_days != 1 else ''}"
        sender_from = f" from {sender.organisation}" if sender.organisation else ""
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
        "original": format_date(facts.original_date, lang),
        "new": format_date(facts.new_date, lang),
        "notice": format_date(facts.notice_date, lang, weekday=False),
        "next": format_date(facts.next_update, lang),
        "delay": format_delay(facts.original_date, facts.new_date, lang),
        "lead_days": lead_days,
        "notice_lead": notice_lead,
        "cadence": data["cadence"][facts.updates.cadence],
        "update_channel": data["update_channel"][facts.updates.channel] if facts.updates.channel else "",
        "causes": [{"summary": sentence_case(sentence(c.summary, lang), lang),
                    "detail": sentence_case(sentence(c.detail, lang), lang) if c.detail else None}
                   for c in facts.causes],
        "impact": sentence_case(sentence(facts.impact, lang), lang) if facts.impact else None,
        "mitigations": [sentence_case(sentence(m, lang), lang) for m in facts.mitigations],
        "phases": phases,
        "has_tasks": any(p["tasks"] for p in phases),
        "done": done,
        "pending": pending,
    }
    ctx["new_short"] = _render_snippet(data["new_short"], ctx)
    if phases:
        header = [data["col_phase"], data["col_due"]] + ([data["col_status"]] if any(p["status"] for p in phases) else [])
        rows = [[p["name"], p["due"]] + ([p["status"] or "-"] if len(header) == 3 else []) for p in phases]
        ctx["timeline_table"] = format_table(header, rows, markup)
    else:
        ctx["timeline_table"] = ""
    ctx["late"] = late
    ctx["p"] = _own_short_notice(_tone_phrases(lang, facts.tone, ctx), late, overdue)
    ctx["contact_line"] = _contact_line(ctx)
    return ctx


def _contact_line(ctx: dict[str, Any]) -> str:
    """How to reach the sender, from what the facts give; never an invented address."""
    p = ctx["p"]
    if ctx["sender_phone"] and ctx["sender_email"]:
        how = p["contact_phone_email"]
    elif ctx["sender_phone"]:
        how = p["contact_phone"]
    elif ctx["sender_email"]:
        how = p["contact_email"]
    else:
        how = p["contact_reply_email"] if ctx["channel"] == "email" else p["contact_reply"]
    joiner = "" if ctx["lang"] == "zh" else " "
    return f"{p['questions_lead']}{joiner}{how}"


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
    module = template.make_module(ctx)
    body = "\n".join(line.rstrip() for line in str(module).split("\n"))
    body = _BLANK_RUNS.sub("\n\n", body).strip("\n") + "\n"
    subject = getattr(module, "subject", None)
    subject = str(subject).strip() if subject is not None else None
    if facts.language == "zh":
        body = zh_spacing(body)
        subject = zh_spacing(subject) if subject else subject
    return subject or None, body


# How a chat message gets shorter until it fits: first drop what is least needed; shorten the
# cause (keeping most of it) before giving up the impact and the recovery step, which the
# checker treats as required; as a last resort shorten the cause as far as needed.
_IM_STEPS: tuple[dict[str, Any], ...] = (
    {"im_more_mitigations": False},
    {"im_contact": False},
    {"im_sign": False},
    {"im_impact_short": True},
    {"im_apology": False},
    {"im_cause_keep": 0.5},
    {"im_impact": False, "im_cause_keep": None},
    {"im_mitigation": False},
    {"im_cause_keep": 0.0},
)


def _truncate(text: str, limit: int, language: str) -> str:
    """Cut `text` to at most `limit` characters, never mid-word, ending in an ellipsis."""
    ellipsis = _ELLIPSIS[language]
    if len(text) <= limit:
        return text
    room = max(limit - len(ellipsis), 0)
    cut = text[:room]
    if language != "zh" and text[room] != " ":
        cut = cut[: cut.rfind(" ")] if " " in cut else ""
    return cut.rstrip(" ,;:，；：、") + ellipsis


def _draft_im(facts: Facts, ctx: dict[str, Any]) -> str:
    """A chat message within the length limit: drop optional parts, then shorten the cause."""
    limit = IM_LIMITS[facts.language]
    summary = ctx["causes"][0]["summary"]
    flags: dict[str, Any] = {"im_more_mitigations": True, "im_contact": True, "im_sign": True, "im_impact": True,
                             "im_impact_short": False, "im_apology": True, "im_mitigation": True,
                             "im_cause_keep": None, "im_cause_text": None}

    def render() -> str:
        _, body = _render(facts, {**ctx, **flags, "im_cause_text": None})
        keep = flags["im_cause_keep"]
        overflow = len(body.rstrip("\n")) - limit
        if keep is None or overflow <= 0:
            return body
        room = len(summary) - overflow
        if room < len(summary) * keep:
            return body  # shortening this much would lose the cause: try the next step instead
        _, body = _render(facts, {**ctx, **flags, "im_cause_text": _truncate(summary, max(room, 0), facts.language)})
        return body

    impact, short = ctx["impact"], ctx["p"]["im_impact_derived"]
    body = render()
    for step in _IM_STEPS:
        if len(body.rstrip("\n")) <= limit:
            return body
        if "im_apology" in step and ctx["late"]:
            continue  # a late notice keeps its apology for the short notice
        if "im_impact_short" in step and not (impact and len(impact) > len(short)):
            continue  # the generic impact line would not be shorter than the user's
        flags.update(step)
        body = render()
    if len(body.rstrip("\n")) > limit:  # even the bare news is too long (a very long project name)
        body = _truncate(body.rstrip("\n"), limit, facts.language) + "\n"
    return body


def draft_offline(facts: Facts, *, markup: Markup = "text") -> Draft:
    """Draft the notice for `facts.language`/`.channel`/`.tone`, deterministically.

    `markup="markdown"` renders the timeline as a Markdown table and headings as Markdown
    (used by `render_draft(..., "markdown")`); the words are the same in both.
    """
    ctx = build_context(facts, markup)
    if facts.channel == "im":
        return Draft(language=facts.language, channel="im", subject=None, body=_draft_im(facts, ctx))
    subject, body = _render(facts, ctx)
    if facts.channel == "phone":
        subject = None
    return Draft(language=facts.language, channel=facts.channel, subject=subject, body=body)


def default_subject(facts: Facts) -> str:
    """A subject line for any channel (e-mail export of a call script or chat message)."""
    ctx = build_context(facts)
    return ctx["p"]["eml_subject"]
