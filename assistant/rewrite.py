"""`delaynote rewrite`: make an existing draft follow the five principles, keeping its voice.

The draft is checked, rewritten (offline by rules, `assistant.rewrite_offline`, or by an LLM,
`assistant.rewrite_llm`), and checked again, and the user sees the counts before and after.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import InputError
from assistant.findings import Finding
from assistant.rewrite_llm import rewrite_with_llm
from assistant.rewrite_offline import rewrite_offline_report

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.drafting import Usage


def count_line(before: list[Finding], after: list[Finding], lang: str = "en") -> str:
    """'before: 3 errors, 2 warnings; after: 0 errors, 1 warning' (info counts in brackets when any),
    in `lang`, the draft's language ('改写前：3 条错误，2 条警告；改写后：…')."""
    from assistant.checks.labels import counts, label

    def numbers(findings: list[Finding]) -> dict[str, int]:
        return {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}

    was, now = numbers(before), numbers(after)
    kinds = ("error", "warning")
    line = label(lang, "rewrite-counts", before=counts(lang, was, kinds), after=counts(lang, now, kinds))
    if was["info"] or now["info"]:
        line += label(lang, "rewrite-info", before=was["info"], after=now["info"])
    return line


def unified_diff(before: str, after: str, name: str) -> str:
    """A unified diff of the rewrite ('---' the original, '+++' the rewrite)."""
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=name, tofile=f"{name} (rewritten)")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def print_diff(diff_text: str) -> None:
    """The diff on stdout, coloured with Rich on a terminal unless NO_COLOR is set or TERM=dumb."""
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        sys.stdout.write(diff_text)
        sys.stdout.flush()
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True, force_terminal=True)
    for line in diff_text.splitlines():
        style = ("bold" if line.startswith(("---", "+++")) else "cyan" if line.startswith("@@")
                 else "green" if line.startswith("+") else "red" if line.startswith("-") else "")
        console.print(Text(line, style=style))


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (./in.md and in.md, a link to it, a hard link)."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b) or a.resolve() == b.resolve()
    except OSError:
        return False


def read_draft(draft_path: str) -> str:
    """The draft's text from a file (UTF-8 or GBK/GB18030) or from stdin for '-'."""
    from assistant.textio import read_input

    return read_input(draft_path, legacy_zh=True)


def _write_in_place(path: Path, text: str, force: bool) -> None:
    """Replace the file with `text`, keeping the original as FILE.bak, in the file's own encoding,
    byte order mark and line ends (a GBK file stays GBK, a UTF-8 BOM stays)."""
    from assistant.textio import decode_file, read_limited

    backup = path.with_name(path.name + ".bak")
    if backup.exists() and not force:
        raise InputError(f"{backup} already exists; remove it or use --force to replace it")
    try:
        stored = decode_file(read_limited(path), str(path), legacy_zh=True)
        data = stored.encode(text)
        shutil.copy2(path, backup)
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{path} cannot be written: {exc.strerror}") from None


def _no_reason(finding: Finding) -> str | None:
    return None


def _report_findings(findings: list[Finding], verbose: bool, lang: str,
                     reason: Callable[[Finding], str | None] = _no_reason) -> None:
    """Each finding left, and under it why the offline rewrite left it ("left as written: …"),
    in `lang`, the draft's language."""
    from assistant.checks.labels import label, severity
    from assistant.untrusted import escape_controls  # quotes come from the file or the model

    shown = [f for f in findings if verbose or f.severity != "info"]
    if not shown:
        return
    print(label(lang, "rewrite-to-fix"), file=sys.stderr)
    for f in shown:
        where = label(lang, "rewrite-at-line", n=f.line) if f.line is not None else label(lang, "rewrite-at-draft")
        quote = label(lang, "rewrite-quote", text=f.text) if f.text and len(f.text) <= 60 else ""
        print(escape_controls(label(lang, "rewrite-finding", where=where, severity=severity(lang, f.severity),
                                    check=f.check, quote=quote, message=f.message)), file=sys.stderr)
        why = reason(f)
        if why and not (f.check.startswith("missing-") and "--facts" in why):  # said once, below
            print(escape_controls(label(lang, "rewrite-left", why=why)), file=sys.stderr)


