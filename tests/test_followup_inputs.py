"""Bad inputs to the follow-through commands: one sentence, exit 2, nothing overwritten (issue 12)."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.followup import history as hist
from assistant.followup.history import Sent, open_history
from tests.followup_helpers import project_dir, run_cli


def test_bad_progress_file_lists_every_problem_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    Path("bad.yaml").write_text("update_date: 2026-11-10\nstatus: at_rsk\ndone: [x]\nriskz: []\n"
                                "slipped: {new_date: 2026-12-01, cause: {summary: x}, changes: []}\n", encoding="utf-8")
    code, out, err = run_cli(["update", "--facts", "facts_en.yaml", "--progress", "bad.yaml"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert "bad.yaml has 5 problems" in err
    for part in ("status: 'at_rsk' is not allowed", "riskz: is not a known key", "slipped.changes: needs at least one",
                 "update_date: 2026-11-10 is before the notice", "slipped.new_date: 2026-12-01 must be after"):
        assert part in err, part
    assert "Traceback" not in err


def test_a_date_that_has_passed_cannot_still_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    Path("p.yaml").write_text("update_date: 2026-12-21\nstatus: on_track\n", encoding="utf-8")
    code, _, err = run_cli(["update", "--facts", "facts_en.yaml", "--progress", "p.yaml"], monkeypatch, capsys)
    assert code == 2 and "status: on_track cannot be true on 2026-12-21, after the delivery date (2026-12-18)" in err


@pytest.mark.parametrize("status", ["at_risk", "slipped"])
def test_status_needs_its_section(status: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    Path("p.yaml").write_text(f"update_date: 2026-11-27\nstatus: {status}\n", encoding="utf-8")
    code, _, err = run_cli(["update", "--facts", "facts_en.yaml", "--progress", "p.yaml"], monkeypatch, capsys)
    assert code == 2 and f"{status}: is required when status is {status}" in err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_init_progress_example_is_accepted_as_is(lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli(["init", "--lang", lang, "facts.yaml"], monkeypatch, capsys)[0] == 0
    code, _, err = run_cli(["init", "--progress", "--lang", lang], monkeypatch, capsys)
    assert code == 0 and "progress.yaml" in err and Path("progress.yaml").is_file()
    assert run_cli(["init", "--progress", "--lang", lang], monkeypatch, capsys)[0] == 2  # never overwritten
    code, out, err = run_cli(["update", "--facts", "facts.yaml", "--progress", "progress.yaml"], monkeypatch, capsys)
    assert code == 0, err
    assert ("still holds" if lang == "en" else "保持不变") in out
    code, printed, _ = run_cli(["init", "--progress", "--lang", lang, "-"], monkeypatch, capsys)
    assert code == 0 and printed == Path("progress.yaml").read_text(encoding="utf-8")


def test_schema_progress(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["schema", "--progress"], monkeypatch, capsys)
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "delaynote progress"
    assert {"status", "done", "in_progress", "next", "risks", "at_risk", "slipped"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    code, out, _ = run_cli(["schema"], monkeypatch, capsys)
    assert json.loads(out)["title"] == "delaynote facts"


def _sent(day: str = "2026-11-20", sha: str = "a" * 64) -> Sent:
    return Sent(sent_on=date.fromisoformat(day), kind="notice", language="en", channel="email",
                delivery_date=date(2026, 12, 18), text_sha256=sha)


@pytest.mark.parametrize("content", [b"this is a text file\n", b"SQLite format 3\x00" + b"\x13" * 2000, b""])
def test_corrupt_or_foreign_file_is_refused_and_left_unchanged(content: bytes, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    path = tmp_path / "h.sqlite"
    path.write_bytes(content)
    for args in (["log", "--facts", "facts_en.yaml", "--history", "h.sqlite"],
                 ["sent", "facts_en.yaml", "--facts", "facts_en.yaml", "--history", "h.sqlite"],
                 ["draft", "--facts", "facts_en.yaml", "--record-sent", "--history", "h.sqlite"],
                 ["update", "--facts", "facts_en.yaml", "--progress", "p1_en.yaml", "--history", "h.sqlite"]):
        code, out, err = run_cli(args, monkeypatch, capsys)
        assert code == 2 and out == "", args
        assert err.count("\n") == 1 and "h.sqlite" in err and "left unchanged" in err, err
        assert path.read_bytes() == content


def test_another_programs_database_and_a_newer_schema_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    before = other.read_bytes()
    with pytest.raises(InputError, match="another program"):
        open_history(other, "Customer portal rebuild", create=True)
    assert other.read_bytes() == before
    newer = tmp_path / "newer.sqlite"
    open_history(newer, "P", create=True).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(InputError, match="newer delaynote"):
        open_history(newer, "P", create=False)


def test_history_of_another_project_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    assert run_cli(["draft", "--facts", "facts_en.yaml", "--record-sent", "--out", "n.txt"], monkeypatch, capsys)[0] == 0
    db = tmp_path / ".delaynote" / "history.sqlite"
    before = db.read_bytes()
    code, out, err = run_cli(["draft", "--facts", "facts_zh.yaml", "--record-sent", "--history", str(db)],
                             monkeypatch, capsys)
    assert code == 2 and out == ""  # refused before drafting: nothing printed
    assert "is the history of the project 'Customer portal rebuild', not of '会员积分系统改版'" in err
    assert db.read_bytes() == before


def test_missing_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    code, _, err = run_cli(["log", "--facts", "facts_en.yaml"], monkeypatch, capsys)
    assert code == 2 and "no history at" in err and "delaynote sent" in err
    code, _, err = run_cli(["update", "--facts", "facts_en.yaml", "--progress", "p1_en.yaml", "--history", "x.sqlite"],
                           monkeypatch, capsys)
    assert code == 2 and "no history at x.sqlite" in err
    assert not Path("x.sqlite").exists()
    code, _, err = run_cli(["update", "--facts", "facts_en.yaml", "--progress", "p1_en.yaml"], monkeypatch, capsys)
    assert code == 0 and "fact-drift and missed-update are not checked" in err  # the first update may have none


def test_sent_records_a_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    Path("mine.txt").write_text("Dear Ms. Chen, the portal moves to 18 December 2026. Next update 27 November.\n",
                                encoding="utf-8")
    code, _, err = run_cli(["sent", "mine.txt", "--facts", "facts_en.yaml", "--date", "2026-11-21", "--channel", "im"],
                           monkeypatch, capsys)
    assert code == 0 and "recorded the notice sent on 2026-11-21 by im" in err
    code, _, err = run_cli(["sent", "mine.txt", "--facts", "facts_en.yaml"], monkeypatch, capsys)
    assert code == 2 and "already recorded as sent on 2026-11-21" in err
    code, out, _ = run_cli(["log", "--facts", "facts_en.yaml", "--format", "json"], monkeypatch, capsys)
    [message] = json.loads(out)["messages"]
    assert message["channel"] == "im" and message["source"] == "mine.txt"
    assert "2026-12-18" in message["text_dates"]
    code, _, err = run_cli(["sent", "mine.txt", "--facts", "facts_en.yaml", "--date", "2026-13-01"], monkeypatch, capsys)
    assert code == 2 and "--date" in err


def test_concurrent_writers_each_get_their_row(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    open_history(path, "P", create=True).close()
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            history = open_history(path, "P", create=True)
            for i in range(8):
                history.add(_sent(sha=f"{worker:02d}{i:062d}"))
            history.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    history = open_history(path, "P", create=False)
    messages = history.messages()
    history.close()
    assert len(messages) == 32 and len({m.text_sha256 for m in messages}) == 32


def test_schema_is_versioned_and_migrated_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite"
    first = open_history(path, "P", create=True)
    first.add(_sent())
    first.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == hist.SCHEMA_VERSION
    steps: list[int] = []

    def v2(conn: sqlite3.Connection) -> None:
        steps.append(2)
        conn.execute("ALTER TABLE messages ADD COLUMN note TEXT")

    monkeypatch.setattr(hist, "MIGRATIONS", {**hist.MIGRATIONS, 2: v2})
    monkeypatch.setattr(hist, "SCHEMA_VERSION", 2)
    history = open_history(path, "P", create=False)
    assert steps == [2] and len(history.messages()) == 1  # the old row survives the migration
    history.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_history_location_and_schedule_defaults_come_from_the_configuration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    Path("delaynote.toml").write_text('[followup]\nhistory = "records/h.sqlite"\ntz = "Asia/Shanghai"\n'
                                      'at = "08:15"\nremind = "3h"\n', encoding="utf-8")
    assert run_cli(["draft", "--facts", "facts_en.yaml", "--record-sent", "--out", "n.txt"], monkeypatch, capsys)[0] == 0
    assert Path("records/h.sqlite").is_file() and not Path(".delaynote").exists()
    code, out, _ = run_cli(["log", "--facts", "facts_en.yaml", "--format", "json"], monkeypatch, capsys)
    assert code == 0 and len(json.loads(out)["messages"]) == 1
    code, out, _ = run_cli(["schedule", "--facts", "facts_en.yaml"], monkeypatch, capsys)
    assert "DTSTART;TZID=Asia/Shanghai:20261127T081500" in out and "TRIGGER:-PT3H" in out
    monkeypatch.setenv("DELAYNOTE_HISTORY", str(tmp_path / "env.sqlite"))  # the environment wins
    code, _, err = run_cli(["log", "--facts", "facts_en.yaml"], monkeypatch, capsys)
    assert code == 2 and "env.sqlite" in err


def test_progress_in_another_language_than_the_update_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    code, out, err = run_cli(["update", "--facts", "facts_en.yaml", "--progress", "p1_zh.yaml"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert "p1_zh.yaml is written in Chinese, but the update is in English" in err


def test_sent_eml_is_recorded_as_the_client_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    assert run_cli(["draft", "--facts", "facts_zh.yaml", "--format", "eml", "--out", "n.eml"], monkeypatch, capsys)[0] == 0
    assert b"=E" in Path("n.eml").read_bytes() or b"base64" in Path("n.eml").read_bytes()  # encoded on disk
    code, _, err = run_cli(["sent", "n.eml", "--facts", "facts_zh.yaml"], monkeypatch, capsys)
    assert code == 0, err
    code, out, _ = run_cli(["log", "--facts", "facts_zh.yaml", "--format", "json"], monkeypatch, capsys)
    assert "2026-12-22" in json.loads(out)["messages"][0]["text_dates"]  # found in the decoded body
