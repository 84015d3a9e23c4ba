"""`delaynote schedule`: an RFC 5545 calendar that icalendar parses and recurring-ical-events expands
to exactly the update dates, phase due dates and the delivery date (issue 12)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from assistant.facts import load_facts
from assistant.followup.schedule import build_calendar
from tests.followup_helpers import DATA, project_dir, run_cli


def _events(ics: bytes) -> list[tuple[date, str, str]]:
    cal = icalendar.Calendar.from_ical(ics)
    found = recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2028, 1, 1))
    return sorted((e["DTSTART"].dt.date(), str(e["SUMMARY"]), str(e["UID"])) for e in found)


def test_expands_to_exactly_the_expected_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    code, _, err = run_cli(["schedule", "--facts", "facts_en.yaml", "--tz", "Europe/London", "--at", "10:30",
                            "--remind", "2h", "--out", "plan.ics"], monkeypatch, capsys)
    assert code == 0, err
    ics = Path("plan.ics").read_bytes()
    events = _events(ics)
    # weekly from the promised first update (27 Nov) until before delivery (18 Dec); the phase due 8 Dec;
    # the delivery on 18 Dec (the last phase, due that day, is the delivery itself)
    assert [(d.isoformat(), title) for d, title, _ in events] == [
        ("2026-11-27", "Progress update to Ms. Chen: Customer portal rebuild"),
        ("2026-12-04", "Progress update to Ms. Chen: Customer portal rebuild"),
        ("2026-12-08", "Phase due: Payment rebuild (Customer portal rebuild)"),
        ("2026-12-11", "Progress update to Ms. Chen: Customer portal rebuild"),
        ("2026-12-18", "Delivery: Customer portal rebuild"),
    ]
    cal = icalendar.Calendar.from_ical(ics)
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == 3  # the updates are one recurring event
    for ev in vevents:
        start = ev["DTSTART"].dt
        assert str(start.tzinfo) == "Europe/London" and (start.hour, start.minute) == (10, 30)
        [alarm] = ev.walk("VALARM")
        assert alarm["TRIGGER"].dt == -timedelta(hours=2) and str(alarm["ACTION"]) == "DISPLAY"
    assert all(int(ev["SEQUENCE"]) == 0 for ev in vevents)  # nothing sent yet (no history)
    assert b"BEGIN:VTIMEZONE" in ics and b"TZID:Europe/London" in ics
    assert not re.search(rb"(?m)^X-", ics)  # RFC 5545 only, no vendor extensions
    assert run_cli(["schedule", "--facts", "facts_en.yaml", "--out", "plan.ics"], monkeypatch, capsys)[0] == 2


def test_titles_in_the_notice_language_and_uids_stable_across_changes() -> None:
    facts = load_facts(DATA / "facts_zh.yaml")
    first = _events(build_calendar(facts, tz="Asia/Shanghai", now=datetime(2026, 11, 20)))
    assert first[0][1] == "向王经理通报进展：会员积分系统改版" and first[-1][1] == "交付：会员积分系统改版"
    moved = facts.model_copy(update={"new_date": date(2027, 1, 8)})
    second = _events(build_calendar(moved, tz="Asia/Shanghai", now=datetime(2026, 12, 10)))
    assert second[-1][0] == date(2027, 1, 8)
    # re-import moves the same events (same UIDs) and adds only what is new: the last phase, due
    # before the new delivery date now
    assert {uid for _, _, uid in first} < {uid for _, _, uid in second}
    assert len({uid for _, _, uid in second} - {uid for _, _, uid in first}) == 1
    assert len([e for e in second if e[1].startswith("向")]) > len([e for e in first if e[1].startswith("向")])


def test_bad_options_are_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    for flag, value, words in (("--tz", "Mars/Olympus", "not a known time zone"), ("--remind", "soon", "30m, 2h"),
                               ("--at", "25:99", "time of day")):
        code, out, err = run_cli(["schedule", "--facts", "facts_en.yaml", flag, value], monkeypatch, capsys)
        assert code == 2 and out == "" and words in err and err.count("\n") == 1
