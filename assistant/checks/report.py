"""Rendering a check `Report` for people (text) and for machines (json, sarif, github, junit).

The exit code never depends on the format (SPEC §3), so rendering is pure: a report in, a string
out. CI systems are picky about their formats, hence one small function per format, each following
the consumer's documented rules (SARIF 2.1.0 as GitHub code scanning reads it, GitHub workflow
command escaping, JUnit XML as test dashboards count it).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from io import StringIO
from typing import Any
from urllib.parse import quote

from assistant import __version__
from assistant.checks.catalogue import CHECK_IDS, CHECK_ORDER, catalogue
from assistant.errors import InputError
from assistant.findings import SEVERITY_RANK, FileReport, Finding, Report, Summary, fails, summarise

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github", "junit")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/delaynote/"
FINGERPRINT_KEY = "delaynoteFinding/v1"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
STDIN_PATH = "-"


def render_report(report: Report, fmt: str, *, color: bool | None = None, fail_on: str = "error",
                  width: int | None = None, language: str | None = None) -> str:
    """The report in `fmt` (text, json, sarif, github or junit).

    `color` only matters for text: None decides from the real stdout (a terminal and no
    NO_COLOR), so piped or redirected output never carries ANSI codes. `fail_on` only matters for
    junit: a check fails there exactly when it would fail the run (exit 1). `width` wraps the text
    report's messages to a terminal's columns (None: never wrapped, as for a pipe). `language` (the
    config/CLI's) is the text summary's language when the files are in more than one."""
    renderers: dict[str, Callable[[Report], str]] = {
        "json": render_json, "sarif": render_sarif, "github": render_github,
    }
    report = without_control_characters(report)
    if fmt == "text":
        return render_text(report, color=color, width=width, language=language)
    if fmt == "junit":
        return render_junit(report, fail_on=fail_on)
    if fmt not in renderers:
        raise InputError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderers[fmt](report)


def without_control_characters(report: Report) -> Report:
    """The report with every control character in a path, quote, message or reason shown escaped
    (`\\x1b`): file content and model answers are untrusted, and an ESC sequence must neither act on
    a terminal nor make JUnit XML invalid (issue 15)."""
    from assistant.untrusted import escape_controls as esc

    def finding(f: Finding) -> Finding:
        return f.model_copy(update={"text": esc(f.text) if f.text else f.text, "message": esc(f.message),
                                    "suggestion": esc(f.suggestion) if f.suggestion else f.suggestion})

    files = [file.model_copy(update={
        "path": esc(file.path), "findings": [finding(f) for f in file.findings],
        "scores": None if file.scores is None else [s.model_copy(update={"reason": esc(s.reason)}) for s in file.scores],
    }) for file in report.files]
    skipped = [s.model_copy(update={"path": esc(s.path), "reason": esc(s.reason)}) for s in report.skipped]
    return report.model_copy(update={"files": files, "skipped": skipped})


def _summary(report: Report) -> Summary:
    """Counts always agree with the findings, whoever built the report."""
    summary = summarise(report.files)
    if summary.dropped_ungrounded is None:
        summary.dropped_ungrounded = report.summary.dropped_ungrounded
    return summary


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Positioned findings in reading order, then findings about absent elements, most severe first."""
    return sorted(findings, key=lambda f: (f.line is None, f.line or 0, f.column or 0,
                                           -SEVERITY_RANK[f.severity], f.check))


# --- json -------------------------------------------------------------------------------------

def report_dict(report: Report) -> dict[str, Any]:
    """SPEC §4 JSON: finding keys always present (null when absent); judge-only fields only when it ran."""
    files = []
    for file in report.files:
        entry: dict[str, Any] = {
            "path": file.path,
            "language": file.language,
            "findings": [f.model_dump(mode="json") for f in _ordered(file.findings)],
        }
        if file.scores is not None:
            entry["scores"] = [s.model_dump(mode="json") for s in file.scores]
            entry["dropped_ungrounded"] = file.dropped_ungrounded
        files.append(entry)
    summary = _summary(report).model_dump(mode="json")
    if summary.get("dropped_ungrounded") is None:
        summary.pop("dropped_ungrounded", None)
    out: dict[str, Any] = {"version": report.version, "files": files, "summary": summary}
    if report.skipped:  # inputs that could not be read; the key is absent when every input was read
        out["skipped"] = [s.model_dump(mode="json") for s in report.skipped]
    return out


def render_json(report: Report) -> str:
    import json  # only the json and sarif formats need it; text output starts faster without

    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"


# --- sarif ------------------------------------------------------------------------------------

def _uri(path: str) -> str:
    """A relative URI with forward slashes (GitHub matches alerts to files by it); a file URI when
    the file lies outside the working directory."""
    if path == STDIN_PATH:
        return "stdin"
    path = _repo_path(path)
    if os.path.isabs(path):
        from pathlib import Path

        return Path(path).as_uri()
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return quote(path, safe="/")  # a ":" in the first segment would read as a URI scheme


def _rule_help(check_id: str) -> tuple[str, str]:
    """Plain and Markdown help for one rule, from the catalogue's why and examples."""
    entry = catalogue()[check_id]
    why = entry.get("why", {})
    examples = entry.get("examples", {})
    text_parts = [why.get("en", ""), why.get("zh", "")]
    md_parts = [f"**{entry['title']['en']}** ({entry['principle']}, default {entry['severity']})", "",
                why.get("en", ""), "", why.get("zh", "")]
    for lang in ("en", "zh"):
        example = examples.get(lang) or {}
        if example.get("bad"):
            text_parts.append(f"Bad ({lang}): {example['bad']}")
            md_parts += ["", f"Bad ({lang}):", "", _md_quote(example["bad"])]
        if example.get("good"):
            text_parts.append(f"Good ({lang}): {example['good']}")
            md_parts += ["", f"Good ({lang}):", "", _md_quote(example["good"])]
    return "\n\n".join(p for p in text_parts if p), "\n".join(md_parts).strip() + "\n"


def _md_quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def sarif_rules() -> list[dict[str, Any]]:
    """One reportingDescriptor per check id, in catalogue order (results point at them by index)."""
    rules = []
    entries = catalogue()
    for check_id in CHECK_IDS:
        entry = entries[check_id]
        help_text, help_md = _rule_help(check_id)
        why = entry.get("why", {}).get("en") or entry["title"]["en"]
        rules.append({
            "id": check_id,
            "name": check_id,
            "shortDescription": {"text": entry["title"]["en"]},
            "fullDescription": {"text": why},
            "help": {"text": help_text, "markdown": help_md},
            "defaultConfiguration": {"level": SARIF_LEVEL[entry["severity"]]},
            "properties": {"tags": ["delay-notice", entry["principle"]], "principle": entry["principle"]},
        })
    return rules


def _fingerprint(path: str, finding: Finding, occurrence: int) -> str:
    """Stable across edits elsewhere in the file: no line numbers, only what was found and where."""
    key = "\x1f".join([path, finding.check, finding.text or "", str(occurrence)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _region(finding: Finding) -> dict[str, int]:
    if finding.line is None:
        return {"startLine": 1}  # code scanning requires a location; an absent element has none
    region = {"startLine": finding.line}
    if finding.column is not None:
        region["startColumn"] = finding.column
    if finding.end_line is not None:
        region["endLine"] = finding.end_line
    if finding.end_column is not None:
        region["endColumn"] = finding.end_column
    return region


def _result_message(finding: Finding) -> str:
    """The message, then the suggestion as its own sentence."""
    if not finding.suggestion:
        return finding.message
    suggestion = finding.suggestion[:1].upper() + finding.suggestion[1:]
    if finding.message.endswith((".", "。", "!", "?", "！", "？")):
        return f"{finding.message} {suggestion}"
    return f"{finding.message}. {suggestion}"


def render_sarif(report: Report) -> str:
    """SARIF 2.1.0 with one run, all 18 rules, and a located result per finding."""
    results = []
    for file in report.files:
        uri = _uri(file.path)
        seen: dict[tuple[str, str], int] = {}
        for finding in _ordered(file.findings):
            key = (finding.check, finding.text or "")
            occurrence = seen[key] = seen.get(key, -1) + 1
            result: dict[str, Any] = {"ruleId": finding.check}
            if finding.check in CHECK_ORDER:
                result["ruleIndex"] = CHECK_ORDER[finding.check]
            result.update({
                "level": SARIF_LEVEL[finding.severity],
                "message": {"text": _result_message(finding)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri},
                                                    "region": _region(finding)}}],
                "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(uri, finding, occurrence)},
                "properties": {"principle": finding.principle, "source": finding.source,
                               "language": file.language, "absent": finding.line is None},
            })
            results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "delaynote", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": sarif_rules()}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    import json

    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


