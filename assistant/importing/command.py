"""`delaynote import FILE --facts FACTS`: read an export, merge it into the facts file, check the
result like any facts file, then show a diff (`--dry-run`) or write it (keeping FACTS.bak)."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.importing import detect, generic, github, jira, linear, pingcode, worktile
from assistant.importing.grouping import Plan, make_plan
from assistant.importing.model import Task
from assistant.importing.spec import parse_map, tasks_from_table
from assistant.importing.statuses import classify, parse_status_options
from assistant.importing.table import Table, decode_export, read_export, read_table

SPECS = {"jira": jira.SPEC, "linear": linear.SPEC, "github": github.SPEC, "worktile": worktile.SPEC,
         "pingcode": pingcode.SPEC, "csv": generic.SPEC}
LISTS = {"phases", "completed", "pending"}


def _facts_zone(text: str, source: str) -> str | None:
    """The facts file's own `timezone` key, read without validating the rest (an import may be
    what makes the file valid); None when it has none or cannot be read as a mapping."""
    from assistant.facts import parse_facts_text

    try:
        data = parse_facts_text(text, source)
    except InputError:
        return None  # the merge reports the broken file in its own words
    zone = data.get("timezone") if isinstance(data, dict) else None
    return zone.strip() if isinstance(zone, str) and zone.strip() else None


def resolve_zone(name: str | None, flag: str = "--timezone") -> tzinfo:
    """`--timezone` (or the facts' `timezone`, named by `flag`) as a tzinfo; without either, this
    machine's local zone."""
    if not name:
        zone = datetime.now().astimezone().tzinfo
        assert zone is not None
        return zone
    from assistant.dates import ZONE_EXAMPLES, known_zone

    found = known_zone(name)
    if found is None:
        raise InputError(f"{flag} {name!r} is not a time zone name; {ZONE_EXAMPLES}")
    return found


def read_tasks(file: Path, *, fmt: str | None, maps: list[str], zone: tzinfo) -> tuple[list[Task], str, list[str]]:
    """The export's tasks, the format they were read as, and the export's column (field) names."""
    from assistant.importing.xlsx import ZIP_MAGIC

    source = "stdin" if str(file) == "-" else str(file)
    data = read_export(file)
    mapped = parse_map(maps)
    if data.startswith(ZIP_MAGIC):
        if fmt in detect.JSON_FORMATS:
            raise InputError(f"--format {fmt} reads a saved JSON answer, but {source} is an Excel workbook")
        from assistant.importing.xlsx import read_xlsx

        return _from_table(read_xlsx(data, source), fmt, mapped, zone)
    text = decode_export(data, source)
    if not text.strip():
        raise InputError(f"{source} is empty: export the tasks from the tool first")
    if not (text.lstrip().startswith(("{", "[")) and fmt not in detect.CSV_FORMATS):
        if fmt in detect.JSON_FORMATS:
            raise InputError(f"--format {fmt} reads a saved JSON answer, but {source} is not JSON")
        return _from_table(read_table(text, source), fmt, mapped, zone)
    try:
        parsed: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    # An API answers in pages (Jira 100 issues at most, GitHub 100 items): `jq -s . page*.json` keeps them as a list.
    pages = parsed if isinstance(parsed, list) and all(isinstance(p, dict) for p in parsed) else [parsed]
    fmt = fmt or (detect.detect_json(pages[0]) if pages else None)
    if fmt is None:
        raise InputError(f"{source} is JSON but neither a Jira search answer (\"issues\") nor a GitHub Projects "
                         "GraphQL answer (\"items\"); save the API's answer as it came, or use --format")
    if mapped:
        raise InputError("--map names CSV columns; a JSON export has fixed fields (use --group-by FIELD)")
    tasks: list[Task] = []
    for n, page in enumerate(pages, start=1):
        where = f"{source} (page {n})" if len(pages) > 1 else source
        if fmt == "jira-json":
            if not jira.looks_like_rest(page):
                raise InputError(f"{where} is not a Jira search answer: it has no \"issues\" list")
            tasks += jira.tasks_from_rest(page, where, zone)
        else:
            if github.find_items(page) is None:
                raise InputError(f"{where} is not a GitHub Projects GraphQL answer: it has no \"items\"")
            tasks += github.tasks_from_graphql(page, where, zone)
    if not tasks:
        raise InputError(f"{source} has no tasks: no item has a name")
    return tasks, fmt, sorted({k for t in tasks for k in t.groups})


def _from_table(table: Table, fmt: str | None, mapped: dict[str, str], zone: tzinfo) -> tuple[list[Task], str, list[str]]:
    fmt = fmt or detect.detect_csv(table) or ("csv" if mapped else None)
    if fmt is None:
        raise InputError(f"{table.source}: cannot tell which tool wrote it (its columns: {', '.join(table.header)}); "
                         "pass --format jira|linear|github|worktile|pingcode, or name the columns with "
                         "--map name=COLUMN,due=COLUMN,status=COLUMN")
    tasks = tasks_from_table(table, SPECS[fmt].with_map(mapped), zone, mapped=mapped)
    if not tasks:
        raise InputError(f"{table.source} has no tasks: no row has a task name")
    return tasks, fmt, list(dict.fromkeys(table.header))


def _plan_summary(plan: Plan) -> str:
    return (f"{len(plan.phases)} phase{'s' if len(plan.phases) != 1 else ''}, {len(plan.completed)} done, "
            f"{len(plan.pending)} pending")


def run_import(file: Path, *, facts: Path, fmt: str | None, maps: list[str], statuses: list[str],
               group_by: str | None, timezone: str | None, dry_run: bool, prune: bool) -> None:
    """The whole command; every failure is an InputError (exit 2) and leaves the facts file untouched."""
    from assistant.facts import FactsError, parse_facts_text, validate_facts
    from assistant.textio import decode_file, missing_reason, read_limited

    user_statuses = parse_status_options(statuses)
    if str(facts) == "-":
        raise InputError("--facts needs a file: import edits the facts file in place, which stdin cannot be")
    if not facts.exists():
        raise InputError(f"--facts {facts}: {missing_reason(facts)}; create it first with `delaynote init {facts}`")
    try:
        stored = decode_file(read_limited(facts), str(facts))
    except OSError as exc:
        raise InputError(f"{facts} cannot be read: {exc.strerror}") from None
    original = stored.text
    zone = resolve_zone(timezone or _facts_zone(original, str(facts)), flag="--timezone" if timezone else
                        f"{facts}: timezone")
    tasks, fmt, columns = read_tasks(file, fmt=fmt, maps=maps, zone=zone)
    classify(tasks, user_statuses, source=str(file))
    plan = make_plan(tasks, group_by, source=str(file), columns=columns)
    if original.lstrip().startswith("{"):
        edited, changes, notes = _merge_json(original, plan, prune, str(facts))
    else:
        edited, changes, notes = _merge_yaml(original, plan, prune, str(facts))
    say = _stderr
    label = "stdin" if str(file) == "-" else str(file)
    say(f"read {len(tasks)} tasks from {label} ({detect.LABELS[fmt]}): {_plan_summary(plan)}")
    if plan.skipped:
        words = sorted({t.status for t in plan.skipped})
        say(f"left out {len(plan.skipped)} task{'s' if len(plan.skipped) != 1 else ''} whose status means skip "
            f"({', '.join(words)})")
    for note in notes:
        say(f"note: {note}")
    if edited == original:
        say(f"{facts} already matches {label}; nothing to change")
        return
    if dry_run:
        diff = difflib.unified_diff(original.splitlines(keepends=True), edited.splitlines(keepends=True),
                                    fromfile=f"{facts}", tofile=f"{facts} (after import)")
        sys.stdout.write("".join(line if line.endswith("\n") else line + "\n" for line in diff))
        sys.stdout.flush()
    try:
        validate_facts(parse_facts_text(edited, str(facts)), str(facts))
    except FactsError as exc:
        before = set(_problems(original, str(facts)))
        count = len(exc.problems)
        raise InputError(f"{facts} is not changed: with this import it would have {count} problem"
                         f"{'s' if count != 1 else ''} (fix them in the tool or in the facts file, then import again)",
                         details=[d + (" (already so before the import)" if d in before else "")
                                  for d in exc.details]) from None
    for change in changes:
        say(f"  - {change}")
    if dry_run:
        say(f"--dry-run: {facts} is not changed")
        return
    _write(facts, stored.encode(edited))
    say(f"updated {facts} ({len(changes)} change{'s' if len(changes) != 1 else ''}); "
        f"the file as it was is in {facts}.bak")


def _problems(text: str, source: str) -> list[str]:
    """The validation problems of a facts text, as `FactsError.details` words them (none when valid)."""
    from assistant.errors import DelaynoteError
    from assistant.facts import parse_facts_text, validate_facts

    try:
        validate_facts(parse_facts_text(text, source), source)
    except DelaynoteError as exc:
        return exc.details
    return []


def _merge_yaml(original: str, plan: Plan, prune: bool, source: str) -> tuple[str, list[str], list[str]]:
    """A YAML facts file: ruamel round-trip merge, then only the changed keys' lines spliced into the original."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from assistant.importing.merge import Merger
    from assistant.importing.yamledit import dump, make_yaml, splice

    yaml = make_yaml(original)
    try:
        doc = yaml.load(original)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"{source}: {where}invalid YAML: {exc.problem or exc}") from None
    except YAMLError as exc:
        raise InputError(f"{source}: invalid YAML: {exc}") from None
    if not isinstance(doc, CommentedMap):
        raise InputError(f"{source} must hold a mapping of keys (project, client, …)")
    merger = Merger(doc, prune=prune)
    merger.apply(plan)
    if not merger.changes:
        return original, [], merger.notes
    edited = dump(yaml, doc)
    spliced = splice(original, edited, LISTS)
    return (spliced if _same_data(spliced, edited) else edited), merger.changes, merger.notes


def _same_data(a: str, b: str) -> bool:
    """Whether two YAML texts hold the same data: the splice must never change what ruamel wrote,
    only how the untouched part looks (an odd layout it misreads falls back to ruamel's text)."""
    from assistant.facts import parse_facts_text

    if a == b:
        return True
    try:
        return parse_facts_text(a) == parse_facts_text(b)
    except InputError:
        return False


def _merge_json(original: str, plan: Plan, prune: bool, source: str) -> tuple[str, list[str], list[str]]:
    """A JSON facts file: the same merge (JSON is YAML), written back as indented JSON (no comments, no ids)."""
    from assistant.importing.merge import Merger
    from assistant.importing.yamledit import make_yaml

    try:
        doc = make_yaml(original).load(original)
    except Exception:
        raise InputError(f"{source}: invalid JSON; check it with `delaynote draft --facts {source}`") from None
    merger = Merger(doc, prune=prune)
    merger.apply(plan)
    if not merger.changes:
        return original, [], merger.notes
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
    return text, merger.changes, merger.notes


def _write(path: Path, data: bytes) -> None:
    """FACTS.bak gets the file as it was, then the new content replaces FACTS in one step
    (a crash leaves the old or the new file, never half of one)."""
    backup = path.with_name(path.name + ".bak")
    try:
        shutil.copy2(path, backup)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            shutil.copymode(path, tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"{path} cannot be written: {exc.strerror}") from None


def _stderr(message: str) -> None:
    print(f"delaynote: {message}" if not message.startswith("  ") else message, file=sys.stderr)
