"""Drafting every case with one provider, checking each draft and applying its assertions.

Cases run in a bounded thread pool (`--concurrency`): drafting is I/O-bound on the LLM path and
each case is independent, so threads overlap the waiting without any shared mutable state -
every case returns its own `CaseResult`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
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
    error: str | None = None  # the LLM service failed for this case (exit 3); the others still count
    # an LLM draft delaynote mended from the facts (`guards.mend`): what it changed, and how the
    # model's own answer fared before that (the prompts' share of the result)
    mended: list[str] = Field(default_factory=list)
    own_failures: list[str] = Field(default_factory=list)

    @property
    def own_passed(self) -> bool:
        """The model's own answer passes: the draft needed no mending, or passed before it."""
        return self.passed and not self.own_failures

    @property
    def status(self) -> str:
        """pass, fail, known (fails, as its `known_issue` says), fixed (passes despite one) or error
        (the LLM service failed, so nothing was drafted)."""
        if self.error:
            return "error"
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
        if variant.provider == "openai":  # one failed request must not cost the report on the rest
            return CaseResult(**base, passed=False, error=exc.message, failures=[f"error: {exc.message}"])
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
    own_failures: list[str] = []
    if draft._mended and len(draft._rounds) >= 2:  # the model's best answer, before it was mended
        own_text, own_findings = draft._rounds[-2]
        own_fired = {f.check for f in own_findings}
        own_failures, _ = apply_expectations(own_text, facts, expect, own_fired, scores)
    calls = draft.usage.calls if draft.usage else 0
    return CaseResult(**base, passed=not failures, failures=failures, notes=notes, fired=fired,
                      chars=len(text), calls=calls, text=text, mended=list(draft._mended),
                      own_failures=own_failures)


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
    """Every case of the suite under `variant`, at most `concurrency` at once, in suite order.

    Ctrl-C stops at once: no queued case starts, no request or retry is sent any more (see
    `stop_requests`), and the workers, daemon threads, are not waited for (a request in flight
    would otherwise hold the exit for its whole timeout)."""
    cases = suite.cases
    results: dict[str, CaseResult] = {}
    if variant.provider != "offline":
        from assistant.llm.client import stop_requests

        stop_requests(False)  # a run in the same process (tests) starts afresh
    with _progress(len(cases), f"eval {variant.label}") as advance:
        if concurrency <= 1:
            for case in cases:
                results[case.name] = run_case(case, variant, suite.config.defaults)
                advance()
        else:
            for name, result in _in_threads(cases, variant, suite.config.defaults, concurrency):
                results[name] = result
                advance()
    return [results[c.name] for c in cases]


def _in_threads(cases: list[Case], variant: Variant, defaults: Expect,
                concurrency: int) -> Iterator[tuple[str, CaseResult]]:
    """(name, result) of each case as it finishes, from `concurrency` daemon worker threads."""
    import queue
    import threading

    todo: queue.SimpleQueue[Case] = queue.SimpleQueue()
    for case in cases:
        todo.put(case)
    done: queue.SimpleQueue[tuple[str, CaseResult | None, BaseException | None]] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            try:
                case = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((case.name, run_case(case, variant, defaults), None))
            except BaseException as exc:  # handed to the main thread, which raises it
                done.put((case.name, None, exc))

    workers = [threading.Thread(target=work, name=f"delaynote-eval-{i}", daemon=True)
               for i in range(min(concurrency, len(cases)))]
    for worker in workers:
        worker.start()
    try:
        for _ in cases:
            while True:  # a short wait, again and again: Ctrl-C is acted on at once on every platform
                try:
                    name, result, error = done.get(timeout=0.1)
                    break
                except queue.Empty:
                    continue
            if error is not None:
                raise error
            assert result is not None
            yield name, result
    except BaseException as exc:
        stop.set()
        if isinstance(exc, KeyboardInterrupt):
            _ignore_second_interrupt()
            if variant.provider != "offline":
                from assistant.llm.client import stop_requests

                stop_requests()
        raise


def _ignore_second_interrupt() -> None:
    """A second Ctrl-C while the first one unwinds must not interrupt the exit itself."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():  # a handler, not SIG_IGN (inherited by children)
        signal.signal(signal.SIGINT, lambda _signum, _frame: None)
