"""Ask for the facts of a delay on a terminal, one question at a time (SPEC §3 `draft` without `--facts`).

Every answer is checked at once by the same rules as a facts file (`assistant.facts.validate_facts`
on the answers so far, keeping only the problems at the key just answered), so a bad date is
re-asked with the reason instead of failing at the end. The answers are saved as a facts file
the user can reuse; Ctrl-C or end of input saves a partial file that `draft --resume` completes.
The wording of every question is data (`assistant/data/questions_{en,zh}.yaml`); the order is here.
`ask` and `say` are injected so tests drive the whole flow with scripted answers.
"""

from __future__ import annotations

import copy
import os
import string
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, get_args

import yaml

from assistant.dates import next_update, parse_iso_date
from assistant.errors import DelaynoteError, InputError
from assistant.facts import (
    CADENCES,
    CAUSE_CATEGORIES,
    CHANNELS,
    LANGUAGES,
    TONES,
    Facts,
    FactsError,
    PhaseStatus,
    dump_facts_yaml,
    facts_to_data,
    key_path,
    parse_facts_text,
    validate_facts,
)
from assistant.textio import read_text

Ask = Callable[[str], str]
Say = Callable[[str], None]
Loc = tuple[str | int, ...]

PHASE_STATUSES: tuple[str, ...] = get_args(PhaseStatus)  # from the model, not a second list
_TASK_SEPARATORS = (";", "；")


class GatherInterrupted(DelaynoteError):
    """Ctrl-C or end of input while answering: the message names the partial file (exit 130)."""

    exit_code = 130


def terminal_ask(prompt: str) -> str:
    """Prompt on stderr (stdout may be the notice, redirected) and read one line from the terminal.
    Plain `input()`, as click and Rich prompts use it: GNU readline would redraw a prompt it did not
    print, and delays Ctrl-C that arrives just before it starts reading."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return input()


def terminal_say(text: str) -> None:
    """Messages go to stderr, like the prompts."""
    print(text, file=sys.stderr, flush=True)


def load_questions(language: str) -> dict[str, Any]:
    """The wording of the questions and messages in one language."""
    name = f"questions_{language if language in LANGUAGES else 'en'}.yaml"
    return yaml.safe_load((files("assistant") / "data" / name).read_text(encoding="utf-8"))


@dataclass
class _Session:
    texts: dict[str, Any]
    ask: Ask
    say: Say
    today: date
    prior: dict[str, Any] = field(default_factory=dict)  # answers from a --resume file
    data: dict[str, Any] = field(default_factory=dict)  # the answers accepted so far


def _get(data: Any, loc: Loc) -> Any:
    """The value at `loc` in nested data, or None (tolerates a hand-edited file of the wrong shape)."""
    for part in loc:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def _put(data: dict[str, Any], loc: Loc, value: Any) -> None:
    """Set `value` at `loc`, creating mappings and appending list items on the way."""
    target: Any = data
    for part, nxt in zip(loc, loc[1:], strict=False):
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            if part == len(target):
                target.append(empty)
            target = target[part]
        else:
            target = target.setdefault(part, empty)
    last = loc[-1]
    if isinstance(last, int) and last == len(target):
        target.append(value)
    else:
        target[last] = value


def _problems_at(data: dict[str, Any], loc: Loc) -> list[str]:
    """What the facts rules say about the key at `loc`, given the answers so far."""
    try:
        validate_facts(data, "answers")
    except FactsError as exc:
        path = key_path(loc)
        return [p.message for p in exc.problems
                if p.path == path or p.path.startswith((path + ".", path + "["))]
    return []


def _match_template(template: str, text: str) -> dict[str, str] | None:
    """Fields of `text` if it has the shape of `template` ('{new} must be after …'), else None.
    Plain `str.find` from left to right: linear in the text, whatever the user typed."""
    parts = string.Formatter().parse(template)
    literals, names = [], []
    for literal, name, _, _ in parts:
        literals.append(literal)
        if name is not None:
            names.append(name)
    if len(literals) == len(names):
        literals.append("")
    if not text.startswith(literals[0]) or not text.endswith(literals[-1]):
        return None
    pos, end, fields = len(literals[0]), len(text) - len(literals[-1]), {}
    for i, (name, literal) in enumerate(zip(names, literals[1:], strict=True)):
        at = end if i == len(names) - 1 else text.find(literal, pos, end)
        if at < pos:
            return None
        fields[name], pos = text[pos:at], at + len(literal)
    return fields if pos >= end else None


def _reason(s: _Session, message: str) -> str:
    """A facts rule's sentence in the session's language (the rules speak English)."""
    for entry in s.texts.get("reasons", []):
        fields = _match_template(entry["en"], message)
        if fields is not None:
            return entry["zh"].format(**fields)
    return message


def _as_default(value: Any) -> str | None:
    if value is None or value == []:
        return None
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _question(s: _Session, key: str, n: int | None, choices: tuple[str, ...] | None) -> str:
    text = s.texts["questions"][key].format(n=n)
    if choices:
        labels = s.texts.get("labels", {}).get(key, {})
        shown = s.texts["choice_separator"].join(f"{c} {labels[c]}" if c in labels else c for c in choices)
        text = s.texts["choices"].format(question=text, choices=shown)
    return text


def _choice(s: _Session, key: str, answer: str, choices: tuple[str, ...]) -> str:
    """A choice typed as its value or its display name ('邮件' for email); anything else as typed,
    so the model's own message names the allowed values."""
    labels = s.texts.get("labels", {}).get(key, {})
    for value in choices:
        if answer.lower() in (value, str(labels.get(value, "")).lower()):
            return value
    return answer