# --- github workflow commands -----------------------------------------------------------------

def escape_data(value: str) -> str:
    """GitHub's escaping for a workflow command message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """GitHub's escaping for a workflow command property (file=, title=): data rules plus : and ,."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _repo_path(path: str) -> str:
    """Annotations attach to repository-relative paths: relative to the working directory when inside it."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:
            rel = ".."
        if not rel.startswith(".."):
            path = rel
    return path.replace(os.sep, "/")


def render_github(report: Report) -> str:
    """One `::error|warning|notice` line per finding; absent elements annotate the file, not a line."""
    lines = []
    for file in report.files:
        for finding in _ordered(file.findings):
            props = []
            if file.path != STDIN_PATH:
                props.append(f"file={escape_property(_repo_path(file.path))}")
            if finding.line is not None:
                props.append(f"line={finding.line}")
                if finding.column is not None:
                    props.append(f"col={finding.column}")
                if finding.end_line is not None:
                    props.append(f"endLine={finding.end_line}")
                if finding.end_column is not None:
                    props.append(f"endColumn={finding.end_column}")
            props.append(f"title={escape_property(finding.check)}")
            message = finding.message + (f"\n{finding.suggestion}" if finding.suggestion else "")
            lines.append(f"::{GITHUB_COMMAND[finding.severity]} {','.join(props)}::{escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


# --- junit ------------------------------------------------------------------------------------

def _finding_line(finding: Finding) -> str:
    where = f"{finding.line}:{finding.column or 1}" if finding.line is not None else "-"
    line = f"{where} {finding.severity} {finding.check}: {finding.message}"
    if finding.suggestion:
        line += f"\n    {finding.suggestion}"
    return line


def render_junit(report: Report, *, fail_on: str = "error") -> str:
    """One testsuite per file; one testcase per check that fired, or one passing testcase. A check
    fails when a finding reaches `fail_on` (as the exit code does); below it the testcase passes
    and carries its findings in <system-out>, so a dashboard is red exactly when the run failed."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="delaynote")
    total_tests = total_failures = 0
    for file in report.files:
        by_check: dict[str, list[Finding]] = {}
        for finding in _ordered(file.findings):
            by_check.setdefault(finding.check, []).append(finding)
        suite = ET.SubElement(root, "testsuite", name=file.path)
        failures = 0
        if not by_check:
            ET.SubElement(suite, "testcase", classname=file.path, name="delay-notice")
        for check_id in sorted(by_check, key=lambda c: (CHECK_ORDER.get(c, len(CHECK_ORDER)), c)):
            found = by_check[check_id]
            worst = max(found, key=lambda f: SEVERITY_RANK[f.severity]).severity
            case = ET.SubElement(suite, "testcase", classname=file.path, name=check_id)
            lines = "\n".join(_finding_line(f) for f in found)
            if not fails(found, fail_on):
                ET.SubElement(case, "system-out").text = lines
                continue
            failures += 1
            failure = ET.SubElement(case, "failure", type=worst,
                                    message=found[0].message if len(found) == 1
                                    else f"{len(found)} findings: {found[0].message}")
            failure.text = lines
        tests = max(len(by_check), 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- text -------------------------------------------------------------------------------------

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
QUOTE_PAIRS = {'"': '"', "“": "”", "「": "」", "『": "』", "‘": "’", "'": "'"}


def use_color(stream: Any = None, env: dict[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org) or the terminal is
    TERM=dumb (Emacs shells, some CI logs: it shows escape codes as text)."""
    env = dict(os.environ) if env is None else env
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def quoted_spans(message: str, quoted: str | None) -> list[tuple[int, int]]:
    """Spans of `message` to highlight: the finding's own text, else anything in quotes.

    A single left-to-right scan (no regex), so a long message can never make it slow."""
    if quoted:
        spans, start = [], message.find(quoted)
        while start != -1 and quoted:
            spans.append((start, start + len(quoted)))
            start = message.find(quoted, start + len(quoted))
        if spans:
            return spans
    spans = []
    i = 0
    while i < len(message):
        close = QUOTE_PAIRS.get(message[i])
        if close is not None and not (message[i] == "'" and i > 0 and message[i - 1].isalnum()):
            end = message.find(close, i + 1)
            if end > i + 1 and "\n" not in message[i + 1:end]:
                spans.append((i + 1, end))
                i = end + 1
                continue
        i += 1
    return spans


def summary_line(summary: Summary, lang: str = "en") -> str:
    """e.g. '3 errors, 1 warning, 0 info in 2 files' / '共 2 个文件：3 条错误，1 条警告，0 条提示'."""
    from assistant.checks.labels import count, counts, label

    numbers = {"error": summary.error, "warning": summary.warning, "info": summary.info}
    line = label(lang, "summary", counts=counts(lang, numbers), files=count(lang, "file", summary.files))
    if summary.dropped_ungrounded:
        line += label(lang, "dropped", n=summary.dropped_ungrounded)
    return line


Segment = tuple[str, str]  # (text, Rich style; "" for none)


def _highlighted(message: str, quoted: str | None) -> list[Segment]:
    segments: list[Segment] = []
    last = 0
    for a, b in quoted_spans(message, quoted):
        segments += [(message[last:a], ""), (message[a:b], "bold magenta")]
        last = b
    return [*segments, (message[last:], "")]


def _wrapped(segments: list[Segment], width: int | None, used: int, indent: int) -> list[list[Segment]]:
    """`segments` (one message, its parts styled) as lines that fit `width` columns after `used`
    columns of the first line, continuation lines indented by `indent` (see `assistant.wrap`)."""
    if not width:
        return [segments]
    from assistant.wrap import wrap_spans

    text = "".join(part for part, _ in segments)
    spans = wrap_spans(text, width, first=used, rest=indent)
    bounds, at = [], 0
    for part, style in segments:
        bounds.append((at, at + len(part), style))
        at += len(part)
    lines = []
    for i, (a, b) in enumerate(spans):
        line: list[Segment] = [(" " * indent, "")] if i else []
        line += [(text[max(a, s):min(b, e)], style) for s, e, style in bounds if max(a, s) < min(b, e)]
        lines.append(line)
    return lines


def _file_block(file: FileReport, columns: int | None = None) -> list[list[Segment]]:
    """One file's lines as styled segments, so plain output needs no Rich at all; messages and
    suggestions wrapped to `columns` with a hanging indent under the message column."""
    from assistant.checks.labels import label, padded_severity
    from assistant.wrap import text_width

    lang = file.language
    lines: list[list[Segment]] = [[(file.path, "bold underline"), (f"  ({lang})", "dim")]]
    findings = _ordered(file.findings)
    if not findings:
        lines.append([("  " + label(lang, "file-clean"), "green")])
    width = max((len(f"{f.line}:{f.column or 1}") for f in findings if f.line is not None), default=1)
    check_width = max((len(f.check) for f in findings), default=0)
    for finding in findings:
        where = f"{finding.line}:{finding.column or 1}" if finding.line is not None else "-"
        head: list[Segment] = [
            ("  ", ""), (where.ljust(width), "dim"), ("  ", ""),
            (padded_severity(lang, finding.severity), SEVERITY_STYLE[finding.severity]), ("  ", ""),
            (finding.check.ljust(check_width), "bold"), ("  ", ""),
        ]
        message = _highlighted(finding.message, finding.text)
        if finding.source == "llm":
            message.append(("  [llm]", "dim"))
        column = sum(text_width(part) for part, _ in head)  # columns: a Chinese label takes two each
        rows = _wrapped(message, columns, column, column if columns and columns - column >= 30 else 6)
        lines.append(head + rows[0])
        lines += rows[1:]
        if finding.suggestion:
            lines += [[(" " * (width + 4), ""), *row] for row in _wrapped(
                [("-> " + finding.suggestion, "green")], columns and columns - width - 4, 0, 3)]
    if file.scores:
        scores = label(lang, "separator").join(f"{s.principle} {s.score}/5" for s in file.scores)
        lines.append([("  " + label(lang, "scores", scores=scores), "dim")])
    return lines


def render_text(report: Report, *, color: bool | None = None, width: int | None = None,
                language: str | None = None) -> str:
    """For people: grouped by file, `line:col severity check message`, the suggestion below, a summary.
    Each file's labels are in its language; the summary in the files' one language, else in
    `language` (the config/CLI's) when it names one, else English."""
    from assistant.checks.labels import report_language

    color = use_color() if color is None else color
    lines: list[list[Segment]] = []
    for i, file in enumerate(report.files):
        if i:
            lines.append([])
        lines += _file_block(file, width)
    summary = _summary(report)
    if report.files:
        lines.append([])
    lang = report_language((file.language for file in report.files), language)
    lines.append([(summary_line(summary, lang), "bold red" if summary.error else "yellow" if summary.warning else "green")])
    if not color:  # plain: pipes, files, NO_COLOR; skipping Rich keeps `check` quick to start
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    from rich.console import Console
    from rich.text import Text

    buffer = StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", highlight=False, emoji=False,
                      markup=False, width=10_000, legacy_windows=False)
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=style or None)
        console.print(text, soft_wrap=True)
    return buffer.getvalue()
