"""`delaynote eval`: the case format, each assertion, thresholds and exit codes, record and
replay, the output formats, --compare and bounded concurrency. Suites are small temporary
folders so every test runs in well under a second or two."""

from __future__ import annotations

import json
import sys
import threading
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeserver import Reply, serve

from assistant.config import load_settings
from assistant.errors import InputError
from assistant.evals import run_eval_command
from assistant.evals.assertions import apply_expectations, contains, date_forms, mentions, merge_expect
from assistant.evals.replay import RecordingServer, request_key
from assistant.evals.suite import Expect, load_suite
from assistant.facts import validate_facts

REPO = Path(__file__).resolve().parent.parent


# --- helpers ------------------------------------------------------------------------------

def facts_data(project: str = "Member portal", lang: str = "en", **extra: Any) -> dict[str, Any]:
    cause = "The card payment company changed how payments are confirmed" if lang == "en" else "支付公司更换了付款确认方式"
    step = "A second developer joins the payment work from Monday" if lang == "en" else "下周一起增加一名开发人员"
    data: dict[str, Any] = {
        "language": lang, "project": project, "client": {"contact": "Ms. Okafor" if lang == "en" else "王经理"},
        "sender": {"name": "Daniel Reyes" if lang == "en" else "李明", "email": "daniel@kestrel.example"},
        "original_date": "2027-03-05", "new_date": "2027-03-19", "notice_date": "2027-02-15",
        "causes": [{"summary": cause, "category": "dependency"}],
        "impact": "Members pay through the old portal two weeks longer" if lang == "en" else "会员晚两周才能在线付款",
        "mitigations": [step], "updates": {"cadence": "weekly"},
    }
    data.update(extra)
    _MADE[(project, lang)] = data
    return data


# every facts dict the helpers made, so a stand-in model can find the case a prompt is about
_MADE: dict[tuple[str, str], dict[str, Any]] = {}