def _tasks(answer: str) -> list[str]:
    for sep in _TASK_SEPARATORS[1:]:
        answer = answer.replace(sep, _TASK_SEPARATORS[0])
    return [t.strip() for t in answer.split(_TASK_SEPARATORS[0]) if t.strip()]


def _ask(
    s: _Session,
    key: str,
    loc: Loc,
    *,
    n: int | None = None,
    default: str | None = None,
    choices: tuple[str, ...] | None = None,
    optional: bool = False,
    tasks: bool = False,
) -> Any:
    """Ask one question until the answer passes the facts rules; return the accepted value,
    or None when an optional question is left empty (nothing is recorded then)."""
    default = _as_default(_get(s.prior, loc)) or default
    question = _question(s, key, n, choices)
    prompt = (s.texts["prompt_default"].format(question=question, default=default) if default
              else s.texts["prompt"].format(question=question))
    while True:
        answer = s.ask(prompt).strip() or (default or "")
        if not answer and optional:
            return None
        value: Any = answer
        if choices:
            value = _choice(s, key, answer, choices)
        elif tasks:
            value = _tasks(answer)
        trial = copy.deepcopy(s.data)
        _put(trial, loc, value)
        reasons = _problems_at(trial, loc)
        if not reasons:
            s.data = trial
            return value
        s.say(s.texts["retry"].format(reason="; ".join(_reason(s, r) for r in reasons)))


def _list_ended(s: _Session, key: str) -> bool:
    """An empty answer ends a list, unless the facts rules need another entry (causes, mitigations)."""
    trial = copy.deepcopy(s.data)
    trial.setdefault(key, [])
    reasons = _problems_at(trial, (key,))
    if reasons:
        s.say(s.texts["retry"].format(reason="; ".join(_reason(s, r) for r in reasons)))
        return False
    if s.data.get(key):
        s.say(s.texts["list_done"].format(count=len(s.data[key])))
    return True


def _section(s: _Session, name: str, *, is_list: bool = False) -> None:
    heading = s.texts["sections"][name]
    if is_list:
        heading = s.texts["section_list"].format(heading=heading, hint=s.texts["list_hint"])
    s.say(f"\n{heading}")


