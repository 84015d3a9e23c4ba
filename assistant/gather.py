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
    fixed: dict[str, Any] = field(default_factory=dict)  # command-line values: never asked, always kept
    style: Callable[[str, str], str] = field(default=lambda kind, text: text)  # see `styler`


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
    """A facts rule's sentence in the user's words and language: the rules speak of keys
    ("must be after original_date"), a person of "the promised date"."""
    for entry in s.texts.get("reasons", []):
        fields = _match_template(entry["en"], message)
        if fields is not None:
            return (entry.get("say") or entry["zh"]).format(**fields)
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
    """A choice typed as its value, its display name ('邮件' for email) or a usual word for it
    ('微信', 'e-mail', 'in progress'); anything else as typed, so the rules name the allowed values."""
    from assistant.answers import normalise_choice

    return normalise_choice(key, answer, choices, s.texts.get("labels", {}).get(key, {}))


def _tasks(answer: str) -> list[str]:
    for sep in _TASK_SEPARATORS[1:]:
        answer = answer.replace(sep, _TASK_SEPARATORS[0])
    return [t.strip() for t in answer.split(_TASK_SEPARATORS[0]) if t.strip()]


_DATE_KEYS = frozenset({"original_date", "new_date", "notice_date", "phases.due", "updates.next"})
_EMAIL_KEYS = frozenset({"client.email", "sender.email"})
CLEAR = "-"  # typed for an optional answer: no value (while resuming: drop the saved one)


def _value(s: _Session, key: str, answer: str, choices: tuple[str, ...] | None, tasks: bool) -> Any:
    """The typed answer as a facts value: a choice named in the user's words, a date as written
    in English or Chinese, tasks split at semicolons."""
    if choices:
        return _choice(s, key, answer, choices)
    if tasks:
        return _tasks(answer)
    if key in _DATE_KEYS:
        from assistant.answers import normalise_date, today_words

        return normalise_date(today_words(answer, s.today))
    return answer


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
    prior_loc: Loc | None = None,
) -> Any:
    """Ask one question until the answer passes the facts rules; return the accepted value,
    or None when an optional question is left empty or cleared with `-` (nothing is recorded
    then). `prior_loc` is where the resumed file holds this answer (a list item may have moved
    up after one before it was removed). A value given on the command line is not asked."""
    if len(loc) == 1 and loc[0] in s.fixed:
        s.data[loc[0]] = s.fixed[loc[0]]
        return s.fixed[loc[0]]
    default = _as_default(_get(s.prior, loc if prior_loc is None else prior_loc)) or default
    question = _question(s, key, n, choices)
    if optional and s.prior:
        question = s.texts["clear_hint"].format(question=question)
    prompt = (s.texts["prompt_default"].format(question=question, default=s.style("default", default)) if default
              else s.texts["prompt"].format(question=question))
    while True:
        typed = s.ask(prompt).strip()
        if optional and typed == CLEAR:
            return None
        answer = typed or (default or "")
        if not answer and optional:
            return None
        value = _value(s, key, answer, choices, tasks)
        reasons = []
        if key in _EMAIL_KEYS:
            from assistant.answers import is_email

            if not is_email(value):
                reasons = [s.texts["not_email"].format(value=value)]
        if not reasons:
            trial = copy.deepcopy(s.data)
            _put(trial, loc, value)
            reasons = [_reason(s, r) for r in _problems_at(trial, loc)]
            if not reasons:
                s.data = trial
                return value
        s.say(s.style("error", s.texts["retry"].format(reason="; ".join(reasons))))


def _list_ended(s: _Session, key: str) -> bool:
    """An empty answer ends a list, unless the facts rules need another entry (causes, mitigations)."""
    trial = copy.deepcopy(s.data)
    trial.setdefault(key, [])
    reasons = _problems_at(trial, (key,))
    if reasons:
        s.say(s.style("error", s.texts["retry"].format(reason="; ".join(_reason(s, r) for r in reasons))))
        return False
    if s.data.get(key):
        s.say(s.texts["list_done"].format(count=len(s.data[key])))
    return True


def _section(s: _Session, name: str, *, is_list: bool = False) -> None:
    heading = s.texts["section"].format(heading=s.texts["sections"][name])
    if is_list:
        heading = s.texts["section_list"].format(heading=heading, hint=s.texts["list_hint"])
    s.say("\n" + s.style("heading", heading))


def _removed(s: _Session, key: str, j: int) -> bool:
    """Whether the resumed file has an item `j` of list `key` (which `-` has just removed)."""
    items = _get(s.prior, (key,))
    return isinstance(items, list) and j < len(items)


def _text_list(s: _Session, key: str) -> None:
    i = j = 0  # i: the answers' index; j: the resumed file's (they differ once an item is removed)
    while True:
        if _ask(s, key, (key, i), n=i + 1, optional=True, prior_loc=(key, j)) is not None:
            i, j = i + 1, j + 1
        elif _removed(s, key, j):
            j += 1
        elif _list_ended(s, key):
            return