def write_suite(root: Path, cases: dict[str, dict[str, Any]], *, corpus: str | None = None,
                thresholds: dict[str, Any] | None = None, defaults: dict[str, Any] | None = None) -> Path:
    """A suite folder: suite.yaml plus `cases` as {"en/name": case-dict}."""
    root.mkdir(parents=True, exist_ok=True)
    suite = {"cases": ["cases/en", "cases/zh"], "corpus": corpus, "recordings": "recordings",
             "thresholds": thresholds or {"drafter": {"pass_rate": {"en": 1.0, "zh": 1.0}}}}
    if defaults:
        suite["defaults"] = defaults
    (root / "suite.yaml").write_text(yaml.safe_dump(suite), encoding="utf-8")
    for lang in ("en", "zh"):
        (root / "cases" / lang).mkdir(parents=True, exist_ok=True)
    for name, case in cases.items():
        (root / "cases" / f"{name}.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    return root


def eval_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`delaynote eval ARGS...` through the real entry point; its exit code."""
    from assistant.cli import main

    monkeypatch.setattr(sys, "argv", ["delaynote", "eval", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    return int(caught.value.code or 0)


def run(suite: Path, *, provider: str = "offline", fmt: str = "json", concurrency: int = 1,
        out: Path | None = None, force: bool = False, record: bool = False, compare: list[str] | None = None,
        config: Path | None = None, **overrides: Any) -> tuple[int, str]:
    settings = load_settings(config, cwd=suite, env={}, overrides=overrides)
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = run_eval_command(suite, settings=settings, provider=provider, fmt=fmt, concurrency=concurrency,
                                out=out, force=force, record=record, compare=compare or [])
    return code, buffer.getvalue()


def offline_notice(body: dict[str, Any]) -> Reply:
    """A stand-in model: the offline drafter's text for the facts the prompt carries."""
    from assistant.drafting.offline import draft_offline

    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    draft = draft_offline(facts_in(user))
    return Reply(text=(f"Subject: {draft.subject}\n\n" if draft.subject else "") + draft.body)


def facts_in(prompt: str) -> Any:
    """The facts a drafting prompt is about: made by `facts_data`, its project named in the prompt
    (the longest such name) in the prompt's language."""
    lang = "zh" if "简体中文" in prompt or "Chinese" in prompt.split("\n", 1)[0] else "en"
    found = [key for key in _MADE if key[1] == lang and key[0] in prompt]
    if not found:
        raise LookupError("no facts in the prompt")
    return validate_facts(_MADE[max(found, key=lambda key: len(key[0]))])


# --- the case format ------------------------------------------------------------------------

def test_the_committed_suite_loads_with_twenty_cases_per_language() -> None:
    suite = load_suite(REPO / "evals")
    langs = [c.language for c in suite.cases]
    assert langs.count("en") >= 20 and langs.count("zh") >= 20
    assert {c.facts.channel for c in suite.cases} == {"email", "phone", "meeting", "im"}
    assert {c.facts.tone for c in suite.cases} == {"formal", "neutral", "warm"}
    assert {cause.category for c in suite.cases for cause in c.facts.causes} >= {
        "technical", "scope_change", "dependency", "resource", "external", "quality", "other"}
    delays = [c.facts.delay_days for c in suite.cases]
    assert min(delays) == 2 and max(delays) >= 90
    assert any(c.facts.notice_date >= c.facts.original_date and "late-notice" in c.expect.checks_must_fire
               for c in suite.cases)


def test_bad_case_files_name_the_file_and_every_key(tmp_path: Path) -> None:
    root = write_suite(tmp_path / "s", {
        "en/typo": {"facts": facts_data(), "expect": {"must_mentoin": ["$new_date"]}},
        "en/bad-facts": {"facts": facts_data(causes=[{"category": "dependency"}]), "expect": {}},
        "en/bad-symbol": {"facts": facts_data(), "expect": {"must_mention": ["$newdate"],
                                                              "checks_must_not_fire": ["no-such-check"]}},
    })
    with pytest.raises(InputError) as caught:
        load_suite(root)
    details = "\n".join(caught.value.details)
    assert "3 eval case files are not valid" in caught.value.message
    assert "typo.yaml: expect.must_mentoin: is not a known key" in details
    assert "bad-facts.yaml: facts.causes[0].summary: is required but missing" in details
    assert "bad-symbol.yaml: expect.must_mention" in details and "$newdate" in details
    assert "no-such-check" in details


def test_a_case_without_notice_date_or_with_the_wrong_language_is_refused(tmp_path: Path) -> None:
    data = facts_data(lang="zh")
    del data["notice_date"]
    root = write_suite(tmp_path / "s", {"en/wrong": {"facts": data}})
    with pytest.raises(InputError) as caught:
        load_suite(root)
    details = "\n".join(caught.value.details)
    assert "facts.notice_date: is required in eval cases" in details
    assert "facts.language: 'zh' does not match the case folder (en)" in details


def test_a_case_whose_facts_are_written_in_another_language_is_refused(tmp_path: Path) -> None:
    english = facts_data(lang="en")
    root = write_suite(tmp_path / "s", {"zh/english-text": {"facts": {**english, "language": "zh"}}})
    with pytest.raises(InputError) as caught:
        load_suite(root)
    assert ("facts.language: 'zh' is not the language the causes, mitigations and impact are written in (en)"
            in "\n".join(caught.value.details))


def test_facts_file_and_overrides(tmp_path: Path) -> None:
    root = write_suite(tmp_path / "s", {"en/from-file": {"facts_file": "../../facts.yaml", "channel": "im",
                                                         "tone": "warm"}})
    (root / "facts.yaml").write_text(yaml.safe_dump(facts_data()), encoding="utf-8")  # inside the suite
    case = load_suite(root).cases[0]
    assert (case.name, case.facts.channel, case.facts.tone) == ("en/from-file", "im", "warm")


def test_cli_exits_2_naming_the_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = write_suite(tmp_path / "s", {"en/typo": {"facts": facts_data(), "expect": {"max_char": 10}}})
    monkeypatch.chdir(tmp_path)
    assert eval_cli(monkeypatch, str(root)) == 2
    err = capsys.readouterr().err
    assert "typo.yaml: expect.max_char: is not a known key" in err and "Traceback" not in err


# --- assertions -----------------------------------------------------------------------------

FACTS = validate_facts(facts_data())
ZH_FACTS = validate_facts(facts_data(lang="zh"))


def failures(text: str, expect: dict[str, Any], fired: set[str] | None = None,
             scores: dict[str, int] | None = None, facts: Any = FACTS) -> list[str]:
    return apply_expectations(text, facts, Expect(**expect), fired or set(), scores)[0]


def test_date_symbols_accept_usual_forms_and_reject_others() -> None:
    assert failures("New date: Friday, 19 March 2027.", {"must_mention": ["$new_date"]}) == []
    assert failures("We now deliver on March 19.", {"must_mention": ["$new_date"]}) == []
    assert failures("We now deliver on 2027-03-19.", {"must_mention": ["$new_date"]}) == []
    assert failures("We now deliver on 9 March.", {"must_mention": ["$new_date"]}) == [
        "must mention $new_date (19 March)"]
    assert failures("原定3月5日，现改为2027年3月19日（星期五）。", {"must_mention": ["$new_date", "$original_date"]},
                    facts=ZH_FACTS) == []
    assert failures("现改为3月9日。", {"must_mention": ["$new_date"]}, facts=ZH_FACTS) == [
        "must mention $new_date (2027年3月19日)"]
    # weekly cadence from 15 Feb: the next update is 22 Feb
    assert failures("Next update on Monday 22 February.", {"must_mention": ["$next_update"]}) == []
    assert failures("Two weeks later than promised.", {"must_mention": ["$duration"]}) == []
    assert failures("Later than promised.", {"must_mention": ["$duration"]}) == ["must mention $duration (two weeks)"]


def test_dates_do_not_match_inside_other_numbers() -> None:
    assert contains("due 19 March", "19 March")
    assert not contains("due 119 March", "19 March")
    assert not contains("12月19日", "2月19日")
    assert date_forms(date(2027, 3, 19), "zh")[0] == "2027年3月19日"


def test_causes_and_mitigations_may_be_rephrased_but_not_dropped() -> None:
    text = ("The card payment company has changed how it confirms payments. "
            "From Monday a second developer joins our payment work.")
    assert failures(text, {"must_mention": ["$each_cause", "$each_mitigation"]}) == []
    dropped = "The card payment company has changed how it confirms payments."
    assert failures(dropped, {"must_mention": ["$each_mitigation"]}) == [
        "must mention mitigation: A second developer joins the payment work from Monday"]
    assert mentions("因为支付公司更换了确认付款的方式", "支付公司更换了付款确认方式")
    assert not mentions("服务器出了问题", "支付公司更换了付款确认方式")


def test_literal_and_name_symbols() -> None:
    assert failures("Dear Ms. Okafor, ... Daniel Reyes", {"must_mention": ["$client", "$sender", "dear"]}) == []
    assert failures("Hello", {"must_mention": ["$client", "Harbour"]}) == [
        "must mention $client (Ms. Okafor)", "must mention Harbour"]


def test_must_not_contain_respects_word_edges() -> None:
    assert failures("We will fix it ASAP.", {"must_not_contain": ["ASAP"]}) == ["must not contain: ASAP"]
    assert failures("The wasapi driver.", {"must_not_contain": ["ASAP"]}) == []
    assert failures("我们会尽快修复", {"must_not_contain": ["尽快"]}) == ["must not contain: 尽快"]


def test_checks_must_and_must_not_fire() -> None:
    expect = {"checks_must_not_fire": ["vague-timeline"], "checks_must_fire": ["late-notice"]}
    assert failures("x", expect, fired={"late-notice"}) == []
    assert failures("x", expect, fired={"vague-timeline"}) == [
        "check fired: vague-timeline", "check did not fire: late-notice"]


def test_max_chars_counts_the_message_not_trailing_layout() -> None:
    assert failures("a" * 10 + "\n", {"max_chars": 10}) == []
    assert failures("a" * 11, {"max_chars": 10}) == ["11 characters, more than max_chars 10"]


def test_rubric_passes_fails_or_is_skipped_offline() -> None:
    expect = Expect(rubric={"solution": 4})
    assert apply_expectations("x", FACTS, expect, set(), {"solution": 4}) == ([], [])
    assert apply_expectations("x", FACTS, expect, set(), {"solution": 3})[0] == ["rubric: solution scored 3, below 4"]
    assert apply_expectations("x", FACTS, expect, set(), {})[0] == ["rubric: the judge gave no score for solution"]
    assert apply_expectations("x", FACTS, expect, set(), None) == (
        [], ["rubric skipped: no model to judge with (offline)"])


def test_a_case_that_expects_a_check_overrides_the_default_ban() -> None:
    merged = merge_expect(Expect(checks_must_not_fire=["late-notice", "hedging"], must_mention=["$new_date"]),
                          Expect(checks_must_fire=["late-notice"], must_mention=["$client"]))
    assert merged.checks_must_not_fire == ["hedging"]
    assert merged.must_mention == ["$new_date", "$client"]


# --- running the eval: thresholds, exit codes, formats ----------------------------------------

def two_case_suite(root: Path, **kwargs: Any) -> Path:
    return write_suite(root, {
        "en/portal": {"facts": facts_data(), "expect": {"must_mention": ["$new_date", "$each_cause"]}},
        "zh/portal": {"facts": facts_data("会员商城", lang="zh"), "expect": {"must_mention": ["$new_date"]}},
    }, **kwargs)


def test_offline_eval_passes_and_reports_per_language(tmp_path: Path) -> None:
    code, out = run(two_case_suite(tmp_path / "s"))
    report = json.loads(out)
    assert code == 0 and report["passed"] is True and report["regressions"] == []
    assert report["drafter"]["pass_rate"] == {"en": 1.0, "zh": 1.0}
    assert [c["name"] for c in report["drafter"]["cases"]] == ["en/portal", "zh/portal"]


def test_a_failing_case_below_threshold_exits_1_and_is_named(tmp_path: Path) -> None:
    root = write_suite(tmp_path / "s", {
        "en/good": {"facts": facts_data()},
        "en/impossible": {"facts": facts_data("Second portal"), "expect": {"must_mention": ["Zanzibar"]}},
    })
    code, out = run(root, fmt="text")
    assert code == 1
    assert "FAIL en/impossible" in out and "must mention Zanzibar" in out
    assert "drafter offline en: pass rate 1/2 below 100%; failed: en/impossible" in out
    # the same suite with a threshold the run meets passes
    suite = yaml.safe_load((root / "suite.yaml").read_text())
    suite["thresholds"]["drafter"]["pass_rate"]["en"] = 0.5
    (root / "suite.yaml").write_text(yaml.safe_dump(suite))
    assert run(root, fmt="text")[0] == 0


def tiny_corpus(root: Path) -> None:
    """Two labelled drafts: one with an update plan, one without."""
    drafts = root / "drafts"
    (drafts / "en").mkdir(parents=True)
    (drafts / "en" / "with-plan.md").write_text(
        "Dear Ms. Okafor,\n\nThe member portal, promised for Friday 5 March 2027, will now be ready on Friday "
        "19 March 2027. The card payment company changed how payments are confirmed, so we must rebuild that step. "
        "A second developer joins the payment work from Monday. I will send you an update every Friday, "
        "the next on Friday 19 February.\n\nDaniel Reyes\n", encoding="utf-8")
    (drafts / "en" / "no-plan.md").write_text(
        "Dear Ms. Okafor,\n\nThe member portal, promised for Friday 5 March 2027, will now be ready on Friday "
        "19 March 2027. The card payment company changed how payments are confirmed, so we must rebuild that step. "
        "A second developer joins the payment work from Monday.\n\nDaniel Reyes\n", encoding="utf-8")
    labels = {"en/with-plan.md": {"quiet": ["missing-update-plan"]},
              "en/no-plan.md": {"fire": ["missing-update-plan"]}}
    (drafts / "labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")


def test_disabling_a_check_in_the_config_is_a_named_regression(tmp_path: Path) -> None:
    root = tmp_path / "s"
    write_suite(root, {"en/portal": {"facts": facts_data()}}, corpus="drafts",
                thresholds={"checker": {"per_check": {"missing-update-plan": {"recall": 0.8}}}})
    tiny_corpus(root)
    code, out = run(root, fmt="text")
    assert code == 0, out
    config = tmp_path / "delaynote.toml"
    config.write_text('disable = ["missing-update-plan"]\n', encoding="utf-8")
    code, out = run(root, fmt="text", config=config)
    assert code == 1
    assert "checker: missing-update-plan (en) recall 0.00 below 0.80" in out
    assert "en/no-plan.md: expected fire, got quiet" in out


def test_every_output_format(tmp_path: Path) -> None:
    root = two_case_suite(tmp_path / "s")
    code, junit = run(root, fmt="junit")
    assert code == 0
    tree = ET.fromstring(junit)
    names = [tc.get("name") for tc in tree.iter("testcase")]
    assert names == ["en/portal", "zh/portal"]
    assert not list(tree.iter("failure"))
    _, markdown = run(root, fmt="markdown")
    assert markdown.startswith("### delaynote eval: ✅ passed")
    assert "| offline | 1/1 (100%) | 1/1 (100%) |" in markdown
    _, text = run(root, fmt="text")
    assert "Drafter eval: offline (2 cases)" in text and "Result: PASS" in text


def test_junit_has_a_test_case_per_check_and_a_failure_per_regression(tmp_path: Path) -> None:
    root = tmp_path / "s"
    write_suite(root, {"en/portal": {"facts": facts_data(), "expect": {"must_mention": ["Zanzibar"]}}},
                corpus="drafts", thresholds={"checker": {"per_check_default": {"recall": 0.5}}})
    tiny_corpus(root)
    config = tmp_path / "delaynote.toml"
    config.write_text('disable = ["missing-update-plan"]\n', encoding="utf-8")
    code, junit = run(root, fmt="junit", config=config)
    assert code == 1
    tree = ET.fromstring(junit)
    cases = {(tc.get("classname"), tc.get("name")): tc for tc in tree.iter("testcase")}
    assert ("checker.en", "missing-update-plan") in cases
    assert cases[("checker.en", "missing-update-plan")].find("failure") is not None
    assert cases[("drafter.offline.en", "en/portal")].find("failure").get("message") == "must mention Zanzibar"


def test_out_never_overwrites_without_force(tmp_path: Path) -> None:
    root = two_case_suite(tmp_path / "s")
    target = tmp_path / "eval.md"
    target.write_text("keep me")
    with pytest.raises(InputError, match="already exists"):
        run(root, fmt="markdown", out=target)
    assert target.read_text() == "keep me"
    assert run(root, fmt="markdown", out=target, force=True)[0] == 0
    assert target.read_text().startswith("### delaynote eval")


def test_bad_provider_combinations_are_usage_errors(tmp_path: Path) -> None:
    root = two_case_suite(tmp_path / "s")
    with pytest.raises(InputError, match="--provider openai --record"):
        run(root, record=True)
    with pytest.raises(InputError, match="needs a model"):
        run(root, provider="openai")
    with pytest.raises(InputError, match="use offline, openai, replay"):
        run(root, compare=["gpt-5"])
    with pytest.raises(InputError, match="prompts only matter"):
        run(root, compare=[f"prompts={tmp_path}"])


# --- record and replay --------------------------------------------------------------------------

def test_request_key_ignores_headers_and_the_random_fence_marker() -> None:
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "<<<DRAFT-0123456789abcdef>>> hi"}]})
    other = json.dumps({"messages": [{"role": "user", "content": "<<<DRAFT-fedcba9876543210>>> hi"}], "model": "m"})
    assert request_key("/chat/completions", body.encode()) == request_key("chat/completions", other.encode())
    assert request_key("/chat/completions", body.encode()) != request_key("/chat/completions", b'{"model": "n"}')


