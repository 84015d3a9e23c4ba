"""Every `check --format`: the shapes CI consumers rely on, from reports built by hand."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from assistant.checks.catalogue import CHECK_IDS, catalogue
from assistant.checks.report import (
    escape_data,
    escape_property,
    quoted_spans,
    render_report,
    use_color,
)
from assistant.errors import InputError
from assistant.findings import FileReport, Finding, PrincipleScore, Report, summarise

FINDING_KEYS = {"check", "principle", "severity", "line", "column", "end_line", "end_column", "text",
                "message", "suggestion", "source"}


def vague(line: int = 3, column: int = 12) -> Finding:
    return Finding(check="vague-timeline", principle="solution", severity="warning", line=line, column=column,
                   end_line=line, end_column=column + 19, text="as soon as possible",
                   message='"as soon as possible" is not a date', suggestion="Name the day: 18 December.")


def absent_date() -> Finding:
    return Finding(check="missing-new-date", principle="solution", severity="error",
                   message="No concrete new date is given.", suggestion="Say when it will be ready.")


def info() -> Finding:
    return Finding(check="missing-apology", principle="tone", severity="info",
                   message="No acknowledgement of the inconvenience.")


def make_report(files: list[FileReport]) -> Report:
    return Report(files=files, summary=summarise(files))


@pytest.fixture
def report() -> Report:
    return make_report([
        FileReport(path="drafts/a.md", language="en", findings=[absent_date(), vague(), info()]),
        FileReport(path="drafts/b.md", language="zh", findings=[]),
    ])


# --- json ----------------------------------------------------------------------------------

def test_json_has_exactly_the_spec_keys(report: Report) -> None:
    data = json.loads(render_report(report, "json"))
    assert set(data) == {"version", "files", "summary"}
    assert data["version"] == 1
    assert [set(f) for f in data["files"]] == [{"path", "language", "findings"}] * 2
    assert data["summary"] == {"files": 2, "error": 1, "warning": 1, "info": 1}
    for finding in data["files"][0]["findings"]:
        assert set(finding) == FINDING_KEYS


def test_json_keeps_null_positions_for_absent_elements(report: Report) -> None:
    findings = json.loads(render_report(report, "json"))["files"][0]["findings"]
    absent = next(f for f in findings if f["check"] == "missing-new-date")
    assert [absent[k] for k in ("line", "column", "end_line", "end_column", "text")] == [None] * 5
    located = next(f for f in findings if f["check"] == "vague-timeline")
    assert (located["line"], located["column"], located["end_column"]) == (3, 12, 31)


def test_json_adds_scores_and_dropped_only_when_the_judge_ran() -> None:
    judged = FileReport(path="a.md", language="en", findings=[vague()], dropped_ungrounded=2,
                        scores=[PrincipleScore(principle="solution", score=3, reason="no date")])
    data = json.loads(render_report(make_report([judged]), "json"))
    assert data["summary"]["dropped_ungrounded"] == 2
    assert data["files"][0]["scores"][0]["score"] == 3


def test_json_summary_is_recounted_from_findings() -> None:
    """A producer that forgot the summary must not make CI read zero errors."""
    stale = Report(files=[FileReport(path="a.md", language="en", findings=[absent_date(), absent_date()])])
    assert json.loads(render_report(stale, "json"))["summary"]["error"] == 2


def test_json_keeps_chinese_readable() -> None:
    f = Finding(check="vague-timeline", principle="solution", severity="warning", line=1, column=3,
                end_line=1, end_column=5, text="尽快", message="“尽快”不是日期")
    out = render_report(make_report([FileReport(path="甲.md", language="zh", findings=[f])]), "json")
    assert "尽快" in out and "\\u" not in out


# --- sarif ---------------------------------------------------------------------------------

def test_sarif_top_level_and_driver(report: Report) -> None:
    log = json.loads(render_report(report, "sarif"))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "delaynote"
    assert driver["version"] and driver["informationUri"].startswith("https://")


def test_sarif_has_one_rule_per_check_with_help(report: Report) -> None:
    rules = json.loads(render_report(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CHECK_IDS)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for rule in rules:
        entry = catalogue()[rule["id"]]
        assert rule["shortDescription"]["text"] == entry["title"]["en"]
        assert rule["fullDescription"]["text"] == entry["why"]["en"]
        assert entry["examples"]["en"]["bad"].split()[0] in rule["help"]["text"]
        assert entry["why"]["zh"][:10] in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == levels[entry["severity"]]
        assert entry["principle"] in rule["properties"]["tags"]


def test_sarif_results_point_at_rules_and_regions(report: Report) -> None:
    run = json.loads(render_report(report, "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 3
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "drafts/a.md"
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["vague-timeline"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 12, "endLine": 3, "endColumn": 31}
    assert by_rule["missing-new-date"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert by_rule["missing-new-date"]["level"] == "error"
    assert by_rule["missing-apology"]["level"] == "note"
    assert "Say when it will be ready." in by_rule["missing-new-date"]["message"]["text"]


def test_sarif_uri_is_relative_with_forward_slashes() -> None:
    rep = make_report([FileReport(path="./notes\\week 1/a.md", language="en", findings=[info()])])
    uri = json.loads(render_report(rep, "sarif"))["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "notes/week%201/a.md"


def test_sarif_uri_outside_the_working_tree_is_a_file_uri(tmp_path, monkeypatch) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    monkeypatch.chdir(inside)
    rep = make_report([FileReport(path=str(inside / "d" / "a.md"), language="en", findings=[info()]),
                       FileReport(path=str(tmp_path / "other.md"), language="en", findings=[info()])])
    results = json.loads(render_report(rep, "sarif"))["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris[0] == "d/a.md"
    assert uris[1].startswith("file:///") and uris[1].endswith("/other.md")


def test_sarif_message_carries_the_suggestion_as_a_sentence() -> None:
    f = Finding(check="vague-timeline", principle="solution", severity="warning", line=1, column=1, end_line=1,
                end_column=5, text="soon", message='"soon" is vague', suggestion="give the date")
    result = json.loads(render_report(make_report([FileReport(path="a.md", language="en", findings=[f])]),
                                      "sarif"))["runs"][0]["results"][0]
    assert result["message"]["text"] == '"soon" is vague. Give the date'


def test_sarif_fingerprints_survive_moved_lines_but_separate_repeats() -> None:
    def fingerprints(findings: list[Finding]) -> list[str]:
        rep = make_report([FileReport(path="a.md", language="en", findings=findings)])
        return [next(iter(r["partialFingerprints"].values()))
                for r in json.loads(render_report(rep, "sarif"))["runs"][0]["results"]]

    moved = fingerprints([vague(line=9)])
    assert fingerprints([vague(line=3)]) == moved
    twice = fingerprints([vague(line=3), vague(line=5)])
    assert len(set(twice)) == 2


# --- github --------------------------------------------------------------------------------

def test_github_workflow_commands(report: Report) -> None:
    lines = render_report(report, "github").splitlines()
    assert lines[0] == ("::warning file=drafts/a.md,line=3,col=12,endLine=3,endColumn=31,title=vague-timeline::"
                        '"as soon as possible" is not a date%0AName the day: 18 December.')
    assert lines[1].startswith("::error file=drafts/a.md,title=missing-new-date::No concrete new date")
    assert lines[2].startswith("::notice file=drafts/a.md,title=missing-apology::")
    assert len(lines) == 3  # the clean file produces no annotation


def test_github_escaping_rules() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("dir,x/a:b.md%") == "dir%2Cx/a%3Ab.md%25"
    f = Finding(check="jargon", principle="explain-cause", severity="warning", line=1, column=1, end_line=1,
                end_column=4, text="API", message="100% unclear:\nexplain it")
    out = render_report(make_report([FileReport(path="a,b:c.md", language="en", findings=[f])]), "github")
    assert out == "::warning file=a%2Cb%3Ac.md,line=1,col=1,endLine=1,endColumn=4,title=jargon::100%25 unclear:%0Aexplain it\n"


def test_github_paths_are_relative_to_the_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    rep = make_report([FileReport(path=str(tmp_path / "drafts" / "a.md"), language="en", findings=[info()])])
    assert render_report(rep, "github").startswith("::notice file=drafts/a.md,title=missing-apology::")


# --- junit ---------------------------------------------------------------------------------

def test_junit_parses_and_counts(report: Report) -> None:
    root = ET.fromstring(render_report(report, "junit", fail_on="info"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["drafts/a.md", "drafts/b.md"]
    a, b = suites
    assert (a.get("tests"), a.get("failures")) == ("3", "3")
    assert (b.get("tests"), b.get("failures")) == ("1", "0")
    assert (root.get("tests"), root.get("failures")) == ("4", "3")
    names = [c.get("name") for c in a.findall("testcase")]
    assert sorted(names) == ["missing-apology", "missing-new-date", "vague-timeline"]
    assert all(c.get("classname") == "drafts/a.md" for c in a.findall("testcase"))
    vague_case = next(c for c in a.findall("testcase") if c.get("name") == "vague-timeline")
    failure = vague_case.find("failure")
    assert failure is not None and failure.get("type") == "warning"
    assert "3:12" in (failure.text or "")
    passing = b.find("testcase")
    assert passing is not None and passing.find("failure") is None


def test_junit_groups_repeated_findings_into_one_case() -> None:
    rep = make_report([FileReport(path="a.md", language="en", findings=[vague(line=2), vague(line=7)])])
    suite = ET.fromstring(render_report(rep, "junit", fail_on="warning")).find("testsuite")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("message", "").startswith("2 findings")
    assert "2:12" in (failure.text or "") and "7:12" in (failure.text or "")


@pytest.mark.parametrize(("fail_on", "failing"), [
    ("error", set()), ("warning", {"vague-timeline"}), ("info", {"vague-timeline", "missing-apology"}),
    ("never", set())])
def test_junit_fails_a_check_exactly_when_it_would_fail_the_run(fail_on: str, failing: set[str]) -> None:
    apology = Finding(check="missing-apology", principle="tone", severity="info", message="No apology.")
    rep = make_report([FileReport(path="a.md", language="en", findings=[vague(line=2), apology])])
    suite = ET.fromstring(render_report(rep, "junit", fail_on=fail_on)).find("testsuite")
    assert suite is not None
    failed = {c.get("name") for c in suite.findall("testcase") if c.find("failure") is not None}
    assert failed == failing and suite.get("failures") == str(len(failing)) and suite.get("tests") == "2"
    passed = [c for c in suite.findall("testcase") if c.find("failure") is None]
    assert all(c.find("system-out") is not None and (c.find("system-out").text or "").strip() for c in passed)


def test_junit_escapes_markup_in_messages() -> None:
    f = Finding(check="jargon", principle="explain-cause", severity="warning", message='<b> & "x"', line=1,
                column=1, end_line=1, end_column=2, text="<")
    root = ET.fromstring(render_report(make_report([FileReport(path="a&b.md", language="en", findings=[f])]),
                                       "junit", fail_on="warning"))
    assert root.find("testsuite").get("name") == "a&b.md"  # type: ignore[union-attr]
    assert root.find("testsuite/testcase/failure").get("message") == '<b> & "x"'  # type: ignore[union-attr]


# --- text ----------------------------------------------------------------------------------

def test_text_plain_lists_findings_and_summary(report: Report) -> None:
    out = render_report(report, "text", color=False)
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0].startswith("drafts/a.md")
    row = next(line for line in lines if "vague-timeline" in line)
    assert row.split()[:3] == ["3:12", "warning", "vague-timeline"]
    assert "Name the day: 18 December." in lines[lines.index(row) + 1]
    assert "未发现问题" in out and "no problems found" not in out  # b.md is Chinese: its labels are too
    assert lines[-1] == "1 error, 1 warning, 1 info in 2 files"  # a mixed run: the summary in English


def test_text_labels_are_in_each_files_language_and_the_summary_in_the_cli_language() -> None:
    zh = FileReport(path="zh.md", language="zh", findings=[
        Finding(check="jargon", principle="plain-language", severity="warning", line=1, column=3, text="联调",
                message="“联调”是术语。"),
        Finding(check="missing-cause", principle="plain-language", severity="error", message="通知没有说明原因。")])
    en = FileReport(path="en.md", language="en", findings=[
        Finding(check="jargon", principle="plain-language", severity="warning", line=2, column=1, text="QA",
                message='"QA" is jargon.')])
    out = render_report(make_report([zh]), "text", color=False)
    rows = out.splitlines()
    assert rows[1].split()[:3] == ["1:3", "警告", "jargon"] and rows[2].split()[:3] == ["-", "错误", "missing-cause"]
    assert rows[1].index("jargon") == rows[2].index("missing-cause")  # the columns line up
    assert rows[-1] == "共 1 个文件：1 条错误，1 条警告，0 条提示"
    assert "warning" not in out and "error" not in out.replace("missing-cause", "")
    mixed = render_report(make_report([zh, en]), "text", color=False).splitlines()
    assert any(r.split()[:2] == ["2:1", "warning"] for r in mixed) and any("警告" in r for r in mixed)
    assert mixed[-1] == "1 error, 2 warnings, 0 info in 2 files"
    assert render_report(make_report([zh, en]), "text", color=False, language="zh").splitlines()[-1] == \
        "共 2 个文件：1 条错误，2 条警告，0 条提示"
    assert '"severity": "warning"' in render_report(make_report([zh]), "json")  # machine formats stay English


def test_text_absent_findings_come_after_located_ones(report: Report) -> None:
    rows = [line.split() for line in render_report(report, "text", color=False).splitlines()
            if any(c in line for c in CHECK_IDS)]
    assert [r[0] for r in rows] == ["3:12", "-", "-"]
    assert rows[1][1] == "error"  # the most severe absent element first


def test_text_colour_highlights_the_quoted_words(report: Report) -> None:
    out = render_report(report, "text", color=True)
    assert "\x1b[" in out
    plain = render_report(report, "text", color=False)
    assert '"as soon as possible"' in plain


def test_text_colour_follows_the_terminal_and_no_color() -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    class Pipe:
        def isatty(self) -> bool:
            return False

    assert use_color(Tty(), env={}) is True
    assert use_color(Tty(), env={"NO_COLOR": "1"}) is False
    assert use_color(Pipe(), env={}) is False


def test_text_without_a_terminal_has_no_ansi(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    # pytest captures stdout, so the real stdout is not a terminal here
    assert "\x1b[" not in render_report(report, "text")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in render_report(report, "text")


def test_text_never_treats_user_text_as_markup() -> None:
    f = Finding(check="missing-new-date", principle="solution", severity="error",
                message="Replace [bold]the placeholder[/bold] [new date] with a date.")
    out = render_report(make_report([FileReport(path="t.md", language="en", findings=[f])]), "text", color=False)
    assert "[bold]the placeholder[/bold] [new date]" in out


def test_quoted_spans_prefer_the_finding_text() -> None:
    message = 'Say "when": "soon" is vague'
    assert [message[a:b] for a, b in quoted_spans(message, "soon")] == ["soon"]
    assert [message[a:b] for a, b in quoted_spans(message, None)] == ["when", "soon"]
    assert [m[a:b] for m in ["“尽快”不是日期"] for a, b in quoted_spans(m, None)] == ["尽快"]
    assert quoted_spans("we don't know", None) == []


def test_text_summary_pluralises_and_counts_empty_reports() -> None:
    out = render_report(make_report([FileReport(path="a.md", language="en")]), "text", color=False)
    assert out.splitlines()[-1] == "0 errors, 0 warnings, 0 info in 1 file"


def test_unknown_format_is_an_input_error(report: Report) -> None:
    with pytest.raises(InputError):
        render_report(report, "xml")
