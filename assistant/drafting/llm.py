"""Drafting with an LLM: facts in, a notice out, checked and revised until it holds up.

The model writes from the facts as structured data plus ready-made date texts computed by
`assistant.dates`, so it copies dates instead of inventing them. Every answer then goes
through the same checks as any draft (`assistant.checks.check_draft`); while an error-level
finding remains - a missing element, or a date that contradicts the facts (`fact-mismatch`,
the hallucination gate; an e-mail or phone number not in the facts counts as one too) - the
model is asked to revise, quoting the findings, up to `max_revisions` times. `Draft.findings`
says what still fails; `Draft.usage` totals tokens.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from assistant.dates import format_date, format_delay, format_duration
from assistant.drafting import Draft, Usage
from assistant.facts import Facts, facts_to_data
from assistant.findings import Finding

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.llm.client import Completion

LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese (简体中文)"}
SUBJECT_PREFIXES = ("subject:", "subject：", "主题：", "主题:", "标题：", "标题:")
# Findings about the facts themselves, which no rewording can fix.
UNFIXABLE = {"late-notice"}


def derived_texts(facts: Facts) -> dict[str, object]:
    """Dates and durations spelled out from the facts, for the model to copy verbatim."""
    lang = facts.language
    data: dict[str, object] = {
        "original_date": format_date(facts.original_date, lang),
        "new_date": format_date(facts.new_date, lang),
        "notice_date": format_date(facts.notice_date, lang),
        "next_update": format_date(facts.next_update, lang),
        "delay": format_delay(facts.original_date, facts.new_date, lang),
        "delay_length": format_duration(facts.delay_days, lang),
        "update_cadence": facts.updates.cadence,
    }
    if facts.phases:
        data["phases"] = [{"name": p.name, "due": format_date(p.due, lang)} for p in facts.phases]
    return data


def draft_messages(facts: Facts, settings: Settings, mapping: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The system and user messages that ask for a notice (facts redacted when `mapping`)."""
    from assistant.llm.prompts import fill, load_prompt, render_prompt
    from assistant.llm.redact import redact_data

    lang = facts.language
    data = facts_to_data(facts)
    if mapping:
        data = redact_data(data, mapping)
    output = "output_email.md" if facts.channel == "email" else "output_other.md"
    values = {
        "language_name": LANGUAGE_NAMES[lang],
        "channel": facts.channel,
        "tone": facts.tone,
        "channel_shape": fill(load_prompt(f"channels/{facts.channel}.md", settings).strip(),
                              {"im_limit": str(settings.draft.options().im_limit(lang))}),
        "style": load_prompt(f"{lang}/style.md", settings).strip(),
        "output_format": load_prompt(f"{lang}/{output}", settings).strip(),
        "facts_json": json.dumps(data, ensure_ascii=False, indent=2),
        "derived_json": json.dumps(derived_texts(facts), ensure_ascii=False, indent=2),
    }
    return [
        {"role": "system", "content": load_prompt("system_draft.md", settings).strip()},
        {"role": "user", "content": render_prompt("draft.md", values, settings).strip()},
    ]


def revise_messages(messages: list[dict[str, str]], answer: str, findings: list[Finding],
                    settings: Settings) -> list[dict[str, str]]:
    """The conversation so far plus a request to fix `findings`, each quoted with its evidence."""
    from assistant.llm.prompts import render_prompt

    lines = []
    for f in findings:
        quote = f' (in: "{f.text}")' if f.text else ""
        hint = f" {f.suggestion}" if f.suggestion else ""
        lines.append(f"- [{f.check}] {f.message}{quote}{hint}")
    note = render_prompt("revise.md", {"findings": "\n".join(lines)}, settings).strip()
    return [*messages, {"role": "assistant", "content": answer}, {"role": "user", "content": note}]


def unwrap_answer(text: str) -> str:
    """Drop a reasoning block (`<think>...</think>`, from local reasoning models) and a code
    fence wrapped around the whole answer (some models add one). Shared with the LLM rewrite."""
    text = text.strip()
    if text.startswith("<think>") and "</think>" in text:
        text = text.split("</think>", 1)[1].strip()
    lines = text.split("\n")
    if len(lines) >= 2 and lines[0].startswith("```") and lines[-1].strip() == "```":
        return "\n".join(lines[1:-1])
    return text.strip()