def test_record_then_replay_with_no_network(tmp_path: Path) -> None:
    root = two_case_suite(tmp_path / "s")
    secret = "sk-test-do-not-store-0123456789"
    with serve(offline_notice) as server:
        code, out = run(root, provider="openai", record=True, **{"llm.base_url": server.url,
                                                                  "llm.api_key": secret})
        assert code == 0, out
        assert server.count == 2
        assert all(h["authorization"] == f"Bearer {secret}" for h in server.headers)
    files = sorted((root / "recordings").glob("*.json"))
    assert len(files) == 2
    assert all(secret not in f.read_text(encoding="utf-8") for f in files)
    # the stand-in server is gone: replay answers everything from the files
    code, out = run(root, provider="replay")
    report = json.loads(out)
    assert code == 0 and report["drafter"]["pass_rate"] == {"en": 1.0, "zh": 1.0}
    assert report["drafter"]["provider"] == "replay"
    # a missing recording fails its case, by name
    zh_file = next(f for f in files if "会员商城" in f.read_text(encoding="utf-8"))
    zh_file.unlink()
    code, out = run(root, provider="replay", fmt="text")
    assert code == 1
    assert "FAIL 1 case(s) with no recording for their requests: zh/portal" in out
    assert "drafter replay zh: pass rate 0/1" in out



