"""What the checker reads: markup masking with positions in the original file, e-mail, inline
suppression, every input kind (md, html, eml, txt, GBK, empty, binary, folders, stdin)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.checks import check_paths, check_text
from assistant.checks.catalogue import CHECK_IDS
from assistant.checks.document import build_document, kind_for_path
from assistant.config import Settings
from assistant.errors import InputError


def only(report, check):
    return [f for f in report.findings if f.check == check]


def at(text: str, finding) -> str:
    """The original text at a finding's line/column span."""
    line = text.split("\n")[finding.line - 1]
    assert finding.end_line == finding.line
    return line[finding.column - 1:finding.end_column - 1]


def test_masked_copy_keeps_length_and_newlines() -> None:
    text = "---\ntitle: API\n---\nHello `deploy` world\n\n```\nrollback\n```\n"
    doc = build_document(text, "md")
    assert len(doc.masked) == len(doc.text)
    assert [i for i, c in enumerate(doc.masked) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
    assert "API" not in doc.masked and "deploy" not in doc.masked and "rollback" not in doc.masked
    assert "Hello" in doc.masked and "world" in doc.masked


MD = """---
title: Rollback plan for the API
---

We will deliver it ASAP.

```bash
make deploy   # the hotfix
```

    indented code: refactor the webhook

See [the notes](https://example.com/api/rollback) and `staging`, then <https://x.example/hotfix>.
Then we deliver ASAP again.
"""


def test_markdown_skips_front_matter_code_links_and_points_into_the_original() -> None:
    report = check_text(MD, path="a.md")
    assert only(report, "jargon") == []
    vague = only(report, "vague-timeline")
    assert [(f.line, f.column) for f in vague] == [(5, 20), (14, 17)]
    assert all(at(MD, f) == "ASAP" == f.text for f in vague)


def test_markdown_link_text_is_still_read() -> None:
    report = check_text("Read [the UAT plan](https://example.com/plan).\n", path="a.md")
    assert [f.text for f in only(report, "jargon")] == ["UAT"]


def test_markdown_placeholder_in_angle_brackets_is_not_a_tag() -> None:
    doc = build_document("The reason: <reason>. Bold <b>ASAP</b>.", "md")
    assert "<reason>" in doc.masked and "<b>" not in doc.masked and "ASAP" in doc.masked


HTML = """<html><head><style>.api { color: red }</style><script>deploy("hotfix")</script></head>
<body><p class="rollback">We will fix it <strong>ASAP</strong>.</p>
<!-- internal: refactor the backlog -->
<p>Thanks &amp; regards</p></body></html>
"""


def test_html_skips_tags_scripts_styles_comments() -> None:
    report = check_text(HTML, path="a.html")
    assert only(report, "jargon") == []
    [vague] = only(report, "vague-timeline")
    assert (vague.line, vague.column, vague.text) == (2, 50, "ASAP") and at(HTML, vague) == "ASAP"


EML = """From: API Team <deploy@example.com>
To: Client <c@example.com>
Subject: Portal: ready ASAP
Content-Type: text/plain; charset=utf-8

Dear client,
The portal will be ready soon.
"""


def test_eml_checks_subject_and_body_but_not_other_headers() -> None:
    report = check_text(EML, path="a.eml")
    assert only(report, "jargon") == []
    vague = only(report, "vague-timeline")
    assert [(f.line, f.column, f.text) for f in vague] == [(3, 24, "ASAP"), (7, 26, "soon")]
    assert all(at(EML, f) == f.text for f in vague)


def test_eml_quoted_printable_body_is_decoded() -> None:
    raw = ("From: a@example.com\nSubject: =?utf-8?q?Neuer_Termin?=\nMIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
           "We will deliver it as soon as possi=\nble. The UAT =E2=80=94 acceptance test.\n")
    report = check_text(raw, path="m.eml")
    [vague] = only(report, "vague-timeline")
    assert vague.text == "as soon as possible"
    # the phrase spans a soft line break, so it points at the start of its line in the file
    assert (vague.line, vague.column) == (7, 1)
    assert only(report, "jargon") == []  # "UAT — acceptance test" is explained


def test_eml_decoded_positions_point_into_the_file() -> None:
    raw = ("From: Sam Lee <sam@example.com>\nSubject: We will deliver soon\nTo: chen@example.com\n"
           "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n"
           "\nDear Ms. Chen, the portal will be ready soon. Caf=C3=A9 menu is fine.\n"
           "We hope to fix the regression by Friday.\n")
    report = check_text(raw, path="m.eml")
    spans = [(f.text, f.line, f.column, f.end_line, f.end_column) for f in report.findings if f.line]
    lines = raw.split("\n")
    for text, line, column, end_line, end_column in spans:
        assert line == end_line and lines[line - 1][column - 1:end_column - 1] == text, (text, line, column)
    assert {span[1] for span in spans} == {2, 8, 9}  # the Subject, a decoded line, a verbatim one


def test_eml_multipart_prefers_plain_text() -> None:
    raw = ("From: a@example.com\nSubject: Update\nMIME-Version: 1.0\n"
           'Content-Type: multipart/alternative; boundary="XX"\n\n--XX\n'
           "Content-Type: text/plain; charset=utf-8\n\n我们会尽快完成。\n--XX\n"
           "Content-Type: text/html; charset=utf-8\n\n<p>我们会尽快完成。</p>\n--XX--\n")
    report = check_text(raw, path="m.eml")
    assert report.language == "zh"
    [vague] = only(report, "vague-timeline")
    assert (vague.text, vague.line, vague.column, vague.end_column) == ("尽快", 9, 4, 6)  # in the file, not the decoding


def test_txt_is_read_as_is() -> None:
    report = check_text("Deploy soon.\n", path="a.txt")
    assert {f.text for f in report.findings if f.line} == {"Deploy", "soon"}
    assert kind_for_path("x.TXT") == "txt" and kind_for_path("-") == "txt" and kind_for_path("a.htm") == "html"


def test_urls_and_emails_are_not_read_but_count_as_contact() -> None:
    report = check_text("Write to api.team@example.com or see https://x.example/deploy-soon.", path="a.txt")
    assert not {"jargon", "vague-timeline", "missing-contact"} & {f.check for f in report.findings}


# --- inline suppression ---------------------------------------------------------------------

def test_disable_enable_region() -> None:
    text = ("ASAP one.\n<!-- delaynote-disable vague-timeline -->\nASAP two. The API.\n"
            "<!-- delaynote-enable -->\nASAP three.\n")
    report = check_text(text, path="a.md")
    assert [f.line for f in only(report, "vague-timeline")] == [1, 5]
    assert [f.line for f in only(report, "jargon")] == [3]  # only the named check is off


def test_disable_all_checks_without_ids() -> None:
    text = "<!-- delaynote-disable -->\nASAP. The API.\n<!-- delaynote-enable -->\nSoon.\n"
    report = check_text(text, path="a.md")
    assert [f.line for f in report.findings if f.line] == [4]


def test_disable_next_line() -> None:
    text = "<!-- delaynote-disable-next-line jargon -->\nThe API, ASAP.\nThe API again.\n"
    report = check_text(text, path="a.md")
    assert [f.line for f in only(report, "jargon")] == [3]
    assert [f.line for f in only(report, "vague-timeline")] == [2]


def test_disable_file_also_silences_absent_elements() -> None:
    text = "<!-- delaynote-disable-file missing-apology, jargon -->\nThe API is late.\n"
    checks = {f.check for f in check_text(text, path="a.md").findings}
    assert not {"missing-apology", "jargon"} & checks and "missing-cause" in checks


@pytest.mark.parametrize("marker", ["#", "//"])
def test_plain_text_comment_directives(marker: str) -> None:
    text = f"{marker} delaynote-disable-next-line vague-timeline\nASAP.\nSoon. The API. {marker} delaynote-disable-line jargon\n"
    report = check_text(text, path="a.txt")
    assert [f.line for f in only(report, "vague-timeline")] == [3]
    assert only(report, "jargon") == []
    assert not any(f.text and "delaynote" in f.text for f in report.findings)


def test_directive_words_outside_a_comment_do_nothing() -> None:
    report = check_text("Say delaynote-disable-file in prose. ASAP.\n", path="a.txt")
    assert only(report, "vague-timeline")


# --- paths, encodings, stdin ----------------------------------------------------------------

def test_gbk_file_and_directory_recursion_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("ASAP.", encoding="utf-8")
    (tmp_path / "a.txt").write_bytes("我们会尽快完成。".encode("gbk"))
    (tmp_path / "skip.yaml").write_text("soon: yes", encoding="utf-8")
    (tmp_path / "empty.html").write_text("", encoding="utf-8")
    report = check_paths([str(tmp_path)], facts=None, settings=Settings())
    names = [Path(r.path).name for r in report.files]
    assert names == ["a.txt", "z.md", "empty.html"]  # sorted by path: b/z.md before empty.html
    gbk = report.files[0]
    assert gbk.language == "zh" and [f.text for f in only(gbk, "vague-timeline")] == ["尽快"]
    assert report.summary.files == 3
    assert report.summary.error == sum(f.severity == "error" for r in report.files for f in r.findings)


def test_empty_file_does_not_crash(tmp_path: Path) -> None:
    (tmp_path / "e.md").write_text("", encoding="utf-8")
    report = check_paths([str(tmp_path / "e.md")], facts=None, settings=Settings())
    assert report.files[0].language == "en"
    assert all(f.line is None for f in report.files[0].findings)
    # nothing is said, so every structural element is reported missing (and only those)
    assert sorted(f.check for f in report.files[0].findings) == sorted(c for c in CHECK_IDS if c.startswith("missing-"))


def test_binary_and_missing_files_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError) as err:
        check_paths([str(tmp_path / "x.txt")], facts=None, settings=Settings())
    assert err.value.exit_code == 2 and "binary" in err.value.message
    with pytest.raises(InputError):
        check_paths([str(tmp_path / "nope.md")], facts=None, settings=Settings())


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b"We will deliver ASAP."), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    report = check_paths(["-"], facts=None, settings=Settings())
    assert report.files[0].path == "-"
    assert [f.text for f in only(report.files[0], "vague-timeline")] == ["ASAP"]


