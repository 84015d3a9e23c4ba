"""Wrapping for the terminal (assistant.wrap): word boundaries, CJK-aware, never in a pipe."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.checks import check_text
from assistant.checks.report import render_text
from assistant.findings import Report, summarise
from assistant.wrap import terminal_width, text_width, wrap_text

ROOT = Path(__file__).resolve().parent.parent
EN = ("I am writing to let you know that the customer portal, which we announced for 1 December 2026, "
      "will be ready on 18 December 2026 instead; write to sam@northwind.example with any question.")
ZH = ("陈女士您好：很抱歉地通知您，惠购商城 App 的上线日期将推迟21天，从2027年1月15日推迟到2027年2月5日。"
      "原因是支付公司更换了付款确认方式（新接口），我们需要重新对接。")
CLOSING = "，。、；：！？）」』”"


def _tokens(text: str) -> list[str]:
    """Numbers with their joining marks, Latin words and e-mail addresses: never to be split."""
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9@.\-]*[A-Za-z0-9]|\d", text)


@pytest.mark.parametrize("width", [24, 30, 41, 60])
@pytest.mark.parametrize("text", [EN, ZH])
def test_lines_fit_and_no_word_or_number_is_split(text: str, width: int) -> None:
    lines = wrap_text(text, width).split("\n")
    assert len(lines) > 1
    assert all(text_width(line) <= width for line in lines)
    assert not any(line[:1] in CLOSING for line in lines)  # no line starts with closing punctuation
    kept = [t for line in lines for t in _tokens(line)]
    assert kept == _tokens(text)  # every word and number arrives whole, in order
    if text is EN:
        assert " ".join(lines) == text
    else:  # a break at a space drops the space
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_numbers_stay_with_their_chinese_units() -> None:
    for width in range(12, 40):
        out = wrap_text(ZH, width)
        for whole in ("21天", "2027年1月15日", "2027年2月5日"):
            assert whole in out, (width, out)


def test_list_items_hang_and_indents_are_kept() -> None:
    out = wrap_text("1. Two more testers join the team from Monday to finish the payment tests", 30).split("\n")
    assert out[0].startswith("1. Two") and all(line.startswith("   ") for line in out[1:])
    assert wrap_text("short line\n\n  indented", 30) == "short line\n\n  indented"


def test_no_width_means_no_wrapping() -> None:
    assert wrap_text(EN, None) == EN


def test_only_a_terminal_has_a_width(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", "57")
    assert terminal_width(Tty()) == 57
    assert terminal_width(io.StringIO()) is None
    assert terminal_width(None) is None


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="ab 1,。推迟天（）-", min_size=0, max_size=120), st.integers(min_value=10, max_value=50))
def test_wrapping_never_loses_or_reorders_text(text: str, width: int) -> None:
    out = wrap_text(text, width)
    assert out.replace("\n", "").replace(" ", "") == text.replace(" ", "")


def test_check_report_wraps_messages_under_their_column() -> None:
    report = check_text("Hi,\n\nThe project is delayed due to issues on the client side. We will deliver ASAP.\n",
                        path="a.md")
    whole = Report(files=[report], summary=summarise([report]))
    wide = render_text(whole, color=False)
    narrow = render_text(whole, color=False, width=60)
    assert max(map(text_width, narrow.splitlines())) <= 60 < max(map(text_width, wide.splitlines()))
    assert " ".join(narrow.split()) == " ".join(wide.split())  # the same words, only the breaks moved


def test_piped_output_is_never_wrapped(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("The project is delayed due to issues on the client side, sorry about that.\n",
                                   encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "30", "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "assistant", "check", "a.md", "--fail-on", "never"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=60).stdout
    assert max(len(line) for line in out.splitlines()) > 30


def test_check_help_has_no_raw_type_labels() -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    for command in ("check", "eval", "draft"):
        shown = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "120"}).output
        assert "<list[" not in shown and "<str>" not in shown and "range>" not in shown, command


def test_the_draft_findings_summary_wraps_on_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import assistant.wrap
    from assistant.drafting import Draft
    from assistant.render import print_findings_summary

    report = check_text("王经理您好：\n\n由于对接延误，商城上线将推迟21天，我们会尽量在2027年1月15日前完成联调。\n", path="d")
    draft = Draft(language="zh", channel="email", subject=None, body="x", findings=report.findings)
    monkeypatch.setattr(assistant.wrap, "terminal_width", lambda stream: 36)
    print_findings_summary(draft, verbose=False)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) > len(report.findings) + 1 and all(text_width(line) <= 36 for line in lines)
    assert all(line.startswith("    ") for line in lines if not line.startswith(("  错误", "  警告", "  提示", "发现")))
