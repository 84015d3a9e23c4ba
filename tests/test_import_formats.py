"""delaynote import, reading side: every tool's export (tests/import_exports) read into tasks, dates,
statuses and phases, with detection, encodings and the mapping options."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import InputError
from assistant.importing.command import read_tasks
from assistant.importing.grouping import make_plan
from assistant.importing.statuses import classify, parse_status_options
from assistant.importing.taskdates import parse_task_date

EXPORTS = Path(__file__).parent / "import_exports"


def load(name: str, **options):
    return load_path(EXPORTS / name, **options)


def load_path(path: Path, *, fmt: str | None = None, maps: list[str] | None = None, statuses: list[str] | None = None,
              group_by: str | None = None):
    tasks, found, columns = read_tasks(path, fmt=fmt, maps=maps or [], zone=UTC)
    classify(tasks, parse_status_options(statuses or []), source=path.name)
    return tasks, found, make_plan(tasks, group_by, source=path.name, columns=columns)


@pytest.mark.parametrize(("name", "fmt"), [
    ("jira.csv", "jira"), ("jira-search.json", "jira-json"), ("linear.csv", "linear"),
    ("github-projects.tsv", "github"), ("github-projects.json", "github-json"),
    ("worktile-gbk.csv", "worktile"), ("pingcode-bom.csv", "pingcode"),
])
def test_each_export_is_detected_by_its_columns_or_shape(name: str, fmt: str) -> None:
    tasks, found, _ = read_tasks(EXPORTS / name, fmt=None, maps=[], zone=UTC)
    assert found == fmt
    assert tasks and all(t.name for t in tasks)


@pytest.mark.parametrize(("text", "expected"), [
    ("2027-03-17", date(2027, 3, 17)),
    ("17/Mar/27 5:00 PM", date(2027, 3, 17)),
    ("17/Mar/27", date(2027, 3, 17)),
    ("2027/3/17", date(2027, 3, 17)),
    ("2027/03/17 18:30", date(2027, 3, 17)),
    ("2027年3月17日", date(2027, 3, 17)),
    ("2027年3月17日 09:00", date(2027, 3, 17)),
    ("", None),
])
def test_dates_in_the_forms_the_tools_write(text: str, expected: date | None) -> None:
    assert parse_task_date(text, UTC) == expected


def test_a_time_with_an_offset_is_the_date_in_the_facts_time_zone() -> None:
    # 23:30 UTC on the 17th is already the 18th in Shanghai, still the 17th in New York
    assert parse_task_date("2027-03-17T23:30:00.000+0000", ZoneInfo("Asia/Shanghai")) == date(2027, 3, 18)
    assert parse_task_date("2027-03-17T23:30:00Z", ZoneInfo("America/New_York")) == date(2027, 3, 17)
    assert parse_task_date("2027-03-17T23:30:00", ZoneInfo("Asia/Shanghai")) == date(2027, 3, 17)  # local already


@pytest.mark.parametrize("text", ["2027-02-30", "31/Foo/27", "next Friday", "3月17日"])
def test_a_date_that_is_not_one_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(ValueError):
        parse_task_date(text, UTC)


def test_jira_csv_epics_become_phases_named_by_the_epic_row() -> None:
    tasks, _, plan = load("jira.csv", group_by="epic")
    assert len(tasks) == 7  # the two descriptions with line breaks inside quotes stay one row each
    by_key = {t.key: t for t in tasks}
    assert by_key["KP-3"].where == "line 5"  # the row before it spans lines 3 and 4
    assert by_key["KP-7"].due == date(2027, 2, 10)  # 10/Feb/27 5:00 PM
    assert by_key["KP-6"].due is None  # empty due date
    assert by_key["KP-3"].state == "in_progress"  # "Ready for QA" is the team's own: its Status Category says
    phases = {p.name: p for p in plan.phases}
    assert set(phases) == {"Fix rounding on discounts", "Card payments", "Store rollout"}
    card = phases["Card payments"]
    assert card.key == "KP-1" and card.due == date(2027, 3, 19) and card.status == "in_progress"
    assert [t.name for t in card.tasks] == ["Confirm payments with the new card provider", "Refund screen"]
    rollout = phases["Store rollout"]
    assert rollout.due == date(2027, 4, 9) and rollout.status == "planned"  # latest due, the empty one ignored
    assert [p.name for p in plan.phases] == ["Fix rounding on discounts", "Card payments", "Store rollout"]
    assert {t.name for t in plan.completed} == {"Fix rounding on discounts", "Confirm payments with the new card provider"}
    assert "Card payments" not in {t.name for t in plan.pending}  # the epic row is a heading, not a task


def test_jira_csv_fix_versions_repeat_their_header_and_the_first_one_groups() -> None:
    _, _, plan = load("jira.csv", group_by="version")
    assert {p.name: [t.key for t in p.tasks] for p in plan.phases} == {
        "1.2": ["KP-2", "KP-3", "KP-7"], "1.3": ["KP-5", "KP-6"]}


def test_jira_rest_json_gives_the_same_phases_as_the_csv() -> None:
    _, _, plan = load("jira-search.json", group_by="epic")
    assert [(p.name, p.key, p.due, p.status) for p in plan.phases] == [
        ("Card payments", "KP-1", date(2027, 3, 19), "in_progress"),
        ("Store rollout", "KP-4", date(2027, 4, 9), "planned")]
    _, _, by_sprint = load("jira-search.json", group_by="Sprint")  # a custom field, by its name in "names"
    assert {p.name for p in by_sprint.phases} >= {"KP Sprint 4", "KP Sprint 5"}


def test_linear_cycles_and_a_cancelled_issue_left_out() -> None:
    tasks, _, plan = load("linear.csv", group_by="cycle")
    assert [(p.name, p.due, p.status) for p in plan.phases] == [
        ("Cycle 12", date(2027, 2, 12), "done"), ("Cycle 13", date(2027, 3, 24), "in_progress")]
    assert [t.key for t in plan.skipped] == ["ENG-104"]
    assert "Old kiosk import" not in {t.name for t in plan.completed + plan.pending}


def test_github_projects_tsv_unknown_status_is_one_sentence_naming_it_and_the_fix() -> None:
    with pytest.raises(InputError) as exc:
        load("github-projects.tsv")
    message = exc.value.message
    assert "'Blocked'" in message and "line 5" in message and "--status STATE=Blocked" in message
    assert message.count(". ") == 0 and "\n" not in message
    _, _, plan = load("github-projects.tsv", statuses=["in_progress=Blocked"], group_by="iteration")
    assert [(p.name, p.status) for p in plan.phases] == [
        ("Iteration 3", "done"), ("Iteration 4", "in_progress"), ("Iteration 5", "in_progress")]


def test_github_projects_graphql_items_with_drafts_and_no_due() -> None:
    tasks, _, plan = load("github-projects.json", group_by="iteration")
    assert [(t.name, t.key, t.due, t.state) for t in tasks] == [
        ("Sign-in with e-mail link", "https://github.com/harbor-app/portal/issues/41", date(2027, 2, 19), "done"),
        ("Payment history page", "https://github.com/harbor-app/portal/issues/42", date(2027, 3, 12), "in_progress"),
        ("Accessibility review", None, None, "planned")]  # a draft issue: no status, no due, not started
    assert plan.phases[1].due == date(2027, 3, 12)


def test_worktile_gbk_reads_like_its_utf8_twin() -> None:
    gbk, fmt, _ = load("worktile-gbk.csv")
    utf8, _, _ = load("worktile-utf8.csv")
    assert fmt == "worktile"
    assert [(t.name, t.due, t.state) for t in gbk] == [(t.name, t.due, t.state) for t in utf8]
    assert gbk[2].name == "订货金额计算改写" and gbk[2].due == date(2026, 12, 18)  # 2026年12月18日
    assert gbk[4].due is None


def test_pingcode_bom_iterations_and_the_epic_as_parent() -> None:
    tasks, fmt, plan = load("pingcode-bom.csv", group_by="所属迭代")
    assert fmt == "pingcode" and tasks[0].key == "SCM-1"  # the BOM is not part of the first column's name
    assert [(p.name, p.due, p.status) for p in plan.phases] == [
        ("迭代 1", date(2026, 11, 20), "done"), ("迭代 3", date(2027, 1, 6), "in_progress")]
    assert [t.name for t in plan.skipped] == ["旧系统数据迁移"]  # 已取消
    _, _, by_parent = load("pingcode-bom.csv", group_by="parent")
    assert [(p.name, p.key) for p in by_parent.phases] == [("订货小程序", "SCM-1")]  # 父工作项 SCM-1 names it


def test_generic_csv_with_a_column_map_and_status_words() -> None:
    with pytest.raises(InputError, match="'待排期'"):
        load("generic.csv", maps=["name=任务名,due=截止时间,status=当前进度"])
    tasks, fmt, plan = load("generic.csv", maps=["name=任务名,due=截止时间,status=当前进度"],
                            statuses=["done=关闭", "planned=待排期"], group_by="所属模块")
    assert fmt == "csv"
    assert [(t.name, t.state) for t in tasks] == [("门店订货流程梳理", "done"), ("订货金额计算", "in_progress"),
                                                 ("门店培训", "planned")]
    assert [p.name for p in plan.phases] == ["订货", "金额", "交付"]


def test_map_overrides_a_detected_format_and_a_missing_column_is_named() -> None:
    tasks, fmt, _ = load("jira.csv", maps=["due=Created"])
    assert fmt == "jira" and tasks[0].due == date(2027, 1, 2)
    with pytest.raises(InputError, match="no column 'Target end'.*its columns: Summary, Issue key"):
        load("jira.csv", maps=["due=Target end"])
    with pytest.raises(InputError, match="'owner' is not a field"):
        load("jira.csv", maps=["owner=Assignee"])


def test_unknown_columns_without_a_map_ask_for_format_or_map(tmp_path: Path) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text("Thing,When,State\nA,2027-01-01,Done\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cannot tell which tool.*Thing, When, State.*--map name=COLUMN"):
        read_tasks(path, fmt=None, maps=[], zone=UTC)


def test_group_by_a_column_nobody_has_is_refused() -> None:
    with pytest.raises(InputError, match="--group-by Team: .* no column 'Team'"):
        load("jira.csv", group_by="Team")


def test_status_option_needs_a_known_state() -> None:
    with pytest.raises(InputError, match="STATE=WORD"):
        parse_status_options(["finished=Done"])
    assert parse_status_options(["done=已完成，关闭", "in-progress=进行中"]) == {
        "已完成": "done", "关闭": "done", "进行中": "in_progress"}


def test_a_western_european_excel_file_is_refused_not_read_as_chinese(tmp_path: Path) -> None:
    path = tmp_path / "jira-cp1252.csv"
    path.write_bytes((EXPORTS / "jira.csv").read_text(encoding="utf-8").replace("Kovač", "Kovacs")
                     .encode("cp1252"))  # "Tomás Ferreira" is the only non-ASCII name left
    with pytest.raises(InputError, match="neither UTF-8 nor GBK/GB18030.*Windows-1252.*CSV UTF-8"):
        read_tasks(path, fmt=None, maps=[], zone=UTC)
    short_gbk = tmp_path / "short.csv"
    short_gbk.write_bytes("标题,状态\n门店试用,完成\n".encode("gbk"))  # a few Chinese characters are enough
    assert read_tasks(short_gbk, fmt=None, maps=[], zone=UTC)[0][0].name == "门店试用"


def test_an_export_that_is_not_there_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_tasks(tmp_path / "missing.csv", fmt=None, maps=[], zone=UTC)


def test_a_task_carried_over_belongs_to_its_last_sprint(tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text("Summary,Issue key,Status,Due date,Sprint,Sprint\n"
                    "Refund screen,KP-3,In Progress,19/Mar/27,KP Sprint 4,KP Sprint 5\n", encoding="utf-8")
    tasks, _, columns = read_tasks(path, fmt=None, maps=[], zone=UTC)
    classify(tasks, {}, source="jira.csv")
    plan = make_plan(tasks, "sprint", source="jira.csv", columns=columns)
    assert [p.name for p in plan.phases] == ["KP Sprint 5"]


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_excel_workbook_reads_like_the_csv_with_real_date_cells(tmp_path: Path) -> None:
    import csv
    from datetime import datetime

    rows: list[list[object]] = list(csv.reader((EXPORTS / "pingcode-utf8.csv").open(encoding="utf-8")))
    due = rows[0].index("截止时间")
    for row in rows[1:]:  # Excel keeps dates as dates (and points as numbers), not as text
        if row[due]:
            row[due] = datetime.strptime(row[due], "%Y/%m/%d") if "/" in row[due] else datetime.fromisoformat(row[due])
    rows[2][-1] = 3.0
    book = _workbook(tmp_path / "工作项.xlsx", [*rows, [None] * len(rows[0])])  # a blank row Excel left at the end
    tasks, fmt, plan = load_path(book, group_by="所属迭代")
    csv_tasks, _, _ = load("pingcode-bom.csv")
    assert fmt == "pingcode"
    assert [(t.name, t.key, t.due, t.state) for t in tasks] == [(t.name, t.key, t.due, t.state) for t in csv_tasks]
    assert tasks[1].where == "row 3"
    assert [p.name for p in plan.phases] == ["迭代 1", "迭代 3"]


def test_a_zip_that_is_not_a_workbook_is_one_sentence(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("issues.csv", "Title,Status\nA,Done\n")
    with pytest.raises(InputError, match="zip archive but not a readable Excel workbook.*unzip it"):
        read_tasks(path, fmt=None, maps=[], zone=UTC)


def test_several_saved_pages_of_an_api_answer_as_one_json_list(tmp_path: Path) -> None:
    import json

    answer = json.loads((EXPORTS / "jira-search.json").read_text(encoding="utf-8"))
    first, second = dict(answer, issues=answer["issues"][:2]), dict(answer, issues=answer["issues"][2:], startAt=2)
    path = tmp_path / "pages.json"
    path.write_text(json.dumps([first, second]), encoding="utf-8")  # what `jq -s . page1.json page2.json` writes
    tasks, fmt, plan = load_path(path, group_by="epic")
    assert fmt == "jira-json" and [t.key for t in tasks] == ["KP-2", "KP-3", "KP-5", "KP-6"]
    assert [p.name for p in plan.phases] == ["Card payments", "Store rollout"]


def test_a_linear_issue_named_like_a_project_is_still_a_task(tmp_path: Path) -> None:
    path = tmp_path / "linear.csv"
    path.write_text((EXPORTS / "linear.csv").read_text(encoding="utf-8").replace("Booking calendar sync", "Clinic booking"),
                    encoding="utf-8")
    tasks, _, plan = load_path(path, group_by="epic")  # epic = the Project column, which is no issue
    assert "Clinic booking" in [t.name for t in plan.completed]
    assert [p.name for p in plan.phases] == ["Clinic booking"] and len(plan.phases[0].tasks) == 3
