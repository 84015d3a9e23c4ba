"""The facts file (SPEC §2): every way it can be wrong is reported at once, with key paths, as exit 2;
`delaynote schema` and `delaynote init` describe and start one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.errors import InputError
from assistant.facts import FactsError, load_facts

# A complete facts file using every key SPEC §2 names.
FULL = """\
language: en
channel: email
tone: warm
project: Warehouse scanner app
client:
  organisation: Bayside Freight
  contact: Mr. Okafor
  email: okafor@bayside.example
sender:
  name: Lena Brandt
  role: Delivery lead
  organisation: Kestrel Apps
  email: lena@kestrel.example
  phone: "+44 20 7946 0000"
original_date: 2027-03-05
new_date: 2027-03-26
notice_date: 2027-02-15
causes:
  - summary: The scanners you ordered arrive two weeks later than the supplier promised
    detail: We cannot test the app on real devices before they arrive
    category: external
impact: Your pickers keep the paper lists three weeks longer
mitigations:
  - We test on borrowed scanners of the same model meanwhile
phases:
  - name: Device testing
    due: 2027-03-19
    tasks: [Test on the delivered scanners, Fix what the tests find]
    status: planned
completed: [Stock lookup screens]
pending: [Device testing, Training]
updates:
  cadence: weekly
  channel: email
  next: 2027-02-22
