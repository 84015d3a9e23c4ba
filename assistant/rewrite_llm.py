"""The LLM rewrite: the model fixes the findings; its answer is checked by the rules again."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from assistant.findings import Finding
from assistant.rewrite_offline import introduced_errors, rewrite_data

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.drafting import Usage
    from assistant.facts import Facts
    from assistant.findings import FileReport


def _finding_lines(findings: list[Finding]) -> str:
    """The findings for the prompt: short quotes only (a long quote would put more of the
    untrusted draft outside its fence)."""
    if not findings:
        return "(none: improve only what clearly breaks the five principles)"
    lines = []
    for f in findings:
        where = f"line {f.line}" if f.line is not None else "missing from the whole draft"
        quote = f' "{f.text}"' if f.text and len(f.text) <= 40 and "\n" not in f.text else ""
        advice = f" Suggestion: {f.suggestion}" if f.suggestion else ""
        lines.append(f"- {f.check} ({f.severity}), {where}{quote}: {f.message}{advice}")
    return "\n".join(lines)


def rewrite_messages(text: str, findings: list[Finding], *, facts: Facts | None, settings: Settings,
                     lang: str, mapping: dict[str, str] | None = None) -> tuple[list[dict[str, str]], str]:
    """System and user messages for the LLM rewrite, and the marker fencing the draft. The draft
    is cleaned of invisible characters and goes only in the user message, inside the marker,
    with the task restated after it."""
    from assistant.judge import facts_text, redacted_draft, user_message
    from assistant.llm.prompts import fill, load_prompt
    from assistant.untrusted import new_marker

    draft = redacted_draft(text, mapping)
    marker = new_marker(draft)
    values = {"language": "Chinese (zh)" if lang == "zh" else "English (en)", "findings": _finding_lines(findings),
              "facts": facts_text(facts, mapping), "marker": marker}
    system = fill(load_prompt("system_rewrite.md", settings), values)
    user = user_message(load_prompt("rewrite.md", settings), values, draft, marker)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], marker


def clean_reply(reply: str, marker: str, original: str) -> str:
    """The rewritten notice from the model's reply: without a code fence around it, echoed
    marker lines or a reasoning block, ending with a newline when the original did."""
    from assistant.drafting.llm import unwrap_answer

    lines = unwrap_answer(reply).split("\n")
    lines = [ln for ln in lines if ln.strip() not in (f"<<<{marker}>>>", f"<<<END-{marker}>>>")]
    first = lines[0].strip().lower() if lines else ""
    prefaces = [p for lang in ("en", "zh") for p in rewrite_data(lang).get("reply_prefaces", [])]
    if first.endswith((":", "：")) and len(first) <= 80 and any(first.startswith(p) for p in prefaces):
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
        if lines and lines[0].lstrip().startswith("```") and lines[-1].strip() == "```":
            lines = lines[1:-1]
    body = "\n".join(lines).strip("\n")
    return body + "\n" if original.endswith("\n") else body


def rewrite_with_llm(text: str, before: FileReport, *, facts: Facts | None, settings: Settings,
                     verbose: bool = False) -> tuple[str, FileReport, Usage]:
    """Ask the model to fix the findings, check its answer with the rules, and give it one
    revision round when it introduced an error-level finding. Returns text, after-report, usage."""
    from assistant.checks import check_text
    from assistant.llm.client import add_usage, complete

    lang = before.language
    mapping = None
    if settings.llm.redact:
        from assistant.llm.redact import build_mapping

        mapping = build_mapping(facts, [text])
        if facts is None:
            from assistant.judge import warn_no_facts

            warn_no_facts()

    def notify(message: str) -> None:
        if verbose:
            print(f"delaynote: {message}", file=sys.stderr)

    def one_round(source: str, findings: list[Finding]) -> tuple[str, FileReport, Usage]:
        messages, marker = rewrite_messages(source, findings, facts=facts, settings=settings, lang=lang,
                                           mapping=mapping)
        answer = complete(messages, settings, redaction=mapping, notify=notify,
                          on_retry=notify if verbose else None)
        result = clean_reply(answer.text, marker, text)
        return result, check_text(result, path=before.path, facts=facts, settings=settings, language=lang), answer.usage

    result, after, usage = one_round(text, before.findings)
    total = usage
    if introduced_errors(before.findings, after.findings):
        notify("the rewrite introduced an error; asking for one revision")
        revised, revised_after, usage = one_round(result, after.findings)
        total = add_usage(total, usage)
        if sum(f.severity == "error" for f in revised_after.findings) <= sum(
                f.severity == "error" for f in after.findings):
            result, after = revised, revised_after
    return result, after, total
