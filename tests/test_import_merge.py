"""delaynote import, writing side: the facts file edited in place as a user runs the command, with
comments and everything outside the changed keys kept byte for byte, ids for re-imports, .bak,
--dry-run, --prune, and a result that would not be valid facts refused before anything is written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.facts import load_facts

EXPORTS = Path(__file__).parent / "import_exports"


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["delaynote", *[str(a) for a in args]])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture()
def facts_en(tmp_path: Path) -> Path:
    return Path(shutil.copy(EXPORTS / "facts-en.yaml", tmp_path / "facts.yaml"))


@pytest.fixture()
def facts_zh(tmp_path: Path) -> Path:
    return Path(shutil.copy(EXPORTS / "facts-zh.yaml", tmp_path / "facts.yaml"))


def test_merge_keeps_every_byte_outside_the_changed_keys(facts_en: Path, monkeypatch, capsys) -> None:
    before = facts_en.read_text(encoding="utf-8")
    code, _, err = run(["import", EXPORTS / "jira.csv", "--facts", facts_en, "--group-by", "epic"], monkeypatch, capsys)
    assert code == 0, err
    after = facts_en.read_text(encoding="utf-8")
    head = before[:before.index("phases:")]  # comments, quoting, a folded line, the blank line: all before
    tail = before[before.index("# Updates every Friday."):]
    assert after.startswith(head) and after.endswith(tail)
    for comment in ("# The new timeline, kept in step with Jira", "# agreed with the client on 3 February",
                    "# What is already done.", "# What remains.", "# Tomás"):
        assert after.count(comment) == 1, comment
    assert "  - Refund screen   # Tomás\n" in after  # the user's own comment is kept; no id is forced on it
    assert (facts_en.parent / "facts.yaml.bak").read_text(encoding="utf-8") == before
    facts = load_facts(facts_en)
    assert [(p.name, p.due.isoformat(), p.status) for p in facts.phases] == [
        ("Fix rounding on discounts", "2027-02-10", "done"),
        ("Card payments", "2027-03-19", "in_progress"),
        ("Store rollout", "2027-04-09", "planned")]
    assert facts.phases[1].tasks == ["Confirm payments with the new card provider", "Refund screen"]
    assert facts.completed == ["Fix rounding on discounts", "Confirm payments with the new card provider"]
    assert facts.pending == ["Refund screen", "Train store staff", "Print receipts"]  # one moved to completed
    assert "  - name: Card payments  # id: KP-1\n" in after
    assert "pending -> completed: Confirm payments with the new card provider" in err
    assert "facts.yaml.bak" in err


def test_a_second_import_changes_nothing_and_a_renamed_issue_is_found_by_its_key(
        facts_en: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    args = ["import", EXPORTS / "jira.csv", "--facts", facts_en, "--group-by", "epic"]
    assert run(args, monkeypatch, capsys)[0] == 0
    first = facts_en.read_bytes()
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 0 and "nothing to change" in err and facts_en.read_bytes() == first
    renamed = tmp_path / "renamed.csv"
    renamed.write_text((EXPORTS / "jira.csv").read_text(encoding="utf-8")
                       .replace("Train store staff", "Train staff in both stores"), encoding="utf-8")
    code, _, err = run(["import", renamed, "--facts", facts_en, "--group-by", "epic"], monkeypatch, capsys)
    assert code == 0, err
    facts = load_facts(facts_en)
    assert "Train store staff" not in facts.pending and "Train staff in both stores" in facts.pending
    assert facts.phases[2].tasks == ["Train staff in both stores", "Print receipts"]
    assert facts_en.read_text(encoding="utf-8").count("# id: KP-5") == 2  # phase task and pending item


def test_dry_run_shows_a_diff_and_writes_nothing(facts_en: Path, monkeypatch, capsys) -> None:
    before = facts_en.read_bytes()
    code, out, err = run(["import", EXPORTS / "jira.csv", "--facts", facts_en, "--group-by", "epic", "--dry-run"],
                         monkeypatch, capsys)
    assert code == 0, err
    assert out.startswith(f"--- {facts_en}\n+++ {facts_en} (after import)\n@@")
    assert "-    due: 2027-03-12   # agreed with the client on 3 February\n" in out
    assert "+    due: 2027-03-19   # agreed with the client on 3 February\n" in out
    assert facts_en.read_bytes() == before and not (facts_en.parent / "facts.yaml.bak").exists()
    assert "--dry-run" in err


def test_a_phase_due_after_the_new_date_is_reported_not_written(facts_en: Path, tmp_path: Path,
                                                               monkeypatch, capsys) -> None:
    late = tmp_path / "late.csv"
    late.write_text((EXPORTS / "jira.csv").read_text(encoding="utf-8").replace("09/Apr/27 12:00 PM", "30/Apr/27"),
                    encoding="utf-8")
    before = facts_en.read_bytes()
    code, out, err = run(["import", late, "--facts", facts_en, "--group-by", "epic"], monkeypatch, capsys)
    assert code == 2
    assert "is not changed: with this import it would have 1 problem" in err
    assert "phases[2].due: 2027-04-30 is after new_date (2027-04-16)" in err
    assert facts_en.read_bytes() == before and not (facts_en.parent / "facts.yaml.bak").exists()
    assert "Traceback" not in err


def test_nothing_is_deleted_unless_prune(facts_zh: Path, monkeypatch, capsys) -> None:
    args = ["import", EXPORTS / "pingcode-bom.csv", "--facts", facts_zh, "--group-by", "所属迭代"]
    assert run(args, monkeypatch, capsys)[0] == 0
    facts = load_facts(facts_zh)
    assert [p.name for p in facts.phases] == ["迭代 1", "金额计算", "迭代 3"]  # the hand-written phase stays
    assert "商品浏览页面" in facts.completed  # hand-written, not in the export: kept
    code, _, err = run([*args, "--prune"], monkeypatch, capsys)
    assert code == 0, err
    facts = load_facts(facts_zh)
    assert [p.name for p in facts.phases] == ["迭代 1", "迭代 3"]
    assert facts.completed == ["商品浏览"] and facts.pending == ["门店试用", "订货金额计算"]
    assert "phases: removed 金额计算 (not in the export; --prune)" in err
    text = facts_zh.read_text(encoding="utf-8")
    assert text.startswith("# 门店订货小程序：给鲜丰连锁超市张总的延期通知。\n") and "# 每周五更新\nupdates:" in text


def test_gbk_export_into_chinese_facts_keeps_flow_lists(facts_zh: Path, monkeypatch, capsys) -> None:
    code, _, err = run(["import", EXPORTS / "worktile-gbk.csv", "--facts", facts_zh, "--group-by", "任务分组"],
                       monkeypatch, capsys)
    assert code == 0, err
    text = facts_zh.read_text(encoding="utf-8")
    assert "completed: [商品浏览页面, 库存查询]\n" in text
    assert "pending: [门店试用, 订货金额计算改写, 真实订单逐笔核对]\n" in text
    assert "    due: 2026-12-31  # 与张总确认过\n" in text  # the phase 金额计算 took its latest task's due
    assert "phase '交付' is not added: none of its tasks has a due date" in err


def test_facts_file_bom_and_crlf_are_kept(tmp_path: Path, monkeypatch, capsys) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_bytes(b"\xef\xbb\xbf" + (EXPORTS / "facts-en.yaml").read_bytes().replace(b"\n", b"\r\n"))
    code, _, err = run(["import", EXPORTS / "linear.csv", "--facts", facts, "--group-by", "cycle"], monkeypatch, capsys)
    assert code == 0, err
    data = facts.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# yaml-language-server") and b"\n" not in data.replace(b"\r\n", b"")
    assert [p.name for p in load_facts(facts).phases] == ["Cycle 12", "Card payments", "Cycle 13"]


def test_unknown_status_exits_2_with_one_sentence(facts_en: Path, monkeypatch, capsys) -> None:
    before = facts_en.read_bytes()
    code, out, err = run(["import", EXPORTS / "github-projects.tsv", "--facts", facts_en], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'Blocked'" in err and "--status STATE=Blocked" in err
    assert facts_en.read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "jira-json"], "reads a saved JSON answer"),
    (["--timezone", "Mars/Olympus"], "is not a time zone name"),
    (["--map", "name"], "needs the form FIELD=COLUMN"),
])
def test_bad_options_are_one_sentence_and_exit_2(args: list[str], message: str, facts_en: Path,
                                                 monkeypatch, capsys) -> None:
    code, _, err = run(["import", EXPORTS / "jira.csv", "--facts", facts_en, *args], monkeypatch, capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_facts_file_says_how_to_make_one(tmp_path: Path, monkeypatch, capsys) -> None:
    code, _, err = run(["import", EXPORTS / "jira.csv", "--facts", tmp_path / "nope.yaml"], monkeypatch, capsys)
    assert code == 2 and "delaynote init" in err


def test_json_facts_file_is_merged_as_json(tmp_path: Path, monkeypatch, capsys) -> None:
    import json

    facts = tmp_path / "facts.json"
    data = load_facts(EXPORTS / "facts-en.yaml").model_dump(mode="json", exclude_none=True)
    facts.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    code, _, err = run(["import", EXPORTS / "jira-search.json", "--facts", facts, "--group-by", "epic"],
                       monkeypatch, capsys)
    assert code == 0, err
    assert [p.name for p in load_facts(facts).phases] == ["Card payments", "Store rollout"]


def test_help_does_not_load_ruamel_or_openpyxl() -> None:
    code = ("import sys, assistant.cli; sys.argv = ['delaynote', 'import', '--help']\n"
            "try:\n    assistant.cli.main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('ruamel', 'openpyxl'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "--group-by" in out and out.strip().endswith("[]")


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
                         + [Path(__file__).parent.parent / "assistant" / "data" / f"init_{lang}.yaml" for lang in ("en", "zh")])
def test_round_trip_of_the_shipped_facts_files_is_byte_identical(path: Path) -> None:
    from assistant.importing.yamledit import dump, make_yaml

    text = path.read_text(encoding="utf-8")
    yaml = make_yaml(text)
    assert dump(yaml, yaml.load(text)) == text


def test_new_items_follow_the_files_own_list_indentation(tmp_path: Path, monkeypatch, capsys) -> None:
    facts = tmp_path / "facts.yaml"
    text = (EXPORTS / "facts-en.yaml").read_text(encoding="utf-8")
    facts.write_text(text.replace("\n  - ", "\n- ").replace("\n    ", "\n  "), encoding="utf-8")  # dashes at column 0
    code, _, err = run(["import", EXPORTS / "jira.csv", "--facts", facts, "--group-by", "epic"], monkeypatch, capsys)
    assert code == 0, err
    after = facts.read_text(encoding="utf-8")
    assert "\n- name: Store rollout  # id: KP-4\n  due: 2027-04-09\n  tasks:\n  - Train store staff  # id: KP-5\n" in after
    assert "\n- Train store staff  # id: KP-5\n" in after


def test_a_task_moved_to_another_epic_leaves_its_old_phase(facts_en: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    assert run(["import", EXPORTS / "jira.csv", "--facts", facts_en, "--group-by", "epic"], monkeypatch, capsys)[0] == 0
    moved = tmp_path / "moved.csv"
    moved.write_text((EXPORTS / "jira.csv").read_text(encoding="utf-8").replace("10004,Store rollout", "10001,Card payments"),
                     encoding="utf-8")
    code, _, err = run(["import", moved, "--facts", facts_en, "--group-by", "epic"], monkeypatch, capsys)
    assert code == 0, err
    phases = {p.name: p for p in load_facts(facts_en).phases}
    assert phases["Card payments"].tasks == ["Confirm payments with the new card provider", "Refund screen",
                                             "Train store staff", "Print receipts"]
    assert phases["Store rollout"].tasks == []  # kept (no --prune), its tasks moved; no empty list left behind
    assert "tasks: []" not in facts_en.read_text(encoding="utf-8")
    assert "phases: Store rollout: task moved to Card payments: Print receipts" in err


def test_export_from_stdin_as_a_pipe_sends_it(facts_en: Path, monkeypatch, capsys) -> None:
    import io

    data = (EXPORTS / "jira-search.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, _, err = run(["import", "-", "--facts", facts_en, "--group-by", "epic"], monkeypatch, capsys)
    assert code == 0, err
    assert "read 4 tasks from stdin (Jira REST search JSON)" in err
    assert [p.name for p in load_facts(facts_en).phases] == ["Card payments", "Store rollout"]
    code, _, err = run(["import", EXPORTS / "jira.csv", "--facts", "-"], monkeypatch, capsys)
    assert code == 2 and "--facts needs a file" in err


def test_a_phase_renamed_by_hand_keeps_its_name(facts_en: Path, monkeypatch, capsys) -> None:
    args = ["import", EXPORTS / "jira.csv", "--facts", facts_en, "--group-by", "epic"]
    assert run(args, monkeypatch, capsys)[0] == 0
    facts_en.write_text(facts_en.read_text(encoding="utf-8").replace(
        "- name: Store rollout  # id: KP-4", "- name: Opening in the stores  # id: KP-4"), encoding="utf-8")
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 0 and "nothing to change" in err
    assert [p.name for p in load_facts(facts_en).phases][-1] == "Opening in the stores"


def test_problems_the_file_already_had_are_marked(tmp_path: Path, monkeypatch, capsys) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text((EXPORTS / "facts-en.yaml").read_text(encoding="utf-8").replace("  contact: Ms. Kovač\n", ""),
                     encoding="utf-8")
    code, _, err = run(["import", EXPORTS / "jira.csv", "--facts", facts, "--group-by", "epic"], monkeypatch, capsys)
    assert code == 2
    assert "  - client.contact: is required but missing (already so before the import)" in err


def test_a_cancelled_task_still_listed_is_named_and_left_to_prune(facts_en: Path, monkeypatch, capsys) -> None:
    facts_en.write_text(facts_en.read_text(encoding="utf-8").replace(
        "  - Confirm payments with the new card provider\n", "  - Old kiosk import\n"), encoding="utf-8")
    args = ["import", EXPORTS / "linear.csv", "--facts", facts_en, "--group-by", "cycle"]
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 0, err
    assert "'Old kiosk import' is Canceled in the export but still in pending; --prune removes it" in err
    assert "Old kiosk import" in load_facts(facts_en).pending
    assert run([*args, "--prune"], monkeypatch, capsys)[0] == 0
    assert "Old kiosk import" not in load_facts(facts_en).pending


def test_a_phase_inserted_between_two_keeps_the_comment_before_the_second(tmp_path: Path, monkeypatch, capsys) -> None:
    facts = tmp_path / "facts.yaml"
    text = (EXPORTS / "facts-en.yaml").read_text(encoding="utf-8").replace(
        "    status: in_progress\n# What is already done.",
        "    status: in_progress\n\n  # the stores open last\n  - name: Store rollout\n    due: 2027-04-12\n"
        "    status: planned\n# What is already done.")
    facts.write_text(text, encoding="utf-8")
    late = tmp_path / "tasks.csv"
    late.write_text("Summary,Issue key,Status,Due date\nPilot store,KP-9,To Do,02/Apr/27\n", encoding="utf-8")
    code, _, err = run(["import", late, "--facts", facts], monkeypatch, capsys)
    assert code == 0, err
    assert ("    status: in_progress\n  - name: Pilot store  # id: KP-9\n    due: 2027-04-02\n    status: planned\n\n"
            "  # the stores open last\n  - name: Store rollout\n") in facts.read_text(encoding="utf-8")


def test_a_key_that_is_not_a_list_is_not_replaced(facts_en: Path, monkeypatch, capsys) -> None:
    facts_en.write_text(facts_en.read_text(encoding="utf-8").replace(
        "pending:\n  - Refund screen   # Tomás\n  - Confirm payments with the new card provider\n",
        "pending: ask Tomás\n"), encoding="utf-8")
    before = facts_en.read_bytes()
    code, _, err = run(["import", EXPORTS / "jira.csv", "--facts", facts_en], monkeypatch, capsys)
    assert code == 2 and "pending in the facts file is not a list ('ask Tomás')" in err
    assert facts_en.read_bytes() == before


def test_task_times_become_dates_in_the_facts_own_time_zone(facts_en: Path, tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    # 23:30 UTC on 18 March is already 19 March in Shanghai, still 18 March in New York
    export = tmp_path / "tasks.csv"
    export.write_text("Name,Due,State\nCard payments,2027-03-18T23:30:00Z,In Progress\n", encoding="utf-8")
    args = ["import", export, "--facts", facts_en, "--map", "name=Name,due=Due,status=State", "--prune"]
    text = facts_en.read_text(encoding="utf-8")
    facts_en.write_text(text + "timezone: Asia/Shanghai\n", encoding="utf-8")
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 0, err
    assert [p.due.isoformat() for p in load_facts(facts_en).phases] == ["2027-03-19"]
    code, _, err = run([*args, "--timezone", "America/New_York"], monkeypatch, capsys)  # the flag wins
    assert code == 0, err
    assert [p.due.isoformat() for p in load_facts(facts_en).phases] == ["2027-03-18"]
    facts_en.write_text(text + "timezone: Mars/Olympus\n", encoding="utf-8")
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 2 and "timezone 'Mars/Olympus' is not a time zone name" in err and "Traceback" not in err


def test_linears_own_header_spelling_is_read_as_linear(tmp_path: Path, monkeypatch, capsys) -> None:
    # the header Linear's own CSV importer reads (linear/linear, packages/import, LinearCsvImporter):
    # "Id", not "ID"; header names are matched without regard to case
    from zoneinfo import ZoneInfo

    from assistant.importing.command import read_tasks

    export = tmp_path / "linear.csv"
    export.write_text("Id,Team,Title,Description,Status,Estimate,Priority,Project,Creator,Assignee,Labels,"
                      "Cycle Number,Cycle Name,Cycle Start,Cycle End,Created,Updated,Started,Completed,Canceled,"
                      "Archived,Due Date\nENG-7,ENG,Refund screen,,In Progress,2,High,Payments,A,B,,3,Cycle 3,,,,,,,,,"
                      "2027-03-12\n", encoding="utf-8")
    tasks, fmt, _ = read_tasks(export, fmt=None, maps=[], zone=ZoneInfo("UTC"))
    assert fmt == "linear" and [(t.key, t.name, t.due.isoformat()) for t in tasks] == [
        ("ENG-7", "Refund screen", "2027-03-12")]
