"""The bodies of `delaynote update`, `sent` and `log` (the CLI only parses options and calls these)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.drafting import Draft
from assistant.errors import InputError
from assistant.facts import Facts, load_facts, refuse_mixed_language
from assistant.followup.history import Sent, default_path, open_history, text_hash
from assistant.followup.progress import Progress, delivery_after, load_progress, next_update_after

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.followup.drafting import Told


def _configured() -> str | None:
    """`[followup] history` from the configuration found from here (delaynote.toml or pyproject.toml)."""
    from assistant.config import load_settings

    return load_settings().followup.history


def message_text(path: str) -> str:
    """A sent message's text as the client reads it: an .eml file is decoded (Subject and body,
    quoted-printable or base64 undone), anything else is read as it is."""
    from assistant.textio import read_input

    raw = read_input(path)
    if path.lower().endswith(".eml"):
        from assistant.checks.document import build_document

        return build_document(raw, "eml").text
    return raw


def _say(line: str) -> None:
    print(f"delaynote: {line}", file=sys.stderr, flush=True)


def load_told(path: Path, facts: Facts, *, required: bool) -> tuple[bool, list[Sent]]:
    """Whether there is a history for these facts (another project's is refused), and what it holds,
    oldest first; (False, []) when there is none yet and none was asked for by name."""
    if not path.exists() and not required:
        return False, []
    history = open_history(path, facts.project, create=False)
    try:
        return True, history.messages()
    finally:
        history.close()


def told_from(messages: list[Sent]) -> Told:
    """What the drafter needs to know of the past: the last message and how often the date moved."""
    from assistant.followup.drafting import Told

    if not messages:
        return Told()
    last = messages[-1]
    slips = 1 + sum(1 for m in messages if m.kind == "update" and m.status == "slipped")
    given = last.sent_on
    for m in reversed(messages):  # back to the message that first gave the date that still stands
        if m.delivery_date != last.delivery_date:
            break
        given = m.sent_on
    return Told(last_sent_on=last.sent_on, promised_next=last.next_update, slips=slips, given_on=given)


def make_record(facts: Facts, progress: Progress | None, text: str, *, channel: str | None = None,
                sent_on: date | None = None, source: str | None = None) -> Sent:
    """The row for one sent message: the dates and promises it made, and the hash of its text."""
    from assistant.checks.datefind import find_mentions

    reference = progress.update_date if progress else facts.notice_date
    dates = sorted({d.isoformat() for m in find_mentions(text, reference) if m.kind == "date" for d in m.dates[:1]})
    phases = [{"name": p.name, "due": p.due.isoformat()} for p in facts.phases]
    if progress is None:
        return Sent(sent_on=sent_on or facts.notice_date, kind="notice", language=facts.language,
                    channel=channel or facts.channel, original_date=facts.original_date,
                    delivery_date=facts.new_date, next_update=facts.next_update, phases=phases,
                    promises=list(facts.mitigations), text_dates=dates, text_sha256=text_hash(text), source=source)
    promises = list(facts.mitigations) + (list(progress.slipped.changes) if progress.slipped else [])
    return Sent(sent_on=sent_on or progress.update_date, kind="update", status=progress.status,
                language=facts.language, channel=channel or facts.channel, original_date=facts.original_date,
                delivery_date=delivery_after(progress, facts.new_date),
                next_update=next_update_after(progress, facts, facts.new_date), phases=phases, promises=promises,
                text_dates=dates, text_sha256=text_hash(text), source=source)


def record_sent(history_path: Path, facts: Facts, progress: Progress | None, text: str, **kwargs: Any) -> Sent:
    """Store one sent message in the history (created when absent) and say so on stderr."""
    history = open_history(history_path, facts.project, create=True)
    try:
        sent = history.add(make_record(facts, progress, text, **kwargs))
    finally:
        history.close()
    what = "notice" if sent.kind == "notice" else f"update ({sent.status})"
    nxt = f", next update {sent.next_update.isoformat()}" if sent.next_update else ""
    _say(f"recorded the {what} sent on {sent.sent_on.isoformat()} by {sent.channel} "
         f"(delivery {sent.delivery_date.isoformat()}{nxt}) in {history_path}")
    return sent


def prepare_update(facts_path: str, progress_path: str, overrides: dict[str, str], history_path: Path | None,
                   *, flag_lang: bool, record: bool, configured: str | None = None
                   ) -> tuple[Facts, Progress, list[Sent], Path]:
    """Load and validate everything an update needs; every refusal happens here, before any drafting."""
    facts = load_facts(facts_path)
    if overrides:
        facts = facts.model_copy(update=overrides)
    refuse_mixed_language(facts, flag=flag_lang)
    path = history_path or default_path(facts_path, configured)
    found, told = load_told(path, facts, required=history_path is not None and not record)
    if not found and not record:
        _say(f"no history at {path}, so fact-drift and missed-update are not checked "
             "(`delaynote sent` records what was sent)")
    progress = load_progress(progress_path, facts)  # the facts hold the date; fact-drift compares it with the past
    from assistant.followup.progress import refuse_mixed_progress

    refuse_mixed_progress(progress, facts.language, "stdin" if progress_path == "-" else str(progress_path))
    return facts, progress, told, path


def check_update(draft: Draft, facts: Facts, progress: Progress, told: list[Sent], settings: Settings) -> list:
    """The notice checks that apply to an update, on the facts as the update states them, plus the
    three update checks."""
    from assistant.checks import check_draft, draft_text
    from assistant.followup.checks import facts_for_update, skipped_checks, update_date_texts, update_findings

    skip = skipped_checks(progress)
    narrowed = settings.model_copy(update={"disable": sorted(set(settings.disable) | skip)})
    known = update_date_texts(facts, progress, told)
    findings = [f for f in check_draft(draft, facts_for_update(facts, progress), narrowed)
                if not (f.check == "fact-mismatch" and f.text in known)]  # a date of the update, not of the notice
    text = draft_text(draft.subject, draft.body)
    found = update_findings(text, facts.language, facts, progress, told, settings)
    if found:  # inline suppression (<!-- delaynote-disable... -->) holds for the update checks too
        from assistant.checks.document import build_document

        doc = build_document(text, "txt")
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        found = [f for f in found if not doc.suppressed(
            f.check, None if f.line is None else starts[f.line - 1] + (f.column or 1) - 1)]
    return findings + found


def draft_update(facts: Facts, progress: Progress, told: list[Sent], settings: Settings, *, use_llm: bool,
                 max_revisions: int = 2, verbose: bool = False) -> Draft:
    """The update, offline or by the LLM, with its findings."""
    if use_llm:
        from assistant.followup.llm import update_with_llm

        return update_with_llm(facts, progress, told, settings, max_revisions=max_revisions, verbose=verbose)
    from assistant.followup.drafting import draft_update_offline

    draft = draft_update_offline(facts, progress, told_from(told))
    draft.findings = check_update(draft, facts, progress, told, settings)
    return draft


def log_messages(history_path: Path, facts: Facts | None) -> tuple[str, list[Sent]]:
    """The project name and the messages of a history, newest first."""
    project = facts.project if facts else None
    history = open_history(history_path, project, create=False)
    try:
        name = project or history.project_name()
        return name, list(reversed(history.messages()))
    finally:
        history.close()


def render_log(project: str, path: Path, messages: list[Sent], fmt: str) -> str:
    """`delaynote log`: text for people, or JSON."""
    if fmt == "json":
        return json.dumps({"version": 1, "project": project, "history": str(path),
                           "messages": [m.to_json() for m in messages]}, ensure_ascii=False, indent=2) + "\n"
    if not messages:
        return f"{project}: nothing recorded as sent yet ({path})\n"
    lines = [f"{project}: {len(messages)} message{'s' if len(messages) != 1 else ''} sent, newest first ({path})", ""]
    for m in messages:
        what = "notice" if m.kind == "notice" else f"update, {m.status.replace('_', ' ')}"
        nxt = f"; next update {m.next_update.isoformat()}" if m.next_update else ""
        lines.append(f"{m.sent_on.isoformat()}  {what} by {m.channel} ({m.language}): "
                     f"delivery {m.delivery_date.isoformat()}{nxt}  [sha256 {m.text_sha256[:12]}]")
        if m.promises:
            lines.append(f"            promised: {'; '.join(m.promises)}")
    return "\n".join(lines) + "\n"


def check_history(path: Path, facts: Facts) -> None:
    """Refuse at once a history that could not take a record for these facts (foreign, damaged,
    another project's); a missing one is fine, it is created on the first record."""
    if path.exists():
        open_history(path, facts.project, create=False).close()


def run_update(facts_path: str, progress_path: str, *, settings: Settings, lang: str | None, channel: str | None,
               tone: str | None, provider: str, fmt: str, out: Path | None, force: bool, record: bool,
               history: Path | None, max_revisions: int, verbose: bool) -> None:
    """`delaynote update`: load, draft, check, print or write, and record when asked."""
    from assistant.checks import draft_text
    from assistant.config import llm_configured
    from assistant.render import eml_refusal, print_findings_summary, render_draft
    from assistant.textio import check_can_write

    if out is not None:
        check_can_write(out, force=force)
    overrides = {k: v for k, v in {"language": lang, "channel": channel, "tone": tone}.items() if v}
    facts, progress, told, path = prepare_update(facts_path, progress_path, overrides, history,
                                                 flag_lang=bool(lang), record=record,
                                                 configured=settings.followup.history)
    if record:
        check_history(path, facts)
    if fmt == "eml" and (refusal := eml_refusal(facts.channel)):
        raise InputError(refusal)
    use_llm = provider == "openai" or (provider == "auto" and llm_configured(settings))
    result = draft_update(facts, progress, told, settings, use_llm=use_llm, max_revisions=max_revisions,
                          verbose=verbose)
    from assistant.followup.checks import facts_for_update

    content = render_draft(result, facts_for_update(facts, progress), fmt)  # type: ignore[arg-type]  # eml: the update's date
    if out is not None:
        from assistant.textio import write_new_file

        write_new_file(out, content, force=force)
        _say(f"wrote {out}")
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        sys.stdout.flush()
    if fmt != "json":
        print_findings_summary(result, verbose=verbose)
    if record:
        record_sent(path, facts, progress, draft_text(result.subject, result.body))


def run_sent(file: str, facts_path: str, *, progress: str | None, on: str | None, channel: str | None,
             history: Path | None) -> Sent:
    """`delaynote sent FILE`: record a message the user sent (checked against the history first)."""
    from assistant.dates import parse_iso_date

    facts = load_facts(facts_path)
    path = history or default_path(facts_path, _configured())
    check_history(path, facts)
    loaded = load_progress(progress, facts) if progress else None
    text = message_text(file)
    if not text.strip():
        raise InputError(f"{'stdin' if file == '-' else file} is empty: there is no message to record")
    day = None
    if on is not None:
        try:
            day = parse_iso_date(on)
        except ValueError as exc:
            raise InputError(f"--date: {exc}") from None
    if loaded is not None and path.exists():  # what was sent is recorded as sent; a quiet change is said once
        from assistant.followup.checks import update_findings

        _, told = load_told(path, facts, required=True)
        for finding in update_findings(text, facts.language, facts, loaded, told):
            _say(f"{finding.severity}: {finding.check}: {finding.message}")
    return record_sent(path, facts, loaded, text, channel=channel, sent_on=day,
                       source=None if file == "-" else Path(file).name)


def run_log(facts_path: str | None, history: Path | None, fmt: str) -> str:
    """`delaynote log`: the history beside the facts (or --history), newest first."""
    if facts_path is None and history is None:
        raise InputError("log needs --facts FILE (the history beside it) or --history FILE")
    facts = load_facts(facts_path) if facts_path else None
    path = history or default_path(facts_path, _configured())
    project, messages = log_messages(path, facts)
    return render_log(project, path, messages, fmt)


def run_schedule(facts_path: str, history: Path | None, *, tz: str | None, at: str, remind: str) -> bytes:
    """`delaynote schedule`: the calendar, from the facts and the last message sent (if any); the
    events in `tz`, else the facts' `timezone`, else UTC."""
    from assistant.followup.schedule import build_calendar

    facts = load_facts(facts_path)
    path = history or default_path(facts_path, _configured())
    _, told = load_told(path, facts, required=history is not None)
    return build_calendar(facts, last=told[-1] if told else None, sent_count=len(told),
                          tz=tz or facts.timezone or "UTC", at=at, remind=remind)


def run_update_check(facts_path: str, progress_path: str, text_path: str, *, settings: Settings,
                     history: Path | None, fmt: str) -> bool:
    """`delaynote update --check FILE`: check an update written or edited by hand, with the notice
    checks that apply and the three update checks; prints the report and returns whether it fails."""
    from assistant.checks.report import render_report
    from assistant.findings import FileReport, Report, fails, summarise

    if fmt not in ("text", "json"):
        raise InputError(f"--check reports as text or json, not {fmt}")
    facts, progress, told, _ = prepare_update(facts_path, progress_path, {}, history, flag_lang=False, record=False,
                                              configured=settings.followup.history)
    text = message_text(text_path)
    draft = Draft(language=facts.language, channel=facts.channel, subject=None, body=text)
    findings = check_update(draft, facts, progress, told, settings)
    files = [FileReport(path=text_path, language=facts.language, findings=findings)]
    report = Report(files=files, summary=summarise(files))
    out = render_report(report, fmt, fail_on=settings.fail_on)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return fails(findings, settings.fail_on)
