"""The rule checker: a notice (file, stdin or draft) in, findings out (SPEC §4).

`check_text` checks one text; `check_draft` checks a generated draft against its facts;
`check_paths` walks files, folders and stdin. Lexicons are compiled once per language and
vocabulary and shared by every file of a run. Nothing here imports the LLM stack: the judge
is imported only when `use_llm` asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.checks.catalogue import CHECK_ORDER
from assistant.checks.context import MAX_PER_CHECK, Context, exceptions_for, make, msg, split_sentences
from assistant.checks.datefind import find_mentions
from assistant.checks.document import Document, build_document, detect_language, kind_for_path
from assistant.checks.lexicon import lexicon_for
from assistant.checks.placeholders import find_slots
from assistant.checks.rules import CHECKS
from assistant.config import Settings
from assistant.errors import InputError
from assistant.findings import FileReport, Finding, Report, Skipped, summarise
from assistant.textio import missing_reason, read_input

if TYPE_CHECKING:  # facts are only loaded with --facts; a plain check never builds their models
    from assistant.facts import Facts

__all__ = ["SUFFIXES", "check_draft", "check_paths", "check_text"]

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".eml")


def _blank_slots(masked: str, slots: list) -> str:
    if not slots:
        return masked
    chars = list(masked)
    for slot in slots:
        for i in range(slot.start, slot.end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _sort_key(f: Finding) -> tuple:
    if f.line is None:
        return (1, 0, 0, CHECK_ORDER.get(f.check, 99))
    return (0, f.line, f.column or 0, CHECK_ORDER.get(f.check, 99))


def check_text(text: str, *, path: str = "-", facts: Facts | None = None, settings: Settings | None = None,
               language: str = "auto", kind: str | None = None) -> FileReport:
    """Check one notice. `kind` (md/txt/html/eml) defaults from the path suffix; `language`
    'auto' falls back to the settings, then to detection (share of CJK characters)."""
    settings = settings or Settings()
    doc = build_document(text, kind or kind_for_path(path))
    lang = language if language in ("en", "zh") else settings.language
    if lang not in ("en", "zh"):
        lang = detect_language(doc.masked, default=facts.language if facts else "en")
    slots = find_slots(doc.masked, doc.text)
    scan = _blank_slots(doc.masked, slots)
    if lang == "zh":  # traditional characters and half-width punctuation read as the data is written
        from assistant.checks.zhnorm import normalise_zh

        scan = normalise_zh(scan)
    lex = lexicon_for(lang, settings.vocabulary.accept, settings.vocabulary.reject)
    ctx = Context(doc=doc, scan=scan, lang=lang, lex=lex, exceptions=exceptions_for(lang),
                  mentions=find_mentions(scan, facts.notice_date if facts else None), slots=slots,
                  sentences=split_sentences(scan, lang), facts=facts, settings=settings)
    disabled = set(settings.disable)
    findings: list[Finding] = []
    for check, run in CHECKS.items():
        if check in disabled:
            continue
        for finding in run(ctx):
            offset = None
            if finding.line is not None:
                offset = doc.line_starts[finding.line - 1] + (finding.column or 1) - 1
            if not doc.suppressed(check, offset):
                findings.append(finding)
    for check, (count, where) in ctx.omitted.items():
        findings.append(make(ctx, check, msg(ctx, "more-findings", count=count, shown=MAX_PER_CHECK, check=check),
                             span=where))
    if doc.origin is not None:  # a decoded e-mail: positions go back into the file
        findings = [_in_file(doc, f) for f in findings]
    findings.sort(key=_sort_key)
    return FileReport(path=path, language=lang, findings=findings)


def _in_file(doc: Document, f: Finding) -> Finding:
    if f.line is None:
        return f
    line, column, end_line, end_column = doc.to_original(f.line, f.column or 1, f.end_line or f.line,
                                                         f.end_column or 1, f.text)
    return f.model_copy(update={"line": line, "column": column, "end_line": end_line, "end_column": end_column})


def draft_text(subject: str | None, body: str) -> str:
    """The text a draft is checked as: its subject line, a blank line, its body."""
    return f"{subject}\n\n{body}" if subject else body


def check_draft(draft, facts: Facts, settings: Settings | None = None) -> list[Finding]:
    """Check a generated draft (subject + body) with its facts; used by `draft` and the LLM revise loop.
    Positions refer to `draft_text(draft.subject, draft.body)`."""
    report = check_text(draft_text(draft.subject, draft.body), path="draft", facts=facts, settings=settings,
                        language=draft.language if draft.language in ("en", "zh") else "auto", kind="txt")
    return report.findings


def _expand(paths: list[str], skipped: list[Skipped]) -> list[str]:
    """Files as given, folders recursively (known suffixes, sorted), '-' for stdin; missing paths fail.
    A sub-folder that cannot be read is added to `skipped`: it must not vanish from the report."""
    out: list[str] = []
    for raw in paths:
        if raw == "-":
            out.append(raw)
            continue
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(_walk(p, skipped)))
        elif p.exists():
            out.append(raw)
        else:  # the same sentence as rewrite gives: missing, a link loop, a link to nothing
            raise InputError(missing_reason(raw))
    return out


def _walk(folder: Path, skipped: list[Skipped]) -> list[str]:
    """The notices under `folder` (links to folders are not followed, as before); every folder
    that cannot be listed becomes a `Skipped` entry instead of being passed over in silence."""
    import os

    def unreadable(exc: OSError) -> None:
        where = exc.filename or str(folder)
        why = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        skipped.append(Skipped(path=str(where), reason=f"the folder {where} cannot be read ({why})"))

    found: list[str] = []
    for top, _dirs, names in os.walk(folder, onerror=unreadable):
        for name in names:
            path = Path(top) / name
            if path.suffix.lower() in SUFFIXES and path.is_file():
                found.append(str(path))
    return found


def _judged(text: str, path: str, report: FileReport, facts: Facts | None, settings: Settings) -> FileReport:
    """The judge's report for one file. An e-mail whose body is base64 or quoted-printable is
    judged on its decoded text (the model reads what the client reads, and its quotes are
    grounded there), and the judge's positions are mapped back into the file like the rules'."""
    from assistant.judge import judge_file

    doc = build_document(text, kind_for_path(path))
    if doc.origin is None:
        return judge_file(text, report, facts=facts, settings=settings)
    judged = judge_file(doc.text, report, facts=facts, settings=settings)
    findings = [_in_file(doc, f) if f.source == "llm" else f for f in judged.findings]
    return judged.model_copy(update={"findings": sorted(findings, key=_sort_key)})


def check_paths(paths: list[str], *, facts: Facts | None, settings: Settings, use_llm: bool = False) -> Report:
    """Check files, folders (recursively) and '-' (stdin); one `FileReport` per input, in order.
    An input that cannot be read is listed in `Report.skipped` and the rest are still checked (one
    binary file must not cost the report on a whole folder); when none can be read, its error is raised."""
    reports: list[FileReport] = []
    skipped: list[Skipped] = []
    files = _expand(paths, skipped)
    first_error: InputError | None = InputError(skipped[0].reason) if skipped else None
    judge_failure: str | None = None
    for path in files:
        try:
            text = read_input(path, legacy_zh=True)
        except InputError as exc:
            first_error = first_error or exc
            skipped.append(Skipped(path=path, reason=exc.message))
            continue
        report = check_text(text, path=path, facts=facts, settings=settings, language=settings.language)
        if use_llm and judge_failure is None:
            from assistant.errors import LLMServiceError

            try:
                report = _judged(text, path, report, facts, settings)
            except LLMServiceError as exc:  # the rule findings stand; the judge is not asked again
                judge_failure = f"the LLM judge failed on {path}: {exc.message}"
        reports.append(report)
    if first_error is not None and not reports:
        raise first_error
    return Report(files=reports, summary=summarise(reports), skipped=skipped, judge_failure=judge_failure)