def test_settings_language_applies_to_paths(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("我们会尽快完成。", encoding="utf-8")
    report = check_paths([str(tmp_path / "a.txt")], facts=None, settings=Settings(language="en"))
    assert report.files[0].language == "en"


def test_check_path_never_imports_openai() -> None:
    code = ("import assistant.cli, assistant.checks, sys; from assistant.checks import check_text; "
            "check_text('We will deliver ASAP.'); assert 'openai' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_use_llm_hands_each_file_report_to_the_judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.judge

    (tmp_path / "a.md").write_text("We will deliver ASAP.", encoding="utf-8")
    seen = []

    def fake_judge(text, report, *, facts, settings):
        seen.append((text, [f.check for f in report.findings if f.line]))
        return report.model_copy(update={"dropped_ungrounded": 2})

    monkeypatch.setattr(assistant.judge, "judge_file", fake_judge)
    report = check_paths([str(tmp_path / "a.md")], facts=None, settings=Settings(), use_llm=True)
    assert seen == [("We will deliver ASAP.", ["vague-timeline"])]
    assert report.summary.dropped_ungrounded == 2
    assert check_paths([str(tmp_path / "a.md")], facts=None, settings=Settings()).summary.dropped_ungrounded is None


def test_kind_can_be_given_for_stdin_text() -> None:
    text = "```\nASAP\n```\nDone soon.\n"
    assert [f.line for f in only(check_text(text, path="-", kind="md"), "vague-timeline")] == [4]
    assert [f.line for f in only(check_text(text, path="-"), "vague-timeline")] == [2, 4]


@pytest.mark.parametrize("text", ["", "one line", "a\nbb\n\nc", "\n\n", "ends with a break\n", "中文\n第二行\n\n第三行"])
def test_positions_count_lines_and_characters_from_one(text: str) -> None:
    doc = build_document(text, "txt")
    for offset in range(len(text) + 1):
        before = text[:offset]
        assert doc.position(offset) == (before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)
