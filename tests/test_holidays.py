"""Working days skip public holidays (the `holidays` package): the country comes from the facts'
`holiday_country`, else [draft] holiday_country, else CN for a Chinese notice, else the locale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.dates import public_holidays, working_days_between
from assistant.drafting.offline import DraftOptions, build_context, holiday_country, locale_country
from assistant.facts import FactsError, facts_to_data, validate_facts

# 2026-12-23 is a Wednesday and 2026-12-31 a Thursday: 24, 25, 28, 29, 30 and 31 December are the six
# weekdays between; in England 25 December (Christmas) and 28 December (Boxing Day, observed) are off.
assert date(2026, 12, 23).weekday() == 2 and date(2026, 12, 31).weekday() == 3


def facts(lang: str = "en", **changes: Any) -> Any:
    data: dict[str, Any] = {
        "language": lang, "project": "Portal" if lang == "en" else "门户网站",
        "client": {"contact": "Ms. Chen" if lang == "en" else "王经理"}, "sender": {"name": "Sam Lee"},
        "original_date": "2026-12-31", "new_date": "2027-01-29", "notice_date": "2026-12-23",
        "causes": [{"summary": "The payment provider changed its rules" if lang == "en" else "支付服务商调整了规则"}],
        "mitigations": ["Two more testers join on Monday" if lang == "en" else "下周一增加两名测试人员"],
        "updates": {"next": "2026-12-30"},
    }
    data.update(changes)
    return validate_facts(data)


def test_working_days_skip_the_holidays_given() -> None:
    start, end = date(2026, 12, 23), date(2026, 12, 31)
    gb = public_holidays("GB", start, end)
    assert gb == {date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28)}  # Boxing Day falls on a Saturday
    assert working_days_between(start, end) == 6
    assert working_days_between(start, end, gb) == 4  # the Saturday holiday was never a working day
    assert public_holidays(None, start, end) == frozenset() == public_holidays("none", start, end)


def test_a_notice_before_christmas_owns_its_short_notice_only_where_christmas_is_off() -> None:
    gb = build_context(facts(holiday_country="GB"))
    assert gb["lead_days"] == 4 and gb["late"]
    assert "only four working days before the original date" in gb["p"]["apology"]
    plain = build_context(facts(holiday_country="none"))
    assert plain["lead_days"] == 6 and not plain["late"]


def test_a_chinese_notice_skips_the_spring_festival_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")  # the locale does not decide for a Chinese notice
    zh = facts("zh", original_date="2027-02-12", new_date="2027-03-05", notice_date="2027-02-03",
               updates={"next": "2027-02-10"})
    assert holiday_country(zh, DraftOptions()) == "CN"
    ctx = build_context(zh)
    assert ctx["lead_days"] == 3 and ctx["late"]  # 5, 8, 9 and 10 February are the Spring Festival holiday
    assert "只剩三个工作日" in ctx["p"]["apology"]


def test_the_country_comes_from_facts_then_config_then_language_then_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_TIME", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert holiday_country(facts(), DraftOptions()) == "GB"
    assert holiday_country(facts(), DraftOptions(holiday_country="DE")) == "DE"
    assert holiday_country(facts(holiday_country="US-CA"), DraftOptions(holiday_country="DE")) == "US-CA"
    assert holiday_country(facts(holiday_country="none"), DraftOptions(holiday_country="DE")) is None
    assert locale_country({"LANG": "C.UTF-8"}) is None and locale_country({}) is None
    assert locale_country({"LC_ALL": "de_AT.UTF-8", "LANG": "en_GB.UTF-8"}) == "AT"


def test_holiday_country_is_an_optional_facts_key_left_out_when_unset() -> None:
    assert "holiday_country" not in facts_to_data(facts())  # the LLM request of existing facts is unchanged
    assert facts_to_data(facts(holiday_country="GB"))["holiday_country"] == "GB"
    with pytest.raises(FactsError) as caught:
        facts(holiday_country="Great Britain")
    assert [str(p) for p in caught.value.problems] == [
        "holiday_country: must be a country code such as CN, GB or US-CA (ISO 3166), or none"]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def test_an_unknown_country_is_one_sentence_and_exit_2_and_the_config_sets_one(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    data = facts_to_data(facts(holiday_country="XX"))
    path.write_text(json.dumps(data), encoding="utf-8")
    bad = _cli("draft", "--facts", str(path), "--provider", "offline", cwd=tmp_path)
    assert bad.returncode == 2
    assert "holiday_country: 'XX' is not a country" in bad.stderr and "Traceback" not in bad.stderr
    data.pop("holiday_country")
    path.write_text(json.dumps(data), encoding="utf-8")
    plain = _cli("draft", "--facts", str(path), "--provider", "offline", cwd=tmp_path)
    assert plain.returncode == 0 and "only four working days" not in plain.stdout  # C locale: weekdays only
    (tmp_path / "delaynote.toml").write_text('[draft]\nholiday_country = "GB"\n', encoding="utf-8")
    ok = _cli("draft", "--facts", str(path), "--provider", "offline", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "only four working days before" in ok.stdout  # the configured country's Christmas is off
