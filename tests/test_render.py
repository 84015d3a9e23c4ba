"""Output formats of `draft`: text, markdown, json (SPEC §3), eml (RFC 5322), the stderr summary,
and the CLI end to end (--out never overwrites without --force; every example drafts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.drafting import Draft, Usage
from assistant.drafting.offline import draft_offline
from assistant.facts import CHANNELS, LANGUAGES, Facts, load_facts
from assistant.findings import Finding
from assistant.render import print_findings_summary, render_draft

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PAYMENT = ROOT / "examples" / "en-payment-email.yaml"
ZH_STORE = ROOT / "examples" / "zh-store-email.yaml"


def drafted(path: Path, **changes: str) -> tuple[Draft, Facts]:
    facts = load_facts(path)
    if changes:
        facts = facts.model_copy(update=changes)
    return draft_offline(facts), facts


def test_text_email_has_subject_line_then_blank_line() -> None:
    draft, facts = drafted(PAYMENT)
    out = render_draft(draft, facts, "text")
    assert out.startswith("Subject: Online shop payment upgrade: new delivery date Friday, 15 January 2027\n\n")
    assert out.endswith(draft.body)
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_text_phone_is_the_body_only() -> None:
    draft, facts = drafted(PAYMENT, channel="phone")
    assert render_draft(draft, facts, "text") == draft.body


def test_meeting_title_appears_once_in_text_and_markdown() -> None:
    draft, facts = drafted(PAYMENT, channel="meeting")
    title = "Meeting: Online shop payment upgrade, new delivery date and recovery plan"
    assert draft.subject == title
    text = render_draft(draft, facts, "text")
    assert text == draft.body and text.startswith(title + "\n\n") and text.count(title) == 1
    md = render_draft(draft, facts, "markdown")
    assert md.startswith(f"# {title}\n\n") and md.count(title) == 1
    assert "### Agenda" in md


def test_markdown_heading_and_table_for_offline_draft() -> None:
    draft, facts = drafted(PAYMENT)
    out = render_draft(draft, facts, "markdown")
    assert out.startswith(f"# {draft.subject}\n\n")
    assert "| Phase | Due | Status |" in out
    assert "| Handover and launch | Friday, 15 January 2027 | planned |" in out
    assert "-------" not in out  # the plain-text rule is gone


def test_markdown_keeps_a_draft_it_did_not_write() -> None:
    draft, facts = drafted(PAYMENT)
    edited = draft.model_copy(update={"body": draft.body.replace("Dear", "Hello")})
    out = render_draft(edited, facts, "markdown")
    assert edited.body in out.replace("  \n", "\n") and "| Phase |" not in out  # only hard breaks added


def _soft_breaks(markdown: str) -> list[str]:
    """The places where a Markdown reader (markdown-it-py, CommonMark + tables) would join two
    lines of the source into one: each as 'end of the line | start of the next'."""
    from markdown_it import MarkdownIt

    joined = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        children = token.children or []
        for i, child in enumerate(children):
            if child.type == "softbreak":
                before = children[i - 1].content if i else ""
                after = children[i + 1].content if i + 1 < len(children) else ""
                joined.append(f"{before[-30:]} | {after[:30]}")
    return joined


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_markdown_renders_every_line_break_of_the_text(path: Path) -> None:
    """Every line of the text stays a line when the Markdown is rendered: no two lines of a
    paragraph run together (sign-off, name and role; Q and A; Done and Still to do)."""
    for channel in CHANNELS:
        draft, facts = drafted(path, channel=channel)
        md = render_draft(draft, facts, "markdown")
        assert _soft_breaks(md) == [], (channel, _soft_breaks(md))
        edited = draft.model_copy(update={"body": draft.body + "\nP.S. One more line\nand its second line\n"})
        assert _soft_breaks(render_draft(edited, facts, "markdown")) == [], channel  # a draft it did not write


def test_markdown_hard_breaks_leave_code_blocks_and_tables_as_written() -> None:
    from assistant.render import hard_breaks

    text = "Line one\nline two\n```\ncode a\ncode b\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n\nIntro:\n- item\n- item"
    assert hard_breaks(text) == ("Line one  \nline two\n```\ncode a\ncode b\n```\n| a | b |\n|---|---|\n"
                                 "| 1 | 2 |\n\nIntro:\n- item\n- item")


def test_markdown_sign_off_name_and_role_are_three_lines_in_html() -> None:
    from markdown_it import MarkdownIt

    draft, facts = drafted(PAYMENT)
    html = MarkdownIt("commonmark").render(render_draft(draft, facts, "markdown"))
    assert "<p>Kind regards,<br />\nDaniel Okafor<br />\nProject manager, Northwind Software</p>" in html
    assert "<li>" in html and "<br />\n<li>" not in html  # lists stay lists


def test_eml_is_marked_unsent_so_mail_clients_open_it_as_a_draft() -> None:
    draft, facts = drafted(PAYMENT)
    raw = render_draft(draft, facts, "eml")
    assert isinstance(raw, bytes) and b"\r\nX-Unsent: 1\r\n" in raw
    assert parse_eml(raw)["X-Unsent"] == "1"


@pytest.mark.parametrize("channel", ["phone", "meeting", "im"])
def test_eml_is_refused_for_a_channel_that_is_not_email(channel: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.errors import InputError

    draft, facts = drafted(PAYMENT, channel=channel)
    with pytest.raises(InputError, match=f"this notice is for the {channel} channel; use --channel email"):
        render_draft(draft, facts, "eml")
    monkeypatch.chdir(tmp_path)
    result = subprocess.run([sys.executable, "-m", "assistant", "draft", "--facts", str(PAYMENT), "--provider",
                             "offline", "--format", "eml", "--channel", channel], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60, encoding="utf-8")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("delaynote: --format eml makes an e-mail, but this notice is for the "
                                    f"{channel} channel") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("fmt", ["text", "markdown", "eml"])
def test_the_findings_report_starts_on_its_own_line_after_the_draft(fmt: str, tmp_path: Path) -> None:
    """stdout and stderr on one terminal: the report never continues the draft's last line."""
    for path in (PAYMENT, ZH_STORE):
        result = subprocess.run([sys.executable, "-m", "assistant", "draft", "--facts", str(path), "--provider",
                                 "offline", "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=60, cwd=tmp_path)
        out = result.stdout.decode("utf-8").replace("\r\n", "\n")
        report = "\n发现：" if load_facts(path).language == "zh" else "\nFindings:"
        assert result.returncode == 0
        clean = "\n未发现问题。" if load_facts(path).language == "zh" else "\nNo problems found."
        assert report in out or clean in out, out[-200:]


def test_json_shape_is_spec_section_3() -> None:
    draft, facts = drafted(ZH_STORE, channel="phone")
    draft.findings = [Finding(check="long-sentence", principle="plain-language", severity="info",
                              line=3, column=1, end_line=3, end_column=9, text="x", message="m")]
    data = json.loads(render_draft(draft, facts, "json"))
    assert list(data) == ["language", "channel", "subject", "body", "findings"]
    assert data["language"] == "zh" and data["channel"] == "phone" and data["subject"] is None
    assert data["body"] == draft.body
    assert data["findings"][0]["check"] == "long-sentence" and data["findings"][0]["line"] == 3
    assert "陈静" in render_draft(draft, facts, "json")  # Chinese stays readable, not \\u-escaped
    with_usage = draft.model_copy(update={"usage": Usage(calls=2, prompt_tokens=10, completion_tokens=5)})
    assert json.loads(render_draft(with_usage, facts, "json"))["usage"] == {
        "calls": 2, "prompt_tokens": 10, "completion_tokens": 5}


def parse_eml(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def test_eml_round_trips_chinese_headers_and_body(capsys: pytest.CaptureFixture[str]) -> None:
    draft, facts = drafted(ZH_STORE)
    raw = render_draft(draft, facts, "eml")
    assert isinstance(raw, bytes)
    raw.decode("ascii")  # 7-bit clean: safe through any mail transport
    msg = parse_eml(raw)
    assert msg["Subject"] == draft.subject and "2027年1月8日（星期五）" in msg["Subject"]
    assert msg["From"].addresses[0].addr_spec == "chenjing@yunfan.example"
    assert msg["From"].addresses[0].display_name == "陈静"
    assert msg["To"].addresses[0].addr_spec == "zhang@xianfeng.example"
    assert msg["To"].addresses[0].display_name == "张总"
    assert parsedate_to_datetime(msg["Date"]).date() == date(2026, 11, 30)
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@yunfan.example>")
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
    assert msg.get_content().replace("\r\n", "\n") == draft.body
    assert capsys.readouterr().err == ""  # nothing missing, nothing to say


def test_eml_without_addresses_is_still_valid_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    draft, facts = drafted(ROOT / "examples" / "en-warehouse-phone.yaml", channel="email")  # no addresses at all
    draft.subject = None  # as an LLM answer without a subject line
    msg = parse_eml(render_draft(draft, facts, "eml"))
    assert msg["From"] is None and msg["To"] is None
    assert msg["Subject"] == "Warehouse scanning app: new delivery date Friday, 26 March 2027"  # derived
    assert msg["Date"] and msg["Message-ID"]
    assert msg.get_content().replace("\r\n", "\n") == draft.body
    err = capsys.readouterr().err
    assert "no From header" in err and "no To header" in err


def test_eml_notes_about_a_chinese_draft_are_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    draft, facts = drafted(ROOT / "examples" / "zh-minimal-email.yaml")  # no e-mail addresses at all
    msg = parse_eml(render_draft(draft, facts, "eml"))
    assert msg["From"] is None and msg["To"] is None
    err = capsys.readouterr().err
    assert "delaynote: 邮件没有 From 头：事实文件中没有 sender.email\n" in err
    assert "delaynote: 邮件没有 To 头：事实文件中没有 client.email\n" in err and "header" not in err


def test_eml_folds_multi_line_facts_values_onto_one_header_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A YAML `|` value (two lines) in project or sender.name crashed: "Header values may not contain linefeed"."""
    draft, facts = drafted(PAYMENT)
    facts = facts.model_copy(update={"project": "Customer portal\nrebuild",
                                     "sender": facts.sender.model_copy(update={"name": "Sam\n  Lee"}),
                                     "client": facts.client.model_copy(update={"contact": "Ms.\r\nChen"})})
    draft.subject = "Customer portal\nrebuild: new date"
    msg = parse_eml(render_draft(draft, facts, "eml"))
    assert msg["Subject"] == "Customer portal rebuild: new date"
    assert msg["From"].addresses[0].display_name == "Sam Lee"
    assert msg["To"].addresses[0].display_name == "Ms. Chen"


@pytest.mark.parametrize("subject", ["a" * n for n in (68, 70, 75)] + ["Kundenportal-Neuaufbau-" * 3 + " later",
                                                                     "x: " + "b" * 70])
def test_eml_subject_never_starts_with_a_space_when_read_back(subject: str) -> None:
    """A long first word was folded right after "Subject:", so parsers read a leading space."""
    draft, facts = drafted(PAYMENT)
    draft.subject = subject
    raw = render_draft(draft, facts, "eml")
    assert isinstance(raw, bytes)
    assert parse_eml(raw)["Subject"] == subject
    assert BytesParser(policy=policy.compat32).parsebytes(raw)["Subject"].replace("\r\n ", " ") == subject
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


@pytest.mark.parametrize("email", ["not an email", "a@b@c", "x@[1.2.3", "a@", "ü@ö.example", "sam@localhost"])
def test_eml_leaves_out_an_address_that_is_not_one(email: str, capsys: pytest.CaptureFixture[str]) -> None:
    draft, facts = drafted(PAYMENT)
    facts = facts.model_copy(update={"sender": facts.sender.model_copy(update={"email": email})})
    msg = parse_eml(render_draft(draft, facts, "eml"))
    assert msg["From"] is None and msg["To"] is not None
    assert msg["Message-ID"].endswith("@delaynote.invalid>")
    assert f"no From header: sender.email '{email}' is not an e-mail address" in capsys.readouterr().err


def test_eml_is_deterministic() -> None:
    draft, facts = drafted(PAYMENT)
    assert render_draft(draft, facts, "eml") == render_draft(draft, facts, "eml")


def test_findings_summary_on_stderr(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    draft, _ = drafted(PAYMENT)
    print_findings_summary(draft, verbose=True)
    out = capsys.readouterr()
    assert out.out == "" and "No problems found" in out.err and "Tokens" not in out.err
    draft.findings = [
        Finding(check="vague-timeline", principle="solution", severity="warning", line=4, column=2,
                text="soon", message="'soon' stands in for a date [really]"),
        Finding(check="missing-apology", principle="tone", severity="info", message="no apology"),
    ]
    draft.usage = Usage(calls=1, prompt_tokens=120, completion_tokens=80)
    print_findings_summary(draft, verbose=False)
    err = capsys.readouterr().err
    assert "1 warning" in err and "1 info" in err
    assert "vague-timeline (line 4): 'soon' stands in for a date [really]" in err  # markup-like text kept
    assert "missing-apology: no apology" in err
    assert "\x1b[" not in err and "Tokens" not in err
    print_findings_summary(draft, verbose=True)
    assert "Tokens: 120 prompt + 80 completion in 1 call." in capsys.readouterr().err
    long = "word " * 60
    draft.findings = [Finding(check="jargon", principle="explain-cause", severity="warning", message=long.strip())]
    print_findings_summary(draft, verbose=False)
    assert f"jargon: {long.strip()}" in capsys.readouterr().err  # one line, never wrapped at 80 columns


def test_findings_summary_of_a_chinese_draft_is_in_chinese(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    draft, _ = drafted(ZH_STORE)
    print_findings_summary(draft, verbose=False)
    assert capsys.readouterr().err == "未发现问题。\n"
    draft.findings = [Finding(check="hedging", principle="transparency", severity="warning", line=3, column=1,
                              text="争取", message="“争取”削弱了承诺。") for _ in range(5)]
    draft.findings.append(Finding(check="missing-status", principle="transparency", severity="info", message="没有进展"))
    draft.usage = Usage(calls=1, prompt_tokens=120, completion_tokens=80)
    print_findings_summary(draft, verbose=True)
    err = capsys.readouterr().err
    assert err.startswith("发现：5 条警告，1 条提示\n")
    assert "  警告 hedging（第 3 行）：“争取”削弱了承诺。\n" in err and "  提示 missing-status：没有进展\n" in err
    assert "Findings" not in err and "line" not in err and "Tokens" not in err
    assert "用量：1 次请求，提示 120 个 token，生成 80 个 token。" in err


# --- the CLI, as a user runs it -----------------------------------------------------------------

runner = CliRunner()


def test_out_never_overwrites_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "notice.txt"
    out.write_text("keep me", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cmd = [sys.executable, "-m", "assistant", "draft", "--facts", str(PAYMENT), "--provider", "offline",
           "--out", str(out)]
    refused = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and "Traceback" not in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    monkeypatch.chdir(tmp_path)
    forced = runner.invoke(app, cmd[3:] + ["--force"])
    assert forced.exit_code == 0, forced.output
    assert out.read_text(encoding="utf-8").startswith("Subject: Online shop payment upgrade")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_drafts_through_the_cli(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config file from the repository
    facts = load_facts(path)
    for lang in LANGUAGES:
        expected_new = (f"{facts.new_date.year}年{facts.new_date.month}月{facts.new_date.day}日" if lang == "zh"
                        else f"{facts.new_date.day} {facts.new_date.strftime('%B')} {facts.new_date.year}")
        for channel in CHANNELS:
            result = runner.invoke(app, ["draft", "--facts", str(path), "--lang", lang, "--channel", channel,
                                         "--provider", "offline"])
            if lang != facts.language:  # the facts' own sentences would stay in the other language
                assert getattr(result.exception, "exit_code", None) == 2 and not result.stdout, (lang, channel)
                assert "would mix the two languages" in str(result.exception)  # (main() turns it into exit 2)
                continue
            assert result.exit_code == 0, (lang, channel, result.output, result.exception)
            assert expected_new in result.stdout


def test_json_through_the_cli_has_findings_and_no_usage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["draft", "--facts", str(ZH_STORE), "--format", "json", "--provider", "offline"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"language", "channel", "subject", "body", "findings"}
    assert isinstance(data["findings"], list)


def test_json_through_the_cli_applies_channel_and_tone_and_carries_the_checks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--channel/--tone override the file, and the findings are the checker's on this draft: a notice
    sent on the promised day must carry late-notice (an empty list would pass the shape test above)."""
    monkeypatch.chdir(tmp_path)
    text = ZH_STORE.read_text(encoding="utf-8")
    late = tmp_path / "late.yaml"
    late.write_text(text.replace("notice_date: 2026-11-30", "notice_date: 2026-12-15")
                    .replace("next: 2026-12-04", "next: 2026-12-18"), encoding="utf-8")
    result = runner.invoke(app, ["draft", "--facts", str(late), "--format", "json", "--provider", "offline",
                                 "--channel", "phone", "--tone", "warm"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == "zh" and data["channel"] == "phone" and data["subject"] is None
    expected = draft_offline(load_facts(late).model_copy(update={"channel": "phone", "tone": "warm"}))
    assert data["body"] == expected.body
    assert data["body"] != draft_offline(load_facts(late).model_copy(update={"channel": "phone"})).body
    late_notice = [f for f in data["findings"] if f["check"] == "late-notice"]
    assert [f["severity"] for f in late_notice] == ["error"]


def test_init_writes_a_file_that_drafts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "--lang", "zh", "facts.yaml"])
    assert result.exit_code == 0, result.output
    assert load_facts(tmp_path / "facts.yaml").language == "zh"
    drafted_zh = runner.invoke(app, ["draft", "--facts", "facts.yaml", "--provider", "offline"])
    assert drafted_zh.exit_code == 0 and "此致" in drafted_zh.stdout