def test_a_record_run_with_one_failed_case_keeps_every_answer_received(tmp_path: Path) -> None:
    """Issue 15, item 14: one failed case no longer throws away the answers paid for in the run."""
    root = two_case_suite(tmp_path / "s")
    with serve(offline_notice) as server:
        assert run(root, provider="openai", record=True, **{"llm.base_url": server.url})[0] == 0
    before = {f.name: f.read_bytes() for f in (root / "recordings").iterdir()}
    assert len(before) == 2
    # the first case gets another (good) answer, the second garbage: the run reports, exit 3
    answers = iter([Reply(text="Dear Ms. Okafor, the portal moves to 19 March 2027."),
                    Reply(raw="this is not json {{{")])
    with serve(lambda _body: next(answers)) as server:
        code, out = run(root, provider="openai", record=True, concurrency=1, fmt="json",
                        **{"llm.base_url": server.url, "llm.max_retries": 0})
    assert code == 3 and server.count == 2
    cases = {c["name"]: c for c in json.loads(out)["drafter"]["cases"]}
    statuses = sorted(c["status"] for c in cases.values())
    assert statuses[0] == "error" and len(cases) == 2
    errored = next(c for c in cases.values() if c["status"] == "error")
    assert "not a chat completion" in errored["error"] and server.url in errored["error"]
    after = {f.name: f.read_bytes() for f in (root / "recordings").iterdir()}
    assert sorted(after) == sorted(before)  # the same requests, one answer newly recorded
    changed = [name for name in after if after[name] != before[name]]
    assert len(changed) == 1 and b"19 March 2027" in after[changed[0]]
    # nothing is left behind beside the suite
    assert sorted(p.name for p in root.iterdir()) == ["cases", "recordings", "suite.yaml"]