def _text_list(s: _Session, key: str) -> None:
    i = 0
    while True:
        if _ask(s, key, (key, i), n=i + 1, optional=True) is not None:
            i += 1
        elif _list_ended(s, key):
            return


def _causes(s: _Session) -> None:
    i = 0
    while True:
        if _ask(s, "causes.summary", ("causes", i, "summary"), n=i + 1, optional=True) is None:
            if _list_ended(s, "causes"):
                return
            continue
        _ask(s, "causes.category", ("causes", i, "category"), default="other", choices=CAUSE_CATEGORIES)
        _ask(s, "causes.detail", ("causes", i, "detail"), n=i + 1, optional=True)
        i += 1


def _phases(s: _Session) -> None:
    i = 0
    while True:
        if _ask(s, "phases.name", ("phases", i, "name"), n=i + 1, optional=True) is None:
            _list_ended(s, "phases")
            return
        _ask(s, "phases.due", ("phases", i, "due"), n=i + 1)
        _ask(s, "phases.tasks", ("phases", i, "tasks"), n=i + 1, optional=True, tasks=True)
        _ask(s, "phases.status", ("phases", i, "status"), n=i + 1, optional=True, choices=PHASE_STATUSES)
        i += 1


def _flow(s: _Session) -> None:
    """The questions, in the order a project manager thinks about the delay."""
    _ask(s, "project", ("project",))
    _section(s, "client")
    _ask(s, "client.contact", ("client", "contact"))
    _ask(s, "client.organisation", ("client", "organisation"), optional=True)
    _ask(s, "client.email", ("client", "email"), optional=True)
    _section(s, "sender")
    _ask(s, "sender.name", ("sender", "name"))
    for key in ("role", "organisation", "email", "phone"):
        _ask(s, f"sender.{key}", ("sender", key), optional=True)
    _section(s, "dates")
    _ask(s, "original_date", ("original_date",))
    _ask(s, "new_date", ("new_date",))
    _ask(s, "notice_date", ("notice_date",), default=s.today.isoformat())
    _section(s, "causes", is_list=True)
    _causes(s)
    _ask(s, "impact", ("impact",), optional=True)
    _section(s, "solution", is_list=True)
    _text_list(s, "mitigations")
    _phases(s)
    _section(s, "status", is_list=True)
    _text_list(s, "completed")
    _text_list(s, "pending")
    _section(s, "updates")
    cadence = _ask(s, "updates.cadence", ("updates", "cadence"), default="weekly", choices=CADENCES)
    _ask(s, "updates.channel", ("updates", "channel"), optional=True, choices=CHANNELS)
    first = next_update(parse_iso_date(s.data["notice_date"]), cadence)
    first = min(first, parse_iso_date(s.data["new_date"]))  # never a default the rules refuse
    _ask(s, "updates.next", ("updates", "next"), default=first.isoformat())
    _section(s, "delivery")
    _ask(s, "channel", ("channel",), default="email", choices=CHANNELS)
    _ask(s, "tone", ("tone",), default="neutral", choices=TONES)


def load_resume(path: Path) -> dict[str, Any]:
    """The answers in a partial (or complete) facts file, used as defaults; not validated here,
    because each one is checked again when the user keeps it."""
    data = parse_facts_text(read_text(path), str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path} does not hold facts (a mapping of keys), so it cannot be resumed")
    return data


