"""The LLM client, cache, redaction and prompt loading, against a mocked OpenAI-compatible server.

Requests are intercepted by pytest-httpx2 (respx on the SDK's httpx2 transport); nothing
touches the network. Retries are real SDK retries, made fast with `retry-after-ms: 1`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import httpcore2
import httpx
import pytest
from fakeserver import Reply, chat_body, serve, split_text, sse_body
from pydantic import BaseModel

from assistant.config import load_settings
from assistant.errors import InputError, LLMServiceError
from assistant.llm import cache
from assistant.llm.client import build_client, complete
from assistant.llm.prompts import fill, load_prompt
from assistant.llm.redact import build_mapping, find_emails, find_phones, redact, restore, streaming_restorer

BASE = "http://llm.test/v1"
URL = f"{BASE}/chat/completions"
KEY = "sk-test-SECRET-0123456789"
FAST = {"retry-after-ms": "1"}
MESSAGES = [{"role": "system", "content": "You write notices."}, {"role": "user", "content": "Write one."}]


def make_settings(tmp_path: Path, *, key: str | None = KEY, **overrides: Any):
    env = {"OPENAI_API_KEY": key} if key else {}
    values = {"llm.base_url": BASE, "llm.max_retries": 1, "llm.model": "test-model", **overrides}
    return load_settings(None, cwd=tmp_path, env=env, overrides=values)


def bodies(route) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


def ok(text: str, **kw: Any) -> httpx.Response:
    return httpx.Response(200, json=chat_body(text, **kw), headers=FAST)


# --- plain and streamed answers ----------------------------------------------------------

def test_non_streaming_answer_carries_text_usage_and_request(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(return_value=ok("Dear client", prompt_tokens=12, completion_tokens=3))
    answer = complete(MESSAGES, make_settings(tmp_path))
    assert answer.text == "Dear client"
    assert answer.finish_reason == "stop"
    assert (answer.usage.calls, answer.usage.prompt_tokens, answer.usage.completion_tokens) == (1, 12, 3)
    assert answer.cached is False
    sent = bodies(route)[0]
    assert sent["model"] == "test-model" and sent["messages"] == MESSAGES
    assert "stream" not in sent
    assert route.calls[0].request.headers["authorization"] == f"Bearer {KEY}"


def test_streaming_answer_is_passed_on_piece_by_piece(httpx2_mock, tmp_path):
    text = "We are sorry: the portal moves to 19 December."
    pieces = split_text(text, 5)
    route = httpx2_mock.post(URL).mock(return_value=httpx.Response(
        200, text=sse_body(pieces, prompt_tokens=40, completion_tokens=11),
        headers={"content-type": "text/event-stream"}))
    seen: list[str] = []
    answer = complete(MESSAGES, make_settings(tmp_path), stream_to=seen.append)
    assert seen == pieces
    assert answer.text == text
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (40, 11)
    sent = bodies(route)[0]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


def test_stream_cut_midway_keeps_the_partial_text_in_a_named_file(httpx2_mock, tmp_path):
    def broken():
        yield sse_body(["Dear Ms. Chen, the portal "], finish_reason=None, done=False).encode()
        raise httpcore2.ReadError("connection reset")

    httpx2_mock.post(URL).mock(return_value=httpx.Response(200, stream=broken(),
                                                           headers={"content-type": "text/event-stream"}))
    with pytest.raises(LLMServiceError) as err:
        complete(MESSAGES, make_settings(tmp_path), stream_to=lambda _: None)
    message = err.value.message
    assert err.value.exit_code == 3
    assert "delaynote-partial-" in message
    path = Path(message.split("saved in ")[1].split(";")[0])
    assert path.read_text(encoding="utf-8") == "Dear Ms. Chen, the portal "
    assert path.parent == cache.cache_dir()


def test_stream_that_ends_without_finishing_is_reported(httpx2_mock, tmp_path):
    httpx2_mock.post(URL).mock(return_value=httpx.Response(
        200, text=sse_body(["Half a notice"], finish_reason=None, done=False),
        headers={"content-type": "text/event-stream"}))
    with pytest.raises(LLMServiceError, match="ended before it was complete.*delaynote-partial-"):
        complete(MESSAGES, make_settings(tmp_path), stream_to=lambda _: None)



# --- answers that are not chat completions -------------------------------------------------

@pytest.mark.parametrize("body", [b"this is not json {{{", b'{"id": "x", "choices": [{"index": 0, "messa',
                                  b"[1, 2]", b'{"choices": "none"}'])
def test_a_body_that_is_not_a_chat_completion_is_exit_3_naming_the_server(httpx2_mock, tmp_path, body):
    route = httpx2_mock.post(URL).mock(return_value=httpx.Response(
        200, content=body, headers={"content-type": "application/json"}))
    with pytest.raises(LLMServiceError) as err:
        complete(MESSAGES, make_settings(tmp_path), json_mode=True)
    assert err.value.exit_code == 3 and route.call_count == 1
    assert "not a chat completion" in err.value.message and BASE in err.value.message
    assert "\n" not in err.value.message and KEY not in err.value.message


def test_a_bad_chunk_mid_stream_keeps_the_partial_text_in_a_named_file(httpx2_mock, tmp_path):
    body = sse_body(["Dear Ms. Chen, ", "the portal "], finish_reason=None, done=False) + "data: {not json\n\n"
    httpx2_mock.post(URL).mock(return_value=httpx.Response(200, text=body,
                                                           headers={"content-type": "text/event-stream"}))
    seen: list[str] = []
    with pytest.raises(LLMServiceError) as err:
        complete(MESSAGES, make_settings(tmp_path), stream_to=seen.append)
    message = err.value.message
    assert err.value.exit_code == 3
    assert "broke off mid-way (a piece of the stream is not valid JSON)" in message
    path = Path(message.split("saved in ")[1].split(";")[0])
    assert path.read_text(encoding="utf-8") == "Dear Ms. Chen, the portal " == "".join(seen)


@pytest.mark.parametrize("body", ["data: {not json\n\n", "data: [1, 2]\n\n",
                                  'data: {"choices": [{"delta": 5}]}\n\n'])
def test_a_stream_of_garbage_is_exit_3_not_an_empty_answer(httpx2_mock, tmp_path, body):
    route = httpx2_mock.post(URL).mock(return_value=httpx.Response(
        200, text=body, headers={"content-type": "text/event-stream"}))
    with pytest.raises(LLMServiceError, match="not a chat completion") as err:
        complete(MESSAGES, make_settings(tmp_path), stream_to=lambda _: None)
    assert err.value.exit_code == 3 and route.call_count == 1


def test_a_stream_request_answered_without_events_is_not_called_empty(httpx2_mock, tmp_path):
    httpx2_mock.post(URL).mock(return_value=httpx.Response(
        200, content=b"this is not json {{{", headers={"content-type": "application/json"}))
    with pytest.raises(LLMServiceError, match="held no chat-completion events") as err:
        complete(MESSAGES, make_settings(tmp_path), stream_to=lambda _: None)
    assert "empty" not in err.value.message


def test_a_bad_chunk_after_the_finish_reason_keeps_the_answer(httpx2_mock, tmp_path):
    body = sse_body(["Dear Ms. Chen, ", "all done."], done=False) + "data: {not json\n\n"
    httpx2_mock.post(URL).mock(return_value=httpx.Response(200, text=body,
                                                           headers={"content-type": "text/event-stream"}))
    assert complete(MESSAGES, make_settings(tmp_path), stream_to=lambda _: None).text == "Dear Ms. Chen, all done."


# --- retries are the SDK's, errors are one sentence --------------------------------------

def test_rate_limit_is_retried_after_the_servers_delay_then_succeeds(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(side_effect=[
        httpx.Response(429, json={"error": {"message": "slow down"}}, headers=FAST),
        ok("second time lucky"),
    ])
    answer = complete(MESSAGES, make_settings(tmp_path))
    assert answer.text == "second time lucky"
    assert route.call_count == 2


def test_retries_are_reported_when_asked(httpx2_mock, tmp_path):
    httpx2_mock.post(URL).mock(side_effect=[
        httpx.ReadTimeout("slow"),
        httpx.Response(503, json={"error": {"message": "busy"}}, headers=FAST),
        ok("third time"),
    ])
    seen: list[str] = []
    answer = complete(MESSAGES, make_settings(tmp_path, **{"llm.max_retries": 2}), on_retry=seen.append)
    assert answer.text == "third time"
    assert seen[0].startswith("timed out; retry 1 of 2 in ")
    assert seen[1] == "HTTP 503; retry 2 of 2 in 0.0 s"
    assert len(seen) == 2


def test_persistent_rate_limit_says_so(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(
        return_value=httpx.Response(429, json={"error": {"message": "slow down"}}, headers=FAST))
    with pytest.raises(LLMServiceError, match="rate-limiting") as err:
        complete(MESSAGES, make_settings(tmp_path, **{"llm.max_retries": 2}))
    assert route.call_count == 3
    assert err.value.exit_code == 3


def test_persistent_server_error_fails_after_max_retries_plus_one_requests(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(
        return_value=httpx.Response(500, json={"error": {"message": "boom"}}, headers=FAST))
    with pytest.raises(LLMServiceError) as err:
        complete(MESSAGES, make_settings(tmp_path, **{"llm.max_retries": 2}))
    assert route.call_count == 3
    assert err.value.exit_code == 3
    assert "HTTP 500" in err.value.message and "after 2 retries" in err.value.message


def test_timeout_names_the_timeout_setting(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(LLMServiceError) as err:
        complete(MESSAGES, make_settings(tmp_path, **{"llm.max_retries": 0, "llm.timeout": 7}))
    assert route.call_count == 1
    assert "7 seconds" in err.value.message and "timeout" in err.value.message


def test_connection_refused_names_the_base_url(httpx2_mock, tmp_path):
    httpx2_mock.post(URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(LLMServiceError) as err:
        complete(MESSAGES, make_settings(tmp_path, **{"llm.max_retries": 0}))
    assert BASE in err.value.message
    assert err.value.exit_code == 3



def test_an_answer_cut_off_mid_body_is_not_called_a_failed_connection(tmp_path):
    with serve([Reply(text="Dear Ms. Chen, the portal moves to 19 December.", cut=True)]) as server:
        settings = make_settings(tmp_path, **{"llm.base_url": server.url, "llm.max_retries": 1})
        with pytest.raises(LLMServiceError) as err:
            complete(MESSAGES, settings)
    assert server.count == 2  # the SDK retried it once
    message = err.value.message
    assert message.startswith(f"the connection to the LLM server at {server.url} broke off before the whole "
                              "answer arrived (after 1 retry)")
    assert "cannot connect" not in message and err.value.exit_code == 3


def test_bad_key_names_the_variable_and_never_the_key(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(return_value=httpx.Response(401, json={"error": {
        "message": f"Incorrect API key provided: {KEY}", "code": "invalid_api_key"}}))
    with pytest.raises(LLMServiceError) as err:
        complete(MESSAGES, make_settings(tmp_path))
    assert route.call_count == 1  # 401 is not retried
    assert "OPENAI_API_KEY" in err.value.message
    assert KEY not in err.value.message and "SECRET" not in err.value.message


def test_unknown_model_is_named(httpx2_mock, tmp_path):
    httpx2_mock.post(URL).mock(return_value=httpx.Response(404, json={"error": {
        "message": "The model `gpt-9` does not exist", "code": "model_not_found"}}))
    with pytest.raises(LLMServiceError, match="'gpt-9' was not found"):
        complete(MESSAGES, make_settings(tmp_path, **{"llm.model": "gpt-9"}))


def test_context_too_long_says_so(httpx2_mock, tmp_path):
    httpx2_mock.post(URL).mock(return_value=httpx.Response(400, json={"error": {
        "message": "This model's maximum context length is 8192 tokens.", "code": "context_length_exceeded"}}))
    with pytest.raises(LLMServiceError, match="context length exceeded"):
        complete(MESSAGES, make_settings(tmp_path))


def test_no_key_and_no_base_url_names_the_variable(tmp_path):
    settings = load_settings(None, cwd=tmp_path, env={}, overrides={})
    with pytest.raises(InputError, match="OPENAI_API_KEY") as raised:  # bad usage: exit 2, not 3
        build_client(settings)
    assert raised.value.exit_code == 2



@pytest.mark.parametrize(("url", "why"), [
    ("http://[::1/v1", "invalid port"), ("http://127.0.0.1:abc/v1", "invalid port"),
    ("http://127.0.0.1:99999/v1", "port 99999 is out of range"), ("localhost:8000/v1", "http:// or https://"),
    ("ftp://llm.test/v1", "http:// or https://"), ("http:///v1", "no valid host"),
])
def test_a_malformed_base_url_is_bad_usage_naming_the_url(httpx2_mock, tmp_path, url, why):
    with pytest.raises(InputError) as err:
        complete(MESSAGES, make_settings(tmp_path, **{"llm.base_url": url}))
    assert err.value.exit_code == 2
    assert err.value.message.startswith(f"invalid base URL '{url}' (") and why in err.value.message
    assert "--base-url" in err.value.message and len(httpx2_mock.calls) == 0


def test_a_malformed_url_never_shows_the_key_or_a_password(tmp_path):
    settings = make_settings(tmp_path, **{"llm.base_url": f"http://me:{KEY}@[::1/v1?key={KEY}"})
    with pytest.raises(InputError) as err:
        build_client(settings)
    assert KEY not in err.value.message and "SECRET" not in err.value.message
    assert "http://***@[::1/v1" in err.value.message


def test_a_malformed_azure_endpoint_names_its_own_setting(tmp_path):
    settings = make_settings(tmp_path, **{"llm.base_url": None, "llm.azure_endpoint": "https://[bad/"})
    with pytest.raises(InputError, match="AZURE_OPENAI_ENDPOINT"):
        build_client(settings)


def test_local_server_without_key_gets_a_dummy_key(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(return_value=ok("local"))
    assert complete(MESSAGES, make_settings(tmp_path, key=None)).text == "local"
    assert route.calls[0].request.headers["authorization"] == "Bearer not-needed"


def test_requests_with_equal_settings_share_one_client_and_its_connection(tmp_path):
    with serve([Reply(text="first"), Reply(text="second"), Reply(text="third")]) as server:
        settings = make_settings(tmp_path, key=None, **{"llm.base_url": server.url, "llm.cache": False})
        assert build_client(settings) is build_client(settings.model_copy(deep=True))
        slower = settings.model_copy(update={"llm": settings.llm.model_copy(update={"timeout": 99.0})})
        assert build_client(slower) is not build_client(settings)
        answers = [complete([*MESSAGES, {"role": "user", "content": str(i)}], settings).text for i in range(3)]
    assert answers == ["first", "second", "third"]
    assert server.count == 3 and server.connections == 1  # kept alive, not one TLS/TCP set-up per request


def test_azure_endpoint_builds_an_azure_client(httpx2_mock, tmp_path):
    endpoint = "https://example-res.openai.azure.com"
    route = httpx2_mock.post(url__startswith=f"{endpoint}/openai/deployments/my-deploy/chat/completions").mock(
        return_value=ok("from azure"))
    settings = load_settings(None, cwd=tmp_path, env={"AZURE_OPENAI_API_KEY": KEY}, overrides={
        "llm.azure_endpoint": endpoint, "llm.model": "my-deploy", "llm.api_version": "2024-10-21"})
    assert complete(MESSAGES, settings).text == "from azure"
    assert route.calls[0].request.url.params["api-version"] == "2024-10-21"
    assert route.calls[0].request.headers["api-key"] == KEY


# --- one re-ask for unusable answers ------------------------------------------------------

def test_truncated_answer_is_reasked_once(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(side_effect=[ok("Dear client, the", finish_reason="length"),
                                                    ok("Dear client, the date moves.")])
    notes: list[str] = []
    answer = complete(MESSAGES, make_settings(tmp_path), notify=notes.append)
    assert answer.text == "Dear client, the date moves."
    assert answer.usage.calls == 2
    second = bodies(route)[1]["messages"]
    assert second[:2] == MESSAGES
    assert second[2] == {"role": "assistant", "content": "Dear client, the"}
    assert "cut off" in second[3]["content"]
    assert notes and "cut off" in notes[0]


def test_truncated_twice_is_reported_with_the_partial_text(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(return_value=ok("Dear client, the", finish_reason="length"))
    with pytest.raises(LLMServiceError, match="cut off.*delaynote-partial-") as err:
        complete(MESSAGES, make_settings(tmp_path))
    assert route.call_count == 2
    assert err.value.exit_code == 3


def test_empty_answer_is_reasked_then_reported(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(side_effect=[ok(""), ok("  "), ok("never asked")])
    with pytest.raises(LLMServiceError, match="empty"):
        complete(MESSAGES, make_settings(tmp_path))
    assert route.call_count == 2


class Verdict(BaseModel):
    score: int
    reason: str


def test_json_schema_answer_is_validated_and_malformed_json_reasked(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(side_effect=[ok('{"score": "high"'),
                                                    ok('```json\n{"score": 4, "reason": "clear"}\n```')])
    answer = complete(MESSAGES, make_settings(tmp_path), json_schema=Verdict)
    assert answer.data == Verdict(score=4, reason="clear")
    first, second = bodies(route)
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["schema"]["required"] == ["score", "reason"]
    assert "not valid" in second["messages"][-1]["content"]


def test_server_without_json_schema_support_falls_back_to_json_mode(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(side_effect=[
        httpx.Response(400, json={"error": {"message": "response_format type json_schema is unavailable"}}),
        ok('{"score": 2, "reason": "vague"}'),
    ])
    answer = complete(MESSAGES, make_settings(tmp_path), json_schema=Verdict)
    assert answer.data.score == 2
    second = bodies(route)[1]
    assert second["response_format"] == {"type": "json_object"}
    assert any("json" in m["content"].lower() for m in second["messages"])


# --- the cache ---------------------------------------------------------------------------

def test_repeated_request_comes_from_the_cache(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(return_value=ok("cached text"))
    settings = make_settings(tmp_path)
    first = complete(MESSAGES, settings)
    streamed: list[str] = []
    second = complete(MESSAGES, settings, stream_to=streamed.append)
    assert route.call_count == 1
    assert (first.cached, second.cached) == (False, True)
    assert second.text == "cached text" and streamed == ["cached text"]
    assert second.usage.calls == 0


def test_a_different_model_or_message_misses_the_cache(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(return_value=ok("answer"))
    complete(MESSAGES, make_settings(tmp_path))
    complete(MESSAGES, make_settings(tmp_path, **{"llm.model": "other-model"}))
    complete([*MESSAGES[:1], {"role": "user", "content": "Write two."}], make_settings(tmp_path))
    assert route.call_count == 3


def test_no_cache_bypasses_the_cache(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(return_value=ok("fresh"))
    settings = make_settings(tmp_path)
    complete(MESSAGES, settings)
    complete(MESSAGES, settings, use_cache=False)
    complete(MESSAGES, make_settings(tmp_path, **{"llm.cache": False}))
    assert route.call_count == 3


def test_cache_lives_in_delaynote_cache_dir_and_never_holds_the_key(httpx2_mock, tmp_path, monkeypatch):
    where = tmp_path / "my-cache"
    monkeypatch.setenv("DELAYNOTE_CACHE_DIR", str(where))
    httpx2_mock.post(URL).mock(return_value=ok("stored"))
    complete(MESSAGES, make_settings(tmp_path))
    files = [p for p in where.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].suffix == ".json"
    assert json.loads(files[0].read_text())["text"] == "stored"
    assert all(KEY not in p.read_text(encoding="utf-8") for p in files)


def test_cache_dir_defaults_to_the_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("DELAYNOTE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "delaynote"
    assert cache.cache_dir({"DELAYNOTE_CACHE_DIR": "/elsewhere"}) == Path("/elsewhere")


def test_truncated_answers_are_not_cached(httpx2_mock, tmp_path):
    route = httpx2_mock.post(URL).mock(side_effect=[ok("cut", finish_reason="length"), ok("whole"),
                                                    ok("again")])
    settings = make_settings(tmp_path)
    assert complete(MESSAGES, settings).text == "whole"
    assert complete(MESSAGES, settings).cached is True  # the good answer is stored under the request
    assert route.call_count == 2


# --- redaction ---------------------------------------------------------------------------

PRIVATE = ["Ms. Chen", "Harbour Logistics Ltd", "Sam Lee", "sam@northwind.example", "+1 555 0100",
           "li.wei@harbour.example", "138 0013 8000"]


def test_redacted_requests_carry_no_names_and_the_answer_gets_them_back(httpx2_mock, tmp_path):
    mapping = {"[CLIENT_CONTACT]": "Ms. Chen", "[CLIENT_ORGANISATION]": "Harbour Logistics Ltd",
               "[SENDER_NAME]": "Sam Lee"}
    text = ("Ms. Chen at Harbour Logistics Ltd asked Sam Lee; write to li.wei@harbour.example "
            "or call 138 0013 8000 or +1 555 0100, or sam@northwind.example.")
    mapping = {**mapping, **build_mapping(None, [text])}
    route = httpx2_mock.post(URL).mock(return_value=ok("Dear [CLIENT_CONTACT], call [PHONE_1]. [SENDER_NAME]"))
    answer = complete([{"role": "user", "content": text}], make_settings(tmp_path), redaction=mapping)
    sent = route.calls[0].request.content.decode()
    for value in PRIVATE:
        assert value not in sent
    assert "[CLIENT_CONTACT]" in sent and "[EMAIL_1]" in sent
    assert answer.text == "Dear Ms. Chen, call 138 0013 8000. Sam Lee"
    cached = "".join(p.read_text(encoding="utf-8") for p in cache.cache_dir().rglob("*.json"))
    assert "Ms. Chen" not in cached and "[CLIENT_CONTACT]" in cached


def test_redact_and_restore_are_inverse_and_respect_word_edges():
    mapping = {"[CLIENT_CONTACT]": "Ms. Chen", "[CLIENT_CONTACT_PART1]": "Chen", "[SENDER_NAME]": "王伟"}
    text = "Ms. Chen met Chen and Cheng; 王伟负责。"
    hidden = redact(text, mapping)
    assert hidden == "[CLIENT_CONTACT] met [CLIENT_CONTACT_PART1] and Cheng; [SENDER_NAME]负责。"
    assert restore(hidden, mapping) == text


def test_pattern_scans_find_emails_and_phones_but_not_dates():
    text = "Mail a.b@x.example or c@d.co. Call +86 138-0013-8000 or (010) 6552 1234 before 2026-12-19."
    assert find_emails(text) == ["a.b@x.example", "c@d.co"]
    assert find_phones(text) == ["+86 138-0013-8000", "(010) 6552 1234"]
    assert find_phones("Budget 2026-12-19 and 12000 units") == []


def test_scans_are_linear_on_hostile_input():
    # Quadratic scanning would take minutes here; a linear one takes milliseconds.
    assert find_emails("a" * 200_000 + "@" + "b" * 200_000) == []
    assert find_phones("1 " * 200_000) == []


def test_streamed_placeholders_are_restored_even_when_split():
    out: list[str] = []
    feed, flush = streaming_restorer({"[CLIENT_CONTACT]": "Ms. Chen"}, out.append)
    for piece in ["Dear [CLIENT", "_CONT", "ACT], [note] x ["]:
        feed(piece)
    flush()
    assert "".join(out) == "Dear Ms. Chen, [note] x ["
    assert not any("[CLIENT" in piece for piece in out)


# --- prompts -----------------------------------------------------------------------------

def test_prompt_values_are_substituted_literally_once():
    assert fill("Facts: $facts_json.", {"facts_json": "cost $5 and $facts_json {{ x }}"}) == \
        "Facts: cost $5 and $facts_json {{ x }}."


def test_user_prompt_folder_overrides_by_name(tmp_path):
    (tmp_path / "system_draft.md").write_text("My own system prompt", encoding="utf-8")
    settings = make_settings(tmp_path, **{"llm.prompts": str(tmp_path)})
    assert load_prompt("system_draft.md", settings) == "My own system prompt"
    assert "$findings" in load_prompt("revise.md", settings)  # not overridden: built-in


def test_missing_prompt_folder_is_an_input_error(tmp_path):
    from assistant.errors import InputError

    with pytest.raises(InputError, match="does not exist"):
        load_prompt("draft.md", make_settings(tmp_path, **{"llm.prompts": str(tmp_path / "nope")}))


def test_prompts_ship_inside_the_wheel_and_load_from_it(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(repo), "-w", str(tmp_path / "dist"),
                            "--no-deps", "--no-build-isolation", "-q"], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("delaynote-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for name in ("system_draft.md", "draft.md", "revise.md", "reask.md", "en/style.md", "zh/style.md",
                 "channels/email.md"):
        assert f"assistant/prompts/{name}" in names
    assert "assistant/docs/evals.md" in names  # eval messages point there outside a checkout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = ("import assistant.llm.prompts as p; print(p.builtin_prompts_dir()); "
             "print(p.load_prompt('zh/style.md')[:2])")
    run = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); "
                          + probe], cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    where, start = run.stdout.splitlines()
    assert Path(where) == tmp_path / "site" / "assistant" / "prompts"
    assert start == "中文"


def test_llm_modules_do_not_import_the_sdk_until_a_request_is_made():
    code = ("import sys, assistant.llm.client, assistant.llm.cache, assistant.llm.redact, "
            "assistant.llm.prompts, assistant.drafting.llm; print('openai' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_dates_quoted_in_prompt_files_have_the_right_weekday():
    """A prompt that shows a wrong weekday teaches the model to write one."""
    import re
    from datetime import date

    from assistant.dates import EN_MONTHS, weekday_name
    from assistant.llm.prompts import builtin_prompts_dir

    en = re.compile(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{1,2}) ([A-Z][a-z]+) (\d{4})")
    zh = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日（(星期.)）")
    seen = 0
    for path in builtin_prompts_dir().rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        for day_name, day, month, year in en.findall(text):
            seen += 1
            assert weekday_name(date(int(year), EN_MONTHS.index(month) + 1, int(day)), "en") == day_name, path
        for year, month, day, day_name in zh.findall(text):
            seen += 1
            assert weekday_name(date(int(year), int(month), int(day)), "zh") == day_name, path
    assert seen >= 2


def test_usage_the_server_does_not_send_is_unknown_and_keeps_the_total_unknown(httpx2_mock, tmp_path):
    from assistant.drafting import Usage
    from assistant.llm.client import add_usage

    events = "".join(f"data: {json.dumps(e)}\n\n" for e in [
        {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
         "choices": [{"index": 0, "delta": {"content": "Dear client"}, "finish_reason": None}]},
        {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]) + "data: [DONE]\n\n"
    httpx2_mock.post(URL).mock(return_value=httpx.Response(200, text=events,
                                                           headers={"content-type": "text/event-stream"}))
    answer = complete(MESSAGES, make_settings(tmp_path), stream_to=lambda _: None)
    assert answer.text == "Dear client"
    assert (answer.usage.calls, answer.usage.prompt_tokens, answer.usage.completion_tokens) == (1, None, None)
    assert answer.usage.describe() == "token usage unknown (the server did not report it)"
    total = add_usage(Usage(calls=1, prompt_tokens=10, completion_tokens=5), answer.usage)
    assert (total.calls, total.prompt_tokens, total.completion_tokens) == (2, None, None)
    known = add_usage(Usage(calls=1, prompt_tokens=10, completion_tokens=5), Usage(calls=1, prompt_tokens=0,
                                                                                  completion_tokens=2))
    assert (known.prompt_tokens, known.completion_tokens) == (10, 7) and known.describe() == "10 tokens in, 7 out"
