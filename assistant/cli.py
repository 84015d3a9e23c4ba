"""The command line: a thin Typer layer over the library.

Each command parses options, calls library functions and prints. Heavy modules (the
`openai` SDK above all) are imported inside the commands that need them, so `check` and
`--help` stay fast. Every `DelaynoteError` becomes one sentence on stderr and its exit code.
"""

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


def _tidy_help() -> None:
    """Help that reads like other CLIs: no `<bool>` after a flag, `PATH...` rather than `{PATH...}...`.
    Typer has no switch for either, so its two display hooks are narrowed here (absent in old Typers)."""
    import typer.core as tc

    option, argument = getattr(tc, "TyperOption", None), getattr(tc, "TyperArgument", None)
    if option is not None and hasattr(option, "display_type_rich"):
        shown = option.display_type_rich

        def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
            return None if self.is_flag or self.name == "help" else shown(self, ctx)

        option.display_type_rich = display_type_rich
    if argument is not None and hasattr(argument, "_usage_display_name"):
        def _usage_display_name(self) -> str:  # type: ignore[no-untyped-def]
            name = self.metavar or self.name.upper()
            return name if self.required else f"[{name}]"

        argument._usage_display_name = _usage_display_name


_tidy_help()


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("delaynote")
        except PackageNotFoundError:  # run from a source tree that was never installed
            from assistant import __version__ as number
        typer.echo(f"delaynote {number}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Tell a client, in plain language, that their project is late - and do it well."""


def _err(message: str) -> None:
    typer.echo(f"delaynote: {message}", err=True)


def main() -> None:
    """Console entry point: run the app, turning known failures into one line and an exit code."""
    try:
        # Non-standalone mode returns the code of `typer.Exit(n)` instead of exiting with it.
        code = app(standalone_mode=False)
    except DelaynoteError as exc:
        _err(exc.message)
        for line in exc.details:
            typer.echo(f"  - {line}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
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
        _err("interrupted")
    sys.exit(code if isinstance(code, int) else 0)


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
    if isinstance(content, bytes):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        typer.echo(content, nl=not content.endswith("\n"))


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

        loaded = gather_facts(language=lang, save_to=save_facts, resume=resume)
    else:
        loaded = load_facts(facts)
    updates = {k: v for k, v in {"language": lang, "channel": channel, "tone": tone}.items() if v}
    if updates:
        loaded = loaded.model_copy(update=updates)
    from assistant.facts import refuse_mixed_language

    refuse_mixed_language(loaded, flag=bool(lang))
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
        from assistant.drafting.offline import draft_offline

        result = draft_offline(loaded)
        result.findings = check_draft(result, loaded, settings)
    from assistant.render import render_draft

    if use_llm and fmt == "text" and out is None and sys.stdout.isatty() and not result._shown:
        print("delaynote: the final draft, as checked:", file=sys.stderr)
    if not (use_llm and fmt == "text" and out is None and sys.stdout.isatty() and result._shown):
        content = render_draft(result, loaded, fmt)
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
    out: Annotated[Path | None, typer.Option("--out", help="Write the report here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Check drafts for what makes a delay notice fail the client."""
    from assistant.checks import check_paths
    from assistant.checks.report import render_report
    from assistant.findings import fails

    _need_stdout(out)
    settings = _settings(config, language=lang, fail_on=fail_on,
                         **_llm_flags(model, base_url, no_cache=no_cache))
    loaded = None
    if facts:  # the facts models are built only when a facts file is given
        from assistant.facts import load_facts
        from assistant.textio import refuse_two_stdins

        refuse_two_stdins(facts, paths)
        loaded = load_facts(facts)
    report = check_paths(paths, facts=loaded, settings=settings, use_llm=llm)
    if not report.files:  # a mistyped folder in CI must not pass silently
        raise InputError(f"no .md, .txt, .html or .eml files found in {', '.join(paths)}")
    _write_or_print(render_report(report, fmt, color=False if out else None, fail_on=settings.fail_on), out, force)
    if report.skipped:  # the others were checked and reported, but the run did not cover its input
        raise InputError(f"{len(report.skipped)} of {len(report.skipped) + len(report.files)} inputs could not "
                         "be checked", details=[s.reason for s in report.skipped])
    if fails([f for r in report.files for f in r.findings], settings.fail_on):
        raise typer.Exit(1)


@app.command(name="eval")
def eval_(
    suite: Annotated[Path, typer.Argument(help="Suite folder.")] = Path("evals"),
    provider: Annotated[Literal["offline", "openai", "replay"], typer.Option("--provider", help="offline rules, a live openai server, or replay of evals/recordings.")] = "offline",
    fmt: Annotated[Literal["text", "json", "junit", "markdown"], typer.Option("--format", help="text, json, junit or markdown.")] = "text",
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Cases run at once.")] = 4,
    out: Annotated[Path | None, typer.Option("--out", help="Write the report here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    record: Annotated[bool, typer.Option("--record", help="Refresh evals/recordings against a real server.")] = False,
    compare: Annotated[list[str] | None, typer.Option("--compare", help="Compare with another provider, model=NAME or prompts=DIR.")] = None,
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

    _need_stdout(has_out=False)
    typer.echo(render_rules(check_id, fmt))


@app.command()
def init(
    file: Annotated[str, typer.Argument(metavar="FILE|-", help="Where to write the example facts; - prints them.")] = "facts.yaml",
    lang: Annotated[LangOpt, typer.Option("--lang", help="Language of the example facts.")] = "en",
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write a commented example facts file to start from."""
    from importlib.resources import files

    from assistant.textio import write_new_file

    if not file.strip():
        raise InputError("init: no file name given; for example: delaynote init facts.yaml")
    if file == "-":
        _need_stdout(has_out=False)
    text = (files("assistant") / "data" / f"init_{lang}.yaml").read_text(encoding="utf-8")
    if file == "-":
        typer.echo(text, nl=not text.endswith("\n"))
        return
    write_new_file(Path(file), text, force=force, flag="init:")
    _err(f"wrote {file}; edit it, then run: delaynote draft --facts {file}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the facts file (for editor completion)."""
    import json

    from assistant.facts import facts_json_schema

    _need_stdout(has_out=False)
    typer.echo(json.dumps(facts_json_schema(), indent=2, ensure_ascii=False))