"""

MINIMAL = """\
project: Warehouse scanner app
client: {contact: Mr. Okafor}
sender: {name: Lena Brandt}
original_date: 2027-03-05
new_date: 2027-03-26
causes: [{summary: The scanners arrive late}]
mitigations: [We test on borrowed scanners]
"""


def write(tmp_path: Path, text: str | bytes, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    """The 'path: message' lines a facts file earns (it must fail)."""
    with pytest.raises(FactsError) as caught:
        load_facts(write(tmp_path, text))
    return caught.value.details


def error(tmp_path: Path, text: str | bytes, name: str = "facts.yaml") -> str:
    """The one-sentence error for a file that cannot even be parsed."""
    with pytest.raises(InputError) as caught:
        load_facts(write(tmp_path, text, name))
    return caught.value.message


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


# -- valid files ------------------------------------------------------------------------------------------

def test_a_full_yaml_file_loads_every_key(tmp_path: Path) -> None:
    facts = load_facts(write(tmp_path, FULL))
    assert (facts.language, facts.channel, facts.tone) == ("en", "email", "warm")
    assert facts.client.email == "okafor@bayside.example" and facts.sender.phone == "+44 20 7946 0000"
    assert facts.causes[0].category == "external"
    assert facts.phases[0].due == date(2027, 3, 19) and facts.phases[0].tasks[1] == "Fix what the tests find"
    assert facts.completed == ["Stock lookup screens"] and facts.pending == ["Device testing", "Training"]
    assert facts.updates.next == date(2027, 2, 22) and facts.next_update == date(2027, 2, 22)
    assert facts.delay_days == 21


def test_the_same_facts_as_json_load_to_the_same_model(tmp_path: Path) -> None:
    data = yaml.safe_load(FULL)  # plain YAML turns the dates into date objects; JSON needs text
    text = json.dumps(data, default=lambda d: d.isoformat(), ensure_ascii=False, indent=2)
    assert load_facts(write(tmp_path, text, "facts.json")) == load_facts(write(tmp_path, FULL))


def test_defaults_fill_what_a_minimal_file_leaves_out(tmp_path: Path) -> None:
    facts = load_facts(write(tmp_path, MINIMAL))
    assert (facts.language, facts.channel, facts.tone) == ("en", "email", "neutral")
    assert facts.notice_date == date.today()
    assert facts.updates.cadence == "weekly" and facts.updates.next is None
    assert facts.next_update == date.today() + timedelta(days=7)
    assert facts.causes[0].category == "other"


def test_a_utf8_file_with_a_bom_and_chinese_text_loads(tmp_path: Path) -> None:
    text = replace(MINIMAL, "Mr. Okafor", "王经理")
    facts = load_facts(write(tmp_path, "\ufeff".encode() + text.encode("utf-8")))
    assert facts.client.contact == "王经理"


# -- files that cannot be parsed --------------------------------------------------------------------------

def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    message = error(tmp_path, "project: Scanner app\nclient:\n  contact: [Mr. Okafor\nsender: x\n")
    assert "invalid YAML" in message and "line 4" in message


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    message = error(tmp_path, '{"project": "Scanner app",\n "client": }\n', "facts.json")
    assert message == "facts.json".join([str(tmp_path) + os.sep, ": line 2: invalid JSON: Expecting value"])


def test_a_key_written_twice_is_refused_in_yaml_and_json(tmp_path: Path) -> None:
    message = error(tmp_path, MINIMAL + "project: Another name\n")
    assert "the key 'project' appears twice" in message and "line 8" in message
    message = error(tmp_path, '{"project": "a", "client": {"contact": "x", "contact": "y"}}', "f.json")
    assert "the key 'contact' appears twice" in message


@pytest.mark.parametrize("content, expected", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file"),
    ("project: 仓库扫描应用\n".encode("gbk"), "is not UTF-8"),
    (b"", "is empty"),
    (b"  \n\n", "is empty"),
])
def test_unreadable_content_is_refused_in_one_sentence(tmp_path: Path, content: bytes, expected: str) -> None:
    assert expected in error(tmp_path, content)


def test_a_missing_file_and_a_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_facts(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        load_facts(tmp_path)


@pytest.mark.parametrize("name, text", [
    ("deep.yaml", "project: " + "[" * 5000 + "]" * 5000 + "\n"),  # the YAML parser itself recurses
    ("deep.json", '{"project": ' + "[" * 5000 + "]" * 5000 + "}"),
    ("deep2.yaml", "project: " + "[" * 200 + "]" * 200 + "\n"),  # parses, but too deep to validate
])
def test_data_nested_too_deeply_is_refused_in_one_sentence(tmp_path: Path, name: str, text: str) -> None:
    assert error(tmp_path, text, name) == f"{tmp_path / name} is nested too deeply (more than 64 levels of lists and mappings)"


def test_yaml_alias_loops_and_alias_bombs_are_refused(tmp_path: Path) -> None:
    assert "refers to itself" in error(tmp_path, "project: &x [*x]\n")
    bomb, prev = "a: &a [x, x, x, x, x, x, x, x, x, x]\n", "a"
    for name in "bcdefghi":
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
        prev = name
    assert "more than 200000 values" in error(tmp_path, bomb)


def test_a_deep_answers_file_for_resume_and_a_deep_eval_case_are_refused(tmp_path: Path) -> None:
    from assistant.evals.suite import load_case
    from assistant.gather import load_resume

    deep = write(tmp_path, "project: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match="is nested too deeply"):
        load_resume(deep)
    case, found = load_case(deep, "deep", None)
    assert case is None and len(found) == 1 and "is nested too deeply" in found[0]


def test_a_deep_facts_file_is_exit_2_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    write(tmp_path, "project: " + "[" * 5000 + "]" * 5000 + "\n")
    result = delaynote("draft", "--facts", "facts.yaml", "--provider", "offline", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == ["delaynote: facts.yaml is nested too deeply (more than 64 levels of "
                                          "lists and mappings)"]


@pytest.mark.parametrize("text", ["- a list\n- of things\n", "just a sentence\n", "42\n"])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    assert problems(tmp_path, text) == ["the file must hold a mapping of keys (project, client, …)"]


# -- files that parse but break the rules -----------------------------------------------------------------

def test_unknown_keys_are_named_at_every_level_all_at_once(tmp_path: Path) -> None:
    text = replace(FULL, "  contact: Mr. Okafor", "  contcat: Mr. Okafor")
    text = replace(text, "  - summary: The scanners", "  - sumary: The scanners")
    text = replace(text, "  cadence: weekly", "  cadense: weekly")
    text += "tonee: warm\n"
    found = problems(tmp_path, text)
    paths = sorted(p.split(":")[0] for p in found)
    assert paths == sorted(["client.contcat", "client.contact", "causes[0].sumary", "causes[0].summary",
                            "updates.cadense", "tonee"])
    assert "client.contcat: is not a known key (check the spelling; `delaynote schema` lists the keys)" in found
    assert "client.contact: is required but missing" in found


@pytest.mark.parametrize("value, expected", [
    ("2026-02-30", "'2026-02-30' is not a real date: February 2026 has no day 30"),
    ("2026-13-01", "'2026-13-01' has no month 13: months run from 01 to 12"),
    ("next friday", "'next friday' is not a date in the form YYYY-MM-DD (for example 2026-12-19)"),
    ("2026-3-5", "'2026-3-5' is not a date in the form YYYY-MM-DD"),
    ("2027-03-05T09:00:00", "is not a date in the form YYYY-MM-DD"),
    ("20270305", "must be a date in the form YYYY-MM-DD"),
    ("true", "must be a date in the form YYYY-MM-DD"),
    ("9999-12-31", "'9999-12-31' is out of range: delaynote accepts years 1900 to 2999"),
    ("1899-12-31", "is out of range: delaynote accepts years 1900 to 2999"),
    ("0000-01-01", "is out of range"),
    ("'" + "9" * 100_000 + "'", "'" + "9" * 40 + "…' is not a date in the form YYYY-MM-DD"),  # one short line
    ("|\n  2027-03-05\n  " + "x\n  " * 3000, "'2027-03-05…' is not a date in the form YYYY-MM-DD"),
])
def test_impossible_dates_are_named_with_the_reason(tmp_path: Path, value: str, expected: str) -> None:
    found = problems(tmp_path, replace(MINIMAL, "original_date: 2027-03-05", f"original_date: {value}"))
    assert len(found) == 1 and found[0].startswith("original_date: ") and expected in found[0]


def test_date_rules_between_keys_are_all_reported(tmp_path: Path) -> None:
    text = replace(FULL, "new_date: 2027-03-26", "new_date: 2027-03-05")   # equal to original: not after
    text = replace(text, "next: 2027-02-22", "next: 2027-02-14")           # the day before the notice
    found = problems(tmp_path, text)
    assert found == [
        "new_date: 2027-03-05 must be after original_date (2027-03-05)",
        "phases[0].due: 2027-03-19 is after new_date (2027-03-05): every phase must end by then",
        "updates.next: 2027-02-14 is before notice_date (2027-02-15): the next update cannot be in the past",
    ]


def test_the_boundaries_of_the_date_rules_are_allowed(tmp_path: Path) -> None:
    text = replace(FULL, "due: 2027-03-19", "due: 2027-03-26")    # due on the new date itself
    text = replace(text, "next: 2027-02-22", "next: 2027-02-15")  # next update on the notice day
    facts = load_facts(write(tmp_path, text))
    assert facts.phases[0].due == facts.new_date and facts.updates.next == facts.notice_date


def test_facts_that_cannot_be_true_are_all_refused_at_once(tmp_path: Path) -> None:
    text = replace(FULL, "notice_date: 2027-02-15", "notice_date: 2027-03-29")  # after new_date (03-26)
    text = replace(text, "next: 2027-02-22", "next: 2027-04-02")
    text = replace(text, "    status: planned\n", "    status: planned\n"
                   "  - {name: Label printing, due: 2027-03-12, status: in_progress}\n"
                   "  - {name: Old screens, due: 2027-03-01, status: done}\n")
    found = problems(tmp_path, text)
    assert found == [
        "notice_date: 2027-03-29 is after new_date (2027-03-26): a notice cannot announce a delivery date "
        "that has already passed",
        "phases[0].status: planned cannot be true of a phase due 2027-03-19, before notice_date (2027-03-29): "
        "mark it done, or give it the due date of the new timeline",
        "phases[1].status: in_progress cannot be true of a phase due 2027-03-12, before notice_date "
        "(2027-03-29): mark it done, or give it the due date of the new timeline",
        "updates.next: 2027-04-02 is after new_date (2027-03-26): the next update must come by the delivery "
        "date, not after it",
    ]


def test_a_default_notice_date_after_the_new_date_says_it_is_today(tmp_path: Path) -> None:
    today = date.today()
    text = replace(MINIMAL, "original_date: 2027-03-05", f"original_date: {today - timedelta(days=20)}")
    text = replace(text, "new_date: 2027-03-26", f"new_date: {today - timedelta(days=1)}")
    assert problems(tmp_path, text) == [
        f"notice_date: today ({today}, the default) is after new_date ({today - timedelta(days=1)}): "
        "a notice cannot announce a delivery date that has already passed"]


def test_phase_states_a_project_manager_can_report_are_allowed(tmp_path: Path) -> None:
    """done before the notice, done ahead of its due date (finished early), in progress until the
    notice day, planned from the notice day on, and no status at all; a notice on the new date itself
    (a late notice: delivery today) and the next update on delivery day."""
    phases = ("phases:\n"
              "  - {name: A, due: 2027-02-01, status: done}\n"
              "  - {name: B, due: 2027-03-12, status: done}\n"
              "  - {name: C, due: 2027-02-15, status: in_progress}\n"
              "  - {name: D, due: 2027-02-15, status: planned}\n"
              "  - {name: E, due: 2027-02-01}\n")
    facts = load_facts(write(tmp_path, MINIMAL + "notice_date: 2027-02-15\n" + phases))
    assert [p.status for p in facts.phases] == ["done", "done", "in_progress", "planned", None]
    on_the_day = MINIMAL + "notice_date: 2027-03-26\nupdates: {next: 2027-03-26}\n"
    assert load_facts(write(tmp_path, on_the_day)).notice_date == date(2027, 3, 26)


@pytest.mark.parametrize("cadence", ["weekly", "monthly"])
def test_the_default_next_update_never_falls_after_the_new_date(tmp_path: Path, cadence: str) -> None:
    text = replace(MINIMAL, "new_date: 2027-03-26", "new_date: 2027-03-10")
    facts = load_facts(write(tmp_path, text + f"notice_date: 2027-03-04\nupdates: {{cadence: {cadence}}}\n"))
    assert facts.next_update == date(2027, 3, 10)  # one step (7 or 30 days) would be after delivery
    facts = load_facts(write(tmp_path, text + f"notice_date: 2027-02-01\nupdates: {{cadence: {cadence}}}\n"))
    assert facts.next_update == (date(2027, 3, 3) if cadence == "monthly" else date(2027, 2, 8))


ZH_MINIMAL = """\
language: zh
project: 仓库扫码应用
client: {contact: 王经理}
sender: {name: 李明}
original_date: 2027-03-05
new_date: 2027-03-26
notice_date: 2027-02-15
causes: [{summary: 扫码枪比供应商承诺的晚两周到货}]
mitigations: [先用借来的同型号扫码枪测试]
"""


@pytest.mark.parametrize(("text", "args", "expected"), [
    (MINIMAL + "notice_date: 2027-02-15\n", ["--lang", "zh"],
     "--lang zh asks for a notice in Chinese, but the facts' causes, mitigations and impact are written in "
     "English, so the notice would mix the two languages; drop --lang zh, or write the facts in Chinese"),
    (ZH_MINIMAL.replace("language: zh\n", ""), [],
     "language: en asks for a notice in English, but the facts' causes, mitigations and impact are written "
     "in Chinese, so the notice would mix the two languages; set language: zh, or write the facts in English"),
    (ZH_MINIMAL, ["--lang", "en"], "--lang en asks for a notice in English"),
])
def test_a_language_other_than_the_facts_own_is_refused_in_one_sentence(
        tmp_path: Path, text: str, args: list[str], expected: str) -> None:
    write(tmp_path, text)
    result = delaynote("draft", "--facts", "facts.yaml", "--provider", "offline", *args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"delaynote: {expected}") and result.stderr.count("\n") == 1


def test_the_facts_own_language_and_mixed_text_are_drafted(tmp_path: Path) -> None:
    from assistant.facts import refuse_mixed_language, text_language

    mixed = ZH_MINIMAL.replace("扫码枪比供应商承诺的晚两周到货", "扫码枪的 firmware 比 supplier 承诺的晚两周")
    for text, lang in [(ZH_MINIMAL, "zh"), (MINIMAL, "en"), (mixed, "zh"),
                       (MINIMAL.replace("The scanners arrive late", "The scanners for 王经理 arrive late"), "en")]:
        facts = load_facts(write(tmp_path, text))
        assert text_language(facts) == lang
        refuse_mixed_language(facts, flag=True)  # no error
    half = ZH_MINIMAL.replace("先用借来的同型号扫码枪测试", "We test on loan scanners")  # cause zh, step en
    facts = load_facts(write(tmp_path, half))
    assert text_language(facts) is None  # a real mix: no language to refuse
    write(tmp_path, ZH_MINIMAL)
    result = delaynote("draft", "--facts", "facts.yaml", "--provider", "offline", "--lang", "zh", cwd=tmp_path)
    assert result.returncode == 0 and "仓库扫码应用" in result.stdout


def test_empty_causes_and_mitigations_and_empty_text_are_refused(tmp_path: Path) -> None:
    text = replace(MINIMAL, "causes: [{summary: The scanners arrive late}]", "causes: []")
    text = replace(text, "mitigations: [We test on borrowed scanners]", "mitigations: ['  ']")
    text = replace(text, "project: Warehouse scanner app", "project: ''")
    assert problems(tmp_path, text) == [
        "project: must not be empty",
        "causes: needs at least one entry",
        "mitigations[0]: must not be empty",
    ]


def test_wrong_enum_values_name_the_allowed_ones(tmp_path: Path) -> None:
    text = FULL.replace("language: en", "language: fr").replace("channel: email\ntone", "channel: fax\ntone")
    text = replace(text, "category: external", "category: weather")
    text = replace(text, "status: planned", "status: late")
    text = replace(text, "cadence: weekly", "cadence: hourly")
    found = problems(tmp_path, text)
    assert "language: 'fr' is not allowed; use one of 'en' or 'zh'" in found
    assert "channel: 'fax' is not allowed; use one of 'email', 'phone', 'meeting' or 'im'" in found
    assert any(p.startswith("causes[0].category: 'weather' is not allowed") and "'scope_change'" in p
               for p in found)
    assert any(p.startswith("phases[0].status: 'late' is not allowed") for p in found)
    assert any(p.startswith("updates.cadence: 'hourly' is not allowed") and "'twice-weekly'" in p
               for p in found)
    assert len(found) == 5


@pytest.mark.parametrize("value, expected", [
    ("yes", "tone: must be one of 'formal', 'neutral' or 'warm' (YAML reads an unquoted yes, no, on or off as true "
            "or false)"),
    ("[a, b]", "tone: must be one of 'formal', 'neutral' or 'warm'"),
    ("loud", "tone: 'loud' is not allowed; use one of 'formal', 'neutral' or 'warm'"),
])
def test_a_tone_that_is_not_one_of_the_tones_says_which_are(tmp_path: Path, value: str, expected: str) -> None:
    assert problems(tmp_path, MINIMAL + f"tone: {value}\n") == [expected]


def test_wrong_shapes_say_what_shape_is_needed(tmp_path: Path) -> None:
    text = replace(MINIMAL, "client: {contact: Mr. Okafor}", "client: Mr. Okafor")
    text = replace(text, "causes: [{summary: The scanners arrive late}]", "causes: [The scanners arrive late]")
    text = replace(text, "mitigations: [We test on borrowed scanners]", "mitigations: We test on borrowed scanners")
    assert problems(tmp_path, text) == [
        "client: must be a mapping of keys to values",
        "causes[0]: must be a mapping of keys to values",
        "mitigations: must be a list",
    ]


def test_a_number_typed_as_a_name_is_kept_as_text(tmp_path: Path) -> None:
    facts = load_facts(write(tmp_path, replace(MINIMAL, "project: Warehouse scanner app", "project: 2027")))
    assert facts.project == "2027"


# -- through the command line -----------------------------------------------------------------------------

def delaynote(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, encoding="utf-8")


def test_the_cli_reports_every_problem_with_its_key_and_exit_2(tmp_path: Path) -> None:
    text = replace(FULL, "new_date: 2027-03-26", "new_date: 2027-02-30")
    text = replace(text, "  contact: Mr. Okafor", "  contcat: Mr. Okafor")
    write(tmp_path, text)
    result = delaynote("draft", "--facts", "facts.yaml", "--provider", "offline", cwd=tmp_path)
    assert result.returncode == 2
    assert "facts.yaml has 3 problems" in result.stderr
    assert "new_date: '2027-02-30' is not a real date" in result.stderr
    assert "client.contcat: is not a known key" in result.stderr and "client.contact:" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_cli_refuses_a_gbk_file_and_a_missing_file_with_exit_2(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL.replace("Mr. Okafor", "王经理").encode("gbk"))
    result = delaynote("draft", "--facts", "facts.yaml", "--provider", "offline", cwd=tmp_path)
    assert result.returncode == 2 and "not UTF-8" in result.stderr and "Traceback" not in result.stderr
    result = delaynote("draft", "--facts", "absent.yaml", "--provider", "offline", cwd=tmp_path)
    assert result.returncode == 2 and "absent.yaml does not exist" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["draft", "--provider", "offline"], ["check", "notice.txt"],
                                     ["rewrite", "notice.txt", "--provider", "offline"]])
def test_a_date_near_the_end_of_the_calendar_is_exit_2_with_its_key(tmp_path: Path, command: list[str]) -> None:
    """new_date 9999-12-31 with weekly updates overflowed `date` in the rules instead of being refused."""
    write(tmp_path, replace(MINIMAL, "new_date: 2027-03-26", "new_date: 9999-12-31"))
    (tmp_path / "notice.txt").write_text("Dear Mr. Okafor,\n\nThe app is late.\n", encoding="utf-8")
    result = delaynote(*command, "--facts", "facts.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "new_date: '9999-12-31' is out of range: delaynote accepts years 1900 to 2999" in result.stderr


@pytest.mark.parametrize("cadence", ["daily", "twice-weekly", "weekly", "biweekly", "monthly"])
def test_every_accepted_date_can_be_drafted_and_checked(tmp_path: Path, cadence: str) -> None:
    """The last days validation accepts, with every cadence: no date arithmetic may overflow."""
    from assistant.checks import check_draft
    from assistant.drafting.offline import draft_offline
    from assistant.render import render_draft

    text = replace(MINIMAL, "original_date: 2027-03-05", "original_date: 2999-12-30")
    text = replace(text, "new_date: 2027-03-26", "new_date: 2999-12-31")
    facts = load_facts(write(tmp_path, text + f"notice_date: 2999-12-29\nupdates: {{cadence: {cadence}}}\n"))
    draft = draft_offline(facts)
    draft.findings = check_draft(draft, facts)
    for fmt in ("text", "markdown", "json", "eml"):
        assert render_draft(draft, facts, fmt)
    early = replace(replace(MINIMAL, "original_date: 2027-03-05", "original_date: 1900-01-02"),
                    "new_date: 2027-03-26", "new_date: 1900-02-01")
    facts = load_facts(write(tmp_path, early + f"notice_date: 1900-01-01\nupdates: {{cadence: {cadence}}}\n"))
    assert check_draft(draft_offline(facts), facts) is not None


# -- schema -----------------------------------------------------------------------------------------------

SPEC_KEYS = {
    "": {"language", "channel", "tone", "project", "client", "sender", "original_date", "new_date",
         "notice_date", "causes", "impact", "mitigations", "phases", "completed", "pending", "updates"},
    "Client": {"organisation", "contact", "email"},
    "Sender": {"name", "role", "organisation", "email", "phone"},
    "Cause": {"summary", "detail", "category"},
    "Phase": {"name", "due", "tasks", "status"},
    "Updates": {"cadence", "channel", "next"},
}


def _schema_errors(schema: dict[str, Any], node: dict[str, Any], value: Any, where: str = "") -> list[str]:
    """A small validator for the JSON Schema subset the facts schema uses (no network, no extra package)."""
    if "$ref" in node:
        return _schema_errors(schema, schema["$defs"][node["$ref"].rsplit("/", 1)[1]], value, where)
    if "anyOf" in node:
        if any(not _schema_errors(schema, option, value, where) for option in node["anyOf"]):
            return []
        return [f"{where}: matches no option"]
    kinds = {"object": dict, "array": list, "string": str, "null": type(None)}
    if "type" in node and not isinstance(value, kinds[node["type"]]):
        return [f"{where}: not {node['type']}"]
    if "enum" in node and value not in node["enum"]:
        return [f"{where}: not in enum"]
    if node.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return [f"{where}: not a date"]
    errors = [f"{where}: too short" for k in ("minLength", "minItems") if k in node and len(value) < node[k]]
    if isinstance(value, dict):
        props = node.get("properties", {})
        errors += [f"{where}.{k}: missing" for k in node.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                errors += _schema_errors(schema, props[key], item, f"{where}.{key}")
            elif node.get("additionalProperties") is False:
                errors.append(f"{where}.{key}: not allowed")
    if isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            errors += _schema_errors(schema, node["items"], item, f"{where}[{i}]")
    return errors


def test_schema_is_json_schema_with_every_spec_key_and_no_extra_keys(tmp_path: Path) -> None:
    result = delaynote("schema", cwd=tmp_path)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for name, keys in SPEC_KEYS.items():
        node = schema["$defs"][name] if name else schema
        assert node["type"] == "object" and node["additionalProperties"] is False, name
        assert keys <= set(node["properties"]), (name, keys - set(node["properties"]))
    assert set(schema["required"]) == {"project", "client", "sender", "original_date", "new_date", "causes",
                                       "mitigations"}
    # The schema accepts a valid file (dates as text, as an editor sees them) and refuses typos.
    data = json.loads(json.dumps(yaml.safe_load(FULL), default=lambda d: d.isoformat()))
    assert _schema_errors(schema, schema, data) == []
    data["client"]["contcat"] = data["client"].pop("contact")
    data["tone"] = "angry"
    assert sorted(_schema_errors(schema, schema, data)) == [
        ".client.contact: missing", ".client.contcat: not allowed", ".tone: not in enum"]


# -- init -------------------------------------------------------------------------------------------------

def test_init_writes_a_commented_example_that_loads_and_never_overwrites(tmp_path: Path) -> None:
    result = delaynote("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "facts.yaml"
    text = written.read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 5  # it explains itself
    facts = load_facts(written)
    assert facts.language == "en" and facts.causes and facts.mitigations

    written.write_text("my own facts\n", encoding="utf-8")
    result = delaynote("init", cwd=tmp_path)
    assert result.returncode == 2 and "already exists" in result.stderr and "--force" in result.stderr
    assert written.read_text(encoding="utf-8") == "my own facts\n"
    assert delaynote("init", "--force", cwd=tmp_path).returncode == 0
    assert written.read_text(encoding="utf-8") == text


def test_init_in_chinese_writes_chinese_facts_to_the_named_file(tmp_path: Path) -> None:
    result = delaynote("init", "--lang", "zh", "zh-facts.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "delaynote draft --facts zh-facts.yaml" in result.stderr
    facts = load_facts(tmp_path / "zh-facts.yaml")
    assert facts.language == "zh"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in facts.client.contact + facts.causes[0].summary)
