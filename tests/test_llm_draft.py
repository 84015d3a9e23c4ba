"""Drafting with an LLM: prompts built from the facts, the check-and-revise loop, redaction,
streaming, usage, and the CLI end to end against a real local HTTP server.

Loop mechanics run with a small stand-in for `check_draft` (patched in this file only), so
they do not depend on the checker's wording; the hallucination-gate test uses the real
checker once it is importable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import run_cli as _main
from fakeserver import Reply, chat_body, serve, split_text, sse_body

from assistant.config import load_settings
from assistant.drafting.llm import derived_texts, draft_messages, draft_with_llm, parse_answer
from assistant.errors import LLMServiceError
from assistant.facts import validate_facts
from assistant.findings import Finding

BASE = "http://llm.test/v1"
URL = f"{BASE}/chat/completions"
KEY = "sk-test-SECRET-0123456789"
REPO = Path(__file__).resolve().parent.parent

FACTS: dict[str, Any] = {
    "language": "en",
    "channel": "email",
    "project": "Customer portal rebuild",
    "client": {"organisation": "Harbour Logistics Ltd", "contact": "Ms. Chen", "email": "chen@harbour.example"},
    "sender": {"name": "Sam Lee", "role": "Project manager", "organisation": "Northwind Software",
               "email": "sam@northwind.example", "phone": "+1 555 0100"},
    "original_date": "2026-12-01",
    "new_date": "2026-12-19",
    "notice_date": "2026-11-20",
    "causes": [{"summary": "The payment provider changed how payments are confirmed, so that part must be "
                           "rebuilt and tested again", "category": "dependency"}],
    "impact": "Online payments open 18 days later; order tracking works as planned.",
    "mitigations": ["Two more testers join the team from Monday"],
    "completed": ["Order tracking pages"],
    "pending": ["Payment confirmation"],
    "updates": {"cadence": "weekly", "next": "2026-11-27"},
}

GOOD = """Subject: Customer portal rebuild: new date Saturday, 19 December 2026

Dear Ms. Chen,

The customer portal will not be ready on Tuesday, 1 December 2026 as promised. The new date is Saturday, 19 December 2026.

The payment provider changed how payments are confirmed, so we must rebuild and test that part again.
Online payments open 18 days later; order tracking works as planned.
Two more testers join the team from Monday.
The order tracking pages are done; payment confirmation remains.
We will send the next update on Friday, 27 November 2026, and then every week.
We are sorry for the trouble this causes.
Call me on +1 555 0100 or write to sam@northwind.example with any question.

