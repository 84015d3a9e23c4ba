"""The command line: a thin Typer layer over the library.

Each command parses options, calls library functions and prints. Heavy modules (the
`openai` SDK above all) are imported inside the commands that need them, so `check` and
`--help` stay fast. Every `DelaynoteError` becomes one sentence on stderr and its exit code.
"""

import errno
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from assistant.errors import DelaynoteError, InputError

if TYPE_CHECKING:
    from assistant.config import Settings

# No `from __future__ import annotations` here: Typer reads every command's signature on each
# run, and evaluating string annotations costs more than building them once at import.

app = typer.Typer(
    name="delaynote",
    help="Tell a client, in plain language, that their project is late - and do it well.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

LangOpt = Literal["en", "zh"]
ChannelOpt = Literal["email", "phone", "meeting", "im"]
ToneOpt = Literal["formal", "neutral", "warm"]
ProviderOpt = Literal["auto", "offline", "openai"]
DraftFormat = Literal["text", "markdown", "json", "eml"]
CheckFormat = Literal["text", "json", "sarif", "github", "junit"]
FailOnOpt = Literal["error", "warning", "info", "never"]

FactsOpt = Annotated[Path | None, typer.Option("--facts", help="Facts file (YAML or JSON).")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Config file (delaynote.toml or pyproject.toml).")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model name (or Azure deployment).")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="Any OpenAI-compatible server.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Bypass the LLM response cache.")]
RedactOpt = Annotated[bool, typer.Option("--redact", help="Replace names, e-mails and phones before sending.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show token usage and retries.")]
PromptsOpt = Annotated[Path | None, typer.Option("--prompts", help="Folder of your own prompt files.")]


_LIST_LABEL = re.compile(r"<list\[(\w+)\]>")
_RANGE_LABEL = re.compile(r"<(?:int|float) range> \[(-?[\d.]+)<=x<=(-?[\d.]+)\]")


def clean_type_label(label: str | None) -> str | None:
    """Typer's type labels as a reader expects them: `<list[str]>` -> `<text>`, `<str>` -> `<text>`,
    `<int range>` -> `<int>` (Typer shows the bounds beside it), `<int range> [1<=x<=64]` -> `<1-64>`."""
    if not label:
        return label
    label = _LIST_LABEL.sub(r"<\1>", label)
    label = _RANGE_LABEL.sub(r"<\1-\2>", label)
    return label.replace("<str>", "<text>").replace("<int range>", "<int>").replace("<float range>", "<number>")


def _tidy_help() -> None:
    """Help that reads like other CLIs: no `<bool>` after a flag, no type after an argument whose
    name already says it (PATH...), readable type labels, `PATH...` rather than `{PATH...}...`.
    Typer has no switch for these, so its display hooks are narrowed here (absent in old Typers)."""
    import typer.core as tc

    option, argument = getattr(tc, "TyperOption", None), getattr(tc, "TyperArgument", None)
    if option is not None and hasattr(option, "display_type_rich"):
        shown = option.display_type_rich

        def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
            return None if self.is_flag or self.name == "help" else clean_type_label(shown(self, ctx))

        option.display_type_rich = display_type_rich
    if argument is not None and hasattr(argument, "display_type_rich"):
        shown_arg = argument.display_type_rich

        def argument_type_rich(self, ctx):  # type: ignore[no-untyped-def]
            return None if self.metavar else clean_type_label(shown_arg(self, ctx))

        argument.display_type_rich = argument_type_rich
    if argument is not None and hasattr(argument, "_usage_display_name"):
        def _usage_display_name(self) -> str:  # type: ignore[no-untyped-def]
            name = self.metavar or self.name.upper()
            return name if self.required else f"[{name}]"

        argument._usage_display_name = _usage_display_name


_tidy_help()


def _version_number() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("delaynote")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from assistant import __version__

        return __version__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"delaynote {_version_number()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Tell a client, in plain language, that their project is late - and do it well."""


def _err(message: str) -> None:
    from assistant.untrusted import escape_controls  # a message may quote a file or a server

    try:
        typer.echo(f"delaynote: {escape_controls(message)}", err=True)
    except OSError:  # stderr is gone too (the terminal hung up): the exit code still tells
        pass