def test_a_broken_prompt_folder_fails_the_replay_eval(tmp_path: Path) -> None:
    root = two_case_suite(tmp_path / "s")
    with serve(offline_notice) as server:
        assert run(root, provider="openai", record=True, **{"llm.base_url": server.url})[0] == 0
    broken = tmp_path / "broken-prompts"
    broken.mkdir()
    (broken / "draft.md").write_text("Write a delay notice for this project:\n$facts_json\n", encoding="utf-8")
    # side by side: the recorded prompts pass, the broken folder fails every case
    code, out = run(root, provider="replay", fmt="text", compare=[f"prompts={broken}"])
    assert code == 1, out  # nothing recorded for those prompts: the run measured nothing of them
    assert f"--provider openai --record --prompts {broken}" in out
    assert f"Compare replay vs prompts={broken}: no case differs (2 not compared: no recording)" in out
    code, out = run(root, provider="replay", fmt="json", **{"llm.prompts": str(broken)})
    report = json.loads(out)
    assert code == 1 and report["drafter"]["pass_rate"] == {"en": 0.0, "zh": 0.0}


def test_compare_offline_and_replay_side_by_side(tmp_path: Path) -> None:
    root = two_case_suite(tmp_path / "s")
    with serve(offline_notice) as server:
        assert run(root, provider="openai", record=True, **{"llm.base_url": server.url})[0] == 0
    code, out = run(root, provider="offline", fmt="markdown", compare=["replay", "model=other-model"])
    assert code == 1  # another model without recordings fails the run
    assert "| offline | 1/1 (100%) | 1/1 (100%) |" in out
    assert "| replay | 1/1 (100%) | 1/1 (100%) |" in out
    # nothing was recorded for another model: its cases differ, named
    assert "| model=other-model | 0/1 (0%) | 0/1 (0%) |" in out
    assert "`en/portal` (model=other-model)" in out


