"""A project walked from the first notice to delivery, in English and Chinese (issue 12):
notice -> sent -> two updates (one at risk, one late) -> a second slip -> delivered, with `log`
showing the history and `fact-drift` firing on a doctored update that moves the date silently."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.followup_helpers import project_dir, run_cli

WORDS = {
    "en": {"holds": "still holds", "risk": "is at risk", "known_by": "Thursday, 10 December 2026",
           "second": "the second time the date moves", "new": "Friday, 8 January 2027",
           "old": "Friday, 18 December 2026", "call": "a call or a short meeting", "late": "later than",
           "delivered": "We delivered", "old_iso": "2026-12-18", "doctored": "23 December 2026"},
    "zh": {"holds": "保持不变", "risk": "存在风险", "known_by": "2026年12月10日（星期四）",
           "second": "第二次调整", "new": "2027年1月8日（星期五）", "old": "2026年12月22日（星期二）",
           "call": "电话", "late": "晚于", "delivered": "已于", "old_iso": "2026-12-22",
           "doctored": "2026年12月29日"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notice_to_delivery(lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    w = WORDS[lang]
    folder = project_dir(tmp_path, monkeypatch)
    facts = f"facts_{lang}.yaml"

    code, _, err = run_cli(["draft", "--facts", facts, "--record-sent", "--out", "notice.txt"], monkeypatch, capsys)
    assert code == 0, err
    assert (folder / ".delaynote" / "history.sqlite").is_file()  # beside the facts file
    for n in (1, 2, 3):
        code, _, err = run_cli(["update", "--facts", facts, "--progress", f"p{n}_{lang}.yaml", "--record-sent",
                                "--out", f"u{n}.txt"], monkeypatch, capsys)
        assert code == 0, err
    u1, u2, u3 = ((folder / f"u{n}.txt").read_text(encoding="utf-8") for n in (1, 2, 3))
    assert w["holds"] in u1 and w["old"] in u1
    # the at-risk update: what would move the date, when the client will know; it came after the
    # promised 4 December, so it says so and apologises
    assert w["risk"] in u2 and w["known_by"] in u2 and w["late"] in u2
    assert "missed-update" not in capsys.readouterr().err
    # the second slip: its own wording, the old and the new date, the new cause, a call offered,
    # and an apology that is not the first notice's
    assert w["second"] in u3 and w["old"] in u3 and w["new"] in u3 and w["call"] in u3
    assert "1" in u3 and ("4 January" in u3 or "1月4日" in u3)  # the new cause, as typed
    notice = (folder / "notice.txt").read_text(encoding="utf-8")
    first_apology = next(line for line in notice.splitlines() if "sorry" in line.lower() or "歉" in line)
    assert first_apology.strip() and first_apology.strip() not in u3
    # delivered: the facts now hold the new date (the truth), and the history agrees with it
    text = (folder / facts).read_text(encoding="utf-8")
    (folder / f"delivered_{lang}.yaml").write_text(re.sub(r"(?m)^new_date: .*$", "new_date: 2027-01-08", text),
                                                   encoding="utf-8")
    code, out, err = run_cli(["update", "--facts", f"delivered_{lang}.yaml", "--progress", f"p4_{lang}.yaml",
                              "--record-sent"], monkeypatch, capsys)
    assert code == 0 and w["delivered"] in out
    assert "fact-drift" not in err and "missed-update" not in err, err

    code, out, _ = run_cli(["log", "--facts", facts, "--format", "json"], monkeypatch, capsys)
    assert code == 0
    messages = json.loads(out)["messages"]
    assert [(m["kind"], m["status"]) for m in messages] == [
        ("update", "delivered"), ("update", "slipped"), ("update", "at_risk"), ("update", "on_track"),
        ("notice", None)]
    assert [m["sent_on"] for m in messages] == ["2027-01-08", "2026-12-10", "2026-12-07", "2026-11-27", "2026-11-20"]
    assert messages[1]["delivery_date"] == "2027-01-08" and messages[2]["delivery_date"] == w["old_iso"]
    assert messages[4]["next_update"] == "2026-11-27"
    assert all(len(m["text_sha256"]) == 64 for m in messages)
    code, out, _ = run_cli(["log", "--facts", facts], monkeypatch, capsys)
    lines = [line for line in out.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", line)]
    assert [line[:10] for line in lines] == [m["sent_on"] for m in messages]
    assert "update, slipped by email" in lines[1] and "notice by email" in lines[4]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_doctored_update_that_moves_the_date_silently(lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    w = WORDS[lang]
    folder = project_dir(tmp_path, monkeypatch)
    facts = f"facts_{lang}.yaml"
    assert run_cli(["draft", "--facts", facts, "--record-sent", "--out", "notice.txt"], monkeypatch, capsys)[0] == 0
    code, honest, _ = run_cli(["update", "--facts", facts, "--progress", f"p1_{lang}.yaml"], monkeypatch, capsys)
    assert code == 0
    (folder / "honest.txt").write_text(honest, encoding="utf-8")
    code, out, _ = run_cli(["update", "--facts", facts, "--progress", f"p1_{lang}.yaml", "--check", "honest.txt",
                            "--format", "json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["files"][0]["findings"] == []
    old_plain = w["old"].split("（")[0].replace("Friday, ", "")
    doctored = honest.replace(w["old"], w["doctored"]).replace(old_plain, w["doctored"])
    (folder / "doctored.txt").write_text(doctored, encoding="utf-8")
    code, out, _ = run_cli(["update", "--facts", facts, "--progress", f"p1_{lang}.yaml", "--check", "doctored.txt",
                            "--format", "json"], monkeypatch, capsys)
    drift = [f for f in json.loads(out)["files"][0]["findings"] if f["check"] == "fact-drift"]
    assert code == 1 and drift, out
    assert drift[0]["text"] and w["doctored"] in drift[0]["text"] and w["old"] in drift[0]["message"]
    # the same quiet move made in the facts file: the drafted update is flagged too
    text = (folder / facts).read_text(encoding="utf-8")
    (folder / "moved.yaml").write_text(re.sub(r"(?m)^new_date: .*$", "new_date: 2026-12-29", text), encoding="utf-8")
    code, out, err = run_cli(["update", "--facts", "moved.yaml", "--progress", f"p1_{lang}.yaml", "--format", "json"],
                             monkeypatch, capsys)
    assert code == 0
    assert any(f["check"] == "fact-drift" and f["severity"] == "error" for f in json.loads(out)["findings"])