def _completion_shells() -> None:
    """Register bash/zsh/fish/PowerShell completion. `add_completion=False` keeps the two
    --install/--show-completion options (and their shell detection) out of every run's start-up."""
    try:
        from typer._completion_classes import completion_init
    except ImportError:  # a Typer without it: completion is simply not offered
        return
    completion_init()


def main() -> None:
    """Console entry point: run the app, turning known failures into one line and an exit code."""
    if "_DELAYNOTE_COMPLETE" in os.environ:  # shell completion (README): Typer's shells, registered only now
        _completion_shells()
    try:
        _tolerant_encoding()
        # Non-standalone mode returns the code of `typer.Exit(n)` instead of exiting with it.
        code = app(standalone_mode=False)
        if sys.stdout is not None:
            sys.stdout.flush()
    except DelaynoteError as exc:
        _stdout_broken()  # the text still buffered for a failed stdout must not fail again at exit
        _err(exc.message)
        from assistant.untrusted import escape_controls

        for line in exc.details:
            typer.echo(f"  - {escape_controls(line)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _ignore_further_interrupts()
        _err("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except OSError as exc:  # a write to stdout failed (>/dev/full, a full disk, a closed pipe)
        # a failed write may have dropped its text, so a second flush can succeed: the errno tells
        if not _stdout_broken() and exc.errno not in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT,
                                                      errno.EFBIG):
            raise
        from assistant.textio import silence_stdout

        silence_stdout()
        if exc.errno != errno.EPIPE:  # a reader that went away (`| head`) wants no message
            from assistant.textio import stdout_failure

            _err(stdout_failure(exc))
        sys.exit(2)
    except typer.Abort:
        _err("aborted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors (typer's vendored click) arrive here
        if isinstance(getattr(exc, "message", None), str):  # Typer passes on Pydantic's "Value error, " prefix
            exc.message = exc.message.replace("Value error, ", "")
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            _err(exc.message)
        sys.exit(2 if exc.exit_code == 1 else exc.exit_code)
    if code == 130:  # Typer turns Ctrl-C inside a command into a bare exit code 130; no command returns it
        _ignore_further_interrupts()
        _err("interrupted")
    sys.exit(code if isinstance(code, int) else 0)


def _ignore_further_interrupts() -> None:
    """Once Ctrl-C is being handled, a second press while delaynote exits changes nothing: it must
    not interrupt the exit itself (a traceback, or 'Exception ignored in threading...')."""
    import signal

    try:  # a Python handler, not SIG_IGN: an ignored SIGINT would be inherited by child processes
        signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    except ValueError:  # not the main thread (an embedding program): nothing to do
        pass


def _stdout_broken() -> bool:
    """True (and stdout silenced) when standard output cannot take the text written to it."""
    if sys.stdout is None:
        return False
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        from assistant.textio import silence_stdout

        silence_stdout()
        return True
    return False


def _tolerant_encoding() -> None:
    """An output encoding that cannot show Chinese (`PYTHONIOENCODING=ascii`, a C locale) shows
    such characters as escapes (`\\u4e2d`, still valid JSON) instead of failing mid-report."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if stream is not None and not encoding.startswith(("utf-8", "utf8", "utf-16", "utf-32", "gb18030")):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (AttributeError, ValueError, OSError):
                pass


def _settings(config: Path | None, **overrides: object) -> "Settings":
    from assistant.config import load_settings

    return load_settings(config, overrides=overrides)


def _llm_flags(model: str | None, base_url: str | None, *, redact: bool = False, no_cache: bool = False,
               prompts: Path | None = None) -> dict[str, object]:
    """The LLM flags as dotted settings overrides; an unset flag (None) leaves the config's value."""
    if prompts is not None and prompts.exists() and not prompts.is_dir():
        raise InputError(f"--prompts {prompts} is a file, not a folder (of your own prompt files)")
    return {"llm.model": model, "llm.base_url": base_url, "llm.redact": True if redact else None,
            "llm.cache": False if no_cache else None, "llm.prompts": str(prompts) if prompts else None}


def _need_stdout(out: Path | None = None, *, has_out: bool = True) -> None:
    """Refuse at once, before any work, when the result would go to a closed stdout (`>&-`):
    Python sets `sys.stdout` to None and every print would vanish with exit 0."""
    if out is None and sys.stdout is None:
        raise InputError("standard output is closed" + ("; use --out FILE" if has_out else ""))


def _write_or_print(content: str | bytes, out: Path | None, force: bool) -> None:
    """Write to `--out` (never overwriting without --force) or print to stdout."""
    if out is not None:
        from assistant.textio import write_new_file

        write_new_file(out, content, force=force)
        _err(f"wrote {out}")
        return
    from assistant.textio import write_stdout

    write_stdout(content if isinstance(content, bytes) or content.endswith("\n") else content + "\n")


def _refuse_unknown_holiday_country(country: str | None, where: str) -> None:
    """An unknown holiday country is one sentence and exit 2, not a silent weekdays-only count."""
    if not country:
        return
    from assistant.dates import holiday_country_problem

    if problem := holiday_country_problem(country):
        raise InputError(f"{where}: {problem}")


@app.command()
def draft(
    facts: FactsOpt = None,
    lang: Annotated[LangOpt | None, typer.Option("--lang", help="Language of the notice.")] = None,
    channel: Annotated[ChannelOpt | None, typer.Option("--channel", help="email, phone, meeting or im.")] = None,
    tone: Annotated[ToneOpt | None, typer.Option("--tone", help="formal, neutral or warm.")] = None,
    provider: Annotated[ProviderOpt, typer.Option("--provider", help="auto: openai when configured, else offline.")] = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    fmt: Annotated[DraftFormat, typer.Option("--format", help="text, markdown, json or eml.")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
    max_revisions: Annotated[int, typer.Option("--max-revisions", min=0, help="LLM revision rounds.")] = 2,
    fail_on: Annotated[FailOnOpt | None, typer.Option(
        "--fail-on", help="Lowest severity left in an LLM draft that fails (exit 1).")] = None,
    save_facts: Annotated[Path | None, typer.Option("--save-facts", help="Where interactive answers are saved.")] = None,
    resume: Annotated[Path | None, typer.Option("--resume", help="Finish the answers saved in FILE (after Ctrl-C).")] = None,
    config: ConfigOpt = None,
    prompts: PromptsOpt = None,
    verbose: VerboseOpt = False,
    record_sent: Annotated[bool, typer.Option("--record-sent", help="Record the notice as sent in the project's history.")] = False,
    history: Annotated[Path | None, typer.Option("--history", help="History file (default .delaynote/history.sqlite beside the facts).")] = None,
) -> None:
    """Draft a delay notice from a facts file (or from answers to questions on a terminal)."""
    from assistant.facts import load_facts

    settings = _settings(config, fail_on=fail_on,
                         **_llm_flags(model, base_url, redact=redact, no_cache=no_cache, prompts=prompts))
    if facts is not None and resume is not None:
        raise InputError("--facts and --resume cannot be used together; --resume finishes a partial answers file")
    _need_stdout(out)
    if out is not None:  # before any question or paid model call, not after
        from assistant.textio import check_can_write

        check_can_write(out, force=force)
    if facts is None:
        if sys.stdin is None:
            raise InputError("standard input is closed, so there is no terminal to ask on; pass --facts FILE "
                             "(see `delaynote init`)")
        if not sys.stdin.isatty():
            raise InputError("no --facts given and no terminal to ask on; pass --facts FILE (see `delaynote init`)")
        from assistant.gather import gather_facts

        loaded = gather_facts(language=lang, save_to=save_facts, resume=resume,
                              overrides={"channel": channel, "tone": tone})
    else:
        loaded = load_facts(facts)
    updates = {k: v for k, v in {"language": lang, "channel": channel, "tone": tone}.items() if v}
    if updates:
        loaded = loaded.model_copy(update=updates)
    from assistant.facts import refuse_mixed_language

    refuse_mixed_language(loaded, flag=bool(lang))
    if record_sent:  # a history that cannot take the record is refused before any drafting (issue 12)
        from assistant.followup.commands import check_history
        from assistant.followup.history import default_path

        check_history(history or default_path(facts, settings.followup.history), loaded)
    if fmt == "eml":  # before any model call: an eml is an e-mail
        from assistant.render import eml_refusal

        if refusal := eml_refusal(loaded.channel):
            raise InputError(refusal)

    from assistant.config import llm_configured

    use_llm = provider == "openai" or (provider == "auto" and llm_configured(settings))
    if use_llm:
        from assistant.drafting.llm import draft_with_llm

        result = draft_with_llm(loaded, settings, max_revisions=max_revisions, stream=fmt == "text" and out is None,
                                verbose=verbose)
    else:
        from assistant.checks import check_draft
        from assistant.drafting.offline import draft_offline, im_overflow

        options = settings.draft.options()
        _refuse_unknown_holiday_country(loaded.holiday_country or options.holiday_country,
                                        "holiday_country" if loaded.holiday_country else "[draft] holiday_country")
        result = draft_offline(loaded, options=options)
        result.findings = check_draft(result, loaded, settings)
        if note := im_overflow(result, options):
            print(f"delaynote: {note}", file=sys.stderr)
    from assistant.render import render_draft

    if use_llm and fmt == "text" and out is None and sys.stdout.isatty() and not result._shown:
        print("delaynote: the final draft, as checked:", file=sys.stderr)
    if not (use_llm and fmt == "text" and out is None and sys.stdout.isatty() and result._shown):
        content = render_draft(result, loaded, fmt, settings.draft.options())
        if fmt == "text" and out is None and isinstance(content, str):  # a terminal, never a pipe
            from assistant.wrap import terminal_width, wrap_text

            content = wrap_text(content, terminal_width(sys.stdout))
        try:
            _write_or_print(content, out, force)
        except InputError as exc:
            if not use_llm:  # an offline draft is made again in a second; a model's answer is paid for
                raise
            from assistant.textio import save_rescue

            saved = save_rescue(content, suffix={"eml": ".eml", "json": ".json", "markdown": ".md"}.get(fmt, ".txt"))
            raise InputError(exc.message + (f"; the draft is saved in {saved}" if saved else "")) from None
    if fmt != "json":
        from assistant.render import print_findings_summary

        print_findings_summary(result, verbose=verbose)
    if record_sent:  # issue 12: the record of what the client was told
        from assistant.checks import draft_text
        from assistant.followup.commands import record_sent as record
        from assistant.followup.history import default_path

        record(history or default_path(facts, settings.followup.history), loaded, None,
               draft_text(result.subject, result.body))
    if use_llm:
        from assistant.findings import fails

        if fails(result.findings, settings.fail_on):
            raise typer.Exit(1)


@app.command()
def rewrite(
    draft_path: Annotated[str, typer.Argument(metavar="DRAFT|-", help="The draft to rewrite, or - for stdin.")],
    facts: FactsOpt = None,
    provider: Annotated[ProviderOpt, typer.Option("--provider", help="auto: openai when configured, else offline.")] = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    lang: Annotated[Literal["auto", "en", "zh"], typer.Option("--lang", help="Language of the draft, or auto to detect it.")] = "auto",
    out: Annotated[Path | None, typer.Option("--out", help="Write the rewrite here.")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Replace the input file, keeping FILE.bak.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show a unified diff instead of the whole text.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
    max_revisions: Annotated[int, typer.Option("--max-revisions", min=0, help="LLM revision rounds.")] = 2,
    fail_on: Annotated[FailOnOpt | None, typer.Option(
        "--fail-on", help="Lowest severity left in an LLM rewrite that fails (exit 1).")] = None,
    config: ConfigOpt = None,
    prompts: PromptsOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Rewrite a draft so that it follows the five principles, keeping its facts and voice."""
    from assistant.rewrite import run_rewrite

    if diff or not in_place:
        _need_stdout(None if diff else out, has_out=not diff)
    settings = _settings(config, fail_on=fail_on,
                         **_llm_flags(model, base_url, redact=redact, no_cache=no_cache, prompts=prompts))
    if run_rewrite(draft_path, facts_path=facts, settings=settings, provider=provider, language=lang, out=out,
                   in_place=in_place, diff=diff, force=force, verbose=verbose, max_revisions=max_revisions):
        raise typer.Exit(1)


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(metavar="PATH...", help="Files, folders, or - for stdin.")],
    facts: FactsOpt = None,
    lang: Annotated[Literal["auto", "en", "zh"] | None, typer.Option("--lang", help="Language, or auto per file.")] = None,
    llm: Annotated[bool, typer.Option("--llm", help="Also ask the LLM judge.")] = False,
    config: ConfigOpt = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="text, json, sarif, github or junit.")] = "text",
    fail_on: Annotated[FailOnOpt | None, typer.Option("--fail-on", help="Lowest severity that fails (exit 1).")] = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    no_cache: NoCacheOpt = False,
    redact: Annotated[bool, typer.Option("--redact", help="With --llm: replace names, e-mails and phones before sending.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write the report here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Check drafts for what makes a delay notice fail the client."""
    from assistant.checks import check_paths
    from assistant.checks.report import render_report
    from assistant.findings import fails

    _need_stdout(out)
    settings = _settings(config, language=lang, fail_on=fail_on,
                         **_llm_flags(model, base_url, redact=redact, no_cache=no_cache))
    loaded = None
    if facts:  # the facts models are built only when a facts file is given
        from assistant.facts import load_facts
        from assistant.textio import refuse_two_stdins

        refuse_two_stdins(facts, paths)
        loaded = load_facts(facts)
    report = check_paths(paths, facts=loaded, settings=settings, use_llm=llm)
    if not report.files:  # a mistyped folder in CI must not pass silently
        raise InputError(f"no .md, .txt, .html or .eml files found in {', '.join(paths)}")
    from assistant.wrap import terminal_width

    width = None if out else terminal_width(sys.stdout)
    _write_or_print(render_report(report, fmt, color=False if out else None, fail_on=settings.fail_on, width=width,
                                  language=settings.language), out, force)
    if report.judge_failure:  # one line; the report holds the rule findings of every file
        judged = sum(1 for r in report.files if r.scores is not None)
        _err(f"{report.judge_failure}; the report has the rule findings"
             + (f", and the judge's for the {judged} file{'s' if judged != 1 else ''} before" if judged else " only"))
    if report.skipped:  # the others were checked and reported, but the run did not cover its input
        raise InputError(f"{len(report.skipped)} of {len(report.skipped) + len(report.files)} inputs could not "
                         "be checked", details=[s.reason for s in report.skipped])
    if fails([f for r in report.files for f in r.findings], settings.fail_on):
        raise typer.Exit(1)  # the findings already fail the run: a failed judge does not change that
    if report.judge_failure:
        raise typer.Exit(3)


@app.command(name="eval")
def eval_(
    suite: Annotated[Path, typer.Argument(help="Suite folder.")] = Path("evals"),
    provider: Annotated[Literal["offline", "openai", "replay"], typer.Option("--provider", help="offline rules, a live openai server, or replay of evals/recordings.")] = "offline",
    fmt: Annotated[Literal["text", "json", "junit", "markdown"], typer.Option("--format", help="text, json, junit or markdown.")] = "text",
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Cases run at once.")] = 4,
    out: Annotated[Path | None, typer.Option("--out", help="Write the report here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    record: Annotated[bool, typer.Option("--record", help="Refresh evals/recordings against a real server.")] = False,
    compare: Annotated[list[str] | None, typer.Option("--compare", help="Compare with another provider, model=NAME or prompts=DIR (repeatable).")] = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    config: ConfigOpt = None,
    prompts: PromptsOpt = None,
) -> None:
    """Run the evals (offline, openai or replay): checker precision/recall and drafter assertions."""
    from assistant.evals import run_eval_command

    _need_stdout(out)
    settings = _settings(config, **_llm_flags(model, base_url, prompts=prompts))
    code = run_eval_command(suite, settings=settings, provider=provider, fmt=fmt, concurrency=concurrency,
                            out=out, force=force, record=record, compare=compare or [])
    raise typer.Exit(code)


@app.command()
def rules(
    check_id: Annotated[str | None, typer.Argument(metavar="CHECK_ID", help="One check id (default: every check).")] = None,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Every check (or one): what it catches, why, and examples in English and Chinese."""
    from assistant.checks.catalogue import render_rules
    from assistant.wrap import terminal_width

    _need_stdout(has_out=False)
    typer.echo(render_rules(check_id, fmt, width=terminal_width(sys.stdout)))  # never wrapped in a pipe


@app.command()
def init(
    file: Annotated[str | None, typer.Argument(metavar="FILE|-", help="Where to write the example (default facts.yaml, or progress.yaml with --progress); - prints it.")] = None,
    lang: Annotated[LangOpt, typer.Option("--lang", help="Language of the example facts.")] = "en",
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    progress: Annotated[bool, typer.Option("--progress", help="Write an example progress file (for `update`) instead.")] = False,
) -> None:
    """Write a commented example facts file (or, with --progress, a progress file) to start from."""
    from importlib.resources import files

    from assistant.textio import write_new_file

    if file is None:
        file = "progress.yaml" if progress else "facts.yaml"
    if not file.strip():
        raise InputError("init: no file name given; for example: delaynote init facts.yaml")
    if file == "-":
        _need_stdout(has_out=False)
    if progress:
        text = (files("assistant.followup") / "data" / f"init_progress_{lang}.yaml").read_text(encoding="utf-8")
    else:
        text = (files("assistant") / "data" / f"init_{lang}.yaml").read_text(encoding="utf-8")
    if file == "-":
        typer.echo(text, nl=not text.endswith("\n"))
        return
    write_new_file(Path(file), text, force=force, flag="init:")
    if progress:
        _err(f"wrote {file}; edit it, then run: delaynote update --facts FACTS_FILE --progress {file}")
    else:
        _err(f"wrote {file}; edit it, then run: delaynote draft --facts {file}")


@app.command()
def schema(
    config: Annotated[bool, typer.Option("--config", help="The schema of delaynote.toml instead.")] = False,
    progress: Annotated[bool, typer.Option("--progress", help="The progress file's schema (for `update`) instead.")] = False,
) -> None:
    """Print the JSON Schema of the facts file, of delaynote.toml or of the progress file (for editor
    completion and hover)."""
    import json

    if config and progress:
        raise InputError("use either --config or --progress, not both")
    if config:
        from assistant.config import config_json_schema as make
    elif progress:
        from assistant.followup.progress import progress_json_schema as make
    else:
        from assistant.facts import facts_json_schema as make
    _need_stdout(has_out=False)
    typer.echo(json.dumps(make(), indent=2, ensure_ascii=False))


@app.command()
def lsp() -> None:
    """Run the checks as a language server on stdin/stdout (for editors; see the README)."""
    try:
        from assistant.lsp.server import run
    except ImportError as exc:  # pygls is a dependency, but a broken install deserves one sentence
        raise InputError(f"the language server needs pygls ({exc}); install it with: pip install pygls") from None
    run(_version_number())


# ---- delaynote import (issue 13) ------------------------------------------------------------------
# A thin command: the body is assistant/importing/command.py (formats, detection, grouping, merge).

ImportFormat = Literal["jira", "linear", "github", "worktile", "pingcode", "csv", "jira-json", "github-json"]


@app.command(name="import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE|-", help="The task export: CSV/TSV or a saved JSON API answer; - reads stdin.")],
    facts: Annotated[Path, typer.Option("--facts", metavar="FACTS", help="The facts file to update in place (FACTS.bak keeps the old one).")],
    fmt: Annotated[ImportFormat | None, typer.Option("--format", help="The export's tool (default: detected from its columns).")] = None,
    column_map: Annotated[list[str] | None, typer.Option("--map", metavar="FIELD=COLUMN,...", help="Columns to read, e.g. name=标题,due=截止时间,status=状态.")] = None,
    status: Annotated[list[str] | None, typer.Option("--status", metavar="STATE=WORD,...", help="What status words mean, e.g. done=已完成,关闭 (repeatable).")] = None,
    group_by: Annotated[str | None, typer.Option("--group-by", metavar="GROUP", help="Phases by epic, parent, version, iteration or a column (default: one per task).")] = None,
    timezone: Annotated[str | None, typer.Option("--timezone", metavar="ZONE", help="Time zone for dates with a time, e.g. Asia/Shanghai (default: this machine's).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the change as a diff; write nothing.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Also remove phases and tasks that are not in the export.")] = False,
) -> None:
    """Import tasks from Jira, Linear, GitHub Projects, Worktile, PingCode or a CSV into the facts file."""
    from assistant.importing.command import run_import

    if dry_run:
        _need_stdout(has_out=False)
    run_import(file, facts=facts, fmt=fmt, maps=column_map or [], statuses=status or [], group_by=group_by,
               timezone=timezone, dry_run=dry_run, prune=prune)


# --- follow-through (issue 12): update, sent, log, schedule ---------------------------------
# Thin commands; their bodies live in assistant/followup/.

HistoryOpt = Annotated[Path | None, typer.Option("--history", help="History file (default .delaynote/history.sqlite beside the facts; or $DELAYNOTE_HISTORY).")]


@app.command()
def update(
    facts: Annotated[str, typer.Option("--facts", help="Facts file of the delay (YAML or JSON).")],
    progress: Annotated[str, typer.Option("--progress", help="Progress file: what happened since the last message.")],
    lang: Annotated[LangOpt | None, typer.Option("--lang", help="Language of the update.")] = None,
    channel: Annotated[ChannelOpt | None, typer.Option("--channel", help="email, phone, meeting or im.")] = None,
    tone: Annotated[ToneOpt | None, typer.Option("--tone", help="formal, neutral or warm.")] = None,
    provider: Annotated[ProviderOpt, typer.Option("--provider", help="auto: openai when configured, else offline.")] = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    fmt: Annotated[DraftFormat, typer.Option("--format", help="text, markdown, json or eml.")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    record_sent: Annotated[bool, typer.Option("--record-sent", help="Record the update as sent in the history.")] = False,
    history: HistoryOpt = None,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
    max_revisions: Annotated[int, typer.Option("--max-revisions", min=0, help="LLM revision rounds.")] = 2,
    config: ConfigOpt = None,
    prompts: PromptsOpt = None,
    verbose: VerboseOpt = False,
    check_file: Annotated[str | None, typer.Option("--check", metavar="FILE|-", help="Check this update (written or edited by hand) instead of drafting one.")] = None,
) -> None:
    """Draft a progress update: done, in progress, next, risks, whether the date holds, next update."""
    from assistant.followup.commands import run_update, run_update_check

    _need_stdout(out)
    settings = _settings(config, **_llm_flags(model, base_url, redact=redact, no_cache=no_cache, prompts=prompts))
    if check_file is not None:
        if record_sent or out is not None:
            raise InputError("--check reports on an update; it cannot be combined with --record-sent or --out")
        raise typer.Exit(1 if run_update_check(facts, progress, check_file, settings=settings, history=history,
                                               fmt=fmt) else 0)
    run_update(facts, progress, settings=settings, lang=lang, channel=channel, tone=tone, provider=provider,
               fmt=fmt, out=out, force=force, record=record_sent, history=history, max_revisions=max_revisions,
               verbose=verbose)


@app.command()
def sent(
    file: Annotated[str, typer.Argument(metavar="FILE|-", help="The message as it was sent (text, Markdown or .eml).")],
    facts: Annotated[str, typer.Option("--facts", help="The facts file the message was written from.")],
    progress: Annotated[str | None, typer.Option("--progress", help="For an update: its progress file.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="When it was sent, YYYY-MM-DD (default: the notice or update date).")] = None,
    channel: Annotated[ChannelOpt | None, typer.Option("--channel", help="How it was sent (default: the facts' channel).")] = None,
    history: HistoryOpt = None,
) -> None:
    """Record a notice or update as sent: its date, channel, dates, promises and a hash of its text."""
    from assistant.followup.commands import run_sent

    run_sent(file, facts, progress=progress, on=on, channel=channel, history=history)


@app.command()
def log(
    facts: Annotated[str | None, typer.Option("--facts", help="Facts file (its history sits beside it).")] = None,
    history: HistoryOpt = None,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """List what the client was told, newest first."""
    from assistant.followup.commands import run_log

    _need_stdout(has_out=False)
    typer.echo(run_log(facts, history, fmt), nl=False)


@app.command()
def schedule(
    facts: Annotated[str, typer.Option("--facts", help="Facts file of the delay.")],
    history: HistoryOpt = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of the events (IANA name, e.g. Europe/London; default [followup] tz, else the facts' timezone, else UTC).")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Time of day of each event, HH:MM (default [followup] at, else 09:00).")] = None,
    remind: Annotated[str | None, typer.Option("--remind", help="Reminder before each event: 30m, 2h, 1d, 1w (default [followup] remind, else 1d).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the .ics here instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    config: ConfigOpt = None,
) -> None:
    """An iCalendar file of the update dates, phase due dates and the delivery date, with reminders."""
    from assistant.followup.commands import run_schedule

    _need_stdout(out)
    conf = _settings(config, **{"followup.tz": tz, "followup.at": at, "followup.remind": remind}).followup
    tz_set = conf.tz if "tz" in conf.model_fields_set else None  # else the facts' timezone, else UTC
    _write_or_print(run_schedule(facts, history, tz=tz_set, at=conf.at, remind=conf.remind), out, force)