def save_new(path: Path, render: Callable[[str], str]) -> Path:
    """Write `render(shown_name)` to `path`, or to `stem-2.suffix`, `-3`, … if it exists: never
    overwrite. Exclusive creation, so two runs cannot pick the same name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{path.parent} cannot be created: {exc.strerror}") from None
    for i in range(1, 1000):
        candidate = path if i == 1 else path.with_name(f"{path.stem}-{i}{path.suffix}")
        try:
            with candidate.open("x", encoding="utf-8") as fh:
                fh.write(render(str(candidate)))
            return candidate
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"{candidate} cannot be written: {exc.strerror}") from None
    raise InputError(f"no free file name next to {path}; pass --save-facts PATH")


def default_save_path(now: datetime) -> Path:
    return Path(f"delaynote-facts-{now:%Y%m%d-%H%M%S}.yaml")


def check_save_folder(path: Path) -> None:
    """Refuse an unwritable save folder before the first question, not after the last."""
    folder = next((p for p in [path.parent, *path.parent.parents] if p.exists()), Path("."))
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InputError(f"the answers cannot be saved in {folder} (not a writable folder); "
                         "pass --save-facts PATH")


class _Signalled(KeyboardInterrupt):
    """SIGHUP (the terminal closed) or SIGTERM (asked to stop) during the questions: handled like
    Ctrl-C, so the answers so far are saved, then exit 128 + the signal's number (129, 143)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _hangup_and_terminate_interrupt() -> Iterator[None]:
    """While the questions run, SIGHUP and SIGTERM raise `_Signalled` (by default they would end
    the process at once and lose every answer); the previous handlers come back afterwards."""
    import signal

    def handler(signum: int, _frame: object) -> None:
        raise _Signalled(signum)

    previous: dict[int, Any] = {}
    for name in ("SIGHUP", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is None:  # Windows has no SIGHUP
            continue
        try:
            previous[number] = signal.signal(number, handler)
        except ValueError:  # not the main thread: leave the signals alone
            break
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _interrupted(message: str, code: int) -> GatherInterrupted:
    error = GatherInterrupted(message)
    error.exit_code = code
    return error


def gather_facts(
    language: str | None = "en",
    save_to: Path | None = None,
    *,
    resume: Path | None = None,
    ask: Ask = terminal_ask,
    say: Say = terminal_say,
    now: datetime | None = None,
) -> Facts:
    """Ask for every fact, save the answers as a facts file and return the validated `Facts`.

    `language` picks the questions and the notice language (None: the resumed file's, else en).
    Raises `GatherInterrupted` (exit 130) on Ctrl-C or end of input, after saving the answers so far.
    """
    now = now or datetime.now()
    prior = load_resume(resume) if resume else {}
    if language not in LANGUAGES:
        language = prior.get("language") if prior.get("language") in LANGUAGES else "en"
    texts = load_questions(language)
    s = _Session(texts=texts, ask=ask, say=say, today=now.date(), prior=prior, data={"language": language})
    say(texts["intro"].rstrip())
    if resume:
        say(texts["resume_intro"].format(path=resume))
    target = save_to or default_save_path(now)
    check_save_folder(target)
    try:
        with _hangup_and_terminate_interrupt():
            _flow(s)
    except (KeyboardInterrupt, EOFError) as stop:
        code = 128 + stop.signum if isinstance(stop, _Signalled) else 130
        try:
            say("")
        except OSError:  # SIGHUP: the terminal is gone, the answers are not
            pass
        if len(s.data) <= 1:  # only the language, which was not an answer
            raise _interrupted(texts["interrupted_empty"], code) from None
        try:
            saved = save_new(target, lambda shown: texts["partial_header"].format(path=shown)
                             + dump_facts_yaml(s.data))
        except InputError as exc:
            raise _interrupted(exc.message, code) from None
        raise _interrupted(texts["interrupted"].format(path=saved), code) from None
    facts = validate_facts(s.data, "your answers")
    try:
        saved = save_new(target, lambda shown: texts["complete_header"].format(
            date=now.date().isoformat(), path=shown) + dump_facts_yaml(facts_to_data(facts)))
        say(texts["saved"].format(path=saved))
    except InputError as exc:  # the answers are still good for this draft: say so and go on
        say(exc.message)
    return facts
