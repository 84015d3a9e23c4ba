"""The one place that talks to an OpenAI-compatible server.

Everything the product sends to a model goes through `complete`: it redacts (when asked),
answers from the on-disk cache when it can, streams, counts tokens, re-asks once when the
answer is cut off, empty or malformed, and turns every SDK failure into an `LLMServiceError`
(exit 3) with one sentence saying what to do. Retries of network errors, 429 and 5xx are
left to the SDK (`max_retries`); nothing here loops on top of them.

`openai` is imported inside functions only, so importing this module stays cheap.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.drafting import Usage
from assistant.errors import InputError, LLMServiceError
from assistant.llm import cache
from assistant.llm.redact import Mapping, redact, restore, streaming_restorer
from assistant.untrusted import model_text_cleaner, without_controls

if TYPE_CHECKING:
    import openai

    from assistant.config import Settings

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_AZURE_API_VERSION = "2024-10-21"
_CONTEXT_HINTS = ("context_length_exceeded", "context length", "maximum context", "too many tokens",
                  "prompt is too long")
_FORMAT_HINTS = ("response_format", "json_schema")
MAX_ANSWER_BYTES = 256 * 1024  # an answer's text (UTF-8); a notice is a few KB, a runaway model is not
_MAX_BODY_BYTES = 16 * MAX_ANSWER_BYTES  # the raw body, JSON and SSE framing included

Message = dict[str, Any]


class Completion(BaseModel):
    """One answer: its text (names restored), why it stopped, tokens spent, whether it came from
    the cache, and for JSON requests the validated `data`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cached: bool = False
    data: Any = None


def server_url(settings: Settings) -> str:
    """The server requests go to, for messages and the cache key (never includes a key)."""
    llm = settings.llm
    return (llm.azure_endpoint or llm.base_url or OPENAI_URL).rstrip("/")


def _api_key(settings: Settings) -> str | None:
    key = settings.llm.api_key
    return key.get_secret_value() if key is not None else None


def build_client(settings: Settings) -> openai.OpenAI:
    """An `OpenAI` (or `AzureOpenAI`) client from `Settings.llm`; the key comes from the
    environment only, and a local server with a base URL but no key gets a dummy one.

    Equal settings share one client for the whole process: building one costs about 85 ms (its
    TLS context), and a shared one keeps connections open between the requests of an eval, a
    revision loop or `check --llm` over many files. Its connection pool is safe across threads."""
    import openai

    llm = settings.llm
    key = _api_key(settings)
    if key is not None:
        check_key(key, settings)
    if key is None:
        if not (llm.base_url or llm.azure_endpoint):
            raise InputError(  # a setting never made is bad usage (exit 2), not a failed service (3)
                "no API key is set: export OPENAI_API_KEY, or point --base-url (or [llm] base_url) "
                "at a local OpenAI-compatible server")
        key = "not-needed"  # Ollama, vLLM and friends ignore it, but the SDK insists on one
    for url, where in ((llm.base_url, "--base-url, OPENAI_BASE_URL or [llm] base_url"),
                       (llm.azure_endpoint, "AZURE_OPENAI_ENDPOINT or [llm] azure_endpoint")):
        if url:
            check_url(url, where, settings)
    try:
        return _shared_client(llm.base_url, llm.azure_endpoint, llm.api_version, key, llm.timeout, llm.max_retries)
    except openai.OpenAIError as exc:
        raise LLMServiceError(f"the LLM client cannot be set up: {_scrub(str(exc), settings)}") from None


def check_key(key: str, settings: Settings) -> None:
    """Refuse (exit 2, before any request) a key no server can accept: a pasted newline, spaces
    around it or a non-ASCII character would otherwise fail as a broken connection or bad JSON."""
    if key and all(33 <= ord(ch) <= 126 for ch in key):
        return
    var = "AZURE_OPENAI_API_KEY" if settings.llm.azure_endpoint else "OPENAI_API_KEY"
    what = "whitespace" if any(ch.isspace() for ch in key) else "characters an API key cannot hold"
    raise InputError(f"the {var} environment variable holds {what} (an API key is printable ASCII "
                     f"without spaces); set it again without them")


# Everything up to the last "@" before the host: a password may itself hold an "@".
_USERINFO = re.compile(r"(?<=//)[^/?#\s]*@")


