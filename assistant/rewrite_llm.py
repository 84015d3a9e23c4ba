"""The LLM rewrite: the model fixes the findings; its answer is checked by the rules again."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from assistant.findings import Finding
from assistant.rewrite_offline import rewrite_data

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.drafting import Usage
    from assistant.facts import Facts
    from assistant.findings import FileReport


# Without facts the model cannot know a cause, a step or a promised date: asking for them is
# asking it to invent one. Dates it needs are written as visible placeholders instead.
NEEDS_FACTS = {"missing-cause", "missing-mitigation", "missing-impact", "missing-status", "missing-contact",
               "missing-original-date"}
DATE_CHECKS = {"missing-new-date": 0, "vague-timeline": 0, "missing-update-plan": 1}


def for_the_model(findings: list[Finding], facts: Facts | None) -> list[Finding]:
    """The findings a rewrite asks the model to fix: without facts, none that only facts can fix."""
    return [f for f in findings if facts is not None or f.check not in NEEDS_FACTS]


def _finding_lines(findings: list[Finding], facts: Facts | None = None, lang: str = "en") -> str:
    """The findings for the prompt: short quotes only (a long quote would put more of the
    untrusted draft outside its fence). Without facts, a date check's advice is the visible
    placeholder, never a suggestion's example date (a small model copies it as the new date)."""
    findings = for_the_model(findings, facts)
    if not findings:
        return "(none: improve only what clearly breaks the five principles)"
    slots = fill_placeholders(lang)
    lines = []
    for f in findings:
        where = f"line {f.line}" if f.line is not None else "missing from the whole draft"
        quote = f' "{f.text}"' if f.text and len(f.text) <= 40 and "\n" not in f.text else ""
        suggestion = f.suggestion
        if facts is None and f.check in DATE_CHECKS:
            suggestion = f"write {slots[DATE_CHECKS[f.check]]}"
        elif facts is None and suggestion and any(ch.isdigit() for ch in suggestion):
            suggestion = None
        advice = f" Suggestion: {suggestion}" if suggestion else ""
        lines.append(f"- {f.check} ({f.severity}), {where}{quote}: {f.message}{advice}")
    return "\n".join(lines)


def fill_placeholders(lang: str) -> tuple[str, str]:
    """The visible placeholders a rewrite without facts writes for a new date and a next-update
    date the draft lacks (language as data: `data/guards/<lang>.yaml`)."""
    from assistant.guards import guard_data

    data = guard_data(lang)
    return str(data["missing_date_placeholder"]), str(data["missing_update_placeholder"])


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
    new_slot, update_slot = fill_placeholders(lang)
    values = {"language": "Chinese (zh)" if lang == "zh" else "English (en)",
              "findings": _finding_lines(findings, facts, lang),
              "facts": facts_text(facts, mapping), "marker": marker,
              "date_placeholder": new_slot, "update_placeholder": update_slot}
    system = fill(load_prompt("system_rewrite.md", settings), values)
    user = user_message(load_prompt("rewrite.md" if facts is not None else "rewrite_nofacts.md", settings),
                        values, draft, marker)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], marker


def clean_reply(reply: str, marker: str, original: str, lang: str = "en") -> tuple[str, list[str]]:
    """The rewritten notice from the model's reply, and what was removed around it: without a
    code fence, echoed marker lines, a reasoning block, a preface or trailing commentary
    (`assistant.guards.strip_commentary`), ending with a newline when the original did."""
    from assistant.drafting.llm import unwrap_answer
    from assistant.guards import strip_commentary

    lines = unwrap_answer(reply).split("\n")
    lines = [ln for ln in lines if ln.strip() not in (f"<<<{marker}>>>", f"<<<END-{marker}>>>")]
    first = lines[0].strip().lower() if lines else ""
    removed: list[str] = []
    prefaces = [p for lang_ in ("en", "zh") for p in rewrite_data(lang_).get("reply_prefaces", [])]
    if first.endswith((":", "：")) and len(first) <= 80 and any(first.startswith(p) for p in prefaces):
        removed.append(lines[0].strip())
        lines = lines[1:]
    body, more = strip_commentary("\n".join(lines), lang)
    removed += more
    body = body.strip("\n")
    return (body + "\n" if original.endswith("\n") else body), removed


def review_rewrite(result: str, original: str, *, path: str, facts: Facts | None, settings: Settings,
                   lang: str) -> FileReport:
    """The rule checks plus the sendable guards on a rewrite, traced to the facts and the original."""
    from assistant.checks import check_text
    from assistant.guards import guard_findings, merge_findings

    report = check_text(result, path=path, facts=facts, settings=settings, language=lang)
    to_fill = frozenset(fill_placeholders(lang)) if facts is None else frozenset()
    guards = [g for g in guard_findings(result, lang, facts=facts, original=original, to_fill=to_fill)
              if g.check not in settings.disable]
    guards = [g.model_copy(update={"severity": settings.severity[g.check]}) if g.check in settings.severity else g
              for g in guards]
    return report.model_copy(update={"findings": merge_findings(report.findings, guards)})


def _fixable(findings: list[Finding], lang: str, facts: Facts | None) -> list[Finding]:
    """What a revision is asked to fix: as for drafts, except a placeholder the author must fill
    (a rewrite without facts cannot know the date)."""
    from assistant.drafting.llm import _to_fix

    to_fill = set(fill_placeholders(lang)) if facts is None else set()
    return [f for f in for_the_model(_to_fix(findings), facts)
            if not (f.check == "placeholder" and f.text in to_fill)]


def rewrite_with_llm(text: str, before: FileReport, *, facts: Facts | None, settings: Settings,
                     verbose: bool = False, max_revisions: int = 2) -> tuple[str, FileReport, Usage]:
    """Ask the model to fix the findings, check its answer with the rules and the guards, and
    while something fixable remains ask again with the new findings, up to `max_revisions`
    times; the best answer is kept. Returns text, after-report, usage."""
    from assistant.drafting.llm import MAX_TOKENS, TEMPERATURE, badness
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
                          on_retry=notify if verbose else None, temperature=TEMPERATURE, max_tokens=MAX_TOKENS)
        if verbose:
            notify(f"rewrite: {answer.usage.describe()}, {answer.usage.calls} request(s)")
        result, removed = clean_reply(answer.text, marker, text, lang)
        for what in removed:
            notify(f"removed text around the notice that was not part of it: {what!r}")
        return result, review_rewrite(result, text, path=before.path, facts=facts, settings=settings,
                                      lang=lang), answer.usage

    result, after, total = one_round(text, before.findings)
    for round_ in range(1, max_revisions + 1):
        to_fix = _fixable(after.findings, lang, facts)
        if not to_fix:
            break
        notify(f"the rewrite still needs fixing ({', '.join(sorted({f.check for f in to_fix}))}); "
               f"revision {round_} of at most {max_revisions}")
        revised, revised_after, usage = one_round(result, to_fix)
        total = add_usage(total, usage)
        if badness(revised_after.findings) <= badness(after.findings):
            result, after = revised, revised_after
    return result, after, total
