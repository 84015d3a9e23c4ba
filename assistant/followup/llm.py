"""Progress updates through the LLM: the same client, cache, redaction and revise loop as notices,
with their own prompts (`prompts/system_update.md`, `prompts/update.md`)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from assistant.dates import format_date, format_delay
from assistant.drafting import Draft, Usage
from assistant.facts import Facts, facts_to_data
from assistant.findings import Finding
from assistant.followup.progress import Progress, delivery_after, next_update_after

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.followup.history import Sent

_SHAPES = {"email": "an e-mail: subject line, greeting, body, sign-off",
           "phone": "a call script: opening, talking points in order, likely questions with honest answers, "
                    "what to confirm in writing",
           "meeting": "a meeting agenda with timings, talking points, decisions needed, follow-ups",
           "im": "a short chat message, at most $im_limit characters"}


def update_derived(facts: Facts, progress: Progress, told: list[Sent]) -> dict[str, object]:
    """Every date the update may state, spelled out for the model to copy."""
    lang = facts.language
    delivery = facts.new_date
    new = delivery_after(progress, delivery)
    nxt = next_update_after(progress, facts, delivery)
    data: dict[str, object] = {"update_date": format_date(progress.update_date, lang),
                               "delivery_date": format_date(delivery, lang)}
    if progress.slipped:
        data["new_delivery_date"] = format_date(new, lang)
        data["delay_from_last_date"] = format_delay(delivery, new, lang)
    if progress.at_risk:
        data["client_knows_by"] = format_date(progress.at_risk.known_by, lang)
    if nxt:
        data["next_update"] = format_date(nxt, lang)
        data["update_cadence"] = facts.updates.cadence
    if told:
        last = told[-1]
        data["last_message_sent_on"] = format_date(last.sent_on, lang)
        if last.next_update:
            data["last_message_promised_update_on"] = format_date(last.next_update, lang)
    return data


def update_messages(facts: Facts, progress: Progress, told: list[Sent], settings: Settings,
                    mapping: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The system and user messages that ask for an update (facts redacted when `mapping`)."""
    from assistant.drafting.llm import LANGUAGE_NAMES
    from assistant.drafting.offline import IM_LIMITS
    from assistant.llm.prompts import fill, load_prompt, render_prompt
    from assistant.llm.redact import redact_data

    lang = facts.language
    data = facts_to_data(facts)
    if mapping:
        data = redact_data(data, mapping)
    last = told[-1].to_json() if told else None
    if last:
        last = {k: v for k, v in last.items() if k not in ("id", "recorded_at", "source", "text_sha256")}
    output = "output_email.md" if facts.channel == "email" else "output_other.md"
    values = {
        "language_name": LANGUAGE_NAMES[lang], "channel": facts.channel, "tone": facts.tone,
        "channel_shape": fill(_SHAPES[facts.channel], {"im_limit": str(IM_LIMITS[lang])}),
        "status": progress.status,
        "style": load_prompt(f"{lang}/style.md", settings).strip(),
        "output_format": load_prompt(f"{lang}/{output}", settings).strip(),
        "facts_json": json.dumps(data, ensure_ascii=False, indent=2),
        "progress_json": json.dumps(progress.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=2),
        "told_json": json.dumps(last, ensure_ascii=False, indent=2) if last else "(nothing recorded)",
        "derived_json": json.dumps(update_derived(facts, progress, told), ensure_ascii=False, indent=2),
    }
    return [{"role": "system", "content": load_prompt("system_update.md", settings).strip()},
            {"role": "user", "content": render_prompt("update.md", values, settings).strip()}]


def _untraced(draft: Draft, facts: Facts, asked: str) -> list[Finding]:
    """The sendable guards on an update: placeholders, and dates, numbers, names and contacts
    that are in neither the facts nor what the model was asked with (`asked`: the request, which
    holds the progress, the dates told before and the next update's date)."""
    from assistant.checks import draft_text
    from assistant.guards.trace import build_source, placeholder_findings, untraced_findings

    source = build_source(facts, asked, facts.language)
    text = draft_text(draft.subject, draft.body)
    return placeholder_findings(text, facts.language, source) + untraced_findings(text, facts.language, source, facts)


def update_with_llm(facts: Facts, progress: Progress, told: list[Sent], settings: Settings, *,
                    max_revisions: int = 2, verbose: bool = False) -> Draft:
    """Ask the model for the update, check it, and ask for revisions while an error remains."""
    from assistant.drafting.llm import (
        SUBJECT_PREFIXES,
        _to_fix,
        parse_answer,
        revise_messages,
        unwrap_answer,
    )
    from assistant.followup.commands import check_update
    from assistant.llm.client import add_usage, complete
    from assistant.llm.redact import build_mapping

    def say(line: str) -> None:
        print(f"delaynote: {line}", file=sys.stderr, flush=True)

    mapping = build_mapping(facts) if settings.llm.redact else None
    messages = update_messages(facts, progress, told, settings, mapping)
    total = Usage()
    draft: Draft | None = None
    for round_ in range(max_revisions + 1):
        answer = complete(messages, settings, redaction=mapping, notify=say, on_retry=say if verbose else None)
        total = add_usage(total, answer.usage)
        draft = parse_answer(answer.text, facts)
        if facts.channel == "email" and not unwrap_answer(answer.text).lower().startswith(SUBJECT_PREFIXES):
            from assistant.followup.commands import told_from
            from assistant.followup.drafting import draft_update_offline

            draft.subject = draft_update_offline(facts, progress, told_from(told)).subject  # not the notice's
        asked = "\n".join(m["content"] for m in messages[:2])
        draft.findings = check_update(draft, facts, progress, told, settings) + _untraced(draft, facts, asked)
        to_fix = _to_fix(draft.findings)
        if not to_fix or round_ == max_revisions:
            break
        if verbose:
            say(f"the update has errors ({', '.join(sorted({f.check for f in to_fix}))}); revision {round_ + 1}")
        messages = revise_messages(messages, answer.text, to_fix, settings)
    assert draft is not None
    draft.usage = total
    return draft
