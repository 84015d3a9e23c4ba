"""Drafting every case with one provider, checking each draft and applying its assertions.

Cases run in a bounded thread pool (`--concurrency`): drafting is I/O-bound on the LLM path and
each case is independent, so threads overlap the waiting without any shared mutable state -
every case returns its own `CaseResult`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from assistant.config import LLMSettings, Settings
from assistant.drafting import Draft
from assistant.errors import DelaynoteError, LLMServiceError
from assistant.evals.assertions import apply_expectations, merge_expect
from assistant.evals.replay import MISSING
from assistant.evals.suite import Case, Expect, Suite
from assistant.findings import FileReport, Finding

Provider = Literal["offline", "openai", "replay"]


class CaseResult(BaseModel):
    """What happened to one case under one provider."""

    name: str
    language: str
    channel: str
    tone: str
    passed: bool
    known_issue: str | None = None
    failures: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    fired: list[str] = Field(default_factory=list)
    chars: int = 0
    calls: int = 0
    text: str = ""

    @property
    def status(self) -> str:
        """pass, fail, known (fails, as its `known_issue` says) or fixed (passes despite one)."""
        if self.known_issue:
            return "fixed" if self.passed else "known"
        return "pass" if self.passed else "fail"


class Variant(BaseModel):
    """One way of drafting the suite: a provider plus the settings it runs with."""

    label: str
    provider: Provider
    settings: Settings
    max_revisions: int = 0


def effective_model(settings: Settings, suite_model: str) -> str:
    """The suite's model unless the user chose one (flag, environment or config file)."""
    default = LLMSettings.model_fields["model"].default
    return settings.llm.model if settings.llm.model != default else suite_model


def llm_settings_for(settings: Settings, *, base_url: str, api_key: str | None, model: str,
                     max_retries: int | None = None) -> Settings:
    """A copy of `settings` pointed at `base_url` with the cache off (a cached answer would hide
    the request from the recorder and from replay)."""
    key = SecretStr(api_key) if api_key else settings.llm.api_key
    llm = settings.llm.model_copy(update={
        "base_url": base_url, "api_key": key, "azure_endpoint": None, "model": model, "cache": False,
        **({"max_retries": max_retries} if max_retries is not None else {}),
    })
    return settings.model_copy(update={"llm": llm})


def _draft(case: Case, variant: Variant) -> Draft:
    if variant.provider == "offline":
        from assistant.drafting.offline import draft_offline

        return draft_offline(case.facts, options=variant.settings.draft.options())
    from assistant.drafting.llm import draft_with_llm

    return draft_with_llm(case.facts, variant.settings, max_revisions=variant.max_revisions, stream=False,
                          verbose=False, use_cache=variant.settings.llm.cache)


def run_case(case: Case, variant: Variant, defaults: Expect) -> CaseResult:
    """Draft, check (rules with the facts; the judge when a model is available and the case has a
    rubric) and apply the assertions. Provider failures become a failed case, named."""
    from assistant.checks import check_draft, draft_text

    facts = case.facts
    base = {"name": case.name, "language": case.language, "channel": facts.channel, "tone": facts.tone,
            "known_issue": case.known_issue}
    expect = merge_expect(defaults, case.expect)
    if case.progress is not None:  # a progress update (issue 12)
        from assistant.followup.eval_cases import run_update_case

        return run_update_case(case, variant, expect, base)
    try:
        draft = _draft(case, variant)
        # the LLM drafter has already checked its final draft with these settings
        findings: list[Finding] = (draft.findings if variant.provider != "offline"
                                   else check_draft(draft, facts, variant.settings))
        text = draft_text(draft.subject, draft.body)  # what the client reads, as the checker sees it
        scores: dict[str, int] | None = None
        if expect.rubric and variant.provider != "offline":
            from assistant.judge import judge_file

            judged = judge_file(text, FileReport(path=case.name, language=facts.language, findings=findings),
                                facts=facts, settings=variant.settings)
            scores = {s.principle: s.score for s in judged.scores or []}
            findings = [*findings, *(f for f in judged.findings if f.source == "llm")]
    except LLMServiceError as exc:
        if variant.provider == "openai":
            raise
        message = exc.message
        if MISSING in message:  # drop the client's wrapping (with the server's random port)
            message = message[message.index(MISSING):]
        return CaseResult(**base, passed=False, failures=[f"replay: {message}"])
    except DelaynoteError:
        raise
    except Exception as exc:  # a bug in a drafter must fail its case, not end the run with a traceback
        return CaseResult(**base, passed=False, failures=[f"drafting failed: {type(exc).__name__}: {exc}"])
    fired = sorted({f.check for f in findings})
    failures, notes = apply_expectations(text, facts, expect, set(fired), scores)
    calls = draft.usage.calls if draft.usage else 0
    return CaseResult(**base, passed=not failures, failures=failures, notes=notes, fired=fired,
                      chars=len(text), calls=calls, text=text)


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A Rich progress bar on a terminal; nothing at all otherwise (CI logs stay clean)."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def run_cases(suite: Suite, variant: Variant, concurrency: int) -> list[CaseResult]:
    """Every case of the suite under `variant`, at most `concurrency` at once, in suite order."""
    cases = suite.cases
    results: dict[str, CaseResult] = {}
    with _progress(len(cases), f"eval {variant.label}") as advance:
        if concurrency <= 1:
            for case in cases:
                results[case.name] = run_case(case, variant, suite.config.defaults)
                advance()
        else:
            with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="delaynote-eval") as pool:
                futures = {pool.submit(run_case, c, variant, suite.config.defaults): c.name for c in cases}
                try:
                    for future in as_completed(futures):
                        results[futures[future]] = future.result()
                        advance()
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
    return [results[c.name] for c in cases]
