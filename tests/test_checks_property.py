"""Adversarial text: the checker always completes and every position lies inside the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.checks import check_text
from assistant.checks.datefind import find_mentions

PIECES = [
    " " * 500, "\n" * 50, "." * 300, "。" * 300, "!?" * 100, "as soon as " * 60, "soon soon ", "尽快尽快",
    "由于" * 100, "<!-- ", "-->", "```", "`", "](", "[", "]", "{", "}", "{{", "}}", "<", ">", "___", "XX月XX日",
    "12月", "Friday ", "26 ", "February ", "2027-", "2/", "delaynote-disable ", "# delaynote-enable\n",
    "weeks later ", "两周", "推迟", "APIs ", "because ", "unforeseen issues ", "&amp;", "\t", "\u3000", "🙂",
    "---\n", "    code\n", "http://x.example/", "a@b.example ", "+1 555 0100 ", "sorry ", "抱歉",
]


def _positions_ok(text: str, kind: str) -> None:
    report = check_text(text, path=f"x.{kind}")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for f in report.findings:
        if f.line is None:
            assert f.column is None and f.text is None
            continue
        assert 1 <= f.line <= f.end_line <= len(lines)
        assert 1 <= f.column <= len(lines[f.line - 1]) + 1
        assert 1 <= f.end_column <= len(lines[f.end_line - 1]) + 1
        if f.line == f.end_line:
            assert lines[f.line - 1][f.column - 1:f.end_column - 1] == f.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=25), st.sampled_from(["md", "txt", "html"]))
def test_adversarial_pieces(pieces: list[str], kind: str) -> None:
    _positions_ok("".join(pieces), kind)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    _positions_ok(text, "txt")
    for m in find_mentions(text):
        assert 0 <= m.start < m.end <= len(text)


def test_long_runs_complete() -> None:
    """Inputs that make naive regexes or nested scans quadratic (all of these once were)."""
    for text in (" " * 30_000, "soon " * 5_000, "。" * 20_000, "due to " * 4_000, "2/" * 10_000,
                 "Friday " * 4_000, "推迟" * 10_000, "[" * 20_000, "`" * 10_001, "<!--" * 5_000, "a" * 30_000,
                 "](" * 10_000, "# delaynote-disable-line x " * 1_000):
        for kind in ("md", "html"):
            report = check_text(text, path=f"x.{kind}")
            assert all(f.line is None or f.line >= 1 for f in report.findings)