def run_rewrite(draft_path: str, *, facts_path: Path | None, settings: Settings, provider: str, language: str,
                out: Path | None, in_place: bool, diff: bool, force: bool, verbose: bool,
                max_revisions: int = 2) -> bool:
    """Check, rewrite, check again, then print/write the result and the before/after counts.
    True when an LLM rewrite still has a finding at or above `fail_on` (the command exits 1)."""
    if in_place and draft_path == "-":
        raise InputError("--in-place needs a file; it cannot rewrite stdin in place")
    if in_place and out is not None:
        raise InputError("use either --out or --in-place, not both")
    from assistant.textio import check_can_write

    if out is not None and draft_path != "-" and _same_file(Path(draft_path), out):
        raise InputError(f"--out {out} is the draft being rewritten; the input is replaced only with --in-place, "
                         f"which keeps {draft_path}.bak")
    if out is not None:  # refuse before any work (or LLM spend)
        check_can_write(out, force=force)
    if in_place:
        backup = Path(draft_path + ".bak")
        if backup.exists() and not force:
            raise InputError(f"{backup} already exists; remove it or use --force to replace it")
        check_can_write(backup, force=True, flag="--in-place: the backup")
        if Path(draft_path).exists() and not os.access(draft_path, os.W_OK):
            raise InputError(f"--in-place: {draft_path} cannot be written (permission denied)")
    from assistant.checks import check_text
    from assistant.config import llm_configured

    facts = None
    if facts_path is not None:
        from assistant.facts import load_facts
        from assistant.textio import refuse_two_stdins

        refuse_two_stdins(facts_path, [draft_path])
        facts = load_facts(facts_path)
    text = read_draft(draft_path)
    if not text.strip():
        raise InputError(f"{'stdin' if draft_path == '-' else draft_path} is empty: there is no draft to rewrite")
    lang = language if language != "auto" else settings.language
    name = "stdin" if draft_path == "-" else draft_path
    before = check_text(text, path=draft_path, facts=facts, settings=settings, language=lang)
    use_llm = provider == "openai" or (provider == "auto" and llm_configured(settings))
    usage: Usage | None = None
    reason: Callable[[Finding], str | None] = _no_reason
    if use_llm:
        result, after, usage = rewrite_with_llm(text, before, facts=facts, settings=settings, verbose=verbose,
                                                max_revisions=max_revisions)
    else:
        from assistant.checks.document import kind_for_path

        done = rewrite_offline_report(text, before, facts, lambda t: check_text(
            t, path=draft_path, facts=facts, settings=settings, language=before.language),
            kind_for_path(draft_path), lambda t: check_text(
            t, path=draft_path, settings=settings, language=before.language))
        result, after, reason = done.text, done.after, done.reason
    from assistant.checks.labels import label

    said = after.language  # the report is in the draft's language, as its findings are
    if in_place and result == text:  # nothing to write, and no .bak that would block the next run
        print(label(said, "rewrite-kept", path=draft_path), file=sys.stderr)
    elif in_place:
        _write_in_place(Path(draft_path), result, force)
        print(label(said, "rewrite-in-place", path=draft_path), file=sys.stderr)
    elif out is not None:
        from assistant.textio import save_rescue, write_new_file

        try:
            write_new_file(out, result, force=force)
        except InputError as exc:
            if not use_llm:
                raise
            saved = save_rescue(result, suffix=out.suffix or ".txt")  # a model's answer is paid for
            raise InputError(exc.message + (f"; the rewrite is saved in {saved}" if saved else "")) from None
        print(label(said, "rewrite-wrote", path=out), file=sys.stderr)
    try:
        if diff:
            print_diff(unified_diff(text, result, name))
        elif not in_place and out is None:
            from assistant.textio import write_stdout
            from assistant.wrap import terminal_width, wrap_text

            shown = wrap_text(result, terminal_width(sys.stdout))  # wrapped on a terminal only, never in a pipe
            write_stdout(shown if shown.endswith("\n") else shown + "\n")
    except (InputError, OSError) as exc:
        if not use_llm:
            raise
        from assistant.textio import save_rescue, stdout_failure

        saved = save_rescue(result, suffix=Path(draft_path).suffix or ".txt")  # a model's answer is paid for
        message = exc.message if isinstance(exc, InputError) else stdout_failure(exc)
        raise InputError(message + (f"; the rewrite is saved in {saved}" if saved else "")) from None
    if result == text:
        print(label(said, "rewrite-unchanged"), file=sys.stderr)
    print(count_line(before.findings, after.findings, said), file=sys.stderr)
    _report_findings(after.findings, verbose, said, reason)
    if facts is None and not use_llm and any(
            f.check.startswith("missing-") or f.check == "vague-timeline" for f in after.findings):
        print(label(said, "rewrite-needs-facts"), file=sys.stderr)
    if verbose and usage is not None:
        if usage.prompt_tokens is None or usage.completion_tokens is None:  # unknown, not 0
            print(label(said, "rewrite-usage-unknown", calls=usage.calls), file=sys.stderr)
        else:
            print(label(said, "rewrite-usage", calls=usage.calls, prompt=usage.prompt_tokens,
                        completion=usage.completion_tokens), file=sys.stderr)
    if use_llm and facts is None and any(f.check == "placeholder" for f in after.findings):
        print(label(said, "rewrite-fill-placeholders"), file=sys.stderr)
    if not use_llm:
        return False
    from assistant.findings import fails

    return fails(after.findings, settings.fail_on)
