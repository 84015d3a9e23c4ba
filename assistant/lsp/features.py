"""What the language server says about one notice, as plain data (no LSP types, no pygls).

Positions are 0-based (line, character) in code points on lines split at "\\n", the way the
checker counts; the server turns them into the client's units. Keeping this free of pygls lets
the mapping be tested directly and lets the benchmark time exactly what the server runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.checks import SUFFIXES, check_text
from assistant.checks.document import kind_for_path
from assistant.config import Settings
from assistant.findings import Finding

# LSP languageId -> the checker's kind, for documents whose name says nothing (untitled buffers).
LANGUAGE_KINDS = {"markdown": "md", "plaintext": "txt", "text": "txt", "html": "html", "email": "eml", "eml": "eml",
                  "mail": "eml"}

Pos = tuple[int, int]


@dataclass(frozen=True)
class Problem:
    """One finding placed in the document: `start`/`end` are 0-based (line, character)."""

    finding: Finding
    start: Pos
    end: Pos
    positioned: bool  # False for something absent (missing-*): shown on the first line


@dataclass(frozen=True)
class Action:
    """A code action as data: a title and the edits (start, end, new text) that carry it out."""

    title: str
    edits: tuple[tuple[Pos, Pos, str], ...]
    finding: Finding
    preferred: bool = False


def kind_for(path: str, language_id: str | None) -> str | None:
    """The checker's file kind for a document, or None when the server should leave it alone."""
    suffix = Path(path).suffix.lower()
    if suffix in SUFFIXES:
        return kind_for_path(path)
    return LANGUAGE_KINDS.get((language_id or "").lower())


def lines_of(text: str) -> list[str]:
    """The document's lines split at "\\n" (each keeps its ending), as the checker counts them."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def _clamp(lines: list[str], line: int, column: int) -> Pos:
    """A 1-based checker position as a 0-based one that exists in the document."""
    row = min(max(line - 1, 0), len(lines) - 1)
    width = len(lines[row].rstrip("\r\n"))
    return row, min(max(column - 1, 0), width)


def problems(text: str, path: str, kind: str, settings: Settings) -> tuple[str, list[Problem]]:
    """Check the text as `delaynote check` would; its language and each finding placed in it."""
    report = check_text(text, path=path, settings=settings, language=settings.language, kind=kind)
    lines = lines_of(text)
    out = []
    for f in report.findings:
        if f.line is None:
            out.append(Problem(f, (0, 0), (0, len(lines[0].rstrip("\r\n"))), positioned=False))
            continue
        start = _clamp(lines, f.line, f.column or 1)
        end = _clamp(lines, f.end_line or f.line, f.end_column or (f.column or 1) + len(f.text or ""))
        out.append(Problem(f, start, max(start, end), positioned=True))
    return report.language, out


def message(f: Finding) -> str:
    """The diagnostic's text: the finding's message and, on a second line, what to do."""
    return f"{f.message}\n{f.suggestion}" if f.suggestion else f.message


def touches(p: Problem, start: Pos, end: Pos) -> bool:
    """Whether a problem's range meets [start, end] (a cursor touching either edge counts)."""
    return p.start <= end and start <= p.end


HOVER_COLUMNS = 88
"""A hover has no terminal, and an editor shows a code block without wrapping it: the page is
wrapped to this many columns."""


def hover_text(p: Problem) -> str:
    """Markdown for a hover: the finding, then the rule page that `delaynote rules ID` prints."""
    from assistant.checks.catalogue import render_rules

    page = render_rules(p.finding.check, width=HOVER_COLUMNS)
    return f"**delaynote {p.finding.check}**: {message(p.finding)}\n\n```text\n{page}\n```"


def _offset(lines: list[str], pos: Pos) -> int:
    return sum(len(line) for line in lines[:pos[0]]) + pos[1]


def _position(lines: list[str], offset: int) -> Pos:
    for row, line in enumerate(lines):
        if offset < len(line) or row == len(lines) - 1:
            return row, offset
        offset -= len(line)
    return len(lines) - 1, 0


def replacement(text: str, p: Problem, lang: str) -> Action | None:
    """The jargon finding's plain words as an edit - the offline rewrite's own edit, which explains
    the term in brackets where it ends its noun phrase ("a blocker (a problem that stops the
    work)") - or None where the rewrite leaves it (a modifier, a verb, no plain words)."""
    if p.finding.check != "jargon" or not p.positioned:
        return None
    from assistant.rewrite_edits import jargon_edit

    lines = lines_of(text)
    start, end = _offset(lines, p.start), _offset(lines, p.end)
    edit = jargon_edit(text, start, end, lang)
    if isinstance(edit, str):  # a reason the term is left as written (a modifier, a verb)
        return None
    a, b, new = edit
    old = text[a:b]
    term = text[start:end]
    title = (f'Explain "{term}": add "{new.strip()}"' if a == b  # the rewrite explains the term in place
             else f'Replace "{old}" with "{new}"')
    return Action(title, ((_position(lines, a), _position(lines, b), new),), p.finding, preferred=True)


def _comment(kind: str, directive: str) -> str:
    """A suppression comment in the form the file type hides from its reader: an HTML comment in
    Markdown and HTML; `#` in plain text and e-mail bodies, where a `<!-- -->` would be shown."""
    return f"<!-- {directive} -->" if kind in ("md", "html") else f"# {directive}"


def _body_start(lines: list[str], kind: str) -> int:
    """The first line a file-wide comment may go on: after e-mail headers or Markdown front matter."""
    if kind == "eml":
        for row, line in enumerate(lines):
            if not line.strip():
                return row + 1
        return len(lines)
    if kind == "md" and lines and lines[0].rstrip() == "---":
        for row in range(1, len(lines)):
            if lines[row].rstrip() in ("---", "..."):
                return row + 1
    return 0


def suppression(text: str, p: Problem, kind: str) -> Action | None:
    """Insert `delaynote-disable-next-line ID` above the finding's line (same indent), or, for a
    finding with no position, `delaynote-disable-file ID` where the body starts."""
    lines = lines_of(text)
    check = p.finding.check
    if not p.positioned:
        row = _body_start(lines, kind)
        at = (row, 0) if row < len(lines) else (len(lines) - 1, len(lines[-1]))
        lead = "" if row < len(lines) else "\n"
        comment = _comment(kind, f"delaynote-disable-file {check}")
        return Action(f"Disable {check} in this file", ((at, at, f"{lead}{comment}\n"),), p.finding)
    row = p.start[0]
    if kind == "eml" and row < _body_start(lines, kind):
        return None  # a header line (the Subject): no comment can stand above it
    line = lines[row]
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    comment = _comment(kind, f"delaynote-disable-next-line {check}")
    return Action(f"Disable {check} for this line", (((row, 0), (row, 0), f"{indent}{comment}\n"),), p.finding)


def actions(text: str, found: list[Problem], start: Pos, end: Pos, kind: str, lang: str) -> list[Action]:
    """Code actions for the problems the range touches: replacements first, then suppressions
    (one per check, since one comment silences every finding of that check on the line)."""
    hit = [p for p in found if touches(p, start, end) or (not p.positioned and start[0] == 0)]
    out = [a for p in hit if (a := replacement(text, p, lang))]
    seen: set[tuple[str, int, bool]] = set()
    for p in hit:
        key = (p.finding.check, p.start[0], p.positioned)
        if key not in seen and (a := suppression(text, p, kind)):
            seen.add(key)
            out.append(a)
    return out