def test_replay_server_answers_422_for_unknown_requests(tmp_path: Path) -> None:
    import httpx2

    with RecordingServer(tmp_path, mode="replay") as server:
        resp = httpx2.post(f"{server.base_url}/chat/completions", json={"model": "m"})
    assert resp.status_code == 422 and "no recording" in resp.json()["error"]["message"]
    assert server.misses == [request_key("/chat/completions", b'{"model": "m"}')]


# --- concurrency ----------------------------------------------------------------------------------

def gated_server_reply(total: int, target: int, state: dict[str, int]) -> Any:
    """A reply function that holds each request until `target` are in flight (or all `total`
    have arrived), recording the largest number in flight: overlap measured at the server."""
    cond = threading.Condition()

    def reply(body: dict[str, Any]) -> Reply:
        with cond:
            state["inflight"] += 1
            state["arrived"] += 1
            state["max"] = max(state["max"], state["inflight"])
            cond.notify_all()
            cond.wait_for(lambda: state["inflight"] >= target or state["arrived"] >= total, timeout=5)
        try:
            return offline_notice(body)
        finally:
            with cond:
                state["inflight"] -= 1

    return reply


@pytest.mark.parametrize("concurrency", [1, 8])
def test_concurrency_is_bounded_and_sends_one_request_per_case(tmp_path: Path, concurrency: int) -> None:
    cases = {f"en/p{i}": {"facts": facts_data(f"Portal number {i}")} for i in range(10)}
    root = write_suite(tmp_path / "s", cases)
    state = {"inflight": 0, "arrived": 0, "max": 0}
    with serve(gated_server_reply(10, concurrency, state), latency=0.05) as server:
        code, out = run(root, provider="openai", concurrency=concurrency, **{"llm.base_url": server.url})
        count = server.count
    assert code == 0, out
    assert count == 10  # one drafting call per case, no retries, no extra requests
    assert state["max"] == concurrency


def test_a_known_issue_is_reported_not_counted_and_fixed_when_it_passes(tmp_path: Path) -> None:
    root = write_suite(tmp_path / "s", {
        "en/good": {"facts": facts_data()},
        "en/known": {"facts": facts_data("Known portal"), "known_issue": "the drafter never says Zanzibar",
                     "expect": {"must_mention": ["Zanzibar"]}},
        "en/fixed": {"facts": facts_data("Fixed portal"), "known_issue": "once failed", "expect": {}},
    })
    code, out = run(root, fmt="json")
    report = json.loads(out)
    assert code == 0
    status = {c["name"]: c["status"] for c in report["drafter"]["cases"]}
    assert status == {"en/fixed": "fixed", "en/good": "pass", "en/known": "known"}
    assert report["drafter"]["pass_rate"] == {"en": 1.0}  # 2 of 2 counted; the known failure is not
    _, text = run(root, fmt="text")
    assert "en: 2/2 (100%) + 1 known issue" in text
    assert "known issue en/known: the drafter never says Zanzibar (still fails: must mention Zanzibar)" in text
    assert "fixed en/fixed: passes now; remove its known_issue" in text
    tree = ET.fromstring(run(root, fmt="junit")[1])
    skipped = [tc.get("name") for tc in tree.iter("testcase") if tc.find("skipped") is not None]
    assert skipped == ["en/known"]


def test_a_failing_real_service_ends_the_run_with_exit_3(tmp_path: Path) -> None:
    from assistant.errors import LLMServiceError

    root = two_case_suite(tmp_path / "s")
    with serve([Reply(status=500)]) as server, pytest.raises(LLMServiceError) as caught:
        run(root, provider="openai", concurrency=2, **{"llm.base_url": server.url, "llm.max_retries": 0})
    assert caught.value.exit_code == 3



def test_a_server_answering_garbage_ends_the_openai_run_with_exit_3(tmp_path: Path) -> None:
    from assistant.errors import LLMServiceError

    root = two_case_suite(tmp_path / "s")
    with serve([Reply(raw="this is not json {{{")]) as server, pytest.raises(LLMServiceError) as caught:
        run(root, provider="openai", **{"llm.base_url": server.url})
    assert caught.value.exit_code == 3 and "not a chat completion" in caught.value.message



@pytest.mark.parametrize("record", [False, True])
def test_a_malformed_base_url_is_a_usage_error_with_or_without_record(tmp_path: Path, record: bool) -> None:
    root = two_case_suite(tmp_path / "s")
    with pytest.raises(InputError, match=r"invalid base URL 'http://\[::1/v1'") as caught:
        run(root, provider="openai", record=record, **{"llm.base_url": "http://[::1/v1"})
    assert caught.value.exit_code == 2
    assert not (root / "recordings").exists()