def _causes(s: _Session) -> None:
    i = j = 0
    while True:
        if _ask(s, "causes.summary", ("causes", i, "summary"), n=i + 1, optional=True,
                prior_loc=("causes", j, "summary")) is None:
            if _removed(s, "causes", j):
                j += 1
                continue
            if _list_ended(s, "causes"):
                return
            continue
        _ask(s, "causes.category", ("causes", i, "category"), default="other", choices=CAUSE_CATEGORIES,
             prior_loc=("causes", j, "category"))
        _ask(s, "causes.detail", ("causes", i, "detail"), n=i + 1, optional=True, prior_loc=("causes", j, "detail"))
        i, j = i + 1, j + 1


def _phases(s: _Session) -> None:
    i = j = 0
    while True:
        if _ask(s, "phases.name", ("phases", i, "name"), n=i + 1, optional=True,
                prior_loc=("phases", j, "name")) is None:
            if _removed(s, "phases", j):
                j += 1
                continue
            _list_ended(s, "phases")
            return
        _ask(s, "phases.due", ("phases", i, "due"), n=i + 1, prior_loc=("phases", j, "due"))
        _ask(s, "phases.tasks", ("phases", i, "tasks"), n=i + 1, optional=True, tasks=True,
             prior_loc=("phases", j, "tasks"))
        _ask(s, "phases.status", ("phases", i, "status"), n=i + 1, optional=True, choices=PHASE_STATUSES,
             prior_loc=("phases", j, "status"))
        i, j = i + 1, j + 1


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


def use_style(stream: Any = None) -> bool:
    """Colour on a terminal only, and never with NO_COLOR set or TERM=dumb."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_STYLES = {"heading": "bold underline", "default": "cyan", "error": "red", "saved": "green"}


def styler(enabled: bool) -> Callable[[str, str], str]:
    """`style(kind, text)`: the text with ANSI styling for its kind (heading, default, error,
    saved) when `enabled`, else the text unchanged. Rich renders it; nothing else is styled."""
    if not enabled:
        return lambda kind, text: text
    import io

    from rich.console import Console
    from rich.text import Text

    def style(kind: str, text: str) -> str:
        buffer = io.StringIO()
        Console(file=buffer, force_terminal=True, color_system="standard", width=10_000, highlight=False,
                emoji=False, markup=False).print(Text(text, style=_STYLES.get(kind, ""), end=""), end="")
        return buffer.getvalue()

    return style


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
    overrides: dict[str, Any] | None = None,
    color: bool | None = None,
) -> Facts:
    """Ask for every fact, save the answers as a facts file and return the validated `Facts`.

    `language` picks the questions and the notice language (None: the resumed file's, else en).
    `overrides` (`--channel`, `--tone`) are not asked, win over a resumed file's answers and are
    saved. Resuming a file updates it in place (its comments kept) unless `save_to` names another
    file; a partial file is removed once its answers are complete. `color` None: on a terminal only.
    Raises `GatherInterrupted` (exit 130) on Ctrl-C or end of input, after saving the answers so far.
    """
    now = now or datetime.now()
    prior = load_resume(resume) if resume else {}
    if language not in LANGUAGES:
        language = prior.get("language") if prior.get("language") in LANGUAGES else "en"
    texts = load_questions(language)
    fixed = {k: v for k, v in (overrides or {}).items() if v is not None and k in ("channel", "tone")}
    style = styler(use_style() if color is None and ask is terminal_ask else bool(color))
    s = _Session(texts=texts, ask=ask, say=say, today=now.date(), prior=prior, data={"language": language},
                 fixed=fixed, style=style)
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
        saved = _save_complete(texts, facts, now, target=target, resume=resume, in_place=save_to is None)
        say(style("saved", texts["saved"].format(path=saved)))
    except InputError as exc:  # the answers are still good for this draft: say so and go on
        say(exc.message)
    return facts


def _save_complete(texts: dict[str, Any], facts: Facts, now: datetime, *, target: Path, resume: Path | None,
                   in_place: bool) -> Path:
    """Write the complete answers: into the resumed file itself (comments kept), or to a new file;
    a resumed partial file that the new file completes is removed."""
    from assistant.facts_update import is_partial, update_in_place

    data = facts_to_data(facts)
    header = texts["complete_header"].format(date=now.date().isoformat(), path="{path}")
    if resume is not None and in_place:
        update_in_place(resume, data, header.replace("{path}", str(resume)))
        return resume
    saved = save_new(target, lambda shown: header.replace("{path}", shown) + dump_facts_yaml(data))
    if resume is not None and resume.resolve() != saved.resolve() and is_partial(resume):
        try:
            resume.unlink()
        except OSError:
            pass  # the complete file is written; a partial one left behind is only clutter
    return saved