def shown_url(url: str, settings: Settings) -> str:
    """A URL as messages may show it: no user or password part, no API key anywhere."""
    return _scrub(_USERINFO.sub("***@", url), settings)


def check_url(url: str, where: str, settings: Settings) -> None:
    """Refuse a base URL the HTTP stack cannot use (bad usage, exit 2), before any request: a
    malformed one would otherwise crash inside httpx, a relative one fail as 'cannot connect'."""
    import httpx2

    try:
        parsed = httpx2.URL(url)
        port = parsed.port
    except (httpx2.InvalidURL, ValueError, TypeError) as exc:
        raise invalid_url(url, str(exc), where, settings) from None
    reason = None
    if parsed.scheme not in ("http", "https"):
        reason = "it must start with http:// or https://"
    elif not parsed.host or "%" in parsed.host:  # httpx percent-encodes a space or a stray [
        reason = "it names no valid host"
    elif port is not None and not 0 < port < 65536:
        reason = f"port {port} is out of range"
    if reason:
        raise invalid_url(url, reason, where, settings)


def invalid_url(url: str, reason: str, where: str, settings: Settings) -> InputError:
    reason = reason.strip().rstrip(".") or "it cannot be parsed"
    return InputError(f"invalid base URL '{shown_url(url, settings)}' ({reason[0].lower()}{reason[1:]}); "
                      f"correct {where}")


@lru_cache(maxsize=8)
def _shared_client(base_url: str | None, azure_endpoint: str | None, api_version: str | None, key: str,
                   timeout: float, max_retries: int) -> openai.OpenAI:
    import openai

    common: dict[str, Any] = {"api_key": key, "timeout": timeout, "max_retries": max_retries,
                              "http_client": openai.DefaultHttpxClient(event_hooks={"request": [refuse_when_stopped],
                                                                                    "response": [bound_response]})}
    if azure_endpoint:
        return openai.AzureOpenAI(azure_endpoint=azure_endpoint, api_version=api_version or DEFAULT_AZURE_API_VERSION,
                                  **common)
    return openai.OpenAI(base_url=base_url or None, **common)


def _scrub(text: str, settings: Settings) -> str:
    """Remove the API key from any text that might reach the user (server messages echo it)."""
    key = _api_key(settings)
    if key and len(key) >= 4:
        text = text.replace(key, "***")
    return text if len(text) <= 300 else text[:297] + "..."


_BROKEN = frozenset({"RemoteProtocolError", "ReadError", "WriteError", "LocalProtocolError"})


def connection_kind(exc: BaseException) -> str:
    """'broken' when a connection was made and then failed mid-answer (a server that closes it, a
    body cut short), else 'connect'; the SDK wraps both as APIConnectionError, the HTTP error
    it wraps tells them apart."""
    cause = exc.__cause__ or exc.__context__
    names = {cls.__name__ for cls in type(cause).__mro__} if cause is not None else set()
    return "broken" if names & _BROKEN else "connect"


def connection_error(kind: str, url: str, settings: Settings) -> LLMServiceError:
    """The sentence for a request that got no complete answer: `kind` is 'timeout', 'connect'
    (no connection could be made) or 'broken' (the connection failed mid-answer)."""
    llm = settings.llm
    retries = f"after {llm.max_retries} {'retry' if llm.max_retries == 1 else 'retries'}"
    if kind == "timeout":
        return LLMServiceError(
            f"the LLM server at {url} did not answer within {llm.timeout:g} seconds ({retries}); "
            "raise `timeout` under [llm] in delaynote.toml, or try again later")
    if kind == "broken":
        return LLMServiceError(
            f"the connection to the LLM server at {url} broke off before the whole answer arrived ({retries}); "
            "try again later, and check that --base-url points at an OpenAI-compatible server")
    return LLMServiceError(
        f"cannot connect to the LLM server at {url}; check --base-url / OPENAI_BASE_URL "
        "and that the server is running")


