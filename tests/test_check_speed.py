"""Start-up work that `delaynote check` skips (issue 3), and proof that skipping it changes no result.

No timings here (they would be flaky); each test pins one thing a plain check must not do, or
shows that a deferred pattern still finds what it found when it was compiled at import.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from assistant.checks import check_text
from assistant.checks.datefind import find_mentions
from assistant.checks.lazyre import LazyPattern, may_have_cjk
from assistant.checks.lexicon import Matcher
from assistant.checks.placeholders import _SLOT_PATTERNS, find_slots

ROOT = Path(__file__).resolve().parent.parent

ENGLISH = """Dear Ms. Chen,

The portal we promised for 1 December 2026 will be ready on Friday 18 December 2026, because the
payment provider changed its interface. We will send an update every Friday.

Sam Lee
"""

_PROBE = """
import json, sys
sys.argv = ["delaynote", "check", sys.argv[1], "--format", "json", "--fail-on", "never"] + sys.argv[2:]
from assistant.cli import main
try:
    main()
except SystemExit:
    pass
from assistant.checks import datefind, document
print(json.dumps({
    "facts": "assistant.facts" in sys.modules,
    "email": "email.policy" in sys.modules,
    "openai": "openai" in sys.modules,
    "zh_dates_compiled": datefind._ZH_DATE._compiled is not None,
    "cjk_class_compiled": document._CJK._compiled is not None,
}), file=sys.stderr)
"""


def _probe(tmp_path: Path, text: str, *extra: str) -> dict[str, bool]:
    notice = tmp_path / "notice.txt"
    notice.write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(notice), *extra], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_plain_english_check_skips_facts_email_and_chinese_patterns(tmp_path: Path) -> None:
    seen = _probe(tmp_path, ENGLISH)
    assert seen == {"facts": False, "email": False, "openai": False, "zh_dates_compiled": False,
                    "cjk_class_compiled": False}


def test_chinese_notice_and_facts_still_load_what_they_need(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "project: Portal\nclient: {contact: Ms. Chen}\nsender: {name: Sam Lee}\n"
        "original_date: 2026-12-01\nnew_date: 2026-12-18\nnotice_date: 2026-11-20\n"
        "causes: [{summary: The payment provider changed its interface}]\nmitigations: [Two more testers]\n",
        encoding="utf-8")
    seen = _probe(tmp_path, "陈女士，门户原定12月1日交付，现推迟到12月18日。", "--facts", str(facts))
    assert seen["facts"] and seen["zh_dates_compiled"] and seen["cjk_class_compiled"]
    assert not seen["openai"]


def test_lazy_pattern_behaves_like_the_compiled_one() -> None:
    source, flags = r"(?P<d>\d{1,2})\s*(?:月|dec(?:ember)?)", re.IGNORECASE
    lazy, real = LazyPattern(source, flags), re.compile(source, flags)
    assert lazy._compiled is None  # nothing compiled until used
    text = "12月 and 18 December and 3 dec"
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)] == [
        (0, 3), (8, 19), (24, 29)]
    assert lazy.search(text, 5).group("d") == "18"
    assert lazy.match(text).group(0) == "12月"
    assert lazy.sub("#", "7月") == "#"


def test_may_have_cjk_is_false_only_without_characters_from_u3400() -> None:
    assert not may_have_cjk("Plain ASCII, 18 December.")
    assert not may_have_cjk("Curly quotes \u2019 and dashes \u2014 and caf\u00e9")
    assert may_have_cjk("new date 12月18日")
    assert may_have_cjk("\u4e00")  # the first common ideograph
    assert not may_have_cjk("\u33ff")  # just below the range: the test is exact at its edge


def test_chinese_dates_inside_english_text_are_still_found() -> None:
    text = "We promised 1 December; the new date is 2026年12月18日 (周五), an update every Friday."
    found = {m.text: m for m in find_mentions(text, date(2026, 11, 20))}
    zh = next(m for t, m in found.items() if "12月18日" in t)
    assert zh.dates == (date(2026, 12, 18),)
    assert zh.weekday == 4  # the (周五) after it was attached, so the weekday pattern ran too


def test_each_slot_pattern_needs_its_string() -> None:
    """find_slots skips a pattern when its string is absent; every match of it contains the string."""
    samples = ["Dear {{ client_name }},", "Dear {client},", "on ${new_date}", "【客户名称】您好", "[New date]",
               "<client name>", "交付日期：X月X日", "XX月XX号", "Date: YYYY-MM-DD", "due DD/MM/YYYY",
               "New date: ____", "新日期：＿＿", "see [the plan](https://example.com)"]
    needles = 0
    for needle, rx in _SLOT_PATTERNS:
        if needle is None:
            continue
        needles += 1
        for sample in samples:
            for m in rx.finditer(sample):
                assert needle in m.group(0), (needle, sample)
    assert needles == 7
    assert [s.text for s in find_slots("Dear {client}, 新日期X月X日", "Dear {client}, 新日期X月X日")] == [
        "{client}", "X月X日"]


def test_lexicon_category_compiles_on_first_use() -> None:
    matcher = Matcher({"as soon as possible": None, "asap": None})
    assert "pattern" not in matcher.__dict__
    assert [h.text for h in matcher.finditer("Please reply ASAP, as soon as possible.")] == [
        "ASAP", "as soon as possible"]
    assert "pattern" in matcher.__dict__


def test_english_with_curly_quotes_checks_as_english() -> None:
    report = check_text(ENGLISH.replace("We will", "We\u2019ll"), path="n.txt")
    assert report.language == "en"
    assert not any(f.check == "missing-new-date" for f in report.findings)
