"""`delaynote eval`: the checker on its labelled corpus and the drafter on its cases, held
against the thresholds in `suite.yaml`, so a change to a check, template or prompt is measured
before it ships. The suite format is in evals/README.md (installed as assistant/docs/evals.md).
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from assistant.config import Settings, llm_configured
from assistant.errors import InputError, LLMServiceError
from assistant.evals.checker import CheckerResult
from assistant.evals.replay import MISSING, RecordingServer
from assistant.evals.report import DrafterRun, EvalReport, render_eval
from assistant.evals.runner import CaseResult, Provider, Variant, effective_model, llm_settings_for, run_cases
from assistant.evals.suite import CheckerThresholds, Suite, load_suite, suite_docs

REPLAY_KEY = "replay-no-key"  # local servers still need some key; this one never leaves the machine


def _with_llm(settings: Settings, **updates: object) -> Settings:
    return settings.model_copy(update={"llm": settings.llm.model_copy(update=updates)})


class _Servers:
    """The replay server and recording proxy, started once and shared by all variants."""

    def __init__(self, suite: Suite, stack: ExitStack) -> None:
        self.suite = suite
        self.stack = stack
        self.replay: RecordingServer | None = None
        self.recorder: RecordingServer | None = None

    def replay_server(self) -> RecordingServer:
        if self.replay is None:
            self.replay = self.stack.enter_context(RecordingServer(self.suite.recordings_dir, mode="replay"))
        return self.replay

    def record_server(self, settings: Settings) -> RecordingServer:
        if self.recorder is None:
            if settings.llm.base_url:  # the proxy forwards there: refuse a malformed one up front
                from assistant.llm.client import check_url

                check_url(settings.llm.base_url, "--base-url, OPENAI_BASE_URL or [llm] base_url", settings)
            # recordings are staged and published only when the whole run ends well (see `publish`)
            staging = Path(self.stack.enter_context(tempfile.TemporaryDirectory(prefix="delaynote-recording-")))
            server = RecordingServer(staging, mode="record", upstream=settings.llm.base_url,
                                     timeout=settings.llm.timeout)
            self.recorder = self.stack.enter_context(server)
        return self.recorder


def _variant(label: str, provider: Provider, settings: Settings, suite: Suite, servers: _Servers,
             *, record: bool = False, model: str | None = None) -> Variant:
    model = model or effective_model(settings, suite.config.provider.model)
    revisions = suite.config.provider.max_revisions
    if provider == "offline":
        return Variant(label=label, provider="offline", settings=settings)
    if provider == "replay":
        server = servers.replay_server()
        replay_settings = llm_settings_for(settings, base_url=server.base_url, api_key=REPLAY_KEY, model=model,
                                           max_retries=0)
        return Variant(label=label, provider="replay", settings=replay_settings, max_revisions=revisions)
    if not llm_configured(settings):
        raise InputError("--provider openai needs a model: set OPENAI_API_KEY or --base-url (or use --provider replay)")
    if record:
        if settings.llm.azure_endpoint:
            raise InputError("--record works with OpenAI-compatible base URLs, not Azure endpoints")
        server = servers.record_server(settings)
        key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else REPLAY_KEY
        rec_settings = llm_settings_for(settings, base_url=server.base_url, api_key=key, model=model)
        return Variant(label=label, provider="openai", settings=rec_settings, max_revisions=revisions)
    return Variant(label=label, provider="openai", settings=_with_llm(settings, model=model),
                   max_revisions=revisions)


def _compare_variant(spec: str, main: Provider, settings: Settings, suite: Suite, servers: _Servers) -> Variant:
    """`offline` / `openai` / `replay`, `model=NAME` or `prompts=DIR`: the same LLM provider with one
    thing changed."""
    spec = spec.strip()
    if spec in ("offline", "openai", "replay"):
        return _variant(spec, spec, settings, suite, servers)  # type: ignore[arg-type]
    key, sep, value = spec.partition("=")
    if not sep or not value or key not in ("model", "prompts"):
        raise InputError(f"--compare {spec!r}: use offline, openai, replay, model=NAME or prompts=DIR")
    # beside an offline run, an LLM variant asks the configured model, else the recordings
    llm_provider: Provider = main if main != "offline" else ("openai" if llm_configured(settings) else "replay")
    if key == "model":
        return _variant(spec, llm_provider, settings, suite, servers, model=value)
    if main == "offline":
        raise InputError(f"--compare {spec}: prompts only matter to an LLM provider; add --provider replay or openai")
    if not Path(value).is_dir():
        raise InputError(f"--compare {spec}: {value} is not a folder")
    return _variant(spec, llm_provider, _with_llm(settings, prompts=value), suite, servers)


def _upstream_error(err: LLMServiceError, recorder: RecordingServer, settings: Settings) -> LLMServiceError:
    """A failure seen through the recording proxy, told about the user's server, not the proxy:
    its URL instead of the proxy's, and the proxy's 502 for an unreachable server told as such."""
    from assistant.llm.client import connection_error, shown_url

    upstream = shown_url(recorder.upstream, settings)
    if recorder.upstream_failure is not None and "(HTTP 502)" in err.message:
        return connection_error(recorder.upstream_failure, upstream, settings)
    return LLMServiceError(err.message.replace(recorder.base_url, upstream), details=err.details)


def _drafter_thresholds(run: DrafterRun, suite: Suite) -> list[str]:
    out = []
    for lang, minimum in suite.config.thresholds.drafter.for_provider(run.provider).items():
        passed, total = run.rate("language", lang)
        if total and passed / total < minimum:
            failed = [c.name for c in run.cases if c.language == lang and c.status == "fail"]
            out.append(f"drafter {run.label} {lang}: pass rate {passed}/{total} below {minimum:.0%}; "
                       f"failed: {', '.join(failed)}")
    if run.provider == "offline":  # the offline drafter's text is never mended
        return out
    for lang, minimum in suite.config.thresholds.drafter.own_for_provider(run.provider).items():
        passed, total = run.own_rate("language", lang)
        if total and passed / total < minimum:
            failed = [c.name for c in run.cases if c.language == lang and c.status != "known" and not c.own_passed]
            out.append(f"drafter {run.label} {lang}: the model's own answers (before mending) pass "
                       f"{passed}/{total}, below {minimum:.0%}; failed: {', '.join(failed)}")
    return out


def _checker(corpus: Path | None, thresholds: CheckerThresholds, settings: Settings,
             notes: list[str], key: str) -> CheckerResult | None:
    if corpus is None:
        return None
    if not corpus.is_dir():
        notes.append(f"checker eval skipped: no labelled corpus at {corpus}")
        return None
    from assistant.evals.checker import run_checker_eval

    if not sys.stderr.isatty():
        result = run_checker_eval(corpus, thresholds, settings)
    else:
        from rich.console import Console

        with Console(stderr=True).status(f"scoring the checks on {corpus.name}/ ..."):
            result = run_checker_eval(corpus, thresholds, settings)
    if not result.failures and not result.stats:  # nothing scored must not read as a pass
        what = "lists no draft" if not result.files else "names no check that should fire or stay quiet"
        raise InputError(f"the labelled corpus {corpus} has nothing to score: its labels.yaml {what}; label "
                         f"some drafts (the format: {suite_docs()}) or set `{key}: null` in suite.yaml")
    return result


def _missing_recordings(runs: list[DrafterRun], variants: list[Variant], suite: Suite,
                        settings: Settings) -> list[str]:
    """A replayed case without a recording fails the run (it measured nothing), with one command
    that records what is missing: for the first variant that lacks recordings, its model or prompts."""
    lacking = [(run, variant) for run, variant in zip(runs, variants, strict=True) if variant.provider == "replay"
               and any(MISSING in f for c in run.cases for f in c.failures)]
    if not lacking:
        return []
    run, variant = lacking[0]
    count = sum(1 for c in run.cases if any(MISSING in f for f in c.failures))
    command = ["delaynote", "eval", str(suite.root), "--provider", "openai", "--record"]
    if variant.label.startswith("model="):
        command += ["--model", variant.label.partition("=")[2]]
    elif variant.label.startswith("prompts="):
        command += ["--prompts", variant.label.partition("=")[2]]
    elif settings.llm.prompts:
        command += ["--prompts", settings.llm.prompts]
    others = sum(1 for r, _ in lacking[1:] for c in r.cases if any(MISSING in f for f in c.failures))
    more = f" (and {others} more under {', '.join(r.label for r, _ in lacking[1:])})" if others else ""
    return [f"replay {run.label}: {count} case(s) have no recording in {suite.recordings_dir}{more}; record them "
            f"against a real server with: {' '.join(command)}"]


def run_eval_command(
    suite: Path,
    *,
    settings: Settings,
    provider: str,
    fmt: str,
    concurrency: int,
    out: Path | None,
    force: bool,
    record: bool,
    compare: list[str],
) -> int:
    """Run the suite; write the report; 0 when every threshold holds, 1 when one is missed."""
    if out is not None and out.exists() and not force:
        raise InputError(f"{out} already exists; use --force to overwrite it")
    if record and provider != "openai":
        raise InputError("--record asks a real server: use --provider openai --record (with --base-url or a key)")
    if record and compare:
        raise InputError("--record and --compare cannot be combined; record first, then compare")
    loaded = load_suite(suite)
    notes: list[str] = []
    with ExitStack() as stack:
        servers = _Servers(loaded, stack)
        main = _variant(provider, provider, settings, loaded, servers, record=record)  # type: ignore[arg-type]
        others = [_compare_variant(spec, main.provider, settings, loaded, servers) for spec in compare]
        checker = _checker(loaded.corpus_dir, loaded.config.thresholds.checker, settings, notes, "corpus")
        heldout = _checker(loaded.heldout_dir, CheckerThresholds(), settings, notes, "heldout")
        runs = []
        for variant in [main, *others]:
            try:
                results = _errors_told(run_cases(loaded, variant, concurrency), servers, settings)
            except LLMServiceError as err:
                if servers.recorder is None:
                    raise
                raise _upstream_error(err, servers.recorder, settings) from None
            run = DrafterRun(label=variant.label, provider=variant.provider, cases=results,
                             model=None if variant.provider == "offline" else variant.settings.llm.model)
            run.failures = _drafter_thresholds(run, loaded)
            runs.append(run)
        if servers.recorder is not None:
            try:
                count = servers.recorder.publish(loaded.recordings_dir)
            except OSError as exc:
                raise InputError(f"cannot write the recordings to {loaded.recordings_dir}: "
                                 f"{exc.strerror or exc}") from None
            notes.append(f"recorded {count} responses in {loaded.recordings_dir}")
        missing = _missing_recordings(runs, [main, *others], loaded, settings)
    errors = [c for r in runs for c in r.cases if c.error]
    regressions = (checker.failures if checker else []) + runs[0].failures + missing
    report = EvalReport(suite=str(loaded.root), checker=checker, heldout=heldout, drafter=runs[0], compare=runs[1:],
                        regressions=regressions, notes=notes, passed=not regressions)
    content = render_eval(report, fmt)
    if out is not None:
        from assistant.textio import write_new_file

        write_new_file(out, content, force=force)
        print(f"delaynote: wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(content)
        sys.stdout.flush()
    if regressions and (out is not None or fmt != "text"):
        print("delaynote: eval below threshold:", file=sys.stderr)
        for line in regressions:
            print(f"  - {line}", file=sys.stderr)
    if errors:  # the report covers every case that could be drafted; the failures are the service's
        print(f"delaynote: the LLM service failed for {len(errors)} of {sum(len(r.cases) for r in runs)} cases "
              f"(listed as errors): {errors[0].error}", file=sys.stderr)
        return 3
    return 0 if report.passed else 1


def _errors_told(results: list[CaseResult], servers: _Servers, settings: Settings) -> list[CaseResult]:
    """Cases the LLM service failed for, told about the user's server rather than the recording
    proxy; when it failed for every case there is no report to give, only its sentence (exit 3)."""
    failed = [c for c in results if c.error]
    if not failed:
        return results
    if servers.recorder is not None:
        results = [c.model_copy(update={"error": _upstream_error(LLMServiceError(c.error or ""), servers.recorder,
                                                                 settings).message}) if c.error else c
                   for c in results]
        failed = [c for c in results if c.error]
    if len(failed) == len(results):
        raise LLMServiceError(failed[0].error or "the LLM service failed")
    return results