def service_error(exc: Exception, settings: Settings) -> LLMServiceError:
    """Map an SDK exception to one sentence that says what to do (exit 3)."""
    import openai

    llm = settings.llm
    url = shown_url(server_url(settings), settings)
    retries = f"after {llm.max_retries} {'retry' if llm.max_retries == 1 else 'retries'}"
    if isinstance(exc, openai.APITimeoutError):
        return connection_error("timeout", url, settings)
    if isinstance(exc, openai.APIConnectionError):
        return connection_error(connection_kind(exc), url, settings)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        var = "AZURE_OPENAI_API_KEY" if llm.azure_endpoint else "OPENAI_API_KEY"
        return LLMServiceError(
            f"the LLM server at {url} refused the API key (HTTP {exc.status_code}); "
            f"set a valid key in the {var} environment variable")
    if isinstance(exc, openai.NotFoundError):
        return LLMServiceError(
            f"the model '{llm.model}' was not found at {url} (HTTP 404); choose a model the server "
            "offers with --model or [llm] model, and check --base-url")
    if isinstance(exc, openai.RateLimitError):
        if exc.code == "insufficient_quota":
            return LLMServiceError(f"the account at {url} has no quota left (HTTP 429); check its billing")
        wait = retry_after(exc)
        if wait is not None and wait > _max_retry_after():  # the SDK does not wait that long: no retry was made
            return LLMServiceError(
                f"the LLM server at {url} is rate-limiting the requests (HTTP 429) and asks to wait "
                f"{_duration(wait)}; try again after that")
        return LLMServiceError(
            f"the LLM server at {url} kept rate-limiting the requests (HTTP 429) {retries}; "
            + (f"it asks to wait {_duration(wait)} before the next one" if wait else "wait a minute and try again"))
    if isinstance(exc, openai.APIStatusError):
        detail = _scrub(str(getattr(exc, "message", "") or ""), settings)
        lowered = f"{exc.code or ''} {detail}".lower()
        if exc.status_code in (400, 413) and any(h in lowered for h in _CONTEXT_HINTS):
            return LLMServiceError(
                f"the request is too long for the model '{llm.model}' (context length exceeded); "
                "shorten the facts or the draft, or use a model with a larger context")
        if exc.status_code >= 500:
            return LLMServiceError(
                f"the LLM server at {url} failed (HTTP {exc.status_code}) {retries}; try again later")
        return LLMServiceError(f"the LLM server at {url} rejected the request (HTTP {exc.status_code}): {detail}")
    return LLMServiceError(f"the LLM request failed: {_scrub(str(exc), settings)}")


def retry_after(exc: Any) -> float | None:
    """The wait in seconds an error response asks for (`retry-after-ms`, `retry-after` in seconds
    or as an HTTP date), None when it asks for none."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return max(float(headers["retry-after-ms"]) / 1000, 0.0)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            from datetime import UTC, datetime
            from email.utils import parsedate_to_datetime

            return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError, OverflowError):
        return None


def _max_retry_after() -> float:
    """The longest server-asked wait the SDK honours before a retry; past it, it retries not at all."""
    from openai import _base_client

    return float(getattr(_base_client, "MAX_RETRY_AFTER_DELAY", 60))


def _duration(seconds: float) -> str:
    """3600 -> 'an hour', 90 -> '90 seconds', 5400 -> '90 minutes', 172800 -> '48 hours'."""
    if seconds < 120:
        return f"{seconds:.0f} second{'' if round(seconds) == 1 else 's'}"
    if seconds < 2 * 3600:
        minutes = round(seconds / 60)
        return "an hour" if minutes == 60 else f"{minutes} minutes"
    return f"{round(seconds / 3600)} hours"


@contextmanager
def report_retries(on_retry: Callable[[str], None] | None) -> Iterator[None]:
    """Tell `on_retry` about each retry the SDK makes in this thread (for `--verbose`).

    The SDK retries silently; its logger is the only place that knows. A handler is attached to
    it for the duration, passing on only this thread's records, and only the reason and the wait
    (never request details)."""
    if on_retry is None:
        yield
        return
    logger = logging.getLogger("openai._base_client")
    thread = threading.get_ident()
    reason = ["no answer"]

    class _Relay(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread != thread:
                return
            msg = str(record.msg)
            if msg.startswith("Retrying due to status code") and record.args:
                reason[0] = f"HTTP {record.args[0]}"
            elif msg.startswith("Encountered a timeout"):
                reason[0] = "timed out"
            elif msg.startswith("Encountered exception"):
                reason[0] = "connection failed"
            elif msg.startswith("Retrying request in") and isinstance(record.args, tuple) and len(record.args) == 3:
                wait, number, most = record.args
                on_retry(f"{reason[0]}; retry {number} of {most} in {float(wait):.1f} s")

    handler = _Relay(level=logging.DEBUG)
    old_level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.DEBUG:
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def save_partial(text: str) -> Path | None:
    """Keep text a broken answer already produced, in the cache dir (else the working dir)."""
    for folder in (cache.cache_dir(), Path.cwd()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix="delaynote-partial-", suffix=".txt", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def _partial_note(text: str) -> str:
    path = save_partial(text) if text.strip() else None
    return f"; the partial answer is saved in {path}" if path else ""


class _Raw(BaseModel):
    """What one network call produced (before re-ask decisions)."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)