def test_record_errors_name_the_users_server_not_the_recording_proxy(tmp_path: Path) -> None:
    from assistant.errors import LLMServiceError

    root = two_case_suite(tmp_path / "s")
    with serve([Reply(status=500)]) as gone:
        dead = gone.url  # the server is gone: its port refuses connections
    with pytest.raises(LLMServiceError) as caught:
        run(root, provider="openai", record=True, **{"llm.base_url": dead, "llm.max_retries": 0})
    assert caught.value.message == (f"cannot connect to the LLM server at {dead}; check --base-url / "
                                    "OPENAI_BASE_URL and that the server is running")
    with serve([Reply(raw="this is not json {{{")]) as server, pytest.raises(LLMServiceError) as caught:
        run(root, provider="openai", record=True, **{"llm.base_url": server.url, "llm.max_retries": 0})
    assert caught.value.message.startswith(f"the LLM server at {server.url} sent an answer that is not a chat")



@pytest.mark.parametrize("labels", ["", "{}\n", "en/with-plan.md: {}\n"])
def test_an_empty_labelled_corpus_is_a_bad_suite_not_a_pass(tmp_path: Path, labels: str) -> None:
    root = two_case_suite(tmp_path / "s", corpus="drafts")
    tiny_corpus(root)
    (root / "drafts" / "labels.yaml").write_text(labels, encoding="utf-8")
    with pytest.raises(InputError, match="has nothing to score: its labels.yaml") as caught:
        run(root)
    assert caught.value.exit_code == 2 and str(root / "drafts") in caught.value.message


