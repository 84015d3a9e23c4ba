"""The interactive facts flow (`delaynote draft` without --facts), driven by scripted answers."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from assistant.dates import format_date
from assistant.errors import InputError
from assistant.facts import load_facts
from assistant.gather import GatherInterrupted, gather_facts

NOW = datetime(2026, 11, 20, 9, 30, 0)  # a Friday

# One complete English run, in question order; "" is "press Enter".
EN_RUN = [
    "Customer portal", "Ms. Chen", "Harbour Logistics", "",      # project, client contact/organisation/email
    "Sam Lee", "Project manager", "", "", "",                     # sender name/role/organisation/email/phone
    "2026-12-01", "2026-12-19", "",                               # original, new, notice (default today)
    "The payment provider changed its interface", "dependency", "", "",  # cause 1, category, detail; end
    "",                                                           # impact (optional)
    "Two more testers join", "",                                  # mitigations; end
    "",                                                           # phases: none
    "", "",                                                       # completed, pending: none
    "", "", "",                                                   # cadence, updates channel, next update
    "", "",                                                       # channel, tone
]


def scripted(answers: list[object]) -> tuple[Callable[[str], str], list[str]]:
    """An `ask` that replays `answers` (an exception class is raised instead) and records prompts."""
    queue, prompts = list(answers), []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        assert queue, f"unexpected extra question: {prompt!r}"
        answer = queue.pop(0)
        if isinstance(answer, type) and issubclass(answer, BaseException):
            raise answer
        return str(answer)

    ask.left = queue  # type: ignore[attr-defined]
    return ask, prompts


def run(answers: list[object], tmp_path: Path, **kw: object):
    ask, prompts = scripted(answers)
    said: list[str] = []
    kw.setdefault("save_to", tmp_path / "facts.yaml")
    facts = gather_facts(kw.pop("language", "en"), ask=ask, say=said.append, now=NOW, **kw)
    assert ask.left == [], "the script has answers for questions that were never asked"
    return facts, prompts, said


def test_complete_english_run_gives_valid_facts_and_a_reusable_file(tmp_path: Path) -> None:
    facts, prompts, said = run(EN_RUN, tmp_path)
    assert facts.project == "Customer portal"
    assert facts.client.organisation == "Harbour Logistics" and facts.client.email is None
    assert (facts.original_date, facts.new_date) == (date(2026, 12, 1), date(2026, 12, 19))
    assert facts.notice_date == date(2026, 11, 20)  # Enter took today's date
    assert facts.causes[0].category == "dependency"
    assert facts.mitigations == ["Two more testers join"]
    assert (facts.channel, facts.tone, facts.updates.cadence) == ("email", "neutral", "weekly")
    assert facts.next_update == date(2026, 11, 27)  # one week after the notice
    saved = tmp_path / "facts.yaml"
    assert load_facts(saved) == facts
    assert any(f"delaynote draft --facts {saved}" in line for line in said)
    # Defaults are shown in the prompt.
    assert "Date of this notice [2026-11-20]: " in prompts
    assert any(p.startswith("Channel for this notice") and p.endswith("[email]: ") for p in prompts)


def test_complete_chinese_run_asks_in_chinese_and_accepts_chinese_choice_names(tmp_path: Path) -> None:
    answers = [
        "客户门户重建", "王经理", "", "",
        "李明", "项目经理", "", "", "",
        "2026-12-01", "2026-12-19", "2026-11-18",
        "支付服务商更改了接口", "外部依赖", "需要重新对接并测试", "",
        "订单跟踪以外的功能晚两周上线",
        "增加两名测试人员", "",
        "支付对接", "2026-12-08", "对接新接口；重新测试", "进行中", "",
        "订单跟踪页面", "", "支付功能", "",
        "每周", "邮件", "",
        "电话", "正式",
    ]
    facts, prompts, _ = run(answers, tmp_path, language="zh")
    assert prompts[0] == "项目名称："
    assert facts.language == "zh"
    assert facts.causes[0].category == "dependency"      # 外部依赖
    assert facts.phases[0].status == "in_progress"       # 进行中
    assert facts.phases[0].tasks == ["对接新接口", "重新测试"]  # split on the full-width semicolon
    assert (facts.channel, facts.tone) == ("phone", "formal")
    assert facts.updates.channel == "email"
    assert facts.updates.next == date(2026, 11, 25)      # default: notice date 11-18 plus a week
    saved = tmp_path / "facts.yaml"
    text = saved.read_text(encoding="utf-8")
    assert "王经理" in text  # Unicode written as is, not escaped
    assert load_facts(saved) == facts


def test_the_default_next_update_is_never_after_the_new_date_and_a_later_one_is_asked_again(tmp_path: Path) -> None:
    run_ = list(EN_RUN)
    run_[9:12] = ["2026-11-24", "2026-12-04", ""]          # a two-week delay, notice today (20 November)
    run_[22:25] = ["monthly", "", "2027-01-08", ""]        # monthly; an update after delivery, then Enter
    facts, prompts, said = run(run_, tmp_path)
    assert any(p.endswith("[2026-12-04]: ") for p in prompts)  # one month on would be after delivery
    assert facts.updates.next == date(2026, 12, 4)
    assert any("2027-01-08 is after the new delivery date (2026-12-04)" in line for line in said)


def test_an_impossible_date_is_asked_again_with_the_reason(tmp_path: Path) -> None:
    answers = list(EN_RUN)
    answers[9:10] = ["2026-02-30", "next friday", "2026-12-01"]
    facts, prompts, said = run(answers, tmp_path)
    assert prompts.count("Date originally promised: ") == 3
    retries = [line for line in said if "Not accepted" in line]
    assert "February 2026 has no day 30" in retries[0]
    assert "'next friday' is not a date: write it as 2027-01-15, 15 Jan 2027 or 2027/1/15" in retries[1]
    assert facts.original_date == date(2026, 12, 1)


def test_a_new_date_not_after_the_original_is_asked_again(tmp_path: Path) -> None:
    answers = list(EN_RUN)
    answers[10:11] = ["2026-11-30", "2026-12-01", "2026-12-19"]
    facts, prompts, said = run(answers, tmp_path)
    assert prompts.count("New delivery date: ") == 3
    retries = [line for line in said if "Not accepted" in line]
    assert len(retries) == 2 and all("must be after the promised date (2026-12-01)" in r for r in retries)
    assert "original_date" not in " ".join(retries)  # the user's words, not the key's
    assert facts.new_date == date(2026, 12, 19)


def test_empty_required_answers_and_unknown_choices_are_asked_again(tmp_path: Path) -> None:
    answers = list(EN_RUN)
    answers[-2:] = ["fax", "im", "chummy", "warm"]   # channel, tone
    answers[0:1] = ["", "Customer portal"]           # project: empty first
    facts, _, said = run(answers, tmp_path)
    retries = [line for line in said if "Not accepted" in line]
    assert "must not be empty" in retries[0]
    assert "'fax' is not one of" in retries[1] and "'im'" in retries[1]
    assert "'chummy' is not one of" in retries[2]
    assert (facts.project, facts.channel, facts.tone) == ("Customer portal", "im", "warm")


def test_several_causes_mitigations_and_phases_and_a_phase_after_the_new_date(tmp_path: Path) -> None:
    answers = EN_RUN[:12] + [
        "", "The payment provider changed its interface", "dependency", "",  # empty first: causes required
        "Two testers were ill for a week", "resource", "Both are back", "",
        "Orders cannot be paid online until the new date",
        "", "Two more testers join", "Payment work goes first", "",       # empty first: mitigations required
        "Payment integration", "2026-12-20", "2026-12-08", "Adapt; Re-test", "in_progress",
        "Acceptance test", "2026-12-18", "", "planned", "",
        "Order tracking pages", "", "Payment", "Acceptance test", "",
        "", "", "", "", "",
    ]
    facts, _, said = run(answers, tmp_path)
    assert [c.category for c in facts.causes] == ["dependency", "resource"]
    assert facts.causes[1].detail == "Both are back"
    assert facts.mitigations == ["Two more testers join", "Payment work goes first"]
    assert [(p.name, p.due, p.status) for p in facts.phases] == [
        ("Payment integration", date(2026, 12, 8), "in_progress"),
        ("Acceptance test", date(2026, 12, 18), "planned"),
    ]
    assert facts.phases[0].tasks == ["Adapt", "Re-test"] and facts.phases[1].tasks == []
    assert facts.completed == ["Order tracking pages"] and facts.pending == ["Payment", "Acceptance test"]
    retries = [line for line in said if "Not accepted" in line]
    assert len(retries) == 3
    assert "needs at least one entry" in retries[0] and "needs at least one entry" in retries[1]
    assert "2026-12-20 is after the new delivery date (2026-12-19)" in retries[2]


def test_ctrl_c_saves_exactly_the_answers_so_far_and_resume_completes_them(tmp_path: Path) -> None:
    given = EN_RUN[:13]  # up to and including the first cause's summary
    ask, _ = scripted([*given, "dependency", KeyboardInterrupt])
    partial = tmp_path / "facts.yaml"
    with pytest.raises(GatherInterrupted) as caught:
        gather_facts("en", partial, ask=ask, say=lambda _: None, now=NOW)
    assert caught.value.exit_code == 130
    assert str(partial) in caught.value.message and "--resume" in caught.value.message
    text = partial.read_text(encoding="utf-8")
    assert text.startswith("# INCOMPLETE")
    assert yaml.safe_load(text) == {
        "language": "en",
        "project": "Customer portal",
        "client": {"contact": "Ms. Chen", "organisation": "Harbour Logistics"},
        "sender": {"name": "Sam Lee", "role": "Project manager"},
        "original_date": "2026-12-01",
        "new_date": "2026-12-19",
        "notice_date": "2026-11-20",
        "causes": [{"summary": "The payment provider changed its interface", "category": "dependency"}],
    }

    # Resume: every answered question offers its saved answer; Enter keeps it.
    rest = ["", "", "",                       # cause detail, end of causes, impact
            "Two more testers join", "",      # mitigations
            "", "", "", "", "", "", "", ""]   # phases, completed, pending, updates x3, channel, tone
    resumed = [""] * 14 + rest  # 14 Enters: the saved answers (and empty optionals) through the category
    ask, prompts = scripted(resumed)
    facts = gather_facts(None, tmp_path / "done.yaml", resume=partial, ask=ask, say=lambda _: None, now=NOW)
    assert "Project name [Customer portal]: " in prompts
    assert any(p.startswith("  Kind of cause") and p.endswith("[dependency]: ") for p in prompts)
    assert facts.causes[0].category == "dependency"
    assert facts.project == "Customer portal" and facts.mitigations == ["Two more testers join"]
    assert load_facts(tmp_path / "done.yaml") == facts
    assert not partial.exists()  # completed in another file: the INCOMPLETE one goes


def test_end_of_input_also_saves_and_nothing_is_saved_before_the_first_answer(tmp_path: Path) -> None:
    ask, _ = scripted(["Customer portal", EOFError])
    with pytest.raises(GatherInterrupted):
        gather_facts("en", tmp_path / "a.yaml", ask=ask, say=lambda _: None, now=NOW)
    assert yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8")) == {
        "language": "en", "project": "Customer portal"}
    ask, _ = scripted([KeyboardInterrupt])
    with pytest.raises(GatherInterrupted) as caught:
        gather_facts("en", tmp_path / "b.yaml", ask=ask, say=lambda _: None, now=NOW)
    assert not (tmp_path / "b.yaml").exists() and "nothing was saved" in caught.value.message


def test_saving_never_overwrites_and_the_default_name_carries_the_time(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "facts.yaml"
    target.write_text("mine\n", encoding="utf-8")
    _, _, said = run(EN_RUN, tmp_path, save_to=target)
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert load_facts(tmp_path / "facts-2.yaml").project == "Customer portal"
    assert any("facts-2.yaml" in line for line in said)

    monkeypatch.chdir(tmp_path)
    ask, _ = scripted(EN_RUN)
    gather_facts("en", None, ask=ask, say=lambda _: None, now=NOW)
    assert load_facts(tmp_path / "delaynote-facts-20261120-093000.yaml").project == "Customer portal"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def test_without_a_terminal_draft_exits_2_at_once_instead_of_waiting(tmp_path: Path) -> None:
    for args in (["draft"], ["draft", "--resume", "x.yaml"]):
        result = _cli(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert "no terminal" in result.stderr and "Traceback" not in result.stderr
    result = _cli("draft", "--facts", "a.yaml", "--resume", "b.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "cannot be used together" in result.stderr


def _read_until(fd: int, needle: str, seen: list[str], wait: float = 30) -> bool:
    """Read the terminal until `needle` appears (True), the child closes it or nothing comes for
    `wait` seconds (False): a guard against hanging, not a timing assertion."""
    while needle not in "".join(seen):
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return False
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not chunk:
            return False
        seen.append(chunk.decode("utf-8", "replace"))
    return True


def _reap(pid: int) -> int:
    """The child's wait status once it has exited; killed if it is still running 10 s after the
    test stopped talking to it, so a broken prompt fails the test instead of hanging it."""
    import signal

    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_real_cli_asks_on_a_terminal_and_ctrl_c_saves(tmp_path: Path) -> None:
    import pty

    save = tmp_path / "answers.yaml"
    env = dict(os.environ)  # conftest has removed any LLM settings
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, with the pseudo-terminal as its controlling terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "assistant", "draft", "--provider", "offline",
                                   "--save-facts", str(save)], env)
        os._exit(127)  # only if exec failed: never run the rest of the test suite in the child
    seen: list[str] = []
    try:
        assert _read_until(fd, "Project name: ", seen), "".join(seen)
        os.write(fd, b"Customer portal\n")
        assert _read_until(fd, "receives the notice", seen), "".join(seen)
        os.write(fd, b"Ms. Chen\n")
        assert _read_until(fd, "Client organisation", seen), "".join(seen)
        # Ctrl-C: the terminal sends SIGINT. A signal that lands in the instant between the prompt
        # and the read only takes effect with the next one, so a stuck child gets one more.
        for _ in range(3):
            os.write(fd, b"\x03")
            if _read_until(fd, "--resume", seen, wait=5):
                break
        _read_until(fd, "\x00never", seen, wait=30)  # read to the end
        out = "".join(seen)
    finally:
        status = _reap(pid)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 130, out
    assert "--resume" in out and str(save) in out.replace("\r\n", "")
    assert "Traceback" not in out
    assert yaml.safe_load(save.read_text(encoding="utf-8")) == {
        "language": "en", "project": "Customer portal", "client": {"contact": "Ms. Chen"}}


def test_an_unusable_save_place_is_refused_before_the_first_question(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    ask, prompts = scripted(EN_RUN)
    with pytest.raises(InputError, match="cannot be saved in"):
        gather_facts("en", tmp_path / "notes.txt" / "facts.yaml", ask=ask, say=lambda _: None, now=NOW)
    assert prompts == []
    facts, _, _ = run(EN_RUN, tmp_path, save_to=tmp_path / "new" / "folder" / "facts.yaml")
    assert load_facts(tmp_path / "new" / "folder" / "facts.yaml") == facts


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_resuming_a_complete_file_on_a_terminal_keeps_every_fact_and_drafts(tmp_path: Path) -> None:
    import pty

    example = Path(__file__).resolve().parent.parent / "examples" / "en-payment-email.yaml"
    save = tmp_path / "again.yaml"
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "assistant", "draft", "--provider", "offline",
                                   "--resume", str(example), "--save-facts", str(save)], dict(os.environ))
        os._exit(127)
    seen: list[str] = []
    try:
        os.write(fd, b"\n" * 80)  # Enter on every question: keep every answer, end every list
        _read_until(fd, "\x00never", seen, wait=30)
    finally:
        status = _reap(pid)
        os.close(fd)
    out = re.sub(r"\x1b\[[0-9;]*m", "", "".join(seen).replace("\r\n", "\n"))  # styled on a terminal
    assert os.waitstatus_to_exitcode(status) == 0, out
    facts = load_facts(example)
    assert load_facts(save) == facts
    assert f"Project name [{facts.project}]: " in out
    assert format_date(facts.new_date, "en", weekday=False) in out  # the drafted notice follows


def test_resume_refuses_a_missing_or_shapeless_file_before_asking(tmp_path: Path) -> None:
    ask, prompts = scripted(EN_RUN)
    with pytest.raises(InputError, match="does not exist"):
        gather_facts(None, resume=tmp_path / "gone.yaml", ask=ask, say=lambda _: None, now=NOW)
    (tmp_path / "list.yaml").write_text("- one\n- two\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be resumed"):
        gather_facts(None, resume=tmp_path / "list.yaml", ask=ask, say=lambda _: None, now=NOW)
    assert prompts == []


def test_resume_in_the_files_language_unless_lang_is_given(tmp_path: Path) -> None:
    partial = tmp_path / "partial.yaml"
    partial.write_text("language: zh\nproject: 门店订货小程序\n", encoding="utf-8")
    ask, prompts = scripted([KeyboardInterrupt])
    with pytest.raises(GatherInterrupted):
        gather_facts(None, tmp_path / "a.yaml", resume=partial, ask=ask, say=lambda _: None, now=NOW)
    assert prompts == ["项目名称 [门店订货小程序]："]
    ask, prompts = scripted([KeyboardInterrupt])
    with pytest.raises(GatherInterrupted):
        gather_facts("en", tmp_path / "b.yaml", resume=partial, ask=ask, say=lambda _: None, now=NOW)
    assert prompts == ["Project name [门店订货小程序]: "]


def test_chinese_questions_give_the_reasons_in_chinese(tmp_path: Path) -> None:
    answers = [
        "", "门店订货小程序", "张总", "", "", "陈静", "", "", "", "",
        "2026-02-30", "2026-12-15", "2026-12-01", "2027-01-08", "",
        "", "金额计算有误差", "天气", "", "", "",   # causes (empty first), bad category, end
        "",                                         # impact
        "增派两名工程师", "",
        "核对", "2027-01-09", "2027-01-05", "", "", "",
        "", "", "", "", "", "", "传真", "",
    ]
    facts, _, said = run(answers, tmp_path, language="zh")
    retries = [line for line in said if "无法接受" in line]
    assert retries == [
        "  无法接受：不能为空。请重新回答。",
        "  无法接受：“2026-02-30”不是真实的日期：该月没有 30 日。请重新回答。",
        "  无法接受：新的交付日期 2026-12-01 必须晚于原定日期 2026-12-15。请重新回答。",
        "  无法接受：至少需要填写一项。请重新回答。",
        "  无法接受：不能填“天气”，请从括号里的选项中选择。请重新回答。",
        "  无法接受：2027-01-09 晚于新的交付日期 2027-01-08：每个阶段都必须在此之前完成。请重新回答。",
        "  无法接受：不能填“传真”，请从括号里的选项中选择。请重新回答。",
    ]
    assert facts.new_date == date(2027, 1, 8) and facts.causes[0].category == "other"
    assert facts.phases[0].due == date(2027, 1, 5) and facts.channel == "email"


# --- resuming: overrides, clearing, in place; natural answers; e-mail; style --------------------

def _complete_file(tmp_path: Path) -> Path:
    facts, _, _ = run(list(EN_RUN), tmp_path, save_to=tmp_path / "first.yaml")
    return tmp_path / "first.yaml"


def test_command_line_overrides_win_when_resuming_and_are_saved(tmp_path: Path) -> None:
    saved = _complete_file(tmp_path)
    ask, prompts = scripted([""] * 40)
    facts = gather_facts(None, resume=saved, ask=ask, say=lambda _: None, now=NOW,
                         overrides={"channel": "im", "tone": None})
    assert facts.channel == "im" and facts.tone == "neutral"
    assert not any(p.startswith("Channel for this notice") for p in prompts)  # not asked: the flag said it
    assert any(p.startswith("Tone") for p in prompts)
    assert yaml.safe_load(saved.read_text(encoding="utf-8"))["channel"] == "im"


def test_a_dash_clears_an_optional_answer_and_removes_a_list_item(tmp_path: Path) -> None:
    answers = list(EN_RUN)
    answers[17:19] = ["Two more testers join", "Payment work goes first", ""]
    run(answers, tmp_path, save_to=tmp_path / "first.yaml")
    first = tmp_path / "first.yaml"
    resumed = [""] * 2 + ["-"] + [""] * 14 + ["-", ""] + [""] * 20  # organisation cleared; mitigation 1 removed
    ask, prompts = scripted(resumed)
    facts = gather_facts(None, resume=first, ask=ask, say=lambda _: None, now=NOW)
    assert facts.client.organisation is None
    assert facts.mitigations == ["Payment work goes first"]
    assert "Client organisation (optional) (- clears it) [Harbour Logistics]: " in prompts
    assert any(p.startswith("Step 1 ") and p.endswith("[Payment work goes first]: ") for p in prompts)


def test_resume_updates_the_file_in_place_keeping_comments_and_completes_a_partial_one(tmp_path: Path) -> None:
    ask, _ = scripted([*EN_RUN[:13], "dependency", KeyboardInterrupt])
    partial = tmp_path / "facts.yaml"
    with pytest.raises(GatherInterrupted):
        gather_facts("en", partial, ask=ask, say=lambda _: None, now=NOW)
    text = partial.read_text(encoding="utf-8").replace(
        "project: Customer portal", "project: Customer portal  # the name the client uses")
    partial.write_text(text + "# asked Sam about the dates\n", encoding="utf-8")
    rest = [""] * 14 + ["", "", "", "Two more testers join", ""] + [""] * 8
    ask, _ = scripted(rest)
    facts = gather_facts(None, resume=partial, ask=ask, say=lambda _: None, now=NOW)
    updated = partial.read_text(encoding="utf-8")
    assert "# the name the client uses" in updated and "# asked Sam about the dates" in updated
    assert not updated.startswith("# INCOMPLETE") and updated.startswith("# delaynote facts, answered on")
    assert load_facts(partial) == facts
    assert [p.name for p in tmp_path.iterdir()] == ["facts.yaml"]  # no second file


def test_natural_answers_are_normalised(tmp_path: Path) -> None:
    answers = list(EN_RUN)
    answers[9:12] = ["2026年12月1日", "2026/12/19", "20 Nov 2026"]
    answers[23] = "e-mail"                 # updates channel
    answers[-2:] = ["微信", "Friendly"]     # channel, tone
    answers[19:20] = ["Payment", "December 18, 2026", "", "In progress", ""]  # one phase, then end
    facts, _, said = run(answers, tmp_path)
    assert (facts.original_date, facts.new_date, facts.notice_date) == (
        date(2026, 12, 1), date(2026, 12, 19), date(2026, 11, 20))
    assert facts.phases[0].due == date(2026, 12, 18) and facts.phases[0].status == "in_progress"
    assert (facts.channel, facts.tone, facts.updates.channel) == ("im", "warm", "email")
    assert not [line for line in said if "Not accepted" in line]


def test_an_email_is_checked_at_the_prompt(tmp_path: Path) -> None:
    answers = list(EN_RUN)
    answers[3:4] = ["not-an-email", "chen@harbour.example"]
    facts, prompts, said = run(answers, tmp_path)
    assert prompts.count("Client e-mail (optional): ") == 2
    assert any("'not-an-email' is not an e-mail address" in line for line in said)
    assert facts.client.email == "chen@harbour.example"


def test_chinese_natural_answers_and_messages(tmp_path: Path) -> None:
    from assistant.answers import normalise_choice, normalise_date

    assert normalise_date("2027年1月15日") == "2027-01-15" and normalise_date("2027/1/15") == "2027-01-15"
    assert normalise_choice("channel", "微信", ("email", "phone", "meeting", "im"), {}) == "im"
    assert normalise_choice("channel", "电子邮件", ("email", "phone", "meeting", "im"), {}) == "email"
    assert normalise_choice("phases.status", "进行中", ("done", "in_progress", "planned"), {}) == "in_progress"
    assert normalise_date("next week") == "next week"  # left for the rules to explain


def test_style_respects_no_color_and_dumb_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.gather import styler, use_style

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_style(Tty())
    monkeypatch.setenv("TERM", "dumb")
    assert not use_style(Tty())
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_style(Tty())
    assert "\x1b[" in styler(True)("heading", "Who is told") and styler(False)("heading", "x") == "x"


def test_resuming_a_hand_written_file_keeps_its_top_and_adds_no_header(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    source = Path(__file__).resolve().parent.parent / "examples" / "en-payment-email.yaml"
    own.write_text("# my notes about this client\n" + source.read_text(encoding="utf-8"), encoding="utf-8")
    ask, _ = scripted([""] * 80)
    facts = gather_facts(None, resume=own, ask=ask, say=lambda _: None, now=NOW, overrides={"tone": "warm"})
    text = own.read_text(encoding="utf-8")
    assert text.startswith("# my notes about this client\n") and "answered on" not in text
    assert facts.tone == "warm" and load_facts(own) == facts