Kind regards,
Sam Lee
"""
WRONG = GOOD.replace("Saturday, 19 December 2026", "Thursday, 24 December 2026")


def facts(**changes: Any):
    return validate_facts({**FACTS, **changes})


def make_settings(tmp_path: Path, **overrides: Any):
    values = {"llm.base_url": BASE, "llm.max_retries": 0, "llm.model": "test-model", **overrides}
    return load_settings(None, cwd=tmp_path, env={"OPENAI_API_KEY": KEY}, overrides=values)


def ok(text: str, prompt_tokens: int = 100, completion_tokens: int = 50) -> httpx.Response:
    return httpx.Response(200, json=chat_body(text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens))


def bodies(route) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


def fake_check(draft, facts, settings=None) -> list[Finding]:
    """Stand-in checker: the invented 24 December is a fact-mismatch; a missing update plan an error."""
    found = []
    if "24 December" in draft.body:
        found.append(Finding(check="fact-mismatch", principle="accuracy", severity="error", line=3, column=1,
                             text="Thursday, 24 December 2026", message="The facts say the new date is 19 December."))
    if "next update" not in draft.body:
        found.append(Finding(check="missing-update-plan", principle="regular-updates", severity="error",
                             message="No next update date."))
    if "sorry" not in draft.body:
        found.append(Finding(check="missing-apology", principle="tone", severity="info", message="No apology."))
    return found


@pytest.fixture
def checker(monkeypatch):
    import assistant.checks

    monkeypatch.setattr(assistant.checks, "check_draft", fake_check, raising=False)


# --- prompts from facts ------------------------------------------------------------------

def test_prompt_lists_strings_to_copy_and_the_facts_in_notice_order(tmp_path):
    messages = draft_messages(facts(), make_settings(tmp_path))
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    copy = user.split("Copy these strings exactly:\n")[1].split("\n\n")[0]
    for line in ("- new date: Saturday, 19 December 2026", "- promised date: Tuesday, 1 December 2026",
                 "- next update: Friday, 27 November 2026", "- sender's e-mail: sam@northwind.example",
                 "- sender's phone: +1 555 0100", "- to: Ms. Chen, Harbour Logistics Ltd"):
        assert line in copy
    order = [user.index(s) for s in ("News:", "Cause:", "What it means", "Steps we are taking", "Next update:")]
    assert order == sorted(order)
    assert "Subject: " in user  # e-mail asks for a subject line
    assert "$" not in user and "$" not in messages[0]["content"]  # every marker was filled
    assert "Never write a placeholder" in messages[0]["content"] and "Kind regards" in messages[0]["content"]


def test_chinese_phone_prompt_has_chinese_conventions_and_no_subject(tmp_path):
    system, user = (m["content"] for m in draft_messages(facts(language="zh", channel="phone"), make_settings(tmp_path)))
    assert "2026年12月19日（星期六）" in user
    assert "全角标点" in system and "此致" in system  # style and the worked example, in the system prompt
    assert "不要主题行" in user


def test_derived_texts_spell_the_facts_dates():
    derived = derived_texts(facts())
    assert derived["new_date"] == "Saturday, 19 December 2026"
    assert derived["next_update"] == "Friday, 27 November 2026"
    assert derived["delay_length"] == "18 days"


def test_subject_line_is_parsed_out_for_email_only():
    draft = parse_answer("```\nSubject: Portal moves to 19 December\n\nDear Ms. Chen,\nBody.\n```", facts())
    assert draft.subject == "Portal moves to 19 December"
    assert draft.body == "Dear Ms. Chen,\nBody.\n"
    chat = parse_answer("Subject: x\n\nShort message", facts(channel="im"))
    assert chat.subject is None and chat.body == "Short message\n"
    zh = parse_answer("主题：门户交付日期调整\n\n尊敬的陈经理：", facts(language="zh"))
    assert zh.subject == "门户交付日期调整"


def test_reasoning_block_of_local_models_is_dropped():
    draft = parse_answer("<think>\nThe user wants...\n</think>\n\nSubject: News\n\nDear Ms. Chen,", facts())
    assert draft.subject == "News" and draft.body == "Dear Ms. Chen,\n"


def test_email_without_subject_line_gets_a_subject():
    assert parse_answer("Dear Ms. Chen,\nBody.", facts()).subject


# --- drafting and the revise loop -------------------------------------------------------

def test_good_first_answer_needs_one_request(httpx2_mock, tmp_path, checker):
    route = httpx2_mock.post(URL).mock(return_value=ok(GOOD))
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False)
    assert route.call_count == 1
    assert draft.subject == "Customer portal rebuild: new date Saturday, 19 December 2026"
    assert draft.body.startswith("Dear Ms. Chen,")
    assert draft.findings == []
    assert (draft.usage.calls, draft.usage.prompt_tokens, draft.usage.completion_tokens) == (1, 100, 50)


def test_invented_date_is_revised_quoting_the_finding(httpx2_mock, tmp_path, checker):
    route = httpx2_mock.post(URL).mock(side_effect=[ok(WRONG, 100, 50), ok(GOOD, 300, 60)])
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False)
    assert route.call_count == 2
    assert "Saturday, 19 December 2026" in draft.body and "24 December" not in draft.body
    assert draft.findings == []
    assert (draft.usage.calls, draft.usage.prompt_tokens, draft.usage.completion_tokens) == (2, 400, 110)
    revise = bodies(route)[1]["messages"]
    assert revise[2]["role"] == "assistant" and "24 December" in revise[2]["content"]
    assert '- "Thursday, 24 December 2026": ' in revise[3]["content"]  # the finding, quoting the words to change


def test_revisions_stop_at_the_limit_then_the_facts_mend_what_the_model_left(httpx2_mock, tmp_path, checker):
    route = httpx2_mock.post(URL).mock(return_value=ok(WRONG))
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False, max_revisions=2, use_cache=False)
    assert route.call_count == 3
    own_text, own = draft._rounds[-2]  # the model's best answer: the wrong date, three times over
    assert {f.check for f in own} == {"fact-mismatch", "missing-new-date"}  # the rules' and the guards'
    # mended from the facts: the sentence with the wrong date cut, the facts' date told instead
    assert "24 December" in own_text and "24 December" not in draft.body
    assert "The new delivery date is Saturday, 19 December 2026." in draft.body
    assert not [f for f in draft.findings if f.severity == "error"]
    assert any("removed the sentence 'The new date is Thursday, 24 December 2026.'" in m for m in draft._mended)


def test_what_the_facts_cannot_mend_is_listed_after_the_last_revision(httpx2_mock, tmp_path, checker):
    unsendable = WRONG.replace("Dear Ms. Chen,", "Dear [Client Name],")  # a greeting is never cut
    route = httpx2_mock.post(URL).mock(return_value=ok(unsendable))
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False, max_revisions=2, use_cache=False)
    assert route.call_count == 3
    assert [(f.check, f.text) for f in draft.findings if f.severity == "error"] == [("placeholder", "[Client Name]")]


def test_no_revisions_when_max_revisions_is_zero(httpx2_mock, tmp_path, checker):
    route = httpx2_mock.post(URL).mock(return_value=ok(WRONG))
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False, max_revisions=0)
    assert route.call_count == 1
    assert draft._rounds[0][1][0].check == "fact-mismatch"  # the answer as given
    assert draft._mended and "24 December" not in draft.body


def test_invented_contact_details_are_swapped_for_the_facts_ones_without_a_revision(httpx2_mock, tmp_path,
                                                                                     checker):
    invented = GOOD.replace("+1 555 0100", "+1 555 0199").replace("sam@northwind.example", "help@northwind.example")
    route = httpx2_mock.post(URL).mock(side_effect=[ok(invented), ok(GOOD)])
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False)
    assert route.call_count == 1  # the right values are known exactly: no model needed
    assert "+1 555 0100" in draft.body and "sam@northwind.example" in draft.body
    assert "0199" not in draft.body and "help@" not in draft.body
    assert draft.findings == [] and draft._repaired
    # without a sender e-mail in the facts there is nothing to swap in: it stays a fact-mismatch
    no_email = facts(sender={**FACTS["sender"], "email": None})
    route = httpx2_mock.post(URL).mock(side_effect=[ok(invented), ok(GOOD.replace(" or write to sam@northwind.example", ""))])
    draft = draft_with_llm(no_email, make_settings(tmp_path), stream=False, use_cache=False)
    assert route.call_count == 3 and "help@northwind.example" in bodies(route)[2]["messages"][-1]["content"]  # same route: 1 + 2
    from assistant.guards import guard_findings

    # the same phone without its country code traces to the facts (not invented), but an e-mail
    # must carry the contact details exactly as given
    short = guard_findings(GOOD.replace("+1 555 0100", "555 0100"), "en", facts=facts())
    assert [f.check for f in short] == ["missing-contact"]


def test_untraced_contact_finding_points_at_the_value():
    from assistant.guards import guard_findings

    body = "Dear Ms. Chen,\nCall +1 555 0199 today.\n"
    [finding] = [f for f in guard_findings(body, "en", facts=facts()) if f.check == "fact-mismatch"]
    assert (finding.severity, finding.text) == ("error", "+1 555 0199")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 6, 2, 17)


def test_only_info_findings_do_not_trigger_a_revision(httpx2_mock, tmp_path, checker):
    route = httpx2_mock.post(URL).mock(return_value=ok(GOOD.replace("We are sorry for the trouble this causes.\n", "")))
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False)
    assert route.call_count == 1
    assert [f.check for f in draft.findings] == ["missing-apology"]


def test_streamed_draft_reaches_the_sink_and_matches_the_result(httpx2_mock, tmp_path, checker):
    route = httpx2_mock.post(URL).mock(return_value=httpx.Response(
        200, text=sse_body(split_text(GOOD, 11)), headers={"content-type": "text/event-stream"}))
    seen: list[str] = []
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=True, stream_to=seen.append)
    assert "".join(seen) == GOOD
    assert len(seen) > 10
    assert bodies(route)[0]["stream"] is True
    assert draft.body.startswith("Dear Ms. Chen,")


def test_verbose_reports_usage_per_call_and_in_total(httpx2_mock, tmp_path, checker):
    httpx2_mock.post(URL).mock(side_effect=[ok(WRONG, 100, 50), ok(GOOD, 300, 60)])
    lines: list[str] = []
    draft_with_llm(facts(), make_settings(tmp_path), stream=False, verbose=True, log=lines.append)
    usage_lines = [line for line in lines if "tokens in" in line]
    assert usage_lines[0].startswith("draft: 100 tokens in, 50 out")
    assert usage_lines[1].startswith("revision 1: 300 tokens in, 60 out")
    assert usage_lines[2].startswith("total: 400 tokens in, 110 out, 2 request(s)")


def test_second_run_is_served_from_the_cache(httpx2_mock, tmp_path, checker):
    route = httpx2_mock.post(URL).mock(return_value=ok(GOOD))
    first = draft_with_llm(facts(), make_settings(tmp_path), stream=False)
    second = draft_with_llm(facts(), make_settings(tmp_path), stream=False)
    assert route.call_count == 1
    assert second.body == first.body and second.usage.calls == 0
    draft_with_llm(facts(), make_settings(tmp_path, **{"llm.cache": False}), stream=False)
    assert route.call_count == 2


def test_redacted_draft_sends_no_personal_data_and_restores_it(httpx2_mock, tmp_path, checker):
    placeholder_good = (GOOD.replace("Ms. Chen", "[CLIENT_CONTACT]").replace("Sam Lee", "[SENDER_NAME]")
                        .replace("+1 555 0100", "[SENDER_PHONE]").replace("sam@northwind.example", "[SENDER_EMAIL]"))
    placeholder_wrong = placeholder_good.replace("Saturday, 19 December 2026", "Thursday, 24 December 2026")
    route = httpx2_mock.post(URL).mock(side_effect=[ok(placeholder_wrong), ok(placeholder_good)])
    draft = draft_with_llm(facts(), make_settings(tmp_path, **{"llm.redact": True}), stream=False)
    assert route.call_count == 2
    for call in route.calls:
        sent = call.request.content.decode()
        for private in ("Ms. Chen", "Chen", "Harbour Logistics", "Sam Lee", "sam@northwind.example",
                        "chen@harbour.example", "+1 555 0100", "Northwind Software"):
            assert private not in sent
    assert "[CLIENT_CONTACT]" in route.calls[0].request.content.decode()
    assert draft.body.startswith("Dear Ms. Chen,")
    assert "Sam Lee" in draft.body and "+1 555 0100" in draft.body


def test_service_failure_is_exit_3(httpx2_mock, tmp_path, checker):
    httpx2_mock.post(URL).mock(return_value=httpx.Response(503, json={"error": {"message": "down"}}))
    with pytest.raises(LLMServiceError) as err:
        draft_with_llm(facts(), make_settings(tmp_path), stream=False)
    assert err.value.exit_code == 3


# --- the real checker as the hallucination gate ---------------------------------------------

def test_real_checker_catches_the_invented_date_and_the_revision_fixes_it(httpx2_mock, tmp_path):
    checks = pytest.importorskip("assistant.checks")
    if not hasattr(checks, "check_draft"):
        pytest.skip("the checker's check_draft has not landed yet")
    route = httpx2_mock.post(URL).mock(side_effect=[ok(WRONG), ok(GOOD), ok(GOOD)])
    draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False, max_revisions=1)
    assert route.call_count == 2
    assert '"Thursday, 24 December 2026"' in bodies(route)[1]["messages"][-1]["content"]
    assert "Saturday, 19 December 2026" in draft.body
    assert not [f for f in draft.findings if f.check == "fact-mismatch"]


# --- the CLI end to end, real HTTP on 127.0.0.1 ---------------------------------------------

def _cli_ready() -> bool:
    try:
        from assistant.checks import check_draft  # noqa: F401
        from assistant.render import render_draft  # noqa: F401
    except ImportError:
        return False
    return True


def _run(args: list[str], cwd: Path, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)




@pytest.mark.skipif(not _cli_ready(), reason="the checker and renderer are not in place yet")
def test_cli_draft_against_a_local_server_streaming_json_and_retry(tmp_path, monkeypatch, capsys):
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(FACTS), encoding="utf-8")
    cache_dir = tmp_path / "cache"
    env = {"DELAYNOTE_CACHE_DIR": str(cache_dir), "OPENAI_API_KEY": KEY}
    with serve([Reply(status=500, headers={"retry-after-ms": "1"}), Reply(text=GOOD)]) as server:
        base = ["draft", "--facts", str(facts_file), "--provider", "openai", "--base-url", server.url,
                "--max-revisions", "0"]
        # 1. a real process, streamed text: a 500 first, retried by the SDK, then the answer as SSE
        text = _run([*base, "--no-cache"], tmp_path, env)
        assert text.returncode in (0, 1), text.stderr
        assert server.count == 2 and server.requests[1]["stream"] is True
        assert text.stdout.startswith("Subject: Customer portal rebuild: new date Saturday, 19 December 2026")
        assert "Dear Ms. Chen," in text.stdout
        # 2. JSON, not streamed, with usage; then the same again from the cache
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        code, out, err = _main([*base, "--format", "json"], monkeypatch, capsys)
        assert code in (0, 1), err
        assert server.count == 3 and "stream" not in server.requests[2]
        data = json.loads(out)
        assert data["subject"].endswith("19 December 2026") and data["body"].startswith("Dear Ms. Chen,")
        assert data["usage"]["calls"] == 1
        code, again_out, again_err = _main([*base, "--format", "json"], monkeypatch, capsys)
        again = json.loads(again_out)
        assert server.count == 3 and again["body"] == data["body"] and again["usage"]["calls"] == 0
        # 3. the key reaches the server only in the Authorization header, never a file or output
        assert server.headers[0]["authorization"] == f"Bearer {KEY}"
        assert KEY not in text.stdout + text.stderr + out + err + again_err
        assert all(KEY not in p.read_text(encoding="utf-8") for p in cache_dir.rglob("*") if p.is_file())


@pytest.mark.skipif(not _cli_ready(), reason="the checker and renderer are not in place yet")
def test_cli_draft_exit_3_with_one_sentence_when_the_server_is_down(tmp_path, monkeypatch, capsys):
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(FACTS), encoding="utf-8")
    (tmp_path / "delaynote.toml").write_text("[llm]\nmax_retries = 0\n", encoding="utf-8")
    with serve([Reply(status=500)]) as server:
        url = server.url
    # the server is gone: the port refuses connections
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    code, out, err = _main(["draft", "--facts", str(facts_file), "--provider", "openai", "--base-url", url],
                           monkeypatch, capsys)
    assert code == 3
    assert url in err and "Traceback" not in err and KEY not in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""



@pytest.mark.skipif(not _cli_ready(), reason="the checker and renderer are not in place yet")
def test_cli_draft_with_a_malformed_base_url_is_exit_2_in_one_sentence(tmp_path, monkeypatch, capsys):
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(FACTS), encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    code, out, err = _main(["draft", "--facts", str(facts_file), "--provider", "openai", "--base-url",
                            "http://[::1/v1"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "delaynote: invalid base URL 'http://[::1/v1' (invalid port: ':1'); "
        "correct --base-url, OPENAI_BASE_URL or [llm] base_url"]


def test_chinese_facts_are_redacted_in_the_prompt_including_the_short_company_name(tmp_path):
    from assistant.llm.redact import build_mapping, redact

    zh = facts(language="zh", client={"organisation": "海港物流有限公司", "contact": "王经理"},
               sender={"name": "李明", "organisation": "北风软件有限公司", "phone": "138 0013 8000"},
               causes=[{"summary": "海港物流的支付服务商更改了付款确认方式，请联系 li.ming@beifeng.example 了解详情"}])
    mapping = build_mapping(zh)
    messages = draft_messages(zh, make_settings(tmp_path), mapping)
    sent = redact("\n".join(m["content"] for m in messages), mapping)
    for private in ("海港物流", "王经理", "李明", "北风软件", "138 0013 8000", "li.ming@beifeng.example"):
        assert private not in sent
    assert "[CLIENT_ORGANISATION_SHORT]的支付服务商" in sent
    assert "2026年12月19日（星期六）" in sent  # dates are not personal data


def test_a_vague_time_the_facts_can_date_is_reworded_without_a_revision(httpx2_mock, tmp_path):
    vague = ("We will deliver the portal as soon as possible.", "The portal follows as soon as possible.")
    answers = [GOOD.replace("We are sorry for", f"{v} We are sorry for") for v in vague]
    route = httpx2_mock.post(URL).mock(side_effect=[ok(a) for a in answers])
    for _ in vague:
        draft = draft_with_llm(facts(), make_settings(tmp_path), stream=False, max_revisions=0, use_cache=False)
        assert "as soon as possible" in draft._rounds[0][0] and "as soon as possible" not in draft.body
        assert "by Saturday, 19 December 2026" in draft.body
        assert not [f for f in draft.findings if f.check == "vague-timeline"]
    assert route.call_count == 2  # no revision was asked for