def parse_answer(text: str, facts: Facts) -> Draft:
    """The model's text as a Draft: a leading `Subject:` line becomes the subject (e-mail only);
    an e-mail without one gets the offline drafter's subject."""
    body = unwrap_answer(text)
    subject: str | None = None
    first, _, rest = body.partition("\n")
    if first.strip().lower().startswith(SUBJECT_PREFIXES):
        head = first.strip()
        cut = min(i for i in (head.find(":"), head.find("：")) if i >= 0)
        subject = head[cut + 1:].strip() or None
        body = rest.lstrip("\n")
    if facts.channel != "email":
        subject = None
    elif subject is None:
        from assistant.drafting.offline import default_subject

        subject = default_subject(facts)
    return Draft(language=facts.language, channel=facts.channel, subject=subject, body=body.strip() + "\n")


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `index` in `text`."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def untraced_contacts(draft: Draft, facts: Facts) -> list[Finding]:
    """The hallucination gate for contact details: an e-mail address or phone number in an LLM
    draft that is not in the facts was made up, and a client who uses it reaches nobody."""
    from assistant.llm.redact import find_emails, find_phones

    known_emails = {e.lower() for e in (facts.client.email, facts.sender.email) if e}
    known_phones = {"".join(ch for ch in facts.sender.phone if ch.isdigit())} if facts.sender.phone else set()
    found: list[Finding] = []
    text = _checked_text(draft)
    for value in find_emails(text):
        if value.lower() not in known_emails:
            found.append(_contact_finding(text, value, "e-mail address"))
    for value in find_phones(text):
        digits = "".join(ch for ch in value if ch.isdigit())
        if not any(digits == k or (len(digits) >= 7 and k.endswith(digits)) for k in known_phones):
            found.append(_contact_finding(text, value, "phone number"))
    return found


def _checked_text(draft: Draft) -> str:
    """The text positions refer to: the same as `check_draft`'s (subject, blank line, body)."""
    return f"{draft.subject}\n\n{draft.body}" if draft.subject else draft.body


def _contact_finding(text: str, value: str, kind: str) -> Finding:
    start = text.find(value)
    line, column = _position(text, start)
    end_line, end_column = _position(text, start + len(value))  # exclusive, as in SPEC §4
    return Finding(check="fact-mismatch", principle="accuracy", severity="error", line=line, column=column,
                   end_line=end_line, end_column=end_column, text=value,
                   message=f"The {kind} {value} is not in the facts.",
                   suggestion="Use only the contact details given in the facts, or leave it out.")


def _stream_target() -> TextIO | None:
    """Where a streamed answer is shown: the terminal (stdout if it is one, so the CLI need not
    print the result again; else stderr if that is one); nowhere when nobody is watching."""
    if sys.stdout.isatty():
        return sys.stdout
    if sys.stderr.isatty():
        return sys.stderr
    return None


def _writer(target: TextIO) -> Callable[[str], None]:
    def write(chunk: str) -> None:
        target.write(chunk)
        target.flush()

    return write


def _to_fix(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error" and f.check not in UNFIXABLE]


def draft_with_llm(
    facts: Facts,
    settings: Settings,
    *,
    max_revisions: int = 2,
    stream: bool = True,
    verbose: bool = False,
    use_cache: bool = True,
    stream_to: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> Draft:
    """Draft with the configured model, then check and revise (see the module docstring).

    `stream` asks the server to stream; the text is shown as it arrives on the terminal, or
    passed to `stream_to` when given. `verbose` reports tokens per call and in total through
    `log` (stderr by default). Raises `LLMServiceError` (exit 3) when the service fails.
    """
    from assistant.checks import check_draft
    from assistant.llm.client import add_usage, complete
    from assistant.llm.redact import build_mapping

    say = log or (lambda line: print(f"delaynote: {line}", file=sys.stderr, flush=True))
    sink = stream_to
    if stream and sink is None:
        target = _stream_target()
        # nobody watching: still stream, so a cut answer keeps its partial text
        sink = _writer(target) if target is not None else _discard
    mapping = build_mapping(facts) if settings.llm.redact else None

    messages = draft_messages(facts, settings, mapping)
    total = Usage()

    def ask(msgs: list[dict[str, str]], label: str) -> Completion:
        nonlocal total
        answer = complete(msgs, settings, stream_to=sink, use_cache=use_cache, redaction=mapping,
                          notify=say, on_retry=say if verbose else None)
        if sink is not None and sink is not _discard and not answer.text.endswith("\n"):
            sink("\n")
        total = add_usage(total, answer.usage)
        if verbose:
            origin = " (from the cache)" if answer.cached else ""
            say(f"{label}: {answer.usage.prompt_tokens} tokens in, "
                f"{answer.usage.completion_tokens} out, {answer.usage.calls} request(s){origin}")
        return answer

    answer = ask(messages, "draft")
    draft = parse_answer(answer.text, facts)
    findings = check_draft(draft, facts, settings) + untraced_contacts(draft, facts)
    for round_ in range(1, max_revisions + 1):
        to_fix = _to_fix(findings)
        if not to_fix:
            break
        if verbose or (sink is not None and sink is not _discard):
            checks = ", ".join(sorted({f.check for f in to_fix}))
            say(f"the draft above has errors ({checks}); revision {round_} of at most {max_revisions} follows")
        messages = revise_messages(messages, answer.text, to_fix, settings)
        answer = ask(messages, f"revision {round_}")
        draft = parse_answer(answer.text, facts)
        findings = check_draft(draft, facts, settings) + untraced_contacts(draft, facts)
    if verbose:
        say(f"total: {total.prompt_tokens} tokens in, {total.completion_tokens} out, {total.calls} request(s)")
    draft.findings = findings
    draft.usage = total
    return draft


def _discard(_chunk: str) -> None:
    """A stream sink for when nobody watches."""
