"""The language server's pure features (no client): comment forms, placement, imports."""

from __future__ import annotations

import subprocess
import sys

from assistant.config import Settings
from assistant.lsp import features

NOTICE = "---\ntitle: x\n---\nThe launch slipped because of a blocker.\n"


def test_markdown_file_comment_goes_after_the_front_matter() -> None:
    _, found = features.problems(NOTICE, "n.md", "md", Settings())
    absent = next(p for p in found if not p.positioned)
    action = features.suppression(NOTICE, absent, "md")
    ((start, end, text),) = action.edits
    assert start == end == (3, 0) and text == f"<!-- delaynote-disable-file {absent.finding.check} -->\n"


def test_next_line_comment_keeps_the_indent_and_silences_the_check() -> None:
    text = "Hi,\n\n  The launch slipped because of a blocker.\n"
    _, found = features.problems(text, "n.md", "md", Settings())
    jargon = next(p for p in found if p.finding.check == "jargon")
    ((at, _, comment),) = features.suppression(text, jargon, "md").edits
    assert comment == "  <!-- delaynote-disable-next-line jargon -->\n"
    lines = features.lines_of(text)
    lines.insert(at[0], comment)
    _, again = features.problems("".join(lines), "n.md", "md", Settings())
    assert not [p for p in again if p.finding.check == "jargon"]


def test_a_subject_line_finding_gets_no_next_line_comment() -> None:
    text = "Subject: the API is late\n\nHi,\nThe launch moves.\n"
    _, found = features.problems(text, "n.eml", "eml", Settings())
    jargon = next(p for p in found if p.finding.check == "jargon")
    assert jargon.start[0] == 0 and features.suppression(text, jargon, "eml") is None


def test_kind_comes_from_the_suffix_then_the_language_id() -> None:
    assert features.kind_for("/a/n.eml", "plaintext") == "eml"
    assert features.kind_for("/a/untitled-1", "markdown") == "md"
    assert features.kind_for("/a/x.py", "python") is None


def test_the_server_never_imports_the_llm_stack() -> None:
    code = "import sys, assistant.lsp.server; print('openai' in sys.modules, 'typer' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_plain_help_does_not_import_pygls() -> None:
    code = ("import sys; sys.argv = ['delaynote', '--help']\nfrom assistant.cli import main\ntry: main()\n"
            "except SystemExit: pass\nprint('pygls' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False") and "lsp" in out


def test_a_term_that_modifies_a_noun_gets_no_quick_fix() -> None:
    """The offline rewrite leaves a modifier as written (a bracket there would break the noun
    phrase), so the server offers only the suppression comment."""
    text = "The webhook handler failed, so the launch moves.\n"
    _, found = features.problems(text, "n.txt", "txt", Settings())
    jargon = next(p for p in found if p.finding.check == "jargon")
    action = features.replacement(text, jargon, "en")
    assert action is None
