"""Progress-update cases in the eval suite (`evals/updates/`): loading their `progress` and `history`
parts, and drafting, checking and asserting one of them. The assertions are the notice cases' own
(`assistant.evals.assertions`), measured against the facts as the update states them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.facts import Facts, FactsError, IsoDate, Text, _plain_message, key_path
from assistant.followup.history import Sent
from assistant.followup.progress import Progress, progress_problems_with_facts, validate_progress


class _Told(BaseModel):
    """One earlier message, as a case writes it."""

    model_config = ConfigDict(extra="forbid")
    sent_on: IsoDate
    kind: Literal["notice", "update"] = "notice"
    status: Literal["on_track", "at_risk", "slipped", "delivered"] | None = None
    channel: Literal["email", "phone", "meeting", "im"] = "email"
    delivery_date: IsoDate
    next_update: IsoDate | None = None
    promises: list[Text] = Field(default_factory=list)


def load_update_parts(progress: dict[str, Any] | None, history: list[dict[str, Any]],
                      facts: Facts) -> tuple[Progress | None, list[Sent], list[str]]:
    """The case's progress and history, or every problem as `key.path: sentence`."""
    problems: list[str] = []
    if progress is None:
        return None, [], ["progress: is required when a case has a history (an update case)"]
    told: list[Sent] = []
    for i, entry in enumerate(history):
        try:
            t = _Told.model_validate(entry)
        except ValidationError as exc:
            problems += [f"history[{i}].{key_path(e['loc'])}: {_plain_message(e)}" for e in exc.errors()]
            continue
        told.append(Sent(sent_on=t.sent_on, kind=t.kind, status=t.status, language=facts.language,
                         channel=t.channel, delivery_date=t.delivery_date, next_update=t.next_update,
                         promises=list(t.promises), text_sha256=f"{i:064d}"))
    loaded: Progress | None = None
    if "update_date" not in progress:
        problems.append("progress.update_date: is required in eval cases, so results do not change with the calendar")
    try:
        loaded = validate_progress(progress, "progress")
    except FactsError as exc:
        problems += [f"progress.{p.path}: {p.message}" for p in exc.problems]
    problems += [f"progress.{p.path}: {p.message}" for p in progress_problems_with_facts(progress, facts, facts.new_date)]
    told.sort(key=lambda s: s.sent_on)
    return loaded, told, problems


def run_update_case(case: Any, variant: Any, expect: Any, base: dict[str, Any]) -> Any:
    """Draft the update (offline or through the variant's model), check it, apply the assertions."""
    from assistant.checks import draft_text
    from assistant.errors import DelaynoteError, LLMServiceError
    from assistant.evals.assertions import apply_expectations
    from assistant.evals.replay import MISSING
    from assistant.evals.runner import CaseResult
    from assistant.followup.checks import facts_for_update
    from assistant.followup.commands import draft_update

    facts, progress = case.facts, case.progress
    if case.text is not None:  # a checker case: a hand-written update, checked as `update --check` does
        from assistant.drafting import Draft
        from assistant.followup.commands import check_update

        draft = Draft(language=facts.language, channel=facts.channel, body=case.text)
        draft.findings = check_update(draft, facts, progress, case.history, variant.settings)
        fired = sorted({f.check for f in draft.findings})
        failures, notes = apply_expectations(case.text, facts_for_update(facts, progress), expect, set(fired), None)
        return CaseResult(**base, passed=not failures, failures=failures, notes=notes, fired=fired,
                          chars=len(case.text), text=case.text)
    try:
        draft = draft_update(facts, progress, case.history, variant.settings, use_llm=variant.provider != "offline",
                             max_revisions=variant.max_revisions)
    except LLMServiceError as exc:
        if variant.provider == "openai":
            raise
        message = exc.message
        if MISSING in message:
            message = message[message.index(MISSING):]
        return CaseResult(**base, passed=False, failures=[f"replay: {message}"])
    except DelaynoteError:
        raise
    except Exception as exc:  # a bug in the drafter fails its case, not the run
        return CaseResult(**base, passed=False, failures=[f"drafting failed: {type(exc).__name__}: {exc}"])
    text = draft_text(draft.subject, draft.body)
    fired = sorted({f.check for f in draft.findings})
    failures, notes = apply_expectations(text, facts_for_update(facts, progress), expect, set(fired), None)
    calls = draft.usage.calls if draft.usage else 0
    return CaseResult(**base, passed=not failures, failures=failures, notes=notes, fired=fired, chars=len(text),
                      calls=calls, text=text)


__all__ = ["load_update_parts", "run_update_case"]
