"""Text around a notice that is about the notice ("Here is the revised email:", "--- The response
is re-written…", "Note: …" after the sign-off, Markdown fences): found line by line, cut, reported."""

from __future__ import annotations

from typing import Any

from assistant.guards.data import guard_data

_SEPARATOR = frozenset("-*_=—–~")


def _norm(line: str) -> str:
    """A line as cues see it: without a leading separator run, list or emphasis marks, lower-cased."""
    s = line.strip()
    run = 0
    while run < len(s) and s[run] in _SEPARATOR:
        run += 1
    if run >= 3:
        s = s[run:]
    return s.lstrip("*_#> \t").lower()


def _is_separator(line: str) -> bool:
    s = line.strip()
    return len(s) >= 3 and all(ch in _SEPARATOR for ch in s)


def _starts(text: str, cues: tuple[str, ...]) -> bool:
    return any(text.startswith(c) for c in cues)


def strip_commentary(text: str, lang: str) -> tuple[str, list[str]]:
    """The notice without what the model wrote about it, and what was removed (for `-v`).

    Removed: Markdown fence lines (a notice has no code), a first line that introduces the
    notice ("Here is the revised email:"), and from the first line that starts remarks about
    it ("The response is re-written…", "以上是…", "Note: …" after the sign-off or a separator
    line) to the end."""
    data = guard_data(lang)
    removed: list[str] = []
    lines = []
    for line in text.split("\n"):
        if line.strip().startswith(("```", "~~~")):
            removed.append("a Markdown code fence")
            continue
        lines.append(line)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None:
        head = _norm(lines[first])
        if len(head) <= 160 and _starts(head, data["preface"]) and not head.startswith(("subject", "主题")):
            removed.append(lines[first].strip())
            lines = lines[first + 1:]
            while lines and (not lines[0].strip() or _is_separator(lines[0])):
                lines = lines[1:]
    cut = _commentary_start(lines, data)
    if cut is not None:
        tail = "\n".join(ln for ln in lines[cut:] if ln.strip() and not _is_separator(ln))
        if tail:
            removed.append(tail if len(tail) <= 200 else tail[:197] + "...")
        lines = lines[:cut]
    while lines and (not lines[-1].strip() or _is_separator(lines[-1])):
        lines = lines[:-1]
    return "\n".join(lines).strip("\n"), removed


def _commentary_start(lines: list[str], data: dict[str, Any]) -> int | None:
    """The index of the first line of trailing remarks, or None."""
    seen = 0
    signed = False
    after_separator = False
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _is_separator(line):
            after_separator = True
            continue
        n = _norm(line)
        if seen >= 1 and (_starts(n, data["commentary"]) or (
                (signed or after_separator) and _starts(n, data["note"]))):
            back = i
            while back > 0 and (not lines[back - 1].strip() or _is_separator(lines[back - 1])):
                back -= 1
            return back
        if _starts(n.rstrip(",，!！ "), data["signoff"]):
            signed = True
        after_separator = False
        seen += 1
    return None