def test_case_folders_without_a_case_are_a_bad_suite_not_a_pass(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = write_suite(tmp_path / "s", {})
    with pytest.raises(InputError, match=r"nothing to draft: the cases folders .*cases/en, .*cases/zh hold no case"):
        load_suite(root)
    monkeypatch.chdir(tmp_path)
    assert eval_cli(monkeypatch, str(root)) == 2
    err = capsys.readouterr().err
    assert "nothing to draft" in err and "PASS" not in err and "Traceback" not in err
    # one language without cases is fine while another has some
    write_suite(root, {"en/portal": {"facts": facts_data()}})
    assert [c.name for c in load_suite(root).cases] == ["en/portal"]


def test_a_heldout_corpus_is_reported_but_never_a_regression(tmp_path: Path) -> None:
    root = tmp_path / "s"
    write_suite(root, {"en/portal": {"facts": facts_data()}},
                thresholds={"checker": {"per_check_default": {"recall": 1.0}}})
    tiny_corpus(root)
    suite = yaml.safe_load((root / "suite.yaml").read_text())
    suite["heldout"] = "drafts"
    (root / "suite.yaml").write_text(yaml.safe_dump(suite))
    config = tmp_path / "delaynote.toml"
    config.write_text('disable = ["missing-update-plan"]\n', encoding="utf-8")
    code, out = run(root, fmt="json", config=config)
    report = json.loads(out)
    assert code == 0 and report["regressions"] == []
    stat = next(s for s in report["heldout"]["stats"] if s["check"] == "missing-update-plan")
    assert stat["recall"] == 0.0 and stat["misses"] == ["en/no-plan.md: expected fire, got quiet"]


def prompt_follower(body: dict[str, Any]) -> Reply:
    """A stand-in that writes only what the prompt gives it: the ready-made date texts when the
    prompt carries them, else no date at all (as a model told nothing about dates would)."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    facts = facts_in(user)
    decoder, derived, start = json.JSONDecoder(), None, user.find("{")
    while start != -1 and derived is None:
        try:
            obj = decoder.raw_decode(user[start:])[0]
            derived = obj if isinstance(obj, dict) and "delay" in obj else None
        except ValueError:
            pass
        start = user.find("{", start + 1)
    copied = next((line.split(": ", 1)[1] for line in user.splitlines() if line.startswith("- new date: ")), None)
    new_date = derived["new_date"] if derived else copied
    when = f" on {new_date}" if new_date else " later than planned"
    return Reply(text=f"Dear {facts.client.contact}, {facts.project} will be ready{when}. "
                      f"{facts.causes[0].summary}. {facts.mitigations[0]}.")


def test_a_prompt_that_drops_the_dates_fails_the_openai_eval(tmp_path: Path) -> None:
    # a chat message: no subject line (an e-mail's default subject would carry the date anyway)
    root = write_suite(tmp_path / "s", {"en/portal": {"facts": facts_data(), "channel": "im",
                                                      "expect": {"must_mention": ["$new_date"]}}})
    broken = tmp_path / "broken-prompts"
    broken.mkdir()
    (broken / "draft.md").write_text("Write a delay notice for this project:\n$facts_json\n", encoding="utf-8")
    with serve(prompt_follower) as server:
        code, out = run(root, provider="openai", fmt="text", compare=[f"prompts={broken}"],
                        **{"llm.base_url": server.url})
        assert code == 0, out  # the shipped prompts hand the model the dates
        assert "must mention $new_date (19 March)" in out  # ... the broken folder does not
        code, out = run(root, provider="openai", fmt="text", **{"llm.base_url": server.url, "llm.prompts": str(broken)})
    # the date is put right from the facts in the draft shown, but the model's own answer is held
    # to the bar too (own_pass_rate defaults to pass_rate), so the broken prompt still fails
    assert code == 1 and "MENDED en/portal" in out and "must mention $new_date (19 March)" in out
    assert "the model's own answers (before mending) pass 0/1" in out


def test_a_folder_without_suite_yaml_is_a_clear_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not an eval suite: .*suite.yaml does not exist"):
        load_suite(tmp_path)


def test_a_crash_in_the_checks_is_a_named_failure_not_a_traceback(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.checks.scoring as scoring

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("a bug in a rule")

    monkeypatch.setattr(scoring, "score_corpus", broken)
    root = tmp_path / "s"
    write_suite(root, {"en/portal": {"facts": facts_data()}}, corpus="drafts")
    tiny_corpus(root)
    code, out = run(root, fmt="text")
    assert code == 1
    assert "checker: scoring drafts/ crashed: TypeError: a bug in a rule (at test_evals.py:" in out


def test_cli_exit_codes_0_and_1_and_markdown_to_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    good = two_case_suite(tmp_path / "good")
    bad = write_suite(tmp_path / "bad", {"en/x": {"facts": facts_data(), "expect": {"must_mention": ["Zanzibar"]}}})
    monkeypatch.chdir(tmp_path)
    codes = [eval_cli(monkeypatch, str(good)), eval_cli(monkeypatch, str(bad), "--format", "markdown", "--out", "eval.md")]
    assert codes == [0, 1]
    err = capsys.readouterr().err
    assert "eval below threshold" in err and "failed: en/x" in err
    assert (tmp_path / "eval.md").read_text(encoding="utf-8").startswith("### delaynote eval: ❌ failed")


def test_a_compared_model_without_recordings_fails_naming_one_record_command(tmp_path: Path) -> None:
    root = two_case_suite(tmp_path / "s")
    with serve(offline_notice) as server:
        code, out = run(root, provider="openai", record=True, **{"llm.base_url": server.url, "llm.api_key": "sk-x"})
        assert code == 0, out
    code, out = run(root, provider="replay", fmt="text", compare=["model=other-model"])
    assert code == 1 and "Result: FAIL" in out  # a replay that measured nothing is not a pass
    (line,) = [x for x in out.splitlines() if "have no recording" in x]
    assert "replay model=other-model: 2 case(s)" in line
    assert line.endswith(f"delaynote eval {root} --provider openai --record --model other-model")
    assert out.count("--record") == 1  # one command, not one per case
    code, out = run(root, provider="replay", fmt="json")
    assert code == 0 and json.loads(out)["passed"]


def test_messages_point_to_the_suite_format_that_exists_here(tmp_path: Path) -> None:
    from assistant.evals.suite import suite_docs

    assert Path(suite_docs()).is_file()
    with pytest.raises(InputError) as err:
        load_suite(tmp_path)
    assert f"(the suite format: {suite_docs()})" in err.value.message


def test_the_text_report_names_each_held_out_check_with_its_counts() -> None:
    from assistant.evals.checker import CheckerResult, CheckStat
    from assistant.evals.report import DrafterRun, EvalReport, render_eval

    held = CheckerResult(corpus="heldout", files=3, stats=[
        CheckStat(check="hedging", language="en", tp=1, fp=1, fn=2, misses=["a.md: x", "b.md: y", "c.md: z"])])
    text = render_eval(EvalReport(suite="s", heldout=held, drafter=DrafterRun(label="offline", provider="offline"),
                                  passed=True), "text")
    assert "hedging" in text and "3 miss(es): 2 not fired, 1 fired wrongly" in text
    assert "a.md" not in text  # counts, never the file names (they invite tuning on the held-out set)


def test_replay_has_its_own_measured_pass_rate_bar() -> None:
    from assistant.evals.suite import DrafterThresholds

    bars = DrafterThresholds(pass_rate={"en": 1.0, "zh": 1.0}, replay_pass_rate={"en": 0.6, "zh": 0.5})
    assert bars.for_provider("replay") == {"en": 0.6, "zh": 0.5}
    assert bars.for_provider("offline") == bars.for_provider("openai") == {"en": 1.0, "zh": 1.0}
    assert DrafterThresholds().for_provider("replay") == {"en": 1.0, "zh": 1.0}  # unset: the one bar
    with pytest.raises(ValueError, match="between 0 and 1"):
        DrafterThresholds(replay_pass_rate={"en": 1.5})