def add_usage(total: Usage, more: Usage) -> Usage:
    """Two usages summed (calls and tokens), for a total over several requests; a count that
    is unknown (None) in either makes the total unknown."""
    def plus(a: int | None, b: int | None) -> int | None:
        return None if a is None or b is None else a + b

    return Usage(calls=total.calls + more.calls, prompt_tokens=plus(total.prompt_tokens, more.prompt_tokens),
                 completion_tokens=plus(total.completion_tokens, more.completion_tokens))


def _usage(raw: Any) -> Usage:
    """One call's usage; None for counts the server did not send (unknown, not zero)."""
    def count(name: str) -> int | None:
        value = getattr(raw, name, None)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

    return Usage(calls=1, prompt_tokens=count("prompt_tokens"), completion_tokens=count("completion_tokens"))


class _Garbled(Exception):
    """The server answered with something that is not a chat completion; `args[0]` says what."""


def _garbled_error(url: str, what: str) -> LLMServiceError:
    return LLMServiceError(
        f"the LLM server at {url} sent an answer that is not a chat completion ({what}); check that "
        "--base-url points at an OpenAI-compatible API (usually ending in /v1), or try again later")


def _text_field(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(type(value).__name__)
    return value


def _choices(answer: Any) -> list[Any]:
    """The `choices` of a parsed answer; TypeError/AttributeError when it has none (the SDK does
    not validate: a JSON list or string arrives as such, an object with other keys half-filled)."""
    choices = answer.choices
    if not isinstance(choices, list):
        raise TypeError("choices")
    return choices


def _message_of(resp: Any) -> tuple[str, str | None]:
    """Text and finish reason of a non-streamed answer; `_Garbled` when it is not one."""
    try:
        choices = _choices(resp)
        if not choices:
            return "", None
        choice = choices[0]
        return _text_field(choice.message.content) or "", _text_field(choice.finish_reason)
    except (AttributeError, TypeError):
        raise _Garbled("its JSON has no chat-completion choices") from None


def _chunks(stream: Any) -> Iterator[tuple[list[tuple[str | None, str | None]], Any]]:
    """Each streamed chunk as its (text, finish reason) per choice, and its usage; `_Garbled`
    for a piece that is not valid JSON or not a chat-completion chunk."""
    iterator = iter(stream)
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except ValueError:  # json.JSONDecodeError from the SDK's event decoder
            raise _Garbled("a piece of the stream is not valid JSON") from None
        try:
            choices = [] if chunk.choices is None else _choices(chunk)  # a usage-only chunk has none
            pieces = [(_text_field(c.delta.content) if c.delta is not None else None, _text_field(c.finish_reason))
                      for c in choices]
            usage = chunk.usage if getattr(chunk, "usage", None) else None
        except (AttributeError, TypeError):
            raise _Garbled("a piece of the stream is not a chat-completion chunk") from None
        yield pieces, usage


# --- bounds on one request: where it may go, how long and how large its answer may be ---------

_STOPPED = threading.Event()


class RequestsStopped(Exception):
    """A request (or an SDK retry) was about to be sent after `stop_requests`."""


def stop_requests(stopped: bool = True) -> None:
    """After Ctrl-C in a run of many requests (`eval --concurrency N`): no request and no retry
    leaves the process any more, whichever thread is about to send it. `False` lifts the stop."""
    if stopped:
        _STOPPED.set()
    else:
        _STOPPED.clear()


def refuse_when_stopped(request: Any) -> None:
    """httpx request hook: nothing new is sent once `stop_requests` was called."""
    if _STOPPED.is_set():
        raise RequestsStopped("stopped")


class CrossHostRedirect(Exception):
    """The server redirected the request to another host; `args[0]` is the target (no password).
    Not an httpx error, so the SDK neither retries nor wraps it."""


def bound_response(response: Any) -> None:
    """httpx response hook, run when the headers have arrived and before the body is read: a
    redirect may stay on the server it came from, never move the whole prompt to another host
    (httpx drops the key there, but would post the prompt again); the body is bounded by `_guard`."""
    if response.has_redirect_location:
        source = response.request.url
        target = source.join(response.headers["location"])
        if (target.scheme, target.host, target.port) != (source.scheme, source.host, source.port):
            shown = target.copy_with(username=None, password=None, query=None, fragment=None)
            raise CrossHostRedirect(str(shown))
        return
    timeout = (response.request.extensions.get("timeout") or {}).get("read")
    if isinstance(timeout, int | float) and timeout > 0:
        _guard(response, float(timeout))


class _Deadline(Exception):
    """The answer did not arrive whole within `timeout` seconds of the server starting to send it."""


class _TooLarge(Exception):
    """The answer grew past MAX_ANSWER_BYTES."""


def _guard(response: Any, timeout: float) -> None:
    """Bound the body of `response` (not yet read): every piece that arrives is checked against an
    overall deadline and a size cap, so a server trickling a byte a second, or streaming without
    end, is stopped. A stalled server is the SDK's read timeout's to catch."""
    import httpx2

    inner = response.stream
    deadline = time.monotonic() + timeout

    class _Bounded(httpx2.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            size = 0
            for piece in inner:
                size += len(piece)
                if time.monotonic() > deadline:
                    raise _Deadline()
                if size > _MAX_BODY_BYTES:
                    raise _TooLarge()
                yield piece

        def close(self) -> None:
            inner.close()

    response.stream = _Bounded()


def _bounded_error(exc: Exception, url: str, settings: Settings, text: str = "") -> LLMServiceError:
    """The sentence for an answer stopped by a bound (exit 3), keeping what had arrived."""
    note = _partial_note(text)
    if isinstance(exc, CrossHostRedirect):
        return LLMServiceError(
            f"the LLM server at {url} redirected the request to another host ({exc.args[0]}); delaynote does not "
            "send the prompt there: set --base-url to the server you mean")
    if isinstance(exc, _TooLarge):
        return LLMServiceError(
            f"the answer from {url} grew past {MAX_ANSWER_BYTES // 1024} KB, the most delaynote accepts, and was "
            f"stopped{note}; check the model and its settings")
    return LLMServiceError(
        f"the answer from {url} had not arrived whole {settings.llm.timeout:g} seconds after it began, the "
        f"`timeout` under [llm] in delaynote.toml, and was stopped{note}; raise the timeout, or try again later")


def _call(client: openai.OpenAI, settings: Settings, messages: list[Message], params: dict[str, Any],
          sink: Callable[[str], None] | None, mapping: Mapping) -> _Raw:
    """One request (the SDK retries it as configured); a stream cut mid-way keeps its text."""
    import httpx2
    import openai

    model = settings.llm.model
    url = shown_url(server_url(settings), settings)
    if sink is None:
        try:
            resp = client.chat.completions.create(model=model, messages=messages, **params)
            text, finish_reason = _message_of(resp)
        except openai.OpenAIError as exc:
            raise service_error(exc, settings) from None
        except (CrossHostRedirect, _Deadline, _TooLarge) as exc:
            raise _bounded_error(exc, url, settings) from None
        except httpx2.InvalidURL as exc:  # checked in build_client; a client passed in was not
            raise invalid_url(server_url(settings), str(exc), "the base URL", settings) from None
        except ValueError:  # json.JSONDecodeError: the SDK parses the body before we see it
            raise _garbled_error(url, "its body is not valid JSON") from None
        except _Garbled as exc:
            raise _garbled_error(url, str(exc)) from None
        text = without_controls(text)
        if len(text.encode("utf-8")) > MAX_ANSWER_BYTES:
            raise _bounded_error(_TooLarge(), url, settings)
        return _Raw(text=restore(text, mapping), finish_reason=finish_reason, usage=_usage(resp.usage))

    feed, flush = streaming_restorer(mapping, sink)
    clean, clean_rest = model_text_cleaner()
    parts: list[str] = []
    finish: str | None = None
    usage: Any = None
    chunks = size = 0

    def partial() -> str:
        rest = clean_rest()
        if rest:
            parts.append(rest)
            feed(rest)
        flush()
        return restore("".join(parts), mapping)

    try:
        stream = client.chat.completions.create(model=model, messages=messages, stream=True,
                                                stream_options={"include_usage": True}, **params)
        for pieces, chunk_usage in _chunks(stream):
            chunks += 1
            usage = chunk_usage or usage
            for delta, finish_reason in pieces:
                if delta:
                    delta = clean(delta)
                    size += len(delta.encode("utf-8"))
                    parts.append(delta)
                    feed(delta)
                    if size > MAX_ANSWER_BYTES:
                        stream.response.close()
                        raise _TooLarge()
                if finish_reason:
                    finish = finish_reason
    except openai.OpenAIError as exc:
        text = partial()
        if parts:
            raise LLMServiceError(
                f"the answer from {url} broke off mid-way ({_kind(exc)}){_partial_note(text)}; "
                "run the command again") from None
        raise service_error(exc, settings) from None
    except (CrossHostRedirect, _Deadline, _TooLarge) as exc:
        raise _bounded_error(exc, url, settings, partial()) from None
    except httpx2.InvalidURL as exc:
        raise invalid_url(server_url(settings), str(exc), "the base URL", settings) from None
    except _Garbled as exc:
        text = partial()
        if finish is None:  # after the finish reason only the usage was still to come: keep the answer
            if parts:
                raise LLMServiceError(
                    f"the answer from {url} broke off mid-way ({exc}){_partial_note(text)}; "
                    "run the command again") from None
            raise _garbled_error(url, str(exc)) from None
    text = partial()
    if chunks == 0:  # not even an empty answer: the body held no server-sent events at all
        raise _garbled_error(url, "the stream held no chat-completion events")
    if finish is None and parts:
        raise LLMServiceError(
            f"the answer from {url} ended before it was complete{_partial_note(text)}; "
            "run the command again")
    return _Raw(text=text, finish_reason=finish, usage=_usage(usage))


def _kind(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection lost"
    return "server error"


def parse_json(text: str, schema: type[BaseModel] | None) -> Any:
    """The JSON object in an answer (code fences tolerated), validated against `schema`.
    Raises ValueError with the reason, which the re-ask quotes back to the model."""
    body = text.strip()
    start, end = body.find("{"), body.rfind("}")
    if start == -1:
        raise ValueError("the answer holds no JSON object")
    if end < start:
        raise ValueError("the JSON is not valid: the object is never closed")
    try:
        data = json.loads(body[start:end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON is not valid: {exc.msg} at line {exc.lineno}") from None
    if schema is None:
        return data
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the object"
        raise ValueError(f"the JSON does not match the schema: {where}: {first['msg']}") from None


def _problem(raw: _Raw, wants_json: bool, schema: type[BaseModel] | None) -> tuple[str | None, Any]:
    """Why an answer cannot be used (None if it can), and the parsed data for JSON requests."""
    if raw.finish_reason == "length":
        return "it was cut off at the model's length limit", None
    if not raw.text.strip():
        return "it was empty", None
    if wants_json:
        try:
            return None, parse_json(raw.text, schema)
        except ValueError as exc:
            return str(exc), None
    return None, None


def _reask_messages(messages: list[Message], raw: _Raw, problem: str, mapping: Mapping,
                    settings: Settings) -> list[Message]:
    from assistant.llm.prompts import render_prompt

    note = render_prompt("reask.md", {"problem": problem}, settings)
    extra: list[Message] = []
    if raw.text.strip():
        extra.append({"role": "assistant", "content": redact(raw.text, mapping)})
    return [*messages, *extra, {"role": "user", "content": note}]


def _ensure_json_word(messages: list[Message]) -> list[Message]:
    """`json_object` mode requires the word JSON in the prompt (DeepSeek, OpenAI)."""
    if any("json" in str(m.get("content", "")).lower() for m in messages):
        return messages
    return [*messages, {"role": "system", "content": "Answer with one JSON object."}]


def _ask(client: openai.OpenAI, settings: Settings, sent: list[Message], params: dict[str, Any], key: str, *,
         stream_to: Callable[[str], None] | None, schema: type[BaseModel] | None, wants_json: bool,
         use_cache: bool, mapping: Mapping, notify: Callable[[str], None] | None) -> Completion:
    """The request, its one re-ask for an unusable answer, and storing a good answer."""
    total = Usage()
    attempt_messages = sent
    for attempt in (1, 2):
        try:
            raw = _call(client, settings, attempt_messages, params, stream_to, mapping)
        except LLMServiceError as err:
            fmt = params.get("response_format", {})
            if fmt.get("type") == "json_schema" and any(h in err.message for h in _FORMAT_HINTS):
                # The server does not take JSON schemas (DeepSeek, older models): fall back to
                # JSON mode and validate here instead.
                params = {**params, "response_format": {"type": "json_object"}}
                attempt_messages = _ensure_json_word(attempt_messages)
                raw = _call(client, settings, attempt_messages, params, stream_to, mapping)
            else:
                raise
        total = add_usage(total, raw.usage)
        if raw.finish_reason == "content_filter":
            raise LLMServiceError(
                f"the model '{settings.llm.model}' refused to answer (content filter); rephrase the input")
        problem, data = _problem(raw, wants_json, schema)
        if problem is None:
            if use_cache:
                cache.store(key, {"text": redact(raw.text, mapping), "finish_reason": raw.finish_reason,
                                  "model": settings.llm.model})
            return Completion(text=raw.text, finish_reason=raw.finish_reason, usage=total, data=data)
        if attempt == 1:
            if notify is not None:
                notify(f"the model's answer could not be used ({problem}); asking once more")
            if stream_to is not None:
                stream_to("\n\n")
            attempt_messages = _reask_messages(sent, raw, problem, mapping, settings)
    raise LLMServiceError(
        f"the model '{settings.llm.model}' gave an unusable answer twice ({problem})"
        f"{_partial_note(raw.text)}; try again, or try another model with --model")


def complete(
    messages: list[Message],
    settings: Settings,
    *,
    stream_to: Callable[[str], None] | None = None,
    json_schema: type[BaseModel] | None = None,
    json_mode: bool = False,
    use_cache: bool = True,
    temperature: float | None = None,
    max_tokens: int | None = None,
    redaction: Mapping | None = None,
    notify: Callable[[str], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
    client: openai.OpenAI | None = None,
) -> Completion:
    """Ask the model; see the module docstring for what happens around the call.

    `stream_to` gets each piece of text as it arrives (names restored). `json_schema` (a
    Pydantic model) asks for structured output and validates it into `Completion.data`;
    `json_mode` asks for any JSON object. `redaction` (placeholder -> value) is applied to
    every message before it leaves the machine and undone in the answer. `notify` hears
    about a re-ask, `on_retry` about each retry the SDK makes. Raises `LLMServiceError` (exit 3) on every failure.
    """
    mapping = redaction or {}
    sent = [{**m, "content": redact(m["content"], mapping)} if isinstance(m.get("content"), str) else m
            for m in messages]
    wants_json = json_schema is not None or json_mode
    params: dict[str, Any] = {}
    if temperature is not None:
        params["temperature"] = temperature
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    if json_schema is not None:
        params["response_format"] = {"type": "json_schema", "json_schema": {
            "name": json_schema.__name__, "schema": json_schema.model_json_schema(), "strict": False}}
    elif json_mode:
        params["response_format"] = {"type": "json_object"}
        sent = _ensure_json_word(sent)

    use_cache = use_cache and settings.llm.cache
    key = cache.cache_key(base_url=server_url(settings), model=settings.llm.model, messages=sent, params=params)
    if use_cache:
        hit = cache.load(key)
        if hit is not None and isinstance(hit.get("text"), str):
            text = restore(hit["text"], mapping)
            problem, data = _problem(_Raw(text=text, finish_reason=hit.get("finish_reason")), wants_json, json_schema)
            if problem is None:
                if stream_to is not None:
                    stream_to(text)
                return Completion(text=text, finish_reason=hit.get("finish_reason"), usage=Usage(),
                                  cached=True, data=data)

    client = client or build_client(settings)
    with report_retries(on_retry):
        return _ask(client, settings, sent, params, key, stream_to=stream_to, schema=json_schema,
                    wants_json=wants_json, use_cache=use_cache, mapping=mapping, notify=notify)
